"""How many partitions of an asset one run may materialize.

Responsibilities:
- ``BackfillPolicy`` with Dagster's two constructors: ``single_run()`` (every
  requested partition in one run) and ``multi_run(max_partitions_per_run=1)``.
- ``BackfillPolicy.batches``: splitting an ordered list of keys by the policy.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from nbassets.errors import PartitionError

__all__ = ["BackfillPolicy", "BackfillPolicyType"]


class BackfillPolicyType(enum.Enum):
    """Whether a backfill runs its partitions together or in batches."""

    SINGLE_RUN = "SINGLE_RUN"
    MULTI_RUN = "MULTI_RUN"


@dataclass(frozen=True)
class BackfillPolicy:
    """How a request for many partitions is split into runs.

    Build one with ``BackfillPolicy.single_run()`` or ``BackfillPolicy.multi_run(n)``.

    Attributes:
        policy_type: ``SINGLE_RUN`` or ``MULTI_RUN``.
        max_partitions_per_run: The batch size, or ``None`` for a single run.
    """

    policy_type: BackfillPolicyType
    max_partitions_per_run: int | None = None

    def __post_init__(self) -> None:
        size = self.max_partitions_per_run
        if self.policy_type is BackfillPolicyType.SINGLE_RUN:
            if size is not None:
                raise PartitionError(
                    "A single-run backfill policy has no max_partitions_per_run; "
                    f"got {size!r}. Use BackfillPolicy.multi_run({size!r})."
                )
        elif isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise PartitionError(
                f"max_partitions_per_run must be a positive integer; got {size!r}."
            )

    @classmethod
    def single_run(cls) -> BackfillPolicy:
        """Materialize every requested partition in one run."""
        return cls(BackfillPolicyType.SINGLE_RUN)

    @classmethod
    def multi_run(cls, max_partitions_per_run: int = 1) -> BackfillPolicy:
        """Materialize requested partitions in runs of at most ``max_partitions_per_run``."""
        return cls(BackfillPolicyType.MULTI_RUN, max_partitions_per_run)

    def batches(self, partition_keys: Sequence[str]) -> list[list[str]]:
        """Split ordered keys into the batches this policy runs together."""
        keys = list(partition_keys)
        if self.max_partitions_per_run is None:
            return [keys] if keys else []
        size = self.max_partitions_per_run
        return [keys[i : i + size] for i in range(0, len(keys), size)]

    def __repr__(self) -> str:
        if self.max_partitions_per_run is None:
            return "BackfillPolicy.single_run()"
        return f"BackfillPolicy.multi_run(max_partitions_per_run={self.max_partitions_per_run})"
