"""Asset checks in runs, events and the result object, and the threads executor."""

from __future__ import annotations

from typing import Any

import pytest

import nbassets
from nbassets import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    EventType,
    InvalidInvocationError,
    MaterializeResult,
    asset,
    asset_check,
    materialize,
)

K = AssetKey


@pytest.fixture(autouse=True)
def _fresh() -> Any:
    with nbassets.use_registry() as reg:
        yield reg


def checked_graph(passed: bool, *, blocking: bool, severity: AssetCheckSeverity) -> list[Any]:
    """orders --> total, with a check on orders."""

    @asset
    def orders() -> list[int]:
        return [1, -2]

    @asset
    def total(orders: list[int]) -> int:
        return sum(orders)

    @asset_check(asset=orders, blocking=blocking)
    def non_negative(orders: list[int]) -> AssetCheckResult:
        return AssetCheckResult(passed=passed, severity=severity, metadata={"n": len(orders)})

    return [orders, total, non_negative]


def test_check_runs_after_its_asset_and_reports() -> None:
    result = materialize(checked_graph(True, blocking=False, severity=AssetCheckSeverity.ERROR))
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.asset_key == K("orders") and evaluation.check_name == "non_negative"
    assert evaluation.passed and evaluation.metadata["n"].value == 2
    starts = [e.step_key for e in result.all_events if e.event_type is EventType.STEP_START]
    assert starts.index("orders_non_negative") > starts.index("orders")


def test_failed_non_blocking_check_lets_downstream_run() -> None:
    defs = checked_graph(False, blocking=False, severity=AssetCheckSeverity.ERROR)
    result = materialize(defs)
    assert result.output_for_node("total") == -1
    assert not result.get_asset_check_evaluations()[0].passed


def test_failed_blocking_check_stops_downstream(_fresh: Any) -> None:
    for definition in checked_graph(False, blocking=True, severity=AssetCheckSeverity.ERROR):
        _fresh.add(definition)
    result = materialize(raise_on_error=False)
    assert result.get_skipped_step_keys() == {"total"}
    reason = result.skip_reason("total")
    assert reason is not None and "blocking check" in reason and "non_negative" in reason
    assert _fresh.value("orders") == [1, -2]
    assert _fresh.status(K("total")) == "skipped"


def test_failed_blocking_warn_check_does_not_stop_downstream() -> None:
    defs = checked_graph(False, blocking=True, severity=AssetCheckSeverity.WARN)
    result = materialize(defs, raise_on_error=False)
    assert result.get_skipped_step_keys() == set()
    assert result.output_for_node("total") == -1


def test_bool_returning_check() -> None:
    @asset
    def n() -> int:
        return 3

    @asset_check(asset="n")
    def small(n: int) -> bool:
        return n < 10

    result = materialize([n, small])
    assert result.get_asset_check_evaluations()[0].passed


def test_check_returning_something_else_fails_with_a_hint() -> None:
    @asset
    def n() -> int:
        return 3

    @asset_check(asset="n")
    def odd(n: int) -> str:
        return "yes"

    result = materialize([n, odd], raise_on_error=False)
    assert result.failure_data is not None
    assert "return an AssetCheckResult(passed=...) or a bool" in result.failure_data.error.message


def test_embedded_check_specs_blocking() -> None:
    @asset(check_specs=[AssetCheckSpec("positive", asset="n", blocking=True)])
    def n() -> MaterializeResult:
        return MaterializeResult(value=-1, check_results=[AssetCheckResult(passed=False)])

    @asset
    def after(n: int) -> int:
        return n

    result = materialize([n, after], raise_on_error=False)
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.check_name == "positive" and not evaluation.passed
    assert result.get_skipped_step_keys() == {"after"}


def test_event_sequence_of_a_simple_run() -> None:
    @asset
    def a() -> int:
        return 1

    @asset
    def b(a: int) -> int:
        return a

    result = materialize([a, b])
    kinds = [(e.event_type.value, e.step_key) for e in result.all_events]
    assert kinds == [
        ("RUN_START", None),
        ("STEP_START", "a"),
        ("ASSET_MATERIALIZATION", "a"),
        ("STEP_SUCCESS", "a"),
        ("STEP_START", "b"),
        ("ASSET_MATERIALIZATION", "b"),
        ("STEP_SUCCESS", "b"),
        ("RUN_SUCCESS", None),
    ]
    assert all(e.run_id == result.run_id for e in result.all_events)
    assert result.all_events[2].materialization.asset_key == K("a")
    assert result.is_node_success("a")
    assert repr(result).startswith("<ExecuteInProcessResult success: 2 success")


def test_result_lookup_errors() -> None:
    @asset
    def a() -> int:
        return 1

    result = materialize([a])
    with pytest.raises(InvalidInvocationError, match="No node 'aa' in this run. Did you mean 'a'"):
        result.output_for_node("aa")
    with pytest.raises(InvalidInvocationError, match="has no output 'other'"):
        result.output_for_node("a", "other")
    assert result.failure_data is None
    assert result.get_failed_step_keys() == set() == result.get_skipped_step_keys()


def diamond() -> list[Any]:
    """top --> left --> bottom ; top --> right --> bottom."""

    @asset
    def top() -> int:
        return 2

    @asset
    def left(top: int) -> int:
        return top * 3

    @asset
    def right(top: int) -> int:
        return top + 5

    @asset
    def bottom(left: int, right: int) -> tuple[int, int]:
        return left, right

    return [top, left, right, bottom]


def test_threads_executor_gives_the_same_values_as_in_process() -> None:
    serial = materialize(diamond())
    threaded = materialize(diamond(), executor="threads:2")
    assert threaded.success
    for node in ("top", "left", "right", "bottom"):
        assert threaded.output_for_node(node) == serial.output_for_node(node)
    assert threaded.all_events[0].event_type is EventType.RUN_START
    assert threaded.all_events[-1].event_type is EventType.RUN_SUCCESS


def test_threads_executor_skips_downstream_of_a_failure() -> None:
    @asset
    def bad() -> int:
        raise ValueError("x")

    @asset
    def child(bad: int) -> int:
        return bad

    @asset
    def other() -> int:
        return 1

    result = materialize([bad, child, other], executor="threads:2", raise_on_error=False)
    assert result.get_skipped_step_keys() == {"child"}
    assert result.output_for_node("other") == 1


@pytest.mark.parametrize(
    ("spec", "pattern"),
    [
        ("threads:0", "positive integer"),
        ("thread", "Unknown executor 'thread'. Did you mean 'threads'"),
        ("dask:nowhere", r"after 'dask:' give a scheduler address with its port"),
        ("dusk", "Unknown executor 'dusk'. Did you mean 'dask'"),
    ],
)
def test_bad_executor_specs(spec: str, pattern: str) -> None:
    @asset
    def a() -> int:
        return 1

    with pytest.raises(InvalidInvocationError, match=pattern):
        materialize([a], executor=spec)


def test_bad_executor_spec_is_refused_before_the_run_starts(_fresh: Any) -> None:
    @asset
    def a() -> int:
        return 1

    events: list[Any] = []
    with pytest.raises(InvalidInvocationError, match="positive integer"):
        materialize([a], executor="threads:0", listeners=[events.append])
    assert events == []
    assert _fresh.instance.runs == []
