"""``@multi_asset_check``: one function, one step, several check results."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from nbassets import (
    AssetCheckKey,
    AssetCheckResult,
    AssetCheckSpec,
    AssetKey,
    AssetSelection,
    asset,
    materialize,
    multi_asset_check,
)
from nbassets.errors import InvalidDefinitionError


@asset
def left() -> int:
    return 1


@asset
def right() -> int:
    return 2


@multi_asset_check(
    specs=[AssetCheckSpec("positive", asset=left), AssetCheckSpec("even", asset=right)]
)
def both(left: int, right: int) -> Iterator[AssetCheckResult]:
    yield AssetCheckResult(passed=left > 0, asset_key="left")
    yield AssetCheckResult(passed=right % 2 == 0, asset_key="right", check_name="even")


def test_one_call_reports_every_check() -> None:
    result = materialize([left, right, both])
    evaluations = {
        (e.asset_key, e.check_name): e.passed for e in result.get_asset_check_evaluations()
    }
    assert evaluations == {(AssetKey("left"), "positive"): True, (AssetKey("right"), "even"): True}
    started = [e.step_key for e in result.all_events if e.event_type_value == "STEP_START"]
    assert started == ["left", "right", "both"]


def test_one_of_its_assets_alone_leaves_it_out() -> None:
    # It cannot evaluate `positive` without `even`: re-running `left` alone keeps working.
    result = materialize([left, right, both], selection="left")
    assert result.success
    assert result.get_asset_check_evaluations() == []


def test_naming_some_of_its_checks_is_refused_with_the_fix() -> None:
    selection = AssetSelection.checks(AssetCheckKey(AssetKey("left"), "positive"))
    with pytest.raises(InvalidDefinitionError, match="can_subset=True"):
        materialize([left, right, both], selection=selection)


def test_a_missing_result_fails_the_step_naming_it() -> None:
    @multi_asset_check(
        specs=[AssetCheckSpec("positive", asset=left), AssetCheckSpec("even", asset=right)]
    )
    def forgetful() -> AssetCheckResult:
        return AssetCheckResult(passed=True, asset_key="left")

    result = materialize([left, right, forgetful], raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "right:even" in str(failure.data)
