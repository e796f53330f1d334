"""Graphs of ops run op by op, graph-backed assets, op jobs and their Dagster companions."""

from __future__ import annotations

import logging

import pytest

import nbassets as dg


@dg.op
def one() -> int:
    return 1


@dg.op
def add(x: int, y: int = 10) -> int:
    return x + y


def test_nested_graph_outputs_are_read_by_handle_and_by_graph_output() -> None:
    @dg.graph(out={"total": dg.GraphOut()})
    def inner(x: int):  # noqa: ANN202 - a composition function returns op outputs
        return {"total": add(add(x))}

    @dg.graph
    def outer():  # noqa: ANN202
        return inner(one())

    result = outer.execute_in_process()
    assert result.success
    # Repeated calls are named add, add_2 (in call order), under the graph's handle.
    assert result.output_for_node("inner.add") == 11
    assert result.output_for_node("inner.add_2") == 21
    assert result.output_for_node("inner", "total") == 21
    assert result.output_value() == 21
    with pytest.raises(dg.DagsterInvariantViolationError, match="no op named inner.ad.*add"):
        result.output_for_node("inner.ad")


def test_an_optional_output_not_produced_skips_what_reads_it() -> None:
    @dg.op(out={"a": dg.Out(is_required=False), "b": dg.Out(is_required=False)})
    def only_a():  # noqa: ANN202
        yield dg.Output(1, "a")

    @dg.job
    def branches() -> None:
        a, b = only_a()
        add.alias("from_a")(a)
        add.alias("from_b")(b)

    result = branches.execute_in_process()
    assert result.success
    assert result.output_for_node("from_a") == 11
    assert result.is_node_skipped("from_b")
    assert [e.step_key for e in result.get_step_skipped_events()] == ["from_b"]


def test_a_failing_op_raises_its_own_error_or_is_recorded() -> None:
    @dg.op
    def boom() -> None:
        raise ValueError("bad input file")

    @dg.graph
    def failing() -> None:
        add(boom())

    with pytest.raises(ValueError, match="bad input file"):
        failing.execute_in_process()
    result = failing.execute_in_process(raise_on_error=False)
    assert not result.success
    assert result.is_node_failed("boom")
    assert result.is_node_skipped("add")


def test_wiring_mistakes_fail_where_the_graph_is_defined() -> None:
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="Did you forget parentheses"):

        @dg.graph
        def uncalled() -> None:
            add(one)

    with pytest.raises(dg.DagsterInvalidDefinitionError, match='node "missing" not found'):
        dg.GraphDefinition(
            name="explicit",
            node_defs=[one, add],
            dependencies={"add": {"x": dg.DependencyDefinition("missing")}},
        )


def test_graph_backed_asset_keeps_each_op_output() -> None:
    @dg.graph_asset
    def total():  # noqa: ANN202
        return add(one())

    result = dg.materialize_to_memory([total])
    assert result.asset_value("total") == 11
    assert result.output_for_node("total.one") == 1


def test_a_graph_inside_a_graph_asset_reports_its_own_outputs() -> None:
    # total_twice: inner(one) --> add ; inner's output is read by node name, as in Dagster
    @dg.graph(out={"made": dg.GraphOut()})
    def inner():  # noqa: ANN202
        return {"made": add(one())}

    @dg.graph_asset
    def total_twice():  # noqa: ANN202
        return add(inner())

    result = dg.materialize_to_memory([total_twice])
    assert result.output_for_node("total_twice.inner", "made") == 11
    assert result.asset_value("total_twice") == 21


def test_from_graph_names_keys_as_dagster_does() -> None:
    @dg.graph(out={"first": dg.GraphOut(), "second": dg.GraphOut()})
    def pair(x: int):  # noqa: ANN202
        return {"first": add(x), "second": add(add(x))}

    assets = dg.AssetsDefinition.from_graph(pair, key_prefix="p")
    assert set(assets.keys) == {dg.AssetKey(["p", "first"]), dg.AssetKey(["p", "second"])}
    assert assets.keys_by_input_name == {"x": dg.AssetKey("x")}

    @dg.asset
    def x() -> int:
        return 0

    result = dg.materialize_to_memory([x, assets])
    assert result.asset_value(["p", "second"]) == 20


def test_a_job_config_mapping_turns_job_config_into_op_config() -> None:
    @dg.op(config_schema={"greeting": str})
    def greet(context: dg.OpExecutionContext) -> str:
        return context.op_config["greeting"]

    @dg.config_mapping(config_schema={"name": str})
    def by_name(config: dict) -> dict:
        return {"ops": {"greet": {"config": {"greeting": f"hello {config['name']}"}}}}

    @dg.graph
    def greeting() -> None:
        greet()

    job = greeting.to_job(config=by_name)
    assert job.execute_in_process(run_config={"name": "ada"}).output_for_node("greet") == (
        "hello ada"
    )
    with pytest.raises(dg.DagsterInvalidConfigError, match="name"):
        job.execute_in_process(run_config={"name": 3})


def test_definitions_load_a_value_through_its_io_manager() -> None:
    @dg.asset
    def stored() -> list[int]:
        return [1, 2]

    with dg.instance_for_test() as instance:
        dg.materialize([stored], instance=instance)
        defs = dg.Definitions(assets=[stored])
        assert defs.load_asset_value("stored", instance=instance) == [1, 2]
        with defs.get_asset_value_loader(instance) as loader:
            assert loader.load_asset_value("stored") == [1, 2]


def test_validate_loadable_names_the_key_an_input_probably_meant() -> None:
    @dg.asset
    def orders() -> int:
        return 1

    @dg.asset
    def report(ordres: int) -> int:
        return ordres

    with pytest.raises(dg.DagsterInvalidDefinitionError, match=r'(?s)"ordres".*\["orders"\]'):
        dg.Definitions.validate_loadable(dg.Definitions(assets=[orders, report]))


def test_reconstructable_refuses_what_could_not_be_found_again() -> None:
    def local_job():  # noqa: ANN202
        return None

    with pytest.raises(dg.DagsterInvariantViolationError, match="module scope"):
        dg.reconstructable(local_job)
    with pytest.raises(dg.DagsterInvariantViolationError, match="lambda"):
        dg.reconstructable(lambda: None)


def test_a_logger_definition_builds_its_logger_with_checked_config() -> None:
    @dg.logger(dg.Field(str, default_value="nbassets.test", is_required=False))
    def named(init_context: dg.InitLoggerContext) -> logging.Logger:
        return logging.getLogger(init_context.logger_config)

    assert named(dg.build_init_logger_context()).name == "nbassets.test"
    assert named(dg.build_init_logger_context(logger_config="other")).name == "other"
    with pytest.raises(dg.DagsterInvalidInvocationError, match="no context argument"):
        named()


def test_from_graph_refuses_a_graph_that_produces_no_asset() -> None:
    @dg.graph
    def nothing_out() -> None:
        add(one())

    with pytest.raises(dg.DagsterInvalidDefinitionError, match=r"leaf node\(s\).*\{'add'\}"):
        dg.AssetsDefinition.from_graph(nothing_out)
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="output_name nope specified"):
        dg.AssetsDefinition.from_op(add, internal_asset_deps={"nope": {dg.AssetKey("b")}})


def test_an_op_called_directly_hands_back_its_iterator_unread() -> None:
    from nbassets import Out, Output, op

    @op(out={"x": Out(), "y": Out()})
    def two():  # type: ignore[no-untyped-def]
        return iter([Output(1, "x"), Output(2, "y")])

    assert [(o.output_name, o.value) for o in two()] == [("x", 1), ("y", 2)]


def test_the_instance_lists_a_run_whose_asset_logged() -> None:
    from nbassets import AssetExecutionContext, asset, instance_for_test, materialize

    @asset
    def chatty(context: AssetExecutionContext) -> int:
        context.log.info("a log line is an event without a Dagster event")
        return 1

    with instance_for_test() as instance:
        materialize([chatty], instance=instance)
        assert [run.status for run in instance.get_runs()] == ["SUCCESS"]
