"""Connecting a persistent store to a kernel's instance (and so to its registry).

Usable from any Python process, with or without IPython::

    import nbassets
    nbassets.persist("my_store")          # the kernel registry's instance
    nbassets.persist(None)                # the default folder (see locations)
    nbassets.persist(False)               # stop writing; what is on disk stays

    from nbassets.storage.persistence import attach_store
    attach_store(registry, "my_store")    # any Registry (the CLI's, a test's)

Responsibilities:
- ``attach``: adopt the store's history for every asset the kernel has not
  materialized (the values stay on disk until first read: ``LazyValues``),
  write at once what the kernel already holds, then write every later
  materialization through (``write_through``), its storage id from SQLite.
- A latest value whose file is gone is warned about, naming the file, and the
  asset (partition) is left missing.
- ``detach``: stop writing; restored values not read yet stay readable.

What two kernels on one store see is each other's history as of their attach:
rows are never rewritten, so neither corrupts the other (see the README).
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nbassets.definitions.keys import AssetKey
from nbassets.storage.instance import NO_VALUE, Instance, MaterializationRecord
from nbassets.storage.lazy_values import LazyValues, OnDisk
from nbassets.storage.store import AssetStore, StoredVersion
from nbassets.storage.value_files import UnstorableValueError

__all__ = [
    "AttachReport",
    "StoreError",
    "attach",
    "attach_store",
    "detach",
    "persist",
    "write_through",
]


class StoreError(Exception):
    """Raised when a value cannot be written to the store (it stays in memory)."""


@dataclass(frozen=True)
class AttachReport:
    """What attaching a store did, for the one line the notebook prints."""

    root: Path
    restored_assets: int
    restored_versions: int
    written: int
    missing_files: tuple[str, ...]
    orphans_collected: int

    def line(self) -> str:
        parts = [f"nbassets: persisting to {self.root}"]
        if self.restored_assets:
            parts.append(
                f"{self.restored_assets} asset(s) restorable "
                f"({self.restored_versions} stored version(s))"
            )
        if self.written:
            parts.append(f"{self.written} value(s) in memory written")
        if self.missing_files:
            parts.append(f"{len(self.missing_files)} stored file(s) missing")
        return "; ".join(parts) + "."


def _record_from(version: StoredVersion) -> MaterializationRecord:
    return MaterializationRecord(
        version.storage_id,
        version.run_id,
        version.asset_key,
        version.partition,
        version.timestamp,
        version.duration,
        version.code_version,
        version.input_versions,
        version.metadata,
        version.data_version,
        version.accepted,
        version,
        True,
        NO_VALUE,
    )


def attach(instance: Instance, store: AssetStore) -> AttachReport:
    """Connect ``store`` to ``instance``: restore what it lacks, write what it has."""
    if instance.store is store:
        return AttachReport(store.root, 0, 0, 0, (), 0)
    if instance.store is not None:
        detach(instance)
    known = set(instance._history)
    versions = [v for v in store.latest_versions() if v.asset_key not in known]
    history: dict[AssetKey, list[MaterializationRecord]] = {}
    latest: dict[tuple[AssetKey, str | None], MaterializationRecord] = {}
    for version in versions:
        record = _record_from(version)
        history.setdefault(version.asset_key, []).append(record)
        latest[(version.asset_key, version.partition)] = record
    values = instance.io_manager.values
    missing: list[str] = []
    folder = str(store.values_dir)
    isfile = os.path.isfile  # plain strings: pathlib costs more than the stat on 1,000 files
    for (key, partition), record in latest.items():
        file = record.stored.file
        if file is None:
            continue
        path = os.path.join(folder, file)
        if not isfile(path):
            missing.append(path)
            history[key].remove(record)
            continue
        values[(key, partition)] = OnDisk(record.stored)
    for records in history.values():
        for record in records:
            instance.adopt_restored(record)
    for name, partition_keys in store.db.dynamic_partitions().items():
        present = instance._dynamic.setdefault(name, [])
        present.extend(p for p in partition_keys if p not in present)
        instance.dynamic_version += 1
    written = _write_existing(instance, store, known)
    for name, keys in instance._dynamic.items():
        store.db.set_dynamic_partitions(name, keys)
    instance.io_manager.values = LazyValues(dict(values), store.load, instance.forget_latest)
    instance.store = store
    for lost in missing:
        warnings.warn(
            f"nbassets: the stored value file {lost} is missing; its asset is missing "
            "until it is materialized again.",
            RuntimeWarning,
            stacklevel=2,
        )
    return AttachReport(
        store.root,
        len({k for k, records in history.items() if records}),
        store.db.count_materializations(),
        written,
        tuple(missing),
        store.orphans_collected,
    )


def _write_existing(instance: Instance, store: AssetStore, keys: set[AssetKey]) -> int:
    """Write the latest in-memory materializations of ``keys`` (and renumber ids)."""
    renumbered: dict[int, int] = {}
    written = 0
    records = sorted(
        (r for (k, _), r in instance._latest.items() if k in keys), key=lambda r: r.storage_id
    )
    for record in records:
        values = instance.io_manager.values
        slot = (record.asset_key, record.partition)
        has_value = slot in values and type(dict.get(values, slot)) is not OnDisk
        version = _write(
            store,
            record,
            values[slot] if has_value else None,
            has_value,
            {k: renumbered.get(v, v) for k, v in record.input_versions.items()},
        )
        renumbered[record.storage_id] = version.storage_id
        record.storage_id = version.storage_id
        record.stored = version
        record.data_version = version.data_version
        record.value_ref = NO_VALUE
        written += has_value
    for history in instance._history.values():
        for record in history:
            record.input_versions = {
                k: renumbered.get(v, v) for k, v in record.input_versions.items()
            }
    for key, history in instance._history.items():
        instance.latest_ids[key] = max(r.storage_id for r in history)
    instance.bump_ids(store.db.max_storage_id())
    return written


def _write(
    store: AssetStore,
    record: MaterializationRecord,
    value: Any,
    has_value: bool,
    input_versions: Mapping[AssetKey, int],
) -> StoredVersion:
    try:
        return store.write(
            run_id=record.run_id,
            asset_key=record.asset_key,
            partition=record.partition,
            duration=record.duration,
            code_version=record.code_version,
            input_versions=input_versions,
            metadata=record.metadata,
            value=value,
            has_value=has_value,
            data_version=record.data_version if not has_value else None,
            timestamp=record.timestamp,
            accepted=record.accepted,
        )
    except UnstorableValueError as error:
        name = record.asset_key.to_user_string()
        raise StoreError(
            f"Cannot store the value of '{name}' ({type(value).__name__}): {error}. The value "
            "stays in memory for this session. Return data that can be saved (a DataFrame, "
            "an array, plain Python objects), or stop persisting: %assets persist off."
        ) from error


def write_through(
    instance: Instance,
    run_id: str,
    asset_key: AssetKey,
    partition: str | None,
    duration: float,
    code_version: str | None,
    input_versions: Mapping[AssetKey, int],
    metadata: Mapping[str, Any],
    data_version: str | None,
    accepted: bool,
    value: Any,
) -> MaterializationRecord:
    """Write one materialization to the attached store and return its record."""
    store: AssetStore = instance.store
    has_value = value is not NO_VALUE
    record = MaterializationRecord(
        0, run_id, asset_key, partition, time.time(), duration, code_version,
        input_versions, metadata, data_version, accepted,
    )  # fmt: skip
    version = _write(store, record, value if has_value else None, has_value, input_versions)
    record.storage_id = version.storage_id
    record.stored = version
    record.data_version = version.data_version
    instance.bump_ids(version.storage_id)
    if has_value and store.keep > 0:
        store.collect(asset_key=asset_key)
    return record


def detach(instance: Instance) -> None:
    """Stop writing to the attached store; values not loaded yet stay readable."""
    instance.store = None


def attach_store(
    registry: Any, directory: str | os.PathLike[str] | AssetStore, *, keep: int | None = None
) -> AttachReport:
    """Attach the store at ``directory`` (or an open ``AssetStore``) to ``registry``.

    Orphans a crash left are collected in a background thread, so attaching a
    large store stays quick.
    """
    current = registry.instance.store
    root = directory.root if isinstance(directory, AssetStore) else directory
    if current is not None and current.root == Path(root).expanduser().resolve():
        # Already attached: only the settings change.
        store = current
        if keep is not None:
            store.db.set_setting("keep", str(keep))
        store.db.set_setting("active", "1")
        return AttachReport(store.root, 0, 0, 0, (), 0)
    if isinstance(directory, AssetStore):
        store = directory
    else:
        store = AssetStore.open(directory, collect_orphans=False)
    store.collect_orphans_in_background()
    if keep is not None:
        if keep < 1:
            raise ValueError(f"keep must be 1 or more (versions per asset); got {keep}.")
        store.db.set_setting("keep", str(keep))
    store.db.set_setting("active", "1")
    report = attach(registry.instance, store)
    registry.status_changed(list(registry.keys()))
    return report


def persist(
    directory: str | os.PathLike[str] | None | bool = None,
    *,
    keep: int | None = None,
    registry: Any = None,
) -> AttachReport | None:
    """Turn the persistent store on for the kernel registry (``False``: turn it off).

    ``directory=None`` uses ``.nbassets/<notebook stem>/`` beside the notebook, or
    ``.nbassets/<name>/`` in the working directory when no notebook path is known.
    """
    from nbassets.graph.registry import get_registry

    target = registry if registry is not None else get_registry()
    if directory is False:
        store = target.instance.store
        if store is not None:
            store.db.set_setting("active", "0")
            detach(target.instance)
        return None
    if directory is None or directory is True:
        from nbassets.storage.locations import default_store

        directory = default_store().path
    return attach_store(target, directory, keep=keep)
