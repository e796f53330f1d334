"""Retry policies, as Dagster's ``RetryPolicy``, ``Backoff`` and ``Jitter``.

Responsibilities:
- Hold a step's retry settings and compute the wait before each new attempt.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass

from nbassets.errors import InvalidDefinitionError

__all__ = ["Backoff", "Jitter", "RetryPolicy"]


class Backoff(enum.Enum):
    """How the delay grows between attempts."""

    LINEAR = "LINEAR"
    EXPONENTIAL = "EXPONENTIAL"


class Jitter(enum.Enum):
    """Randomness added to the delay, so retries of many steps do not align."""

    FULL = "FULL"
    PLUS_MINUS = "PLUS_MINUS"


_MAX_WAIT = 1e9


@dataclass(frozen=True)
class RetryPolicy:
    """Retry a failing step up to ``max_retries`` times.

    With ``delay`` d the wait before retry n (1-based) is d without backoff,
    n*d with linear backoff and (2**n - 1)*d with exponential backoff, as in
    Dagster. Full jitter scales it by a random factor in [0, 1); plus-minus
    jitter moves it by up to d either way.
    """

    max_retries: int = 1
    delay: float | None = None
    backoff: Backoff | None = None
    jitter: Jitter | None = None

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise InvalidDefinitionError(
                f"RetryPolicy(max_retries={self.max_retries}): max_retries must be 0 or more."
            )
        if self.delay is not None and not 0 <= self.delay <= _MAX_WAIT:
            raise InvalidDefinitionError(
                f"RetryPolicy(delay={self.delay}): delay is in seconds and must be 0 or more "
                f"and finite (at most {_MAX_WAIT:.0e})."
            )
        if (self.backoff or self.jitter) and self.delay is None:
            raise InvalidDefinitionError(
                "RetryPolicy: backoff and jitter need a delay; pass delay=<seconds>."
            )

    def wait_before(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (1 for the first retry)."""
        base = self.delay or 0.0
        if self.backoff is Backoff.LINEAR:
            wait = base * attempt
        elif self.backoff is Backoff.EXPONENTIAL:
            # A float power: 2**attempt as an int overflows float() after ~1,000 retries.
            wait = base * (2.0 ** min(attempt, 64) - 1)
        else:
            wait = base
        draw = (rng or random).random
        if self.jitter is Jitter.FULL:
            wait *= draw()
        elif self.jitter is Jitter.PLUS_MINUS:
            wait += base * (2 * draw() - 1)
        # time.sleep refuses absurd waits with OverflowError, which would replace the
        # user's exception: cap at ~31 years, which is forever for a notebook.
        return min(max(wait, 0.0), _MAX_WAIT)
