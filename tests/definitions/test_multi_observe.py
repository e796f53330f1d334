"""``@multi_observable_source_asset``: one function observing several sources."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import nbassets as dg


def test_one_function_reports_each_declared_asset() -> None:
    @dg.multi_observable_source_asset(
        specs=[dg.AssetSpec("raw_orders", tags={"team": "sales"}), dg.AssetSpec("raw_users")],
        group_name="sources",
    )
    def warehouse() -> Iterator[dg.ObserveResult]:
        yield dg.ObserveResult(asset_key="raw_orders", data_version=dg.DataVersion("7"))
        yield dg.ObserveResult(asset_key="raw_users", metadata={"rows": 3})

    assert warehouse.keys == {dg.AssetKey("raw_orders"), dg.AssetKey("raw_users")}
    assert warehouse.tags_by_key[dg.AssetKey("raw_orders")] == {"team": "sales"}
    assert set(warehouse.group_names_by_key.values()) == {"sources"}
    seen = warehouse.observe()
    assert seen[dg.AssetKey("raw_orders")].data_version == dg.DataVersion("7")

    defs = dg.Definitions(assets=[warehouse])
    sources = {a.key: a for a in defs.assets}
    assert set(sources) == warehouse.keys
    assert sources[dg.AssetKey("raw_users")].observe().metadata == {"rows": 3}


def test_a_result_for_an_undeclared_asset_is_refused() -> None:
    @dg.multi_observable_source_asset(specs=[dg.AssetSpec("a")])
    def wrong() -> dg.ObserveResult:
        return dg.ObserveResult(asset_key="b")

    with pytest.raises(dg.DagsterInvariantViolationError, match="'b', which is not among"):
        wrong.observe()
