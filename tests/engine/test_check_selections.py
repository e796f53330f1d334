"""Selecting asset checks apart from their assets, and assets without their checks."""

from __future__ import annotations

import pytest

from nbassets import (
    AssetCheckKey,
    AssetCheckResult,
    AssetKey,
    AssetSelection,
    MissingUpstreamError,
    SelectionError,
    asset,
    asset_check,
    materialize,
    use_registry,
)


@pytest.fixture(autouse=True)
def _fresh_registry():  # type: ignore[no-untyped-def]
    with use_registry():
        yield


def _defs():  # type: ignore[no-untyped-def]
    calls: list[str] = []

    @asset
    def orders() -> list[int]:
        calls.append("orders")
        return [1, 2, 3]

    @asset
    def revenue(orders: list[int]) -> int:
        calls.append("revenue")
        return sum(orders)

    @asset_check(asset=orders)
    def not_empty(orders: list[int]) -> AssetCheckResult:
        calls.append("not_empty")
        return AssetCheckResult(passed=bool(orders), metadata={"rows": len(orders)})

    @asset_check(asset=revenue)
    def positive(revenue: int) -> bool:
        calls.append("positive")
        return revenue > 0

    return [orders, revenue, not_empty, positive], calls


def _evaluated(result) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(e.check_name for e in result.get_asset_check_evaluations())


def test_selecting_assets_runs_their_checks() -> None:
    defs, _ = _defs()
    assert _evaluated(materialize(defs)) == ["not_empty", "positive"]


def test_without_checks_runs_the_assets_only() -> None:
    defs, calls = _defs()
    result = materialize(defs, selection=AssetSelection.all().without_checks())
    assert _evaluated(result) == []
    assert calls == ["orders", "revenue"]


def test_all_asset_checks_evaluate_stored_values_without_running_assets() -> None:
    defs, calls = _defs()
    materialize(defs, selection=AssetSelection.all().without_checks())
    calls.clear()
    result = materialize(defs, selection=AssetSelection.all_asset_checks())
    assert _evaluated(result) == ["not_empty", "positive"]
    assert calls == ["not_empty", "positive"]


def test_checks_for_assets_and_checks_by_key() -> None:
    defs, calls = _defs()
    materialize(defs, selection=AssetSelection.all().without_checks())
    calls.clear()
    by_asset = materialize(defs, selection=AssetSelection.checks_for_assets("revenue"))
    assert _evaluated(by_asset) == ["positive"]
    by_key = materialize(
        defs, selection=AssetSelection.checks(AssetCheckKey(AssetKey("orders"), "not_empty"))
    )
    assert _evaluated(by_key) == ["not_empty"]
    assert calls == ["positive", "not_empty"]


def test_a_check_on_a_value_never_stored_says_to_materialize_it() -> None:
    defs, _ = _defs()
    with pytest.raises(MissingUpstreamError, match=r"Materialize it first \(selection='orders'\)"):
        materialize(defs, selection=AssetSelection.checks_for_assets("orders"))


def test_an_unknown_check_gets_did_you_mean() -> None:
    defs, _ = _defs()
    materialize(defs)
    wrong = AssetCheckKey(AssetKey("orders"), "not_emtpy")
    with pytest.raises(SelectionError, match="Did you mean 'orders:not_empty'"):
        materialize(defs, selection=AssetSelection.checks(wrong))


def test_check_selections_have_no_string_spelling() -> None:
    with pytest.raises(SelectionError, match="cannot spell"):
        AssetSelection.all_asset_checks().to_selection_str()
