"""Loading definitions from modules: what is found, prefixes, groups and collisions,
as Dagster 1.13's ``load_assets_from_modules`` family does it."""

from __future__ import annotations

import types
from collections.abc import Iterator

import pytest

import nbassets as dg


@pytest.fixture(autouse=True)
def _own_registry() -> Iterator[None]:
    # Runs here store values; a registry of their own keeps them from other tests.
    with dg.use_registry():
        yield


def _module(name: str, **values: object) -> types.ModuleType:
    module = types.ModuleType(name)
    for attribute, value in values.items():
        setattr(module, attribute, value)
    return module


@pytest.fixture
def shop() -> types.ModuleType:
    raw = dg.SourceAsset("raw_orders")

    @dg.asset(deps=["raw_orders"])
    def orders() -> int:
        return 5

    @dg.asset
    def report(orders: int) -> int:
        return orders * 2

    @dg.asset_check(asset=orders)
    def orders_positive(orders: int) -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=orders > 0)

    return _module(
        "shop",
        raw=raw,
        orders=orders,
        listed=[report],
        spec=dg.AssetSpec("external"),
        orders_positive=orders_positive,
        mixed=[report, 3],  # a list holding anything else is not looked into
    )


def _by_key(loaded: list[object]) -> dict[dg.AssetKey, object]:
    return {key: item for item in loaded for key in getattr(item, "keys", ())}


def test_definitions_and_sources_are_found_once_specs_only_when_asked(shop) -> None:
    loaded = dg.load_assets_from_modules([shop, shop])
    assert list(_by_key(loaded)) == [
        dg.AssetKey("report"),
        dg.AssetKey("orders"),
        dg.AssetKey("raw_orders"),
    ]
    assert dg.AssetKey("external") in _by_key(
        dg.load_assets_from_modules([shop], include_specs=True)
    )


def test_key_prefix_renames_definitions_and_their_dependencies_not_sources(shop) -> None:
    by_key = _by_key(dg.load_assets_from_modules([shop], key_prefix=["sales", "eu"]))
    report = by_key[dg.AssetKey(["sales", "eu", "report"])]
    assert report.dependency_keys == {dg.AssetKey(["sales", "eu", "orders"])}
    orders = by_key[dg.AssetKey(["sales", "eu", "orders"])]
    assert orders.dependency_keys == {dg.AssetKey("raw_orders")}
    assert dg.AssetKey("raw_orders") in by_key

    by_key = _by_key(
        dg.load_assets_from_modules([shop], key_prefix="sales", source_key_prefix="lake")
    )
    assert isinstance(by_key[dg.AssetKey(["lake", "raw_orders"])], dg.SourceAsset)
    assert by_key[dg.AssetKey(["sales", "orders"])].dependency_keys == {
        dg.AssetKey(["lake", "raw_orders"])
    }


def test_prefixed_assets_and_checks_still_run_together(shop) -> None:
    assets = dg.load_assets_from_modules([shop], key_prefix="sales")
    checks = dg.load_asset_checks_from_modules([shop], asset_key_prefix="sales")
    assert [c.check_key for c in checks] == [
        dg.AssetCheckKey(dg.AssetKey(["sales", "orders"]), "orders_positive")
    ]
    result = dg.materialize_to_memory([*assets, *checks])
    assert result.output_for_node("report") == 10
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.passed
    assert evaluation.asset_key == dg.AssetKey(["sales", "orders"])


def test_group_name_applies_to_all_but_never_moves_an_asset_from_its_own_group(shop) -> None:
    loaded = dg.load_assets_from_modules([shop], group_name="shop")
    assert {g for item in loaded for g in getattr(item, "group_names_by_key", {}).values()} == {
        "shop"
    }

    @dg.asset(group_name="finance")
    def ledger() -> int:
        return 1

    with pytest.raises(dg.DagsterInvalidDefinitionError, match="ledger has group name finance"):
        dg.load_assets_from_modules([_module("books", ledger=ledger)], group_name="shop")


def test_two_definitions_of_one_key_are_refused_naming_the_modules(shop) -> None:
    @dg.asset(name="orders")
    def other_orders() -> int:
        return 0

    other = _module("other_shop", other_orders=other_orders)
    with pytest.raises(
        dg.DagsterInvalidDefinitionError,
        match="Asset key orders is defined multiple times. Definitions found in modules: "
        "other_shop, shop.",
    ):
        dg.load_assets_from_modules([shop, other])
    # Equal specs are no collision (both are returned, as in Dagster); a spec beside a
    # definition of its key is one.
    twins = _module("twins", a=dg.AssetSpec("x"), b=dg.AssetSpec("x"))
    assert len(dg.load_assets_from_modules([twins], include_specs=True)) == 2
    clash = _module("clash", spec=dg.AssetSpec("orders"))
    assert dg.load_assets_from_modules([shop, clash])  # specs not loaded: no clash
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="defined multiple times"):
        dg.load_assets_from_modules([shop, clash], include_specs=True)


def test_current_module_and_packages() -> None:
    assets = dg.load_assets_from_current_module()
    assert assets == []  # this module defines none at its top level
    import nbassets.definitions as package

    assert dg.load_assets_from_package_module(package) == []
    assert dg.load_asset_checks_from_package_name("nbassets.definitions") == []
