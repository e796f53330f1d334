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
from nbassets.definitions.keys import AssetKey
from nbassets.errors import PartitionError

__all__ = [
    "PartitionRequest",
    "UpstreamPartitions",
    "requested_keys",
    "target_keys",
    "upstream_partitions",
]


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
        return wanted
    return None


def _mapping(item_mapping: Any, upstream_def: Any, downstream_def: Any) -> Any:
    if item_mapping is not None:
        return item_mapping
    from nbassets.partitions.default_mapping import default_partition_mapping

    return default_partition_mapping(upstream_def, downstream_def)


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
            raise PartitionError(
                f"Asset '{name}' is partitioned ({_span(pdef, store)}); choose partitions: "
                f"partition_key='...' in Python, or %materialize {name} --partition KEY "
                "(--partitions START...END for a range)."
            )
        keys = requested_keys(request, pdef, store)
        if keys is None:
            mapped: dict[str, None] = {}
            for j, mapping in parents.get(i, ()):
                up_keys = targets.get(j)
                if not up_keys:
                    continue
                up_def = entries[j].partitions_def
                found = _mapping(mapping, up_def, pdef).downstream_partition_keys(
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


@dataclass(frozen=True, slots=True)
class UpstreamPartitions:
    """What one input reads: one partition, or several handed over as ``{key: value}``."""

    single: str | None
    many: tuple[str, ...] | None


def upstream_partitions(
    *,
    downstream_def: Any,
    downstream_keys: Sequence[str] | None,
    upstream_def: Any,
    mapping: Any,
    store: Any,
    as_dict: bool,
) -> UpstreamPartitions:
    """The upstream partitions a step reads through one input.

    ``downstream_keys`` is ``None`` for an unpartitioned downstream, which reads
    every partition of the upstream as a dict.
    """
    if upstream_def is None:
        return UpstreamPartitions(None, None)
    if downstream_def is None or downstream_keys is None:
        keys = upstream_def.get_partition_keys(dynamic_partitions_store=store)
        return UpstreamPartitions(None, tuple(keys))
    keys = _mapping(mapping, upstream_def, downstream_def).upstream_partition_keys(
        list(downstream_keys), downstream_def, upstream_def, dynamic_partitions_store=store
    )
    if len(keys) == 1 and not as_dict:
        return UpstreamPartitions(keys[0], None)
    return UpstreamPartitions(None, tuple(keys))


def key_for_message(key: AssetKey) -> str:
    return key.to_user_string()
