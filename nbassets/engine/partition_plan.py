"""Which partitions a run materializes, and which upstream partitions each step reads.

Responsibilities:
- Turn what the caller asked for (one key, a list, or a range) into the list of
  partition keys of each selected partitioned asset: the keys themselves where the
  asset's definition has them, else the keys its partitioned upstreams in the same
  run map to (a weekly asset downstream of daily ones).
- For one step (an asset, and one partition or a range of them), the partitions
  of each upstream it reads, through the input's mapping or Dagster's default.
- Explain every refusal: a key outside the definition (with its range), a
  partitioned asset with no partitions chosen, definitions that cannot be mapped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nbassets.definitions.assets import AssetsDefinition
from nbassets.errors import PartitionError, PartitionRequiredError
from nbassets.partitions.reads import mapping_for

__all__ = ["PartitionRequest", "requested_keys", "target_keys"]


@dataclass(frozen=True)
class PartitionRequest:
    """What the caller asked for: one key, a list of keys, or an inclusive range."""

    key: str | None = None
    keys: tuple[str, ...] | None = None
    range: tuple[str, str] | None = None

    @property
    def empty(self) -> bool:
        return self.key is None and self.keys is None and self.range is None

    def describe(self) -> str:
        if self.key is not None:
            return f"partition '{self.key}'"
        if self.range is not None:
            return f"partitions {self.range[0]}...{self.range[1]}"
        return f"partitions {', '.join(self.keys or ())}"


def _span(partitions_def: Any, store: Any) -> str:
    first = partitions_def.get_first_partition_key(dynamic_partitions_store=store)
    last = partitions_def.get_last_partition_key(dynamic_partitions_store=store)
    count = partitions_def.get_num_partitions(dynamic_partitions_store=store)
    if first is None:
        return "it has no partitions yet"
    return f"its {count} partitions run from {first} to {last}"


def requested_keys(request: PartitionRequest, partitions_def: Any, store: Any) -> list[str] | None:
    """The request as keys of ``partitions_def``, or ``None`` if they are not its keys."""
    if request.key is not None:
        wanted = [request.key]
    elif request.keys is not None:
        wanted = list(request.keys)
    else:
        assert request.range is not None
        start, end = request.range
        if not (
            partitions_def.has_partition_key(start, dynamic_partitions_store=store)
            and partitions_def.has_partition_key(end, dynamic_partitions_store=store)
        ):
            return None
        from nbassets.partitions.keys import PartitionKeyRange

        keys: list[str] = partitions_def.get_partition_keys_in_range(
            PartitionKeyRange(start, end), dynamic_partitions_store=store
        )
        return keys
    if all(partitions_def.has_partition_key(k, dynamic_partitions_store=store) for k in wanted):
        # A multi-partitioned asset's keys are MultiPartitionKeys wherever it sees
        # them (context, IO managers), even when asked for with a plain string.
        as_key = getattr(partitions_def, "get_partition_key_from_str", None)
        return [as_key(k) for k in wanted] if as_key is not None else wanted
    return None


def target_keys(
    order: Sequence[int],
    entries: Sequence[AssetsDefinition],
    parents: Mapping[int, Sequence[tuple[int, Any]]],
    request: PartitionRequest,
    store: Any,
) -> dict[int, list[str] | None]:
    """Partition keys per definition index (``None`` for unpartitioned ones).

    ``parents[i]`` lists ``(j, mapping)`` for each partitioned upstream definition
    ``j`` in the run, with the input's explicit mapping (or ``None``).
    """
    targets: dict[int, list[str] | None] = {}
    for i in order:
        entry = entries[i]
        pdef = entry.partitions_def
        if pdef is None:
            targets[i] = None
            continue
        name = entry.outputs[0].key.to_user_string()
        if request.empty:
            raise PartitionRequiredError(
                f"Asset '{name}' is partitioned ({_span(pdef, store)}); choose partitions:",
                advice="partition_key='...' (partition_key_range=(start, end) for a range).",
                asset=entry.outputs[0].key,
            )
        keys = requested_keys(request, pdef, store)
        if keys is None:
            mapped: dict[str, None] = {}
            for j, mapping in parents.get(i, ()):
                up_keys = targets.get(j)
                if not up_keys:
                    continue
                up_def = entries[j].partitions_def
                found = mapping_for(mapping, up_def, pdef).downstream_partition_keys(
                    up_keys, up_def, pdef, dynamic_partitions_store=store
                )
                mapped.update(dict.fromkeys(found))
            if not mapped:
                for wanted in request.keys or (request.key,) if request.range is None else ():
                    if wanted is not None:
                        # The partitions module names the key, the range and close matches.
                        pdef.validate_partition_key(wanted, dynamic_partitions_store=store)
                raise PartitionError(
                    f"{request.describe().capitalize()} of asset '{name}' do not exist: "
                    f"{_span(pdef, store)}."
                )
            keys = [
                k for k in pdef.get_partition_keys(dynamic_partitions_store=store) if k in mapped
            ]
        targets[i] = keys
    return targets
