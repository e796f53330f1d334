"""prepare_run / execute: one plan, drawn before the run and then run as drawn."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from nbassets import AssetKey, InvalidInvocationError, MissingUpstreamError, asset, use_registry
from nbassets.engine import PreparedRun, execute, prepare_run, select_run
from nbassets.engine.events import EventType, RunEvent

K = AssetKey
calls: list[str] = []


# a --> b --> c
@asset
def a() -> int:
    calls.append("a")
    return 1


@asset
def b(a: int) -> int:
    calls.append("b")
    return a + 1


@asset
def c(b: int) -> int:
    calls.append("c")
    return b * 10


DAG = [a, b, c]


@pytest.fixture(autouse=True)
def _fresh() -> Any:
    calls.clear()
    with use_registry() as registry:
        yield registry


def test_prepare_plans_without_running_and_execute_runs_that_plan() -> None:
    with pytest.raises(MissingUpstreamError, match=r"upstream 'a' is not selected"):
        prepare_run(DAG, selection="b+")  # refused before anything runs
    execute(prepare_run(DAG, selection="a"))
    calls.clear()
    prepared = prepare_run(DAG, selection="b+")
    assert calls == []
    assert [s.label for s in prepared.plan.steps] == ["b", "c"]
    assert prepared.selected_keys == {K("b"), K("c")}
    assert execute(prepared).output_for_node("c") == 20
    assert calls == ["b", "c"]


def test_execute_calls_listeners_with_every_event_in_order() -> None:
    prepared = prepare_run(DAG)
    seen: list[RunEvent] = []
    result = execute(prepared, [seen.append])
    assert calls == ["a", "b", "c"]
    assert result.success and result.output_for_node("c") == 20
    kinds = [e.event_type for e in seen]
    assert kinds[0] is EventType.RUN_START and kinds[-1] is EventType.RUN_SUCCESS
    started = [e.step_key for e in seen if e.event_type is EventType.STEP_START]
    assert started == [s.key for s in prepared.plan.steps]


def test_prepared_run_is_frozen() -> None:
    prepared = prepare_run(DAG)
    with pytest.raises(dataclasses.FrozenInstanceError):
        prepared.plan = None  # type: ignore[misc]


def test_a_resolved_selection_is_reused_and_knows_a_single_asset() -> None:
    chosen = select_run("c", DAG)
    assert chosen.single_key == K("c")
    assert select_run("a+", DAG).single_key is None
    execute(prepare_run(DAG))
    calls.clear()
    prepared = prepare_run(selection=chosen)
    assert isinstance(prepared, PreparedRun)
    assert prepared.selection is chosen
    execute(prepared)
    assert calls == ["c"]


def test_a_resolved_selection_refuses_another_list_of_assets() -> None:
    chosen = select_run("c", DAG)
    with pytest.raises(InvalidInvocationError, match=r"drop assets="):
        prepare_run(DAG, selection=chosen)


def test_execute_raises_the_users_error_after_independent_steps() -> None:
    @asset
    def broken() -> int:
        raise ValueError("no data today")

    prepared = prepare_run([*DAG, broken])
    with pytest.raises(ValueError, match="no data today") as caught:
        execute(prepared)
    assert calls == ["a", "b", "c"]
    assert not caught.value.nbassets_result.success  # type: ignore[attr-defined]
    result = execute(prepared, raise_on_error=False)
    assert not result.success


def test_registry_runs_keep_statuses_current_for_subscribers(_fresh: Any) -> None:
    registry = _fresh
    for definition in DAG:
        registry.add(definition)
    seen: list[Any] = []

    def listener(event: Any) -> None:
        # What a view asks when told a step ended: the answer already counts that step.
        if getattr(event, "event_type", None) is EventType.STEP_SUCCESS:
            seen.append(registry.status(K("a")))

    assert registry.status(K("a")) == "missing"
    registry.subscribe(listener)
    execute(prepare_run(selection="a", registry=registry))
    assert seen == ["materialized"]
    assert registry.status(K("a")) == "materialized"
