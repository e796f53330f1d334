"""``deps=`` as Dagster coerces it: multi-assets expand, repeats collapse, conflicts
are refused, and an ``AssetIn`` beside a dep only names the parameter."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import nbassets as dg


@pytest.fixture(autouse=True)
def _own_registry() -> Iterator[None]:
    # Runs here store values; a registry of their own keeps them from other tests.
    with dg.use_registry():
        yield


@pytest.fixture
def pair() -> dg.AssetsDefinition:
    @dg.multi_asset(specs=[dg.AssetSpec("left"), dg.AssetSpec("right")])
    def pair():
        yield dg.MaterializeResult(asset_key="left")
        yield dg.MaterializeResult(asset_key="right")

    return pair


def test_a_multi_asset_in_deps_stands_for_each_of_its_assets(pair) -> None:
    @dg.asset(deps=[pair, "left"])
    def summary() -> int:
        return 1

    assert summary.dependency_keys == {dg.AssetKey("left"), dg.AssetKey("right")}
    assert summary.input_names == ["left", "right"]
    assert dg.materialize([pair, summary]).success
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="AssetDep from a multi_asset"):
        dg.AssetDep(pair)


def test_a_key_listed_twice_differently_is_refused() -> None:
    daily = dg.DailyPartitionsDefinition("2024-01-01")

    @dg.asset(partitions_def=daily)
    def events() -> int:
        return 1

    with pytest.raises(dg.DagsterInvariantViolationError, match="more than once per asset"):

        @dg.asset(
            partitions_def=daily,
            deps=[events, dg.AssetDep(events, partition_mapping=dg.TimeWindowPartitionMapping(-1))],
        )
        def rolled() -> int:
            return 1

    with pytest.raises(dg.DagsterInvariantViolationError, match="more than once for spec"):
        dg.AssetSpec("x", deps=["a", dg.AssetDep("a", partition_mapping=dg.AllPartitionMapping())])


def test_an_asset_in_beside_a_dep_only_names_the_parameter() -> None:
    @dg.asset
    def raw() -> int:
        return 2

    with pytest.raises(dg.DagsterInvalidDefinitionError, match="used as both an input"):

        @dg.asset(deps=[raw], ins={"raw": dg.AssetIn(metadata={"note": "x"})})
        def cooked(raw: int) -> int:
            return raw

    @dg.asset(deps=[dg.AssetDep(raw)], ins={"value": dg.AssetIn(key="raw")})
    def renamed(value: int) -> int:
        return value * 3

    result = dg.materialize([raw, renamed])
    assert result.output_for_node("renamed") == 6


def test_a_parameter_named_like_a_dep_of_another_key_is_refused() -> None:
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="type 'Nothing'"):

        @dg.asset(deps=["raw"], ins={"raw": dg.AssetIn(key_prefix="lake")})
        def cooked(raw: int) -> int:
            return raw


def test_deps_report_their_partitions_to_the_context() -> None:
    daily = dg.DailyPartitionsDefinition("2024-01-01", end_date="2024-01-05")

    @dg.asset(partitions_def=daily)
    def events() -> None:
        return None

    seen = {}

    @dg.asset(
        partitions_def=daily,
        deps=[dg.AssetDep(events, partition_mapping=dg.TimeWindowPartitionMapping(-1, -1))],
    )
    def lagged(context: dg.AssetExecutionContext) -> None:
        seen[context.partition_key] = context.asset_partition_key_for_input("events")

    dg.materialize([events, lagged], partition_key="2024-01-03")
    assert seen == {"2024-01-03": "2024-01-02"}


def test_deps_on_an_undefined_key_must_describe_it_alike() -> None:
    @dg.asset(deps=[dg.AssetDep("lake", metadata={"owner": "data"})])
    def one() -> None:
        return None

    @dg.asset(deps=[dg.AssetDep("lake", metadata={"owner": "data"}), "other"])
    def two() -> None:
        return None

    @dg.asset(deps=[dg.AssetDep("lake", metadata={"owner": "ops"})])
    def three() -> None:
        return None

    dg.Definitions(assets=[one, two]).resolve_asset_graph()
    with pytest.raises(dg.DagsterInvalidDefinitionError, match=r'referencing \["lake"\]'):
        dg.Definitions(assets=[one, three]).resolve_asset_graph()
