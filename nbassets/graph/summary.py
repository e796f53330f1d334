"""One asset's summary: every fact the views show, read once from the registry.

Responsibilities:
- ``AssetSummary``: a frozen record of one asset: status and why (stale
  reasons, the last failure or skip, the code change since it last ran),
  versions, partitions, history, last run time and duration, neighbours.
- ``summarize_asset(registry, key, sources)``: build it from the registry and
  its instance; ``summary.to_json()``: the same facts as JSON-able data (what
  the lab panel's comm sends, and what the asset view widget draws).

The text and HTML renderings live with the views (``notebook.text_views``);
the status colours in ``widgets.statuses``. Nothing here reads a value.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nbassets.definitions.assets import AssetsDefinition
from nbassets.definitions.keys import AssetKey
from nbassets.definitions.metadata import MetadataValue
from nbassets.graph.asset_graph import AssetStatus
from nbassets.graph.registry import Registry

__all__ = [
    "AssetSummary",
    "CodeChange",
    "HistoryEntry",
    "PartitionsSummary",
    "metadata_text",
    "size_text",
    "stored_file",
    "summarize_asset",
    "value_from",
]


def metadata_text(entry: MetadataValue) -> str:
    """A metadata value as text: JSON indented, table rows one per line."""
    value = entry.value
    if entry.type_name == "json":
        return json.dumps(value, indent=2, default=str)
    if entry.type_name == "table":
        return "\n".join(str(dict(getattr(r, "data", r))) for r in value)
    return "" if value is None else str(value)


@dataclass(frozen=True, slots=True)
class CodeChange:
    """The asset's code now against the code of its last materialization.

    Attributes:
        materialized_version: The code version the stored value was made with.
        current_version: The code version defined now.
        old_source: The source that ran ("" when not known).
        new_source: The source defined now.
        diff: A unified diff from ``old_source`` to ``new_source`` ("" when unknown).
    """

    materialized_version: str
    current_version: str
    old_source: str
    new_source: str
    diff: str


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One materialization."""

    timestamp: float
    run_id: str
    partition: str | None
    duration: float
    code_version: str | None
    data_version: str | None
    metadata: Mapping[str, MetadataValue]
    accepted: bool


@dataclass(frozen=True, slots=True)
class PartitionsSummary:
    """A partitioned asset's partitions by state, and their one-line description."""

    total: int
    counts: Mapping[str, int]
    text: str
    failed: tuple[str, ...]
    stale: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AssetSummary:
    """Everything the views show about one asset, but its value.

    Attributes:
        key: The asset.
        status: As the lineage colours it (``missing``, ``stale``, ...).
        stale_reasons: Why it is stale, one sentence each.
        code_change: The code diff data when the code changed since the last run.
        outcome: The last failure or skip not yet followed by a success:
            ``("failed" | "skipped", message)``.
        history: Materializations, oldest first.
        last_run / last_duration: Time (epoch seconds) and duration of the latest.
    """

    key: AssetKey
    status: AssetStatus
    group: str
    kinds: tuple[str, ...]
    description: str
    is_external: bool
    code_version: str
    data_version: str | None
    stale_reasons: tuple[str, ...]
    code_change: CodeChange | None
    outcome: tuple[str, str] | None
    upstream: tuple[AssetKey, ...]
    downstream: tuple[AssetKey, ...]
    checks: tuple[str, ...]
    partitions: PartitionsSummary | None
    history: tuple[HistoryEntry, ...]
    source: str
    # Where the latest value comes from ("in memory", "restored from disk (...)"; ""
    # without a store), and its stored file's size and format.
    value_from: str = ""
    stored_size: int | None = None
    stored_format: str = ""

    @property
    def latest(self) -> HistoryEntry | None:
        """The latest materialization, if any."""
        return self.history[-1] if self.history else None

    @property
    def last_run(self) -> float | None:
        return self.history[-1].timestamp if self.history else None

    @property
    def last_duration(self) -> float | None:
        return self.history[-1].duration if self.history else None

    def to_json(self) -> dict[str, Any]:
        """The summary as JSON-able data: strings, numbers, lists and dicts only."""
        change = self.code_change
        parts = self.partitions
        return {
            "key": self.key.to_user_string(),
            "status": self.status,
            "group": self.group,
            "kinds": list(self.kinds),
            "description": self.description,
            "is_external": self.is_external,
            "code_version": self.code_version,
            "data_version": self.data_version,
            "stale_reasons": list(self.stale_reasons),
            "code_change": None
            if change is None
            else {
                "materialized_version": change.materialized_version,
                "current_version": change.current_version,
                "old_source": change.old_source,
                "new_source": change.new_source,
                "diff": change.diff,
            },
            "outcome": None
            if self.outcome is None
            else {"status": self.outcome[0], "message": self.outcome[1]},
            "upstream": [k.to_user_string() for k in self.upstream],
            "downstream": [k.to_user_string() for k in self.downstream],
            "checks": list(self.checks),
            "partitions": None
            if parts is None
            else {
                "total": parts.total,
                "counts": dict(parts.counts),
                "text": parts.text,
                "failed": list(parts.failed),
                "stale": list(parts.stale),
            },
            "last_run": self.last_run,
            "last_duration": self.last_duration,
            "history": [
                {
                    "timestamp": h.timestamp,
                    "run_id": h.run_id,
                    "partition": h.partition,
                    "duration": h.duration,
                    "code_version": h.code_version,
                    "data_version": h.data_version,
                    "accepted": h.accepted,
                    "metadata": {
                        name: {"type": m.type_name, "text": metadata_text(m)}
                        for name, m in h.metadata.items()
                    },
                }
                for h in self.history
            ],
            "source": self.source,
            "value_from": self.value_from,
            "stored_size": self.stored_size,
            "stored_format": self.stored_format,
        }


def summarize_asset(
    registry: Registry, key: Any, sources: Mapping[str, str] | None = None
) -> AssetSummary:
    """The summary of ``key`` as the registry knows it now.

    Args:
        registry: The registry that defines ``key``.
        key: An ``AssetKey`` or anything ``registry.resolve_key`` takes.
        sources: Cell source by code version (what the notebook ran before),
            for the code change; without it only the versions are compared.

    Raises:
        UnknownAssetError: ``key`` is not defined.
    """
    asset_key = registry.resolve_key(key)
    entry = registry.definition_for(asset_key)
    graph = registry.graph
    node = graph.node(asset_key)
    instance = registry.instance
    history = tuple(
        HistoryEntry(
            r.timestamp,
            r.run_id,
            r.partition,
            r.duration,
            r.code_version,
            r.data_version,
            r.metadata,
            r.accepted,
        )
        for r in instance.history(asset_key)
    )
    description = code_version = source = ""
    code_change = partitions = None
    if isinstance(entry, AssetsDefinition):
        description = entry.output_by_key[asset_key].description or ""
        code_version = entry.effective_code_version(asset_key) or ""
        source = str(entry.origin.get("source", ""))
        defined = entry.origin.get("source")
        if defined is not None:
            code_change = _code_change(history, code_version, str(defined), sources or {})
        if entry.partitions_def is not None:
            partitions = _partitions(registry, asset_key)
    outcome = instance.outcome(asset_key)
    return AssetSummary(
        key=asset_key,
        status=registry.status(asset_key),
        group=node.group_name,
        kinds=tuple(sorted(node.kinds)),
        description=description,
        is_external=node.is_external,
        code_version=code_version,
        data_version=history[-1].data_version if history else None,
        stale_reasons=tuple(registry.stale_reasons(asset_key)),
        code_change=code_change,
        outcome=None if outcome is None else (outcome.status, outcome.message),
        upstream=tuple(graph.parents(asset_key)),
        downstream=tuple(graph.children(asset_key)),
        checks=tuple(
            k.to_user_string()
            for c in registry.checks_for(asset_key)
            for k in sorted(c.check_keys, key=lambda k: k.name)
            if k.asset_key == asset_key
        ),
        partitions=partitions,
        history=history,
        source=source,
        **_storage_facts(instance, asset_key, history[-1].partition if history else None),
    )


def _storage_facts(instance: Any, key: AssetKey, partition: str | None) -> dict[str, Any]:
    record = instance.latest(key, partition)
    if record is None or (instance.store is None and not record.restored):
        return {}
    size, fmt = stored_file(instance, key, partition)
    return {
        "value_from": value_from(instance, key, partition),
        "stored_size": size,
        "stored_format": fmt,
    }


def value_from(instance: Any, key: AssetKey, partition: str | None = None) -> str:
    """Where the latest value of ``key`` comes from, in words ("" when never materialized)."""
    import datetime as dt

    record = instance.latest(key, partition)
    if record is None:
        return ""
    values = instance.io_manager.values
    if (key, partition) not in values:
        return "no value"
    is_loaded = getattr(values, "is_loaded", None)
    loaded = is_loaded((key, partition)) if is_loaded is not None else True
    if record.restored:
        when = dt.datetime.fromtimestamp(record.timestamp).strftime("%Y-%m-%d %H:%M:%S")
        return f"restored from disk ({when}, {'loaded' if loaded else 'not loaded yet'})"
    return "in memory" + (", stored" if record.stored is not None else "")


def stored_file(
    instance: Any, key: AssetKey, partition: str | None = None
) -> tuple[int | None, str]:
    """Size in bytes and format of the latest value's stored file (``None, ""``: none)."""
    record = instance.latest(key, partition)
    stored = record.stored if record is not None else None
    if stored is None or not stored.file:
        return None, ""
    return stored.size, stored.format or ""


def _code_change(
    history: tuple[HistoryEntry, ...], current: str, new: str, sources: Mapping[str, str]
) -> CodeChange | None:
    if not history:
        return None
    ran = history[-1].code_version or ""
    old = sources.get(ran)
    if old is None or old == new:
        return None
    diff = "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), "materialized", "current"
        )
    )
    return CodeChange(ran, current, old, new, diff)


def _partitions(registry: Registry, key: AssetKey) -> PartitionsSummary:
    summary = registry.partition_summary(key)
    # Failed and stale partitions were run: no need to list every partition.
    states = registry.judge.touched_partition_states(key)
    return PartitionsSummary(
        total=summary.total,
        counts=dict(summary.counts),
        text=str(summary),
        failed=tuple(p for p, s in states.items() if s == "failed"),
        stale=tuple(p for p, s in states.items() if s == "stale"),
    )


def size_text(size: int | None) -> str:
    """``1234567`` -> ``"1.2 MB"`` (decimal units, as file browsers show); ``None`` -> ``""``."""
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "kB", "MB"):
        if value < 1000:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"
