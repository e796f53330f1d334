"""The Dask executor on a real LocalCluster (two worker processes): same runs as in-process.

Each test's functions live in this module, which the workers import by name; the
notebook case (functions shipped by value) is in tests/notebook/test_dask_magic.py.
"""

from __future__ import annotations

import os
import pathlib
import signal
import sqlite3
import threading
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nbassets
from nbassets import (
    AssetExecutionContext,
    AssetKey,
    DailyPartitionsDefinition,
    DaskExecutor,
    EventType,
    RetryPolicy,
    UnshippableStepError,
    asset,
    materialize,
)
from nbassets.engine import execute, prepare_run
from nbassets.storage.remote_values import RemoteValue
from tests.engine.test_interrupt_properties import build, model

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
K = AssetKey


def _per_step(events: list[Any]) -> dict[str, list[EventType]]:
    steps: dict[str, list[EventType]] = {}
    for event in events:
        if event.step_key is not None:
            steps.setdefault(event.step_key, []).append(event.event_type)
    return steps


@st.composite
def dags(draw: st.DrawFn) -> tuple[list[frozenset[int]], frozenset[int]]:
    size = draw(st.integers(1, 7))
    parents = [frozenset(j for j in range(i) if draw(st.booleans())) for i in range(size)]
    failing = frozenset(i for i in range(size) if draw(st.integers(0, 4)) == 0)
    return parents, failing


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(dags())
def test_random_dags_with_failures_give_what_in_process_gives(
    dask_client: Any, case: tuple[list[frozenset[int]], frozenset[int]]
) -> None:
    parents, failing = case
    expected = model(parents, failing)
    runs = {}
    for executor in ("in_process", DaskExecutor(client=dask_client)):
        events: list[Any] = []
        with nbassets.use_registry() as registry:
            for definition in build(parents, failing):
                registry.add(definition)
            result = materialize(raise_on_error=False, listeners=[events.append], executor=executor)
            statuses = {i: registry.status(K(f"n{i}")) for i in range(len(parents))}
            values = {
                i: registry.value(K(f"n{i}")) for i, s in statuses.items() if s == "materialized"
            }
        runs[str(executor)] = (result.success, _per_step(events), statuses, values)
        assert values == {i: v for i, v in expected.items() if v is not None}
        assert [e.event_type for e in events][-1] is (
            EventType.RUN_FAILURE if failing else EventType.RUN_SUCCESS
        )
    in_process, on_dask = runs.values()
    assert on_dask == in_process


def test_values_stay_on_the_workers_until_read(dask_client: Any) -> None:
    @asset
    def numbers(context: AssetExecutionContext) -> list[int]:
        context.log.info("made on pid %s", os.getpid())
        context.add_output_metadata({"count": 3})
        return [1, 2, 3]

    @asset
    def total(numbers: list[int]) -> int:
        return sum(numbers)

    with nbassets.use_registry() as registry:
        registry.add(numbers)
        registry.add(total)
        result = materialize(executor=DaskExecutor(client=dask_client))
        raw = dict.copy(registry.instance.io_manager.values)
        # Neither value came to the kernel: the store holds handles on the workers' copies.
        assert all(type(v) is RemoteValue for v in raw.values()), raw
        logs = [e.message for e in result.all_events if e.event_type is EventType.LOG]
        assert logs and logs[0].startswith("made on pid ")
        assert logs[0] != f"made on pid {os.getpid()}"
        [materialization] = result.asset_materializations_for_node("numbers")
        assert materialization.metadata["count"].value == 3
        # Reading fetches (once): the value, then kept in the kernel.
        assert registry.value("total") == 6
        assert result.output_for_node("numbers") == [1, 2, 3]
        assert type(dict.get(registry.instance.io_manager.values, (K("total"), None))) is int
        # An in-process run reads the value a Dask run left on a worker.
        assert materialize([total], selection="total").output_for_node("total") == 6


DAYS = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-09")


@asset(partitions_def=DAYS)
def daily(context: AssetExecutionContext) -> tuple[str, int]:
    time.sleep(0.3)
    return context.partition_key, os.getpid()


def test_partitions_of_one_asset_fan_out_across_workers(dask_client: Any) -> None:
    with nbassets.use_registry() as registry:
        registry.add(daily)
        materialize(
            executor=DaskExecutor(client=dask_client),
            partition_key_range=("2024-01-01", "2024-01-08"),
        )
        values = [registry.value("daily", partition=f"2024-01-0{d}") for d in range(1, 9)]
    assert [v[0] for v in values] == [f"2024-01-0{d}" for d in range(1, 9)]
    pids = {v[1] for v in values}
    worker_pids = set(dask_client.run(os.getpid).values())
    assert pids == worker_pids and len(pids) == 2


def _flaky_asset(marker: str) -> Any:
    @asset(name="flaky", retry_policy=RetryPolicy(max_retries=3))
    def flaky() -> int:
        path = pathlib.Path(marker)
        attempts = int(path.read_text()) if path.exists() else 0
        path.write_text(str(attempts + 1))
        if attempts < 2:
            raise ConnectionError(f"attempt {attempts + 1} failed")
        return attempts

    return flaky


def test_retries_on_a_worker_are_the_steps_events(dask_client: Any, tmp_path: Any) -> None:
    seen = {}
    for n, executor in enumerate(("in_process", DaskExecutor(client=dask_client))):
        marker = str(tmp_path / f"attempts-{n}")
        with nbassets.use_registry():
            result = materialize([_flaky_asset(marker)], executor=executor)
        seen[n] = (
            [e.event_type for e in result.all_events],
            [e.message for e in result.all_events if e.event_type is EventType.STEP_UP_FOR_RETRY],
            result.output_for_node("flaky"),
        )
    in_process, on_dask = seen.values()
    assert on_dask == in_process
    assert on_dask[1] == [
        "Attempt 1 of 3 retries after ConnectionError: attempt 1 failed",
        "Attempt 2 of 3 retries after ConnectionError: attempt 2 failed",
    ]


@asset
def quick() -> int:
    return 7


@asset
def slow(quick: int) -> int:
    time.sleep(30)
    return quick


@asset
def after_slow(slow: int) -> int:
    return slow


def test_interrupt_cancels_outstanding_futures_and_keeps_what_succeeded(
    dask_client: Any,
) -> None:
    events: list[Any] = []

    def interrupt_once_quick_is_recorded(event: Any) -> None:
        events.append(event)
        if event.event_type is EventType.STEP_START and event.step_key == "slow":
            threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()

    with nbassets.use_registry() as registry:
        for definition in (quick, slow, after_slow):
            registry.add(definition)
        prepared = prepare_run(executor=DaskExecutor(client=dask_client), registry=registry)
        started = time.perf_counter()
        with pytest.raises(KeyboardInterrupt):
            execute(prepared, [interrupt_once_quick_is_recorded])
        assert time.perf_counter() - started < 20  # not waiting for the 30 s step
        assert registry.value("quick") == 7
        assert registry.status(K("quick")) == "materialized"
        assert registry.status(K("slow")) == "failed"
        assert registry.instance.runs[-1].status == "CANCELED"
        steps = _per_step(events)
        assert steps["slow"] == [EventType.STEP_START, EventType.STEP_FAILURE]
        assert "after_slow" not in steps
        assert events[-1].event_type is EventType.RUN_CANCELED
    # The cancelled task leaves the workers: none is still processing it.
    deadline = time.monotonic() + 10
    while any(dask_client.processing().values()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(dask_client.processing().values())


def test_a_step_that_cannot_be_pickled_fails_before_the_run_starts(
    dask_client: Any,
) -> None:
    conn = sqlite3.connect(":memory:")

    @asset
    def from_database() -> int:
        return int(conn.execute("select 1").fetchone()[0])

    with nbassets.use_registry() as registry:
        registry.add(from_database)
        with pytest.raises(
            UnshippableStepError,
            match=r"Asset 'from_database' cannot be sent to a Dask worker: its function uses "
            r"'conn' \(sqlite3\.Connection\), which cannot be pickled .*Create conn inside "
            r"the function",
        ):
            materialize(executor=DaskExecutor(client=dask_client))
        assert registry.instance.runs == []
        assert registry.status(K("from_database")) == "missing"
    conn.close()


class Database:
    def __init__(self) -> None:
        self.lock = threading.Lock()


def test_an_unpicklable_resource_is_named_with_the_fix(dask_client: Any) -> None:
    @asset(required_resource_keys={"db"})
    def uses_db(context: AssetExecutionContext) -> int:
        return 1

    with (
        nbassets.use_registry(),
        pytest.raises(
            UnshippableStepError,
            match=r"Asset 'uses_db' cannot be sent to a Dask worker: the resource 'db' "
            r"\(tests\.engine\.test_dask_executor\.Database\) cannot be pickled",
        ),
    ):
        materialize([uses_db], resources={"db": Database()}, executor=DaskExecutor(dask_client))


@asset(check_specs=[nbassets.AssetCheckSpec("positive", asset="guarded", blocking=True)])
def guarded() -> Any:
    yield nbassets.Output(-1)
    yield nbassets.AssetCheckResult(passed=False)


@asset
def behind_guard(guarded: int) -> int:
    return guarded


@asset
def checked() -> int:
    return 5


@nbassets.asset_check(asset=checked, blocking=True)
def small(checked: int) -> bool:
    return checked < 3


@asset
def behind_check(checked: int) -> int:
    return checked


def test_blocking_checks_skip_downstream_as_in_process(dask_client: Any) -> None:
    definitions = [guarded, behind_guard, checked, small, behind_check]
    seen = []
    for executor in ("in_process", DaskExecutor(client=dask_client)):
        with nbassets.use_registry():
            result = materialize(definitions, executor=executor, raise_on_error=False)
        seen.append(
            (
                _per_step(result.all_events),
                # Independent branches finish in any order on Dask, as with threads.
                sorted(
                    e.message for e in result.all_events if e.event_type is EventType.STEP_SKIPPED
                ),
                sorted((c.check_name, c.passed) for c in result.get_asset_check_evaluations()),
            )
        )
    assert seen[1] == seen[0]
    assert seen[1][1] == [
        "Skipped: a blocking check on 'checked:small' failed",
        "Skipped: a blocking check on 'guarded' failed",
    ]


def test_use_dask_makes_dask_the_kernels_default_until_turned_off(dask_client: Any) -> None:
    @asset
    def where() -> int:
        return os.getpid()

    try:
        executor = nbassets.use_dask(dask_client)
        assert isinstance(executor, DaskExecutor) and executor.client is dask_client
        with nbassets.use_registry():
            on_dask = materialize([where]).output_for_node("where")
    finally:
        assert nbassets.use_dask(None) is None
    with nbassets.use_registry():
        here = materialize([where]).output_for_node("where")
    assert here == os.getpid()
    assert on_dask in set(dask_client.run(os.getpid).values())


def test_each_step_is_one_task_on_the_cluster(dask_client: Any) -> None:
    import distributed
    from dask.utils import key_split

    @asset
    def first() -> int:
        return 1

    @asset
    def second(first: int) -> int:
        return first + 1

    @asset
    def third(second: int) -> int:
        return second + 1

    with nbassets.use_registry() as registry, distributed.get_task_stream(dask_client) as stream:
        materialize([first, second, third], executor=DaskExecutor(client=dask_client))
        assert registry.value("third") == 3  # one more task: fetching the value
    # The step tasks, and the one that fetched the value; no task per step besides.
    prefixes = sorted(key_split(task["key"]) for task in stream.data)
    assert prefixes == ["first", "pick", "second", "third"]


def _waits_for(marker: pathlib.Path) -> bool:
    """Wait (up to 20 s) for the kernel to create ``marker``: True if it did."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if marker.exists():
            return True
        time.sleep(0.05)
    return False


def _talking_asset(folder: str) -> Any:
    @asset(name="talking", retry_policy=RetryPolicy(max_retries=1))
    def talking(context: AssetExecutionContext) -> tuple[bool, bool]:
        context.log.info("begun")
        heard_log = _waits_for(pathlib.Path(folder) / "saw-log")
        if context.retry_number == 0:
            raise ConnectionError("first attempt fails")
        heard_retry = _waits_for(pathlib.Path(folder) / "saw-retry")
        return heard_log, heard_retry

    return talking


def test_logs_and_retry_notices_arrive_while_the_step_runs(
    dask_client: Any, tmp_path: pathlib.Path
) -> None:
    events: list[Any] = []

    def answer(event: Any) -> None:
        # The step waits for these files: it goes on at once only if its notices
        # reached the kernel before it ended.
        events.append(event)
        if event.event_type is EventType.LOG and event.message == "begun":
            (tmp_path / "saw-log").touch()
        if event.event_type is EventType.STEP_UP_FOR_RETRY:
            (tmp_path / "saw-retry").touch()

    with nbassets.use_registry():
        result = materialize(
            [_talking_asset(str(tmp_path))],
            executor=DaskExecutor(client=dask_client),
            listeners=[answer],
        )
    assert result.output_for_node("talking") == (True, True)
    assert [(e.event_type, e.message) for e in events if e.step_key == "talking"][:4] == [
        (EventType.STEP_START, ""),
        (EventType.LOG, "begun"),
        (
            EventType.STEP_UP_FOR_RETRY,
            "Attempt 1 of 1 retries after ConnectionError: first attempt fails",
        ),
        (EventType.LOG, "begun"),
    ]


@asset
def listed() -> list[int]:
    return [3, 1, 2]


@asset
def appends(listed: list[int]) -> int:
    listed.append(99)
    return len(listed)


@nbassets.asset_check(asset=listed)
def sorts(listed: list[int]) -> bool:
    listed.sort()
    return True


@asset
def grid() -> Any:
    import numpy as np

    return np.zeros(3)


@asset
def scribbles(grid: Any) -> float:
    grid[0] = 1.0
    return float(grid.sum())


def test_inputs_changed_in_place_on_a_worker_warn_as_in_process(dask_client: Any) -> None:
    seen = []
    for executor in ("in_process", DaskExecutor(client=dask_client)):
        events: list[Any] = []
        with (
            nbassets.use_registry() as registry,
            pytest.warns(nbassets.InputChangedWarning) as caught,
        ):
            for definition in (listed, appends, sorts, grid, scribbles):
                registry.add(definition)
            result = materialize(
                executor=executor, raise_on_error=False, listeners=[events.append]
            )
            (failure,) = result.get_step_failure_events()
            seen.append(
                (
                    sorted(str(w.message) for w in caught),
                    {w.filename for w in caught},
                    sorted(
                        e.message
                        for e in events
                        if e.event_type is EventType.LOG and e.data.level == "WARNING"
                    ),
                    registry.status(K("listed")),
                    # Which of the two steps changed it last: in any order on Dask.
                    [r.split(" by ")[0] for r in registry.stale_reasons("listed")],
                    failure.step_key,
                    failure.data.error.message.splitlines()[-1],
                )
            )
    assert seen[1] == seen[0]
    warned, filenames, logged, status, reasons, failed, why = seen[1]
    assert len(warned) == 2 and warned == logged
    assert warned[0].startswith("'appends' changed its input 'listed' in place (list)")
    assert warned[1].startswith("'listed:sorts' changed its input 'listed' in place (list)")
    assert filenames == {__file__}  # the warnings point at the assets' code
    assert status == "stale"
    assert reasons == ["its stored value was changed in place"]
    assert failed == "scribbles"
    assert "'scribbles' received 'grid' as a read-only numpy array" in why


@nbassets.op
def one() -> int:
    return 1


@nbassets.op
def plus_ten(x: int) -> int:
    return x + 10


@nbassets.graph_asset
def from_ops() -> Any:
    return plus_ten(plus_ten(one()))


def test_the_op_outputs_of_a_graph_backed_asset_are_read_from_the_workers(
    dask_client: Any,
) -> None:
    seen = []
    for executor in ("in_process", DaskExecutor(client=dask_client)):
        with nbassets.use_registry() as registry:
            registry.add(from_ops)
            result = materialize(executor=executor)
            seen.append(
                (
                    registry.value("from_ops"),
                    result.output_for_node("from_ops.one"),
                    result.output_for_node("from_ops.plus_ten"),
                    result.output_for_node("from_ops.plus_ten_2"),
                )
            )
    assert seen[1] == seen[0] == (21, 1, 11, 21)


def test_a_run_whose_events_are_lost_reads_each_summary_with_a_task(dask_client: Any) -> None:
    from nbassets.engine import dask_channel

    @asset
    def said(context: AssetExecutionContext) -> int:
        context.log.info("said it")
        return 2

    @asset
    def doubled(said: int) -> int:
        return said * 2

    # The scheduler stops forwarding this client's step events (as after a
    # scheduler restart): the kernel still learns each step's answer.
    dask_client.unsubscribe_topic(dask_channel._topic(dask_client))
    try:
        with nbassets.use_registry() as registry:
            registry.add(said)
            registry.add(doubled)
            result = materialize(executor=DaskExecutor(client=dask_client))
            assert registry.value("doubled") == 4
        logs = [e.message for e in result.all_events if e.event_type is EventType.LOG]
        assert logs == ["said it"]
    finally:
        dask_channel._subscribed.discard(dask_client.id)  # the next run subscribes again
