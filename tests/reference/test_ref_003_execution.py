"""Reference page 003: in-process execution API, op-selection syntax, the result object.

Skipped from the page, and why:
- ``execute_job``, ``reconstructable``, ``ReexecutionOptions``, ``DagsterInstance``,
  ``GraphDefinition``/``@graph``/``to_job``, ``build_op_context``,
  ``validate_run_config``, ``input_values``, ``RunRequest``, hooks: jobs, graphs and
  ops are out of scope.
- ``multi_or_in_process_executor``/``multiprocess_executor`` run config: nbassets
  picks executors with ``executor=``; the ``execution`` section of run config is
  accepted and ignored (tested below).
- ``context.pdb``: an interactive debugger cannot run under pytest.

The page's op-selection queries (``*some_op``, ``some_op+++``, lists of queries)
are exercised as ``materialize(selection=...)`` strings, the asset spelling of the
same grammar. Context properties the page lists for the op context are checked on
``AssetExecutionContext``, which in Dagster exposes the same ones.
"""

from __future__ import annotations

from typing import Any

import pytest

from nbassets import (
    AssetExecutionContext,
    AssetKey,
    AssetMaterialization,
    AssetOut,
    DagsterEventType,
    InvalidInvocationError,
    RunEvent,
    asset,
    materialize,
    multi_asset,
)

try:
    from nbassets import DailyPartitionsDefinition
except ImportError:  # not exported yet: see test_ref_004 test_partition_names_are_exported
    from nbassets.partitions import DailyPartitionsDefinition


def chain() -> list[Any]:
    """a --> b --> c --> d --> e --> f, and a lone asset ``other``."""

    @asset
    def a() -> int:
        return 1

    @asset
    def b(a: int) -> int:
        return a + 1

    @asset
    def c(b: int) -> int:
        return b + 1

    @asset
    def d(c: int) -> int:
        return c + 1

    @asset
    def e(d: int) -> int:
        return d + 1

    @asset
    def f(e: int) -> int:
        return e + 1

    @asset
    def other() -> int:
        return 0

    return [a, b, c, d, e, f, other]


def ran(result: Any) -> list[str]:
    return sorted(event.step_key for event in result.get_step_success_events())


# --- Op-selection syntax -----------------------------------------------------------


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        ("c", ["c"]),
        ("*c", ["a", "b", "c"]),
        ("c+", ["c", "d"]),
        ("c+++", ["c", "d", "e", "f"]),
        ("b++", ["b", "c", "d"]),
        ("*c+", ["a", "b", "c", "d"]),
        ("++c", ["a", "b", "c"]),
        ("c*", ["c", "d", "e", "f"]),
        (["*b", "other"], ["a", "b", "other"]),
        (["*b", "other", "d+"], ["a", "b", "d", "e", "other"]),
    ],
)
def test_op_selection_queries(selection: Any, expected: list[str]) -> None:
    # a --> b --> c --> d --> e --> f    other
    defs = chain()
    materialize(defs)  # every upstream now has a stored value to load

    assert ran(materialize(defs, selection=selection)) == expected


def test_three_levels_down_stops_at_three() -> None:
    # a --> b --> c --> d --> e --> f
    defs = chain()

    assert ran(materialize(defs, selection="*a+++")) == ["a", "b", "c", "d"]


# --- ExecuteInProcessResult --------------------------------------------------------


def test_result_output_for_node_and_output_name() -> None:
    @multi_asset(outs={"first": AssetOut(), "second": AssetOut()})
    def split() -> tuple[int, int]:
        return 1, 2

    result = materialize([split])

    assert result.output_for_node("split", "first") == 1
    assert result.output_for_node("split", output_name="second") == 2
    with pytest.raises(InvalidInvocationError, match="no output 'result'"):
        result.output_for_node("split")


def test_result_output_for_node_unknown_node() -> None:
    @asset
    def orders() -> int:
        return 1

    result = materialize([orders])

    with pytest.raises(InvalidInvocationError, match="Did you mean 'orders'"):
        result.output_for_node("ordrs")


def test_result_output_value_of_a_single_node_run() -> None:
    @asset
    def only() -> str:
        return "value"

    result = materialize([only])

    assert result.output_value() == "value"


def test_result_all_events_are_dagster_events() -> None:
    @asset
    def only() -> str:
        return "value"

    result = materialize([only])
    events = result.all_events

    assert all(isinstance(e, RunEvent) for e in events)
    assert [e.event_type for e in events] == [
        DagsterEventType.RUN_START,
        DagsterEventType.STEP_START,
        DagsterEventType.ASSET_MATERIALIZATION,
        DagsterEventType.STEP_SUCCESS,
        DagsterEventType.RUN_SUCCESS,
    ]
    assert {e.run_id for e in events} == {result.run_id}
    assert [e.step_key for e in events if e.is_step_success] == ["only"]


# --- Context properties ------------------------------------------------------------


def test_context_tags_retry_number_instance_and_op_config() -> None:
    seen: dict[str, Any] = {}

    @asset
    def hello_world(context: AssetExecutionContext) -> None:
        context.log.info("Hello, world!")
        seen.update(
            has_env=context.has_tag("env"),
            env=context.get_tag("env"),
            missing=context.get_tag("missing"),
            retry_number=context.retry_number,
            run_id=context.run_id,
            has_partition_key=context.has_partition_key,
            instance=context.instance,
        )

    result = materialize([hello_world], tags={"env": "test"})

    assert seen["has_env"] is True
    assert seen["env"] == "test"
    assert seen["missing"] is None
    assert seen["retry_number"] == 0
    assert seen["run_id"] == result.run_id
    assert seen["has_partition_key"] is False
    assert seen["instance"] is not None


def test_partition_key_raises_when_the_run_is_not_partitioned() -> None:
    @asset
    def unpartitioned(context: AssetExecutionContext) -> str:
        return context.partition_key

    with pytest.raises(InvalidInvocationError, match="partition_key"):
        materialize([unpartitioned])


def test_partition_time_window_for_the_current_run() -> None:
    @asset(partitions_def=DailyPartitionsDefinition(start_date="2023-01-01"))
    def daily(context: AssetExecutionContext) -> tuple[str, str]:
        window = context.partition_time_window
        return window.start.isoformat(), window.end.isoformat()

    result = materialize([daily], partition_key="2023-01-15")

    start, end = result.output_for_node("daily")
    assert start.startswith("2023-01-15T00:00:00")
    assert end.startswith("2023-01-16T00:00:00")


def test_partition_time_window_raises_without_time_partitions() -> None:
    @asset
    def unpartitioned(context: AssetExecutionContext) -> Any:
        return context.partition_time_window

    with pytest.raises(InvalidInvocationError, match="time-window"):
        materialize([unpartitioned])


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        (lambda c: c.run_config, {}),
        (lambda c: c.job_name, "__ASSET_JOB"),
        (lambda c: c.op_def.name, "my_asset"),
        (lambda c: c.asset_partition_key_for_output(), "2023-01-02"),
    ],
    ids=["run_config", "job_name", "op_def", "asset_partition_key_for_output"],
)
def test_context_properties_listed_on_the_page(read: Any, expected: Any) -> None:
    seen: list[Any] = []

    @asset(partitions_def=DailyPartitionsDefinition(start_date="2023-01-01"))
    def my_asset(context: AssetExecutionContext) -> None:
        seen.append(read(context))

    materialize([my_asset], partition_key="2023-01-02")

    assert seen == [expected]


def test_context_log_event_reports_a_materialization() -> None:
    @asset
    def my_asset(context: AssetExecutionContext) -> None:
        context.log_event(AssetMaterialization(AssetKey("foo")))

    result = materialize([my_asset])

    keys = [m.asset_key for m in result.asset_materializations_for_node("my_asset")]
    assert keys == [AssetKey("foo"), AssetKey("my_asset")]


def test_asset_materialization_coerces_its_key() -> None:
    assert AssetMaterialization("foo").asset_key == AssetKey("foo")


# --- Run config schema -------------------------------------------------------------


def test_run_config_execution_and_loggers_sections_are_accepted() -> None:
    @asset
    def only() -> int:
        return 1

    result = materialize(
        [only],
        run_config={"execution": {"config": {"in_process": {}}}, "loggers": {}},
    )

    assert result.output_for_node("only") == 1
