"""Reference page 004: the assets API (``@asset``, results, specs, keys, deps, selections).

Skipped from the page, and why:
- ``@graph_asset``, ``@graph_multi_asset``, ``AssetsDefinition.from_graph``/``from_op``,
  ``node_def``: graphs and ops are out of scope.
- ``SourceAsset``, ``@observable_source_asset``, ``@multi_observable_source_asset``,
  ``ObserveResult``, ``AssetObservation``, ``to_source_asset(s)``: observations and
  source assets are not in nbassets' API (DESIGN.md section 6); ``AssetSpec`` is the
  external asset (tested below).
- ``define_asset_job``, ``Definitions``, ``load_assets_from_*``,
  ``AutomationCondition``, ``AutomationConditionSensorDefinition``: jobs, code
  locations, sensors and the automation daemon are out of scope; the page's
  ``define_asset_job(selection=...)`` examples are run as ``materialize(selection=...)``.
- ``AssetValueLoader``/``load_asset_value``: needs a code location; nbassets'
  ``get_registry().value(...)`` is its notebook counterpart.

Adapted: ``load``/``write``/``do_some_transformation`` in the ``@multi_asset``
examples are local stand-ins.
"""

from __future__ import annotations

from typing import Any

import pytest

import nbassets
from nbassets import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetDep,
    AssetIn,
    AssetKey,
    AssetOut,
    AssetSpec,
    DataVersion,
    InvalidDefinitionError,
    InvalidInvocationError,
    MaterializeResult,
    asset,
    asset_check,
    materialize,
    multi_asset,
)

try:
    from nbassets import AssetSelection
except ImportError:  # not exported yet: see test_asset_selection_is_exported
    from nbassets.graph.selection import AssetSelection

try:
    from nbassets import (
        DailyPartitionsDefinition,
        StaticPartitionsDefinition,
        TimeWindowPartitionMapping,
    )
except ImportError:  # not exported yet: see test_partition_names_are_exported
    from nbassets.partitions import (
        DailyPartitionsDefinition,
        StaticPartitionsDefinition,
        TimeWindowPartitionMapping,
    )


def ran(result: Any) -> list[str]:
    return sorted(event.step_key for event in result.get_step_success_events())


# --- @asset ------------------------------------------------------------------------


def test_asset_example() -> None:
    @asset
    def my_upstream_asset() -> int:
        return 1

    @asset
    def my_asset(my_upstream_asset: int) -> int:
        return my_upstream_asset + 1

    result = materialize([my_upstream_asset, my_asset])

    assert my_asset.dependency_keys == {AssetKey("my_upstream_asset")}
    assert result.output_for_node("my_asset") == 2


def test_op_name_joins_key_segments_with_double_underscores() -> None:
    @asset(key_prefix=["sales", "eu"])
    def orders() -> int:
        return 1

    assert orders.op.name == "sales__eu__orders"
    assert orders.key == AssetKey(["sales", "eu", "orders"])


def test_key_cannot_be_combined_with_name_or_key_prefix() -> None:
    with pytest.raises(
        InvalidDefinitionError, match=r"name or key prefix .* when the key argument is provided"
    ):

        @asset(key="orders", name="orders")
        def orders() -> int:
            return 1


def test_asset_parameters_reach_the_definition() -> None:
    @asset(
        name="orders_clean",
        metadata={"owner_note": "ask sales"},
        tags={"domain": "sales"},
        description="Orders without test rows.",
        group_name="sales",
        code_version="3",
        owners=["team:finops", "ada@example.com"],
        kinds={"python", "pandas"},
        op_tags={"priority": "high"},
        required_resource_keys={"warehouse"},
    )
    def orders() -> int:
        return 1

    spec = orders.get_asset_spec()
    assert spec.key == AssetKey("orders_clean")
    assert spec.metadata["owner_note"] == "ask sales"  # as written, as Dagster keeps it
    assert spec.tags == {"domain": "sales", "dagster/kind/python": "", "dagster/kind/pandas": ""}
    assert spec.description == "Orders without test rows."
    assert spec.group_name == "sales"
    assert spec.code_version == "3"
    assert spec.owners == ["team:finops", "ada@example.com"]
    assert spec.kinds == {"python", "pandas"}
    assert orders.op.tags == {"priority": "high"}
    assert orders.required_resource_keys == {"warehouse"}


def test_non_argument_deps_still_work() -> None:
    @asset(non_argument_deps={"raw_orders"})
    def orders() -> int:
        return 1

    assert orders.dependency_keys == {AssetKey("raw_orders")}


def test_output_required_false_may_produce_nothing() -> None:
    from nbassets import Output

    @asset(output_required=False)
    def maybe_orders() -> Any:
        if False:
            yield Output(1)

    result = materialize([maybe_orders])

    assert result.success
    assert result.asset_materializations == []


@pytest.mark.parametrize(
    "kwargs",
    [{"config_schema": {"limit": int}}, {"io_manager_def": nbassets.InMemoryIOManager()}],
    ids=["config_schema", "io_manager_def"],
)
def test_asset_accepts_listed_parameters(kwargs: dict[str, Any]) -> None:
    @asset(**kwargs)
    def orders() -> int:
        return 1

    assert orders.key == AssetKey("orders")


# --- MaterializeResult -------------------------------------------------------------


def test_materialize_result_fields() -> None:
    @asset(check_specs=[AssetCheckSpec(name="has_rows", asset="orders")])
    def orders() -> MaterializeResult:
        return MaterializeResult(
            metadata={"rows": 3},
            check_results=[AssetCheckResult(passed=True, metadata={"rows": 3})],
            data_version=DataVersion("v1"),
            tags={"source": "api"},
        )

    result = materialize([orders])

    (materialization,) = result.asset_materializations
    assert materialization.metadata["rows"].value == 3
    assert materialization.tags["source"] == "api"
    (evaluation,) = result.get_asset_check_evaluations()
    assert (evaluation.check_name, evaluation.passed) == ("has_rows", True)


def test_materialize_result_asset_key_in_a_multi_asset() -> None:
    @multi_asset(specs=[AssetSpec("asset1"), AssetSpec("asset2")])
    def both() -> Any:
        yield MaterializeResult(asset_key="asset1", metadata={"n": 1})
        yield MaterializeResult(asset_key="asset2", metadata={"n": 2})

    result = materialize([both])

    assert {m.asset_key: m.metadata["n"].value for m in result.asset_materializations} == {
        AssetKey("asset1"): 1,
        AssetKey("asset2"): 2,
    }


# --- AssetSpec ---------------------------------------------------------------------


def test_asset_spec_fields() -> None:
    spec = AssetSpec(
        "my_asset",
        deps=["upstream"],
        description="desc",
        metadata={"table": "db.my_asset"},
        skippable=True,
        group_name="g",
        code_version="1",
        owners=["team:finops"],
        tags={"t": "v"},
        kinds={"snowflake"},
        partitions_def=StaticPartitionsDefinition(["a", "b"]),
    )

    assert spec.key == AssetKey("my_asset")
    assert {dep.asset_key for dep in spec.deps} == {AssetKey("upstream")}
    assert spec.metadata["table"] == "db.my_asset"  # as written, as Dagster keeps it
    assert (spec.skippable, spec.group_name, spec.code_version) == (True, "g", "1")
    assert spec.owners == ["team:finops"]
    assert spec.kinds == {"snowflake"}
    assert spec.partitions_def is not None


def test_asset_spec_backfill_policy() -> None:
    assert AssetSpec("my_asset", backfill_policy=None).key == AssetKey("my_asset")


def test_asset_spec_merge_replace_and_io_manager_key() -> None:
    spec = AssetSpec("my_asset", deps=["a"], owners=["x@y.com"], tags={"t": "1"}, kinds={"sql"})

    merged = spec.merge_attributes(
        deps=["b"], metadata={"m": 1}, owners=["z@y.com"], tags={"u": "2"}, kinds={"python"}
    )
    replaced = spec.replace_attributes(owners=["nelson@hooli.com"])
    loaded = spec.with_io_manager_key("warehouse")

    assert [d.asset_key for d in merged.deps] == [AssetKey("a"), AssetKey("b")]
    assert merged.owners == ["x@y.com", "z@y.com"]
    # Kinds are tags too, as in Dagster.
    assert merged.tags == {"t": "1", "u": "2", "dagster/kind/sql": "", "dagster/kind/python": ""}
    assert merged.kinds == {"sql", "python"}
    assert replaced.owners == ["nelson@hooli.com"]
    assert spec.owners == ["x@y.com"]  # specs are immutable
    assert loaded.metadata["dagster/io_manager_key"] == "warehouse"


def test_asset_spec_as_an_external_upstream() -> None:
    raw = AssetSpec("raw_orders").with_io_manager_key("warehouse")

    class Warehouse(nbassets.IOManager):
        def handle_output(self, context: Any, obj: Any) -> None:
            raise AssertionError("external assets are never written")

        def load_input(self, context: Any) -> list[int]:
            return [1, 2, 3] if context.asset_key == AssetKey("raw_orders") else []

    @asset
    def orders(raw_orders: list[int]) -> int:
        return sum(raw_orders)

    result = materialize([raw, orders], resources={"warehouse": Warehouse()})

    assert ran(result) == ["orders"]
    assert result.output_for_node("orders") == 6


def test_map_asset_specs() -> None:
    asset_specs = [AssetSpec(key="my_asset"), AssetSpec(key="my_asset_2")]

    mapped = nbassets.map_asset_specs(  # type: ignore[attr-defined]
        lambda spec: spec.replace_attributes(owners=["nelson@hooli.com"]), asset_specs
    )

    assert [s.owners for s in mapped] == [["nelson@hooli.com"], ["nelson@hooli.com"]]


# --- AssetsDefinition --------------------------------------------------------------


def test_assets_definition_properties() -> None:
    @asset(group_name="g", description="One.", resource_defs={"api": "client"})
    def one(up: int) -> int:
        return up

    assert one.key == AssetKey("one")
    assert set(one.keys) == {AssetKey("one")}
    assert one.dependency_keys == {AssetKey("up")}
    assert one.asset_deps == {AssetKey("one"): {AssetKey("up")}}
    assert one.group_names_by_key == {AssetKey("one"): "g"}
    assert one.descriptions_by_key == {AssetKey("one"): "One."}
    assert one.partitions_def is None
    assert one.resource_defs == {"api": "client"}
    assert one.can_subset is False
    assert list(one.check_specs) == []
    assert one.get_asset_spec().deps[0].asset_key == AssetKey("up")


def test_key_of_a_multi_asset_raises() -> None:
    @multi_asset(outs={"a": AssetOut(), "b": AssetOut()})
    def both() -> tuple[int, int]:
        return 1, 2

    assert set(both.keys) == {AssetKey("a"), AssetKey("b")}
    assert both.get_asset_spec(AssetKey("b")).key == AssetKey("b")
    with pytest.raises(InvalidInvocationError, match="use .keys"):
        both.key  # noqa: B018


def test_get_partition_mapping() -> None:
    mapping = TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)

    @asset(ins={"up": AssetIn(partition_mapping=mapping)})
    def down(up: int) -> int:
        return up

    assert down.get_partition_mapping(AssetKey("up")) is mapping


# --- AssetKey ----------------------------------------------------------------------


def test_asset_key_forms() -> None:
    assert AssetKey("asset1") == AssetKey(["asset1"])
    assert AssetKey(["prefix", "asset1"]).path == ["prefix", "asset1"]
    assert AssetKey(("prefix", "subprefix", "asset1")).path[-1] == "asset1"
    assert AssetKey(["prefix", "asset1"]) != AssetKey("asset1")


# --- @multi_asset and AssetOut -----------------------------------------------------


def test_multi_asset_with_specs() -> None:
    storage = {"asset0": [1, 2, 3]}

    def load(path: str) -> list[int]:
        return storage[path]

    def write(value: Any, path: str) -> None:
        storage[path] = value

    @multi_asset(specs=[AssetSpec("asset1", deps=["asset0"]), AssetSpec("asset2", deps=["asset0"])])
    def my_function() -> None:
        asset0_value = load(path="asset0")
        write(sum(asset0_value), path="asset1")
        write(max(asset0_value), path="asset2")

    result = materialize([my_function])

    assert my_function.dependency_keys == {AssetKey("asset0")}
    assert result.success
    assert {m.asset_key for m in result.asset_materializations} == {
        AssetKey("asset1"),
        AssetKey("asset2"),
    }
    assert (storage["asset1"], storage["asset2"]) == (6, 3)


def test_multi_asset_with_outs_and_io_managers() -> None:
    @asset
    def asset0() -> int:
        return 10

    @multi_asset(outs={"asset1": AssetOut(), "asset2": AssetOut()})
    def my_function(asset0: int) -> tuple[int, int]:
        return asset0 + 1, asset0 * 2

    result = materialize([asset0, my_function])

    assert result.output_for_node("my_function", "asset1") == 11
    assert result.output_for_node("my_function", "asset2") == 20


def test_asset_out_from_spec() -> None:
    spec = AssetSpec(["sales", "orders"], group_name="sales", owners=["team:sales"])

    out = AssetOut.from_spec(spec, is_required=False, io_manager_key="warehouse")

    @multi_asset(outs={"orders": out})
    def load_orders() -> int:
        return 1

    assert load_orders.keys == {AssetKey(["sales", "orders"])}
    assert load_orders.group_names_by_key == {AssetKey(["sales", "orders"]): "sales"}
    assert (out.is_required, out.io_manager_key) == (False, "warehouse")


# --- AssetDep / AssetIn ------------------------------------------------------------


def test_asset_dep_example() -> None:
    upstream_asset = AssetSpec("upstream_asset")
    mapping = TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)
    downstream_asset = AssetSpec(
        "downstream_asset", deps=[AssetDep(upstream_asset, partition_mapping=mapping)]
    )

    (dep,) = downstream_asset.deps
    assert dep.asset_key == AssetKey("upstream_asset")
    assert dep.partition_mapping is mapping


def test_asset_in_key_and_key_prefix() -> None:
    @asset(key_prefix="raw")
    def orders() -> list[int]:
        return [1, 2]

    @asset(ins={"o": AssetIn(key=AssetKey(["raw", "orders"]))})
    def by_key(o: list[int]) -> int:
        return len(o)

    @asset(ins={"orders": AssetIn(key_prefix="raw", metadata={"columns": ["id"]})})
    def by_prefix(orders: list[int]) -> int:
        return sum(orders)

    result = materialize([orders, by_key, by_prefix])

    assert result.output_for_node("by_key") == 2
    assert result.output_for_node("by_prefix") == 3


def test_asset_in_rejects_both_key_and_key_prefix() -> None:
    with pytest.raises(InvalidDefinitionError, match="key_prefix"):
        AssetIn(key="orders", key_prefix="raw")


def test_time_window_partition_mapping_loads_the_previous_day() -> None:
    daily = DailyPartitionsDefinition(start_date="2024-01-01")

    @asset(partitions_def=daily)
    def up(context: Any) -> str:
        return context.partition_key

    @asset(
        partitions_def=daily,
        ins={"up": AssetIn(partition_mapping=TimeWindowPartitionMapping(-1, -1))},
    )
    def down(up: str) -> str:
        return up

    materialize([up], partition_key="2024-01-14")
    result = materialize([up, down], partition_key="2024-01-15", selection=[down])

    assert result.output_for_node("down") == "2024-01-14"


# --- AssetSelection ----------------------------------------------------------------


def test_asset_selection_is_exported() -> None:
    assert "AssetSelection" in nbassets.__all__


def test_partition_names_are_exported() -> None:
    assert {"DailyPartitionsDefinition", "TimeWindowPartitionMapping"} <= set(nbassets.__all__)


def marketing_defs() -> list[Any]:
    """leads --> campaigns --> report <-- promotion;  plan: projections, forecast.

    leads, campaigns and report are in group "marketing"; the rest in "finance".
    """

    @asset(group_name="marketing")
    def leads() -> int:
        return 1

    @asset(group_name="marketing")
    def campaigns(leads: int) -> int:
        return leads + 1

    @asset(group_name="finance")
    def promotion() -> int:
        return 10

    @asset(group_name="marketing")
    def report(campaigns: int, promotion: int) -> int:
        return campaigns + promotion

    @multi_asset(outs={"projections": AssetOut(), "forecast": AssetOut()}, group_name="finance")
    def plan() -> tuple[int, int]:
        return 5, 6

    @asset_check(asset=leads)
    def leads_positive(leads: int) -> AssetCheckResult:
        return AssetCheckResult(passed=leads > 0)

    return [leads, campaigns, promotion, report, plan, leads_positive]


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        (AssetSelection.groups("marketing"), ["campaigns", "leads", "report"]),
        (
            AssetSelection.groups("marketing") | AssetSelection.assets("promotion"),
            ["campaigns", "leads", "promotion", "report"],
        ),
        (
            AssetSelection.groups("marketing") & AssetSelection.assets("leads").downstream(),
            ["campaigns", "leads", "report"],
        ),
        (
            AssetSelection.all() - AssetSelection.groups("marketing"),
            ["plan", "promotion"],
        ),
        (AssetSelection.assets(AssetKey(["leads"]), "promotion"), ["leads", "promotion"]),
        (AssetSelection.keys("leads", AssetKey("promotion")), ["leads", "promotion"]),
        (AssetSelection.assets("report").upstream(depth=1), ["campaigns", "promotion", "report"]),
        (AssetSelection.assets("leads").downstream(depth=1), ["campaigns", "leads"]),
        (AssetSelection.groups("marketing").roots(), ["leads"]),
        (AssetSelection.groups("marketing").sinks(), ["report"]),
        ("leads*", ["campaigns", "leads", "report"]),
    ],
    ids=[
        "groups",
        "union",
        "intersection",
        "difference",
        "assets",
        "keys",
        "upstream-depth",
        "downstream-depth",
        "roots",
        "sinks",
        "string-star",
    ],
)
def test_asset_selection_examples(selection: Any, expected: list[str]) -> None:
    defs = marketing_defs()
    materialize(defs)  # unselected upstreams now load from storage

    result = materialize(defs, selection=selection)

    assert [s for s in ran(result) if s != "leads_leads_positive"] == expected


def test_selecting_an_asset_selects_its_checks() -> None:
    defs = marketing_defs()

    result = materialize(defs, selection=AssetSelection.assets("leads"))

    assert [e.check_name for e in result.get_asset_check_evaluations()] == ["leads_positive"]


def test_assets_of_definitions() -> None:
    defs = marketing_defs()
    leads, promotion = defs[0], defs[2]
    materialize(defs)

    result = materialize(defs, selection=AssetSelection.assets(*[leads, promotion]))

    assert [s for s in ran(result) if s != "leads_leads_positive"] == ["leads", "promotion"]


def test_required_multi_asset_neighbors() -> None:
    from nbassets.graph.asset_graph import AssetGraph
    from nbassets.graph.registry import nodes_of
    from nbassets.graph.selection import resolve_selection

    defs = marketing_defs()
    graph = AssetGraph([n for d in defs[:5] for n in nodes_of(d)])

    selection = AssetSelection.assets("projections").required_multi_asset_neighbors()

    assert resolve_selection(selection, graph) == {AssetKey("projections"), AssetKey("forecast")}


def test_without_checks_removes_checks() -> None:
    defs = marketing_defs()
    materialize(defs)

    result = materialize(defs, selection=AssetSelection.groups("marketing").without_checks())

    assert result.get_asset_check_evaluations() == []


@pytest.mark.parametrize("name", ["all_asset_checks", "checks_for_assets", "checks"])
def test_check_selections_exist(name: str) -> None:
    assert callable(getattr(AssetSelection, name))
