"""Checks declared with ``check_specs=`` on an asset: which run, and what a run refuses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from nbassets import (
    AssetCheckKey,
    AssetCheckResult,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetOut,
    AssetSelection,
    AssetSpec,
    DagsterInvalidDefinitionError,
    DagsterStepOutputNotFoundError,
    Output,
    asset,
    graph_multi_asset,
    materialize,
    multi_asset,
    op,
)


def _subsettable() -> Any:
    seen: list[set[AssetCheckKey]] = []

    @multi_asset(
        can_subset=True,
        specs=[AssetSpec("a"), AssetSpec("b")],
        check_specs=[AssetCheckSpec("a_ok", asset="a"), AssetCheckSpec("b_ok", asset="b")],
    )
    def both(context: AssetExecutionContext) -> Iterator[Any]:
        seen.append(context.selected_asset_check_keys)
        for key in sorted(context.selected_asset_keys):
            yield Output(1, output_name=key.to_python_identifier())
        for check in context.selected_asset_check_keys:
            yield AssetCheckResult(asset_key=check.asset_key, check_name=check.name, passed=True)

    return both, seen


def test_the_selection_decides_which_embedded_checks_a_step_evaluates() -> None:
    both, seen = _subsettable()

    result = materialize([both], selection=AssetSelection.assets("a"))
    assert seen[-1] == {AssetCheckKey(AssetKey("a"), "a_ok")}
    assert [e.check_name for e in result.get_asset_check_evaluations()] == ["a_ok"]

    result = materialize([both], selection=AssetSelection.assets("a").without_checks())
    assert seen[-1] == set()
    assert result.get_asset_check_evaluations() == []


def test_a_check_without_its_result_fails_the_step_in_dagsters_words() -> None:
    @asset(check_specs=[AssetCheckSpec("positive", asset="numbers")])
    def numbers() -> Iterator[Any]:
        yield Output(1)

    with pytest.raises(DagsterStepOutputNotFoundError, match='output "numbers_positive"'):
        materialize([numbers])


def test_check_specs_on_another_asset_or_twice_are_refused_at_definition() -> None:
    with pytest.raises(DagsterInvalidDefinitionError, match="Invalid asset key"):

        @asset(check_specs=[AssetCheckSpec("c", asset="elsewhere")])
        def here() -> None: ...

    with pytest.raises(DagsterInvalidDefinitionError, match="Duplicate check specs"):

        @asset(check_specs=[AssetCheckSpec("c", asset="twice"), AssetCheckSpec("c", asset="twice")])
        def twice() -> None: ...


def test_a_graph_asset_runs_only_the_ops_its_selected_outputs_and_checks_need() -> None:
    ran: list[str] = []

    @op
    def build() -> int:
        ran.append("build")
        return 1

    @op
    def verify(value: int) -> AssetCheckResult:
        ran.append("verify")
        return AssetCheckResult(passed=value == 1)

    @op
    def other() -> int:
        ran.append("other")
        return 2

    @graph_multi_asset(
        outs={"one": AssetOut(), "two": AssetOut()},
        check_specs=[AssetCheckSpec("fine", asset="one")],
        can_subset=True,
    )
    def pair() -> dict[str, Any]:
        built = build()
        return {"one": built, "one_fine": verify(built), "two": other()}

    result = materialize([pair], selection=AssetSelection.assets("one").without_checks())
    assert ran == ["build"]
    assert result.get_asset_check_evaluations() == []

    ran.clear()
    result = materialize([pair])
    assert sorted(ran) == ["build", "other", "verify"]
    [evaluation] = result.get_asset_check_evaluations()
    assert (evaluation.asset_key, evaluation.check_name, evaluation.passed) == (
        AssetKey("one"),
        "fine",
        True,
    )
