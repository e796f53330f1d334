"""Compute: the part of a step that runs user code, apart from the kernel's bookkeeping.

A step is prepared in the kernel (inputs, config, resources, context), computed
(the function called, with retries, its return value read into outputs), then
recorded in the kernel (IO managers, the instance, events, checks). Every executor
shares prepare and record; compute runs in the kernel (in-process, threads) or on
a Dask worker (``nbassets.engine.shipping``), and both hand record a ``Computed``.

Responsibilities:
- ``Computed``: what one step's function produced, the metadata it added at run
  time, and (from a worker) the log lines and retry notices to replay in order.
- ``retry_wait``: whether an attempt that raised is retried, and after how long;
  the one rule every executor follows.
- ``check_results_in``: the check results a check function returned (on a worker).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nbassets.definitions.keys import AssetKey
from nbassets.definitions.metadata import MetadataValue
from nbassets.definitions.results import AssetCheckResult, Failure, RetryRequested
from nbassets.engine.input_guard import ChangedInput
from nbassets.engine.outputs import OutputShapeError, Produced

__all__ = [
    "Computed",
    "Notice",
    "PreSplit",
    "check_results_in",
    "merged_metadata",
    "retry_message",
    "retry_wait",
    "split_partitions",
]

AddedMetadata = Mapping["AssetKey | None", Mapping[str, MetadataValue]]
# ("LOG", level, message), ("EVENT", event) or ("RETRY", ErrorInfo, message), in the
# order a worker saw them: replayed as the step's events when its result arrives.
Notice = tuple[Any, ...]


@dataclass(slots=True)
class Computed:
    """What compute hands to record.

    Attributes:
        produced: One entry per asset output (asset steps).
        checks: Check results: embedded ones, or a check step's own.
        added: Metadata added with ``context.add_output_metadata``, by asset key
            (``None`` for the step as a whole); ``None`` when nothing was added.
        notices: Log lines, logged events and retry notices from a worker, in order.
        error: The exception that failed the step on a worker (raised by record).
        returned: A check step's return value, matched to its checks by record
            (a generator's items, as a list, from a worker).
        changed: Inputs a worker saw the step change in place (reported by record).
        node_outputs: A graph-backed asset's op outputs, ``{op handle: {output:
            value}}`` (handles on a worker's values, from a worker).
    """

    produced: Sequence[Produced] = ()
    checks: Sequence[AssetCheckResult] = ()
    added: AddedMetadata | None = None
    notices: Sequence[Notice] = ()
    error: BaseException | None = None
    returned: Any = None
    changed: Sequence[ChangedInput] = ()
    node_outputs: Mapping[str, dict[str, Any]] | None = None


class PreSplit:
    """A range step's value as a worker split it: ``(partition, value)`` pairs and the whole."""

    __slots__ = ("parts", "whole")

    def __init__(self, parts: list[tuple[str | None, Any]], whole: Any) -> None:
        self.parts = parts
        self.whole = whole


def split_partitions(
    label: str, partition_keys: Sequence[str], item: Produced
) -> list[tuple[str | None, Any]]:
    """A range step's value, one ``(partition, value)`` pair per partition key."""
    if not item.has_value:
        return [(key, None) for key in partition_keys]
    value = item.value
    if len(partition_keys) == 1 and not (isinstance(value, Mapping) and partition_keys[0] in value):
        # A one-partition batch may return the partition's value itself.
        return [(partition_keys[0], value)]
    if not isinstance(value, Mapping) or set(partition_keys) - set(value):
        first, last = partition_keys[0], partition_keys[-1]
        raise OutputShapeError(
            f"'{label}' ran partitions {first}...{last} in one step "
            "(BackfillPolicy.single_run()), so it must return a dict of "
            "{partition_key: value} with every key of context.partition_keys; got "
            f"{type(value).__name__}."
        )
    return [(key, value[key]) for key in partition_keys]


def merged_metadata(added: AddedMetadata | None, key: AssetKey) -> dict[str, MetadataValue]:
    """Metadata added at run time for ``key`` (and for the step as a whole)."""
    if not added:
        return {}
    merged = dict(added.get(None, {}))
    merged.update(added.get(key, {}))
    return merged


def retry_wait(error: BaseException, attempt: int, policy: Any) -> float | None:
    """Seconds to wait before retrying after attempt number ``attempt`` raised ``error``.

    ``None`` when the step must fail now: no policy, retries used up, or a
    ``Failure(allow_retries=False)``. ``RetryRequested`` brings its own limits.
    """
    allowed = policy.max_retries if policy is not None else 0
    if isinstance(error, RetryRequested):
        allowed = error.max_retries
    if isinstance(error, Failure) and not error.allow_retries:
        allowed = 0
    if attempt >= allowed:
        return None
    if isinstance(error, RetryRequested):
        return float(error.seconds_to_wait or 0.0)
    return float(policy.wait_before(attempt + 1)) if policy is not None else 0.0


def retry_message(error: BaseException, attempt: int, policy: Any) -> str:
    """The notice of retry number ``attempt`` after ``error``."""
    allowed = (
        error.max_retries
        if isinstance(error, RetryRequested)
        else (policy.max_retries if policy is not None else 0)
    )
    return f"Attempt {attempt} of {allowed} retries after {type(error).__name__}: {error}"


def check_results_in(returned: Any) -> list[AssetCheckResult]:
    """The check results in a check function's return value, as far as they can be read.

    Record matches them to their checks and refuses a wrong shape; this reading only
    lets a worker tell whether a blocking check failed.
    """
    if isinstance(returned, bool) or type(returned).__name__ == "bool_":
        return [AssetCheckResult(passed=bool(returned))]
    if isinstance(returned, AssetCheckResult):
        return [returned]
    if isinstance(returned, list):
        return [item for item in returned if isinstance(item, AssetCheckResult)]
    return []
