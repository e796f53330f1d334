"""The persistent store: a folder of value files plus their history in SQLite.

Layout of a store folder::

    <root>/history.sqlite      runs, materializations, checks, partitions, sources
    <root>/values/<asset>/     one file per stored version (<millis>-<token>.<ext>)
    <root>/.gitignore          "*": a store is a cache, not source

Responsibilities:
- Open a folder (creating it), collect the orphans a crash can leave (temporary
  files, and files whose row was never committed) once they are old enough
  that no other kernel can still be about to commit them.
- ``write``: the value file first (durable, atomic), then the row; the row's
  id is the storage id and the file's sha256 is the data version.
- ``load``: a stored version back, checked against its sha256.
- ``collect(keep)`` and ``wipe``: delete old or all value files, saying how many
  and how many bytes.

Usable without IPython: ``AssetStore.open(path)`` from any Python process;
``nbassets.storage.persistence`` connects one to a registry.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
import re
import sqlite3
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nbassets.definitions.keys import AssetKey
from nbassets.storage.history_db import HistoryDatabase, MaterializationRow
from nbassets.storage.value_files import (
    TEMP_SUFFIX,
    StoredFile,
    read_value,
    write_atomically,
)

__all__ = ["DEFAULT_KEEP", "AssetStore", "StoredVersion", "encode_key", "decode_key"]

DEFAULT_KEEP = 5
DATABASE_NAME = "history.sqlite"
VALUES_FOLDER = "values"
# A file without a row younger than this may belong to another kernel about to commit it.
ORPHAN_GRACE_SECONDS = 120.0
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def encode_key(key: AssetKey) -> str:
    return json.dumps(list(key.path))


@functools.lru_cache(maxsize=16384)
def decode_key(text: str) -> AssetKey:
    return AssetKey(json.loads(text))


@functools.lru_cache(maxsize=16384)
def _decode_inputs(text: str) -> tuple[tuple[AssetKey, int], ...]:
    return tuple((AssetKey(path), version) for path, version in json.loads(text))


def folder_name(key: AssetKey) -> str:
    """A file name for ``key`` that cannot leave the values folder or collide.

    Only ``[A-Za-z0-9_.-]`` survive, a leading dot is dropped (no ``..``, no hidden
    names), and a hash of the exact key keeps ``a/b`` and ``a_b`` apart.
    """
    readable = _UNSAFE.sub("_", "__".join(key.path)).lstrip(".")[:60] or "asset"
    digest = hashlib.sha256(encode_key(key).encode()).hexdigest()[:10]
    return f"{readable}-{digest}"


@dataclass(frozen=True, slots=True)
class StoredVersion:
    """One row of the history, as the store hands it out."""

    storage_id: int
    run_id: str
    asset_key: AssetKey
    partition: str | None
    timestamp: float
    duration: float
    code_version: str | None
    input_versions: dict[AssetKey, int]
    metadata_blob: bytes | None
    data_version: str | None
    accepted: bool
    file: str | None
    format: str | None
    size: int | None
    sha256: str | None
    libraries_json: str | None

    # Decoded on first use: a restart restores thousands of rows and reads few of these.
    @property
    def metadata(self) -> dict[str, Any]:
        return _load_metadata(self.metadata_blob)

    @property
    def libraries(self) -> dict[str, str]:
        loaded: dict[str, str] = json.loads(self.libraries_json) if self.libraries_json else {}
        return loaded

    @classmethod
    def from_row(cls, row: MaterializationRow) -> StoredVersion:
        (
            sid,
            run,
            key,
            part,
            ts,
            dur,
            code,
            inputs,
            meta,
            data,
            acc,
            file,
            fmt,
            size,
            sha,
            libs,
        ) = row
        return cls(
            sid,
            run,
            decode_key(key),
            part,
            ts,
            dur,
            code,
            dict(_decode_inputs(inputs)),
            meta,
            data,
            bool(acc),
            file,
            fmt,
            size,
            sha,
            libs,
        )


def _dump_metadata(metadata: Mapping[str, Any]) -> bytes | None:
    if not metadata:
        return None
    try:
        return pickle.dumps(dict(metadata), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - metadata that cannot be pickled is kept as text
        from nbassets.definitions.metadata import MetadataValue

        return pickle.dumps({k: MetadataValue.text(repr(v)) for k, v in metadata.items()})


def _load_metadata(blob: bytes | None) -> dict[str, Any]:
    if not blob:
        return {}
    try:
        loaded: dict[str, Any] = pickle.loads(blob)
    except Exception:  # noqa: BLE001 - metadata of a class since renamed: history still reads
        return {}
    return loaded


def encode_inputs(input_versions: Mapping[AssetKey, int]) -> str:
    return json.dumps([[list(k.path), v] for k, v in input_versions.items()])


class AssetStore:
    """A store folder, open for reading and writing."""

    def __init__(self, root: Path, database: HistoryDatabase) -> None:
        self.root = root
        self.db = database
        self.values_dir = root / VALUES_FOLDER
        self.orphans_collected = 0

    @classmethod
    def open(
        cls,
        root: str | os.PathLike[str],
        *,
        grace: float = ORPHAN_GRACE_SECONDS,
        collect_orphans: bool = True,
    ) -> AssetStore:
        """Open or create the store at ``root`` and collect crash leftovers.

        ``collect_orphans=False`` leaves that to ``collect_orphans_in_background``
        (what a kernel does at ``%load_ext``, to stay quick on a large store).
        """
        path = Path(root).expanduser().resolve()
        path.mkdir(parents=True, exist_ok=True)
        ignore = path / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# nbassets store: values and history, not source.\n*\n")
        store = cls(path, HistoryDatabase(path / DATABASE_NAME))
        if collect_orphans:
            store.orphans_collected = store.collect_orphans(grace)
        return store

    def collect_orphans_in_background(self, delay: float = 2.0) -> threading.Thread:
        """Collect orphans in a daemon thread with its own connection.

        It starts ``delay`` seconds later, so it does not compete with the attach
        that started it.
        """

        def collect() -> None:
            if not (self.root / DATABASE_NAME).is_file():
                return  # wiped or deleted meanwhile: never re-create it
            try:
                AssetStore.open(self.root).close()
            except (OSError, sqlite3.Error):
                return  # the folder went away, or is locked: the next open tries again

        thread = threading.Timer(delay, collect)
        thread.name = "nbassets-orphans"
        thread.daemon = True
        thread.start()
        return thread

    def close(self) -> None:
        self.db.close()

    @property
    def keep(self) -> int:
        return int(self.db.setting("keep", str(DEFAULT_KEEP)) or DEFAULT_KEEP)

    # Writing -----------------------------------------------------------------------

    def write(
        self,
        *,
        run_id: str,
        asset_key: AssetKey,
        partition: str | None,
        duration: float,
        code_version: str | None,
        input_versions: Mapping[AssetKey, int],
        metadata: Mapping[str, Any],
        value: Any,
        has_value: bool,
        data_version: str | None = None,
        timestamp: float | None = None,
        accepted: bool = False,
    ) -> StoredVersion:
        """Store one materialization: its value file (if any), then its row.

        Raises:
            UnstorableValueError: the value cannot be serialized; nothing was written.
        """
        stored: StoredFile | None = None
        folder = folder_name(asset_key)
        if has_value:
            stem = f"{int(time.time() * 1000)}-{uuid.uuid4().hex[:12]}"
            stored = write_atomically(self.values_dir / folder, stem, value)
        version = data_version or (stored.sha256 if stored else None)
        row = (
            run_id,
            encode_key(asset_key),
            partition,
            timestamp if timestamp is not None else time.time(),
            duration,
            code_version,
            encode_inputs(input_versions),
            _dump_metadata(metadata),
            version,
            int(accepted),
            f"{folder}/{stored.name}" if stored else None,
            stored.format if stored else None,
            stored.size if stored else None,
            stored.sha256 if stored else None,
            json.dumps(stored.libraries) if stored else None,
        )
        storage_id = self.db.insert_materialization(row)
        return StoredVersion.from_row((storage_id, *row))

    def record_run(self, run: Any) -> None:
        """Write a run's status (a ``RunRecord``) when it ends."""
        self.db.upsert_run(run.run_id, run.status, run.start_time, run.end_time, dict(run.tags))

    def record_check(self, run_id: str, asset_key: AssetKey, name: str, result: Any) -> None:
        """Write one check evaluation (an ``AssetCheckResult``)."""
        severity = getattr(result.severity, "value", str(result.severity))
        self.db.insert_check(
            (run_id, encode_key(asset_key), name, int(result.passed), severity,
             result.description, time.time())
        )  # fmt: skip

    def check_results(self, asset_key: AssetKey) -> list[tuple[Any, ...]]:
        return self.db.check_results(encode_key(asset_key))

    def collect(
        self, keep: int | None = None, asset_key: AssetKey | None = None
    ) -> tuple[int, int]:
        """Delete value files beyond the newest ``keep`` per asset and partition.

        Returns:
            (files deleted, bytes freed). The history rows stay; their value is gone.
        """
        keep = self.keep if keep is None else keep
        rows = [StoredVersion.from_row(r) for r in self._rows(asset_key)]
        newest_first: dict[tuple[AssetKey, str | None], list[StoredVersion]] = {}
        for version in reversed(rows):
            if version.file is not None:
                newest_first.setdefault((version.asset_key, version.partition), []).append(version)
        doomed = [v for versions in newest_first.values() for v in versions[keep:]]
        return self._delete_files(doomed)

    def wipe(self, asset_key: AssetKey | None = None) -> tuple[int, int]:
        """Delete the stored values and history of one asset, or of all."""
        versions = [StoredVersion.from_row(r) for r in self._rows(asset_key)]
        count, freed = self._delete_files([v for v in versions if v.file is not None])
        self.db.delete_materializations(None if asset_key is None else encode_key(asset_key))
        return count, freed

    def _rows(self, asset_key: AssetKey | None) -> list[MaterializationRow]:
        if asset_key is None:
            return self.db.materializations(any_partition=True)
        return self.db.materializations(encode_key(asset_key), any_partition=True)

    def _delete_files(self, versions: list[StoredVersion]) -> tuple[int, int]:
        count = freed = 0
        for version in versions:
            assert version.file is not None
            path = self.values_dir / version.file
            try:
                size = path.stat().st_size
                path.unlink()
            except FileNotFoundError:
                continue  # another kernel collected it first
            count += 1
            freed += size
        self.db.forget_files(v.storage_id for v in versions)
        return count, freed

    def collect_orphans(self, grace: float = ORPHAN_GRACE_SECONDS) -> int:
        """Delete temporary files and files no row points at, older than ``grace`` seconds."""
        if not self.values_dir.is_dir():
            return 0
        known = self.db.files()
        cutoff = time.time() - grace
        removed = 0
        for folder in self.values_dir.iterdir():
            if not folder.is_dir():
                continue
            for path in folder.iterdir():
                relative = f"{folder.name}/{path.name}"
                if relative in known and not path.name.endswith(TEMP_SUFFIX):
                    continue
                try:
                    if path.stat().st_mtime > cutoff:
                        continue
                    path.unlink()
                except FileNotFoundError:
                    continue
                removed += 1
        return removed

    # Reading -----------------------------------------------------------------------

    def versions(
        self,
        asset_key: AssetKey | None = None,
        partition: str | None = None,
        *,
        any_partition: bool = True,
    ) -> list[StoredVersion]:
        """Stored versions, oldest first."""
        if asset_key is None:
            rows = self.db.materializations(any_partition=True)
        else:
            rows = self.db.materializations(
                encode_key(asset_key), partition, any_partition=any_partition
            )
        return [StoredVersion.from_row(r) for r in rows]

    def latest_versions(self) -> list[StoredVersion]:
        """The newest stored version of each asset partition."""
        return [StoredVersion.from_row(r) for r in self.db.latest_materializations()]

    def version(self, storage_id: int) -> StoredVersion | None:
        row = self.db.materialization(storage_id)
        return StoredVersion.from_row(row) if row else None

    def path_of(self, version: StoredVersion) -> Path | None:
        return self.values_dir / version.file if version.file else None

    def load(self, version: StoredVersion) -> Any:
        """The value of ``version``.

        Raises:
            CorruptValueError: the file is missing, collected, or not what was written.
        """
        from nbassets.storage.value_files import CorruptValueError

        path = self.path_of(version)
        if path is None or version.sha256 is None or version.format is None:
            raise CorruptValueError(
                f"version {version.storage_id} of '{version.asset_key.to_user_string()}' has no "
                "stored value (collected by --keep, or it returned no value)"
            )
        return read_value(
            path, version.format, version.sha256, version.libraries, version.size or 0
        )

    def size_on_disk(self) -> int:
        return sum(v.size or 0 for v in self.versions() if v.file)

    def __repr__(self) -> str:
        return f"<AssetStore {self.root}>"
