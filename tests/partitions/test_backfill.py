from __future__ import annotations

import pytest

from nbassets.errors import PartitionError
from nbassets.partitions import BackfillPolicy, BackfillPolicyType, PartitionKeyRange, TimeWindow


def test_single_run() -> None:
    policy = BackfillPolicy.single_run()
    assert policy.policy_type is BackfillPolicyType.SINGLE_RUN
    assert policy.max_partitions_per_run is None
    assert policy.batches(["a", "b", "c"]) == [["a", "b", "c"]]
    assert policy.batches([]) == []
    assert repr(policy) == "BackfillPolicy.single_run()"


def test_multi_run() -> None:
    assert BackfillPolicy.multi_run().max_partitions_per_run == 1
    policy = BackfillPolicy.multi_run(max_partitions_per_run=2)
    assert policy.policy_type is BackfillPolicyType.MULTI_RUN
    assert policy.batches(["a", "b", "c"]) == [["a", "b"], ["c"]]
    assert policy == BackfillPolicy.multi_run(2)
    assert repr(policy) == "BackfillPolicy.multi_run(max_partitions_per_run=2)"


@pytest.mark.parametrize("size", [0, -1, 1.5, True])
def test_multi_run_needs_a_positive_size(size: object) -> None:
    with pytest.raises(PartitionError, match="max_partitions_per_run must be a positive integer"):
        BackfillPolicy.multi_run(size)  # type: ignore[arg-type]


def test_key_range_and_window_are_tuples() -> None:
    key_range = PartitionKeyRange("2024-01-01", "2024-01-31")
    assert key_range.start == "2024-01-01"
    assert tuple(key_range) == ("2024-01-01", "2024-01-31")
    start, end = TimeWindow(1, 2)  # type: ignore[arg-type]
    assert (start, end) == (1, 2)
