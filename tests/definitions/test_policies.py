"""RetryPolicy: validation and the wait before each retry (Dagster's formulas)."""

from __future__ import annotations

import random

import pytest

from nbassets import Backoff, InvalidDefinitionError, Jitter, RetryPolicy


def test_defaults() -> None:
    policy = RetryPolicy()
    assert policy.max_retries == 1
    assert policy.wait_before(1) == 0.0


@pytest.mark.parametrize(
    ("backoff", "waits"),
    [
        (None, [2.0, 2.0, 2.0]),
        (Backoff.LINEAR, [2.0, 4.0, 6.0]),
        (Backoff.EXPONENTIAL, [2.0, 6.0, 14.0]),
    ],
)
def test_backoff(backoff: Backoff | None, waits: list[float]) -> None:
    policy = RetryPolicy(max_retries=3, delay=2.0, backoff=backoff)
    assert [policy.wait_before(n) for n in (1, 2, 3)] == waits


def test_full_jitter_scales_the_wait_into_zero_to_wait() -> None:
    policy = RetryPolicy(max_retries=3, delay=1.0, backoff=Backoff.LINEAR, jitter=Jitter.FULL)
    rng = random.Random(0)
    waits = [policy.wait_before(3, rng) for _ in range(50)]
    assert all(0.0 <= w < 3.0 for w in waits)
    assert len(set(waits)) > 1


def test_plus_minus_jitter_moves_by_at_most_the_delay() -> None:
    policy = RetryPolicy(max_retries=3, delay=1.0, backoff=Backoff.LINEAR, jitter=Jitter.PLUS_MINUS)
    rng = random.Random(1)
    waits = [policy.wait_before(2, rng) for _ in range(50)]
    assert all(1.0 <= w <= 3.0 for w in waits)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"max_retries": -1}, "max_retries must be 0 or more"),
        ({"delay": -1.0}, "delay is in seconds and must be 0 or more"),
        ({"backoff": Backoff.LINEAR}, "backoff and jitter need a delay"),
        ({"jitter": Jitter.FULL}, "backoff and jitter need a delay"),
    ],
)
def test_invalid_policies(kwargs: dict[str, object], pattern: str) -> None:
    with pytest.raises(InvalidDefinitionError, match=pattern):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]
