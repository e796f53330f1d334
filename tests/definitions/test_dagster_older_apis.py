"""Dagster's older and job-level APIs, as code from Dagster's docs uses them."""

from __future__ import annotations

import types

import pytest

import nbassets as dg


def test_graph_is_the_package_and_the_decorator() -> None:
    import nbassets.graph.registry as registry

    assert registry.Registry is dg.Registry
    assert isinstance(dg.graph, types.ModuleType)

    @dg.op
    def double(x):
        return x * 2

    @dg.graph
    def twice(x):
        return double(double(x))

    assert twice.node_names == ["double", "double_2"]


def test_graph_backed_asset_runs_its_ops_in_order() -> None:
    @dg.asset
    def a():
        return "a"

    @dg.op
    def double_string(s):
        return s * 2

    @dg.op
    def combine(s1, s2):
        return s1 + s2

    @dg.graph_asset
    def cool_thing(a):
        return combine(double_string(a), a)

    result = dg.materialize_to_memory([a, cool_thing])
    assert result.output_for_node("cool_thing") == "aaa"
    assert cool_thing.keys_by_input_name == {"a": dg.AssetKey("a")}

    by_keys = dg.AssetsDefinition(
        keys_by_input_name={"a": dg.AssetKey("a")},
        keys_by_output_name={"result": dg.AssetKey("other")},
        node_def=dg.graph(lambda a: combine(a, a)),
    )
    assert dg.materialize_to_memory([a, by_keys]).asset_value("other") == "aa"


def test_op_job_runs_in_process_and_reports_each_node() -> None:
    @dg.op
    def one():
        return 1

    @dg.op
    def add(x, y):
        return x + y

    @dg.job
    def my_job():
        add(one(), one())

    result = my_job.execute_in_process()
    assert result.success
    assert result.output_for_node("add") == 2
    with pytest.raises(dg.InvalidInvocationError, match="no op named ad.*'add'"):
        result.output_for_node("ad")


def test_asset_job_with_op_selection() -> None:
    @dg.asset
    def up():
        return 1

    @dg.asset
    def down(up):
        return up + 1

    defs = dg.Definitions(assets=[up, down], jobs=[dg.define_asset_job("all_of_it")])
    job = defs.resolve_job_def("all_of_it")
    assert job.execute_in_process().asset_value("down") == 2
    only_up = job.execute_in_process(op_selection=["up"])
    assert only_up.get_asset_materialization_events()[0].asset_key == dg.AssetKey("up")
    assert len(only_up.get_asset_materialization_events()) == 1
    with pytest.raises(dg.UnknownAssetError, match="Did you mean 'up'"):
        job.execute_in_process(op_selection=["upp"])
    with pytest.raises(dg.UnknownAssetError, match="No job named 'al_of_it'"):
        defs.resolve_job_def("al_of_it")


def test_resource_definitions_build_at_run_start_in_dependency_order() -> None:
    built: list[str] = []

    @dg.resource(required_resource_keys={"base"})
    def greeting(context):
        built.append("greeting")
        return f"hello {context.resources.base}"

    @dg.asset(required_resource_keys={"greeting"})
    def message(context):
        return context.resources.greeting

    result = dg.materialize_to_memory([message], resources={"greeting": greeting, "base": "world"})
    assert result.asset_value("message") == "hello world"
    assert built == ["greeting"]
    with pytest.raises(dg.MissingResourceError, match="requires resources \\['base'\\]"):
        dg.materialize_to_memory([message], resources={"greeting": greeting})


def test_conflicting_resource_defs_are_refused() -> None:
    @dg.asset(resource_defs={"foo": dg.ResourceDefinition.hardcoded_resource(1)})
    def first():
        return 1

    @dg.asset(resource_defs={"foo": dg.ResourceDefinition.hardcoded_resource(2)})
    def second():
        return 2

    with pytest.raises(dg.DagsterInvalidDefinitionError, match="key 'foo'.*'first' and 'second'"):
        dg.materialize_to_memory([first, second])


def test_config_schema_is_validated_with_fields_and_defaults() -> None:
    @dg.asset(config_schema={"n": dg.Int, "label": dg.Field(dg.String, default_value="x")})
    def configured(context):
        return context.op_config

    ok = dg.materialize_to_memory(
        [configured], run_config={"ops": {"configured": {"config": {"n": 2}}}}
    )
    assert ok.asset_value("configured") == {"n": 2, "label": "x"}
    with pytest.raises(dg.DagsterInvalidConfigError, match="missing required config key 'n'"):
        dg.materialize_to_memory([configured])
    with pytest.raises(
        dg.DagsterInvalidConfigError, match="unexpected config key\\(s\\) \\['m'\\]"
    ):
        dg.materialize_to_memory(
            [configured], run_config={"ops": {"configured": {"config": {"n": 1, "m": 1}}}}
        )


def test_source_asset_loads_through_its_io_manager_def() -> None:
    class Fixed(dg.IOManager):
        def handle_output(self, context, obj):
            raise AssertionError("a source asset is never stored")

        def load_input(self, context):
            return 41

    source = dg.SourceAsset("raw", io_manager_def=dg.IOManagerDefinition(lambda _: Fixed()))

    @dg.asset
    def cooked(raw):
        return raw + 1

    assert source.io_manager_key == "raw__io_manager"
    assert dg.materialize([source, cooked]).asset_value("cooked") == 42


def test_automation_conditions_are_carried_as_data() -> None:
    condition = dg.AutomationCondition.eager() & ~dg.AutomationCondition.on_cron("0 * * * *")
    assert condition == dg.AutomationCondition.eager() & ~dg.AutomationCondition.on_cron(
        "0 * * * *"
    )
    assert str(condition) == "(eager()) and (not (on_cron('0 * * * *', 'UTC')))"


def test_load_assets_from_modules_finds_module_level_definitions() -> None:
    module = types.ModuleType("some_assets")

    @dg.asset
    def one():
        return 1

    module.one = one
    module.spec = dg.AssetSpec("external")
    module.helper = len
    loaded = dg.load_assets_from_modules([module], group_name="g", include_specs=True)
    assert [d.key for d in loaded] == [dg.AssetKey("one"), dg.AssetKey("external")]
    assert loaded[0].group_names_by_key[dg.AssetKey("one")] == "g"


def test_partition_subsets_and_the_mapping_subset_api() -> None:
    daily = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-10")
    subset = daily.empty_subset().with_partition_keys(["2024-01-03", "2024-01-02", "2024-01-05"])
    assert subset.get_partition_keys() == ["2024-01-02", "2024-01-03", "2024-01-05"]
    assert [tuple(r) for r in subset.get_partition_key_ranges()] == [
        ("2024-01-02", "2024-01-03"),
        ("2024-01-05", "2024-01-05"),
    ]
    mapping = dg.TimeWindowPartitionMapping(start_offset=-1)
    result = mapping.get_upstream_mapped_partitions_result_for_partitions(
        daily.subset_with_partition_keys(["2024-01-01", "2024-01-04"]), daily, daily
    )
    assert result.partitions_subset.get_partition_keys() == [
        "2024-01-01",
        "2024-01-03",
        "2024-01-04",
    ]
    early = dg.DailyPartitionsDefinition(start_date="2023-12-25", end_date="2024-01-10")
    needs_missing = (
        dg.TimeWindowPartitionMapping().get_upstream_mapped_partitions_result_for_partitions(
            early.subset_with_partition_keys(["2023-12-30", "2024-01-02"]), early, daily
        )
    )
    # As Dagster: the downstream day before the upstream starts is required but missing.
    assert needs_missing.partitions_subset.get_partition_keys() == ["2024-01-02"]
    assert needs_missing.required_but_nonexistent_partition_keys == ["2023-12-30"]
