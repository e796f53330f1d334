"""Partition subsets as text, in Dagster's serialized formats.

Responsibilities:
- ``serialize_subset``: a time-window subset as its runs of consecutive windows
  (``{"version": 1, "time_windows": [[start, end], ...], "num_partitions": n}``,
  timestamps in seconds); any other subset as its sorted keys
  (``{"version": 1, "subset": [...]}``). Equal subsets give equal text.
- ``deserialize_subset``: read either back, and Dagster's older forms (a bare list
  of windows, or of keys).
- ``unique_identifier``: a stable hash naming a definition, as Dagster's
  ``get_serializable_unique_identifier``.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from nbassets.errors import PartitionError

if TYPE_CHECKING:
    from nbassets.partitions.definitions import PartitionsDefinition
    from nbassets.partitions.subset import PartitionsSubset

__all__ = ["deserialize_subset", "serialize_subset", "unique_identifier"]

_VERSION = 1


def _time_window_def(partitions_def: Any) -> Any:
    from nbassets.partitions.time_window import TimeWindowPartitionsDefinition

    return partitions_def if isinstance(partitions_def, TimeWindowPartitionsDefinition) else None


def serialize_subset(subset: PartitionsSubset) -> str:
    """``subset`` as JSON text in Dagster's format for its kind of definition."""
    time_def = _time_window_def(subset.partitions_def)
    keys = list(subset)
    if time_def is None:
        return json.dumps({"version": _VERSION, "subset": sorted(keys)})
    indexes = sorted(n for n in (time_def.index_of_key(k) for k in keys) if n is not None)
    runs: list[list[int]] = []
    for n in indexes:
        if runs and runs[-1][1] == n:
            runs[-1][1] = n + 1
        else:
            runs.append([n, n + 1])
    windows = [
        [
            time_def.window_at_index(first).start.timestamp(),
            time_def.window_at_index(stop - 1).end.timestamp(),
        ]
        for first, stop in runs
    ]
    return json.dumps(
        {"version": _VERSION, "time_windows": windows, "num_partitions": len(indexes)}
    )


def _keys_in_windows(time_def: Any, windows: list[Any]) -> list[str]:
    keys: list[str] = []
    for window in windows:
        start, end = float(window[0]), float(window[1])
        n = time_def.index_at(datetime.fromtimestamp(start, timezone.utc))
        if time_def.window_at_index(n).start.timestamp() < start:
            n += 1
        while time_def.window_at_index(n).start.timestamp() < end:
            keys.append(time_def.key_at_index(n))
            n += 1
    return keys


def deserialize_subset(partitions_def: PartitionsDefinition, serialized: str) -> PartitionsSubset:
    """The subset of ``partitions_def`` that ``serialized`` (from ``serialize``) describes.

    Raises:
        PartitionError: the text is not a serialized subset of this kind of definition.
    """
    try:
        loaded = json.loads(serialized)
    except (TypeError, ValueError):
        loaded = None
    time_def = _time_window_def(partitions_def)
    keys: list[str] | None = None
    if time_def is not None:
        windows = loaded.get("time_windows") if isinstance(loaded, dict) else loaded
        if isinstance(windows, list) and all(isinstance(w, list) and len(w) == 2 for w in windows):
            keys = _keys_in_windows(time_def, windows)
    else:
        listed = loaded.get("subset") if isinstance(loaded, dict) else loaded
        if isinstance(listed, list) and all(isinstance(k, str) for k in listed):
            keys = listed
    if keys is None:
        raise PartitionError(
            f"{serialized[:80]!r} is not a serialized partitions subset of {partitions_def!r}; "
            "pass the text that subset.serialize() returned for this definition."
        )
    return partitions_def.empty_subset().with_partition_keys(keys)


def unique_identifier(partitions_def: PartitionsDefinition) -> str:
    """A hash that is equal for equal definitions and differs otherwise."""
    if _time_window_def(partitions_def) is not None:
        text = repr(partitions_def)
    else:
        name = getattr(partitions_def, "name", None)
        dimensions = getattr(partitions_def, "partitions_defs", None)
        if dimensions is not None:
            text = str({d.name: unique_identifier(d.partitions_def) for d in dimensions})
        elif name is not None and type(partitions_def).__name__ == "DynamicPartitionsDefinition":
            text = f"dynamic:{name}"
        else:
            text = json.dumps(partitions_def.get_partition_keys())
    return hashlib.sha1(text.encode("utf-8")).hexdigest()  # noqa: S324 - an identifier, not security
