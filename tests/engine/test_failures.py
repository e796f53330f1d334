"""Failures: retries, skipped downstream, raise_on_error, KeyboardInterrupt."""

from __future__ import annotations

from typing import Any

import pytest

import nbassets
from nbassets import (
    AssetExecutionContext,
    AssetKey,
    EventType,
    Failure,
    RetryPolicy,
    RetryRequested,
    asset,
    materialize,
)

K = AssetKey


class Boom(Exception):
    """The user's own exception."""


def failing_graph(log: list[str]) -> list[Any]:
    """bad --> child --> grandchild ; ok (independent)."""

    @asset
    def bad() -> int:
        log.append("bad")
        raise Boom("bad data")

    @asset
    def child(bad: int) -> int:
        log.append("child")
        return bad

    @asset
    def grandchild(child: int) -> int:
        log.append("grandchild")
        return child

    @asset
    def ok() -> int:
        log.append("ok")
        return 1

    return [bad, child, grandchild, ok]


@pytest.fixture(autouse=True)
def _fresh() -> Any:
    with nbassets.use_registry() as reg:
        yield reg


def test_failure_skips_downstream_and_names_the_failed_upstream() -> None:
    log: list[str] = []
    result = materialize(failing_graph(log), raise_on_error=False)
    assert not result.success
    assert log == ["bad", "ok"]
    assert result.get_failed_step_keys() == {"bad"}
    assert result.get_skipped_step_keys() == {"child", "grandchild"}
    assert result.skip_reason("child") == "upstream 'bad' failed"
    reason = result.skip_reason("grandchild")
    assert reason is not None and "'child'" in reason and "'bad' failed" in reason
    skipped = [e.step_key for e in result.get_step_skipped_events()]
    assert skipped == ["child", "grandchild"]
    assert result.output_for_node("ok") == 1
    data = result.failure_data
    assert data is not None
    assert data.error.cls_name == "Boom" and "bad data" in data.error.message
    assert isinstance(data.error.exception, Boom)
    assert result.all_events[-1].event_type is EventType.RUN_FAILURE


def test_raise_on_error_raises_the_users_exception_after_independent_steps(_fresh: Any) -> None:
    log: list[str] = []
    for definition in failing_graph(log):
        _fresh.add(definition)
    with pytest.raises(Boom, match="bad data"):
        materialize()
    assert log == ["bad", "ok"]
    assert _fresh.value("ok") == 1
    assert _fresh.status(K("bad")) == "failed"
    assert _fresh.status(K("child")) == "skipped"


def test_output_for_a_skipped_node_says_why() -> None:
    result = materialize(failing_graph([]), raise_on_error=False)
    with pytest.raises(nbassets.InvalidInvocationError, match="child.*upstream 'bad' failed"):
        result.output_for_node("child")


def test_values_from_before_a_failure_are_kept(_fresh: Any) -> None:
    state = {"fail": False}

    @asset
    def up() -> int:
        return 1

    @asset
    def down(up: int) -> int:
        if state["fail"]:
            raise Boom("later")
        return up + 1

    _fresh.add(up)
    _fresh.add(down)
    materialize()
    state["fail"] = True
    materialize(raise_on_error=False)
    assert _fresh.value("up") == 1
    assert _fresh.value("down") == 2  # the last good value stays


def test_retry_policy_retries_then_succeeds() -> None:
    attempts: list[int] = []

    @asset(retry_policy=RetryPolicy(max_retries=2))
    def flaky(context: AssetExecutionContext) -> int:
        attempts.append(context.retry_number)
        if len(attempts) < 3:
            raise Boom("flaky")
        return 7

    result = materialize([flaky])
    assert result.success and result.output_for_node("flaky") == 7
    assert attempts == [0, 1, 2]
    retries = [e for e in result.all_events if e.event_type is EventType.STEP_UP_FOR_RETRY]
    assert len(retries) == 2


def test_retry_policy_gives_up_after_max_retries() -> None:
    attempts: list[int] = []

    @asset(retry_policy=RetryPolicy(max_retries=1))
    def hopeless() -> int:
        attempts.append(1)
        raise Boom("nope")

    result = materialize([hopeless], raise_on_error=False)
    assert len(attempts) == 2
    assert result.get_failed_step_keys() == {"hopeless"}
    assert result.failure_data is not None and result.failure_data.retries_exhausted == 1


def test_retry_waits_the_policy_delay() -> None:
    import time

    stamps: list[float] = []

    @asset(retry_policy=RetryPolicy(max_retries=1, delay=0.05))
    def slow_retry() -> int:
        stamps.append(time.perf_counter())
        if len(stamps) == 1:
            raise Boom("once")
        return 1

    materialize([slow_retry])
    assert stamps[1] - stamps[0] >= 0.045


def test_retry_requested_without_a_policy() -> None:
    attempts: list[int] = []

    @asset
    def asks() -> int:
        attempts.append(1)
        if len(attempts) < 3:
            raise RetryRequested(max_retries=3)
        return 1

    assert materialize([asks]).success
    assert len(attempts) == 3


def test_failure_without_retries_ignores_the_policy() -> None:
    attempts: list[int] = []

    @asset(retry_policy=RetryPolicy(max_retries=5))
    def fatal() -> int:
        attempts.append(1)
        raise Failure("corrupt input", metadata={"rows": 0}, allow_retries=False)

    result = materialize([fatal], raise_on_error=False)
    assert attempts == [1]
    data = result.failure_data
    assert data is not None and isinstance(data.user_failure_data, Failure)
    assert data.user_failure_data.metadata["rows"].value == 0


def test_keyboard_interrupt_cancels_the_run_and_keeps_what_succeeded(_fresh: Any) -> None:
    log: list[str] = []

    @asset
    def first() -> int:
        log.append("first")
        return 1

    @asset
    def interrupted(first: int) -> int:
        log.append("interrupted")
        raise KeyboardInterrupt

    @asset
    def after() -> int:
        log.append("after")
        return 3

    for definition in (first, interrupted, after):
        _fresh.add(definition)
    events: list[Any] = []
    with pytest.raises(KeyboardInterrupt):
        materialize(listeners=[events.append])
    assert log == ["first", "interrupted"]
    kinds = [e.event_type for e in events]
    assert kinds[-1] is EventType.RUN_CANCELED
    assert EventType.RUN_FAILURE not in kinds and EventType.RUN_SUCCESS not in kinds
    assert _fresh.value("first") == 1
    assert _fresh.status(K("first")) == "materialized"
    assert _fresh.status(K("interrupted")) != "running"
    assert _fresh.instance.runs[-1].status == "CANCELED"
    # The kernel is usable again at once.
    assert materialize(selection=[K("after")]).success


def test_keyboard_interrupt_is_not_retried() -> None:
    attempts: list[int] = []

    @asset(retry_policy=RetryPolicy(max_retries=3))
    def stop() -> int:
        attempts.append(1)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        materialize([stop])
    assert attempts == [1]


def test_keyboard_interrupt_with_threads_executor(_fresh: Any) -> None:
    @asset
    def fine() -> int:
        return 1

    @asset
    def stop(fine: int) -> int:
        raise KeyboardInterrupt

    _fresh.add(fine)
    _fresh.add(stop)
    events: list[Any] = []
    with pytest.raises(KeyboardInterrupt):
        materialize(executor="threads:2", listeners=[events.append])
    assert events[-1].event_type is EventType.RUN_CANCELED
    assert _fresh.value("fine") == 1
