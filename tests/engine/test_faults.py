"""Faults inside runs: sys.exit in an asset, real SIGINTs, cancelled threads."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from typing import Any

import pytest

import nbassets
from nbassets import AssetKey, EventType, asset, materialize
from nbassets.engine.interrupts import AssetExitError

K = AssetKey


@pytest.fixture(autouse=True)
def _fresh() -> Any:
    with nbassets.use_registry() as reg:
        yield reg


def _kinds(events: list[Any], step: str | None = None) -> list[EventType]:
    return [e.event_type for e in events if step is None or e.step_key == step]


@pytest.mark.parametrize(
    ("exit_with", "shown"),
    [(lambda: sys.exit(2), "sys.exit(2)"), (lambda: sys.exit("usage: x"), "'usage: x'"),
     (lambda: (_ for _ in ()).throw(GeneratorExit), "GeneratorExit")],
)
def test_sys_exit_in_an_asset_fails_that_step_and_the_run_goes_on(
    _fresh: Any, exit_with: Any, shown: str
) -> None:
    @asset
    def cli() -> int:
        exit_with()
        return 1

    @asset
    def after_cli(cli: int) -> int:
        return cli

    @asset
    def independent() -> int:
        return 7

    events: list[Any] = []
    result = materialize([cli, after_cli, independent], raise_on_error=False,
                         listeners=[events.append])
    assert not result.success
    assert result.get_failed_step_keys() == {"cli"}
    assert result.output_for_node("independent") == 7
    assert _kinds(events, "cli") == [EventType.STEP_START, EventType.STEP_FAILURE]
    assert _kinds(events, "after_cli") == [EventType.STEP_SKIPPED]
    assert _kinds(events)[-1] is EventType.RUN_FAILURE
    (failure,) = result.get_step_failure_events()
    assert shown in failure.message
    with pytest.raises(AssetExitError, match="step failed"):
        materialize([cli], raise_on_error=True)
    assert _fresh.instance.runs[-1].status == "FAILURE"


def _interrupt_soon(delay: float) -> threading.Timer:
    """Send a real SIGINT to this process after ``delay``, as Ctrl-C in a terminal does."""
    timer = threading.Timer(delay, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    return timer


def test_a_cancelled_threads_run_never_stores_or_emits_after_it_returns(_fresh: Any) -> None:
    release = threading.Event()
    version = {"n": 0}

    @asset
    def slow() -> int:
        release.wait(5)
        return version["n"]

    @asset
    def quick() -> int:
        release.wait(5)
        return 0

    events: list[Any] = []
    version["n"] = 1
    timer = _interrupt_soon(0.3)
    with pytest.raises(KeyboardInterrupt):
        materialize([slow, quick], executor="threads:2", listeners=[events.append])
    timer.join()
    returned_with = list(events)
    assert returned_with[-1].event_type is EventType.RUN_CANCELED
    # Both running steps end in the record, failed as cancelled, before RUN_CANCELED.
    for step in ("slow", "quick"):
        assert _kinds(returned_with, step) == [EventType.STEP_START, EventType.STEP_FAILURE]
    assert _fresh.status(K("slow")) == "failed"
    # A later run stores a newer value; the old run's step then finishes in the background.
    version["n"] = 2

    @asset(key="slow")
    def slow_again() -> int:
        return 2

    materialize([slow_again])
    release.set()
    time.sleep(0.3)
    assert _fresh.value("slow") == 2
    assert events == returned_with
    assert _fresh.instance.get_latest_materialization_event(K("slow")).run_id == (
        _fresh.instance.runs[-1].run_id
    )


def test_status_answers_for_keys_run_from_an_explicit_list(_fresh: Any) -> None:
    @asset
    def listed_ok() -> int:
        return 1

    @asset
    def listed_bad() -> int:
        raise ValueError("no")

    materialize([listed_ok, listed_bad], raise_on_error=False)
    assert _fresh.status(K("listed_bad")) == "failed"
    assert _fresh.status(K("listed_ok")) == "materialized"
