"""The store's history in SQLite: runs, materializations, checks, partitions, settings.

Responsibilities:
- Open (or create) ``history.sqlite`` in WAL mode with a busy timeout, so two
  kernels can write one store: SQLite serializes their transactions, readers
  never block the writer.
- Keep a schema version in ``PRAGMA user_version`` and bring an older file up
  to date through ``MIGRATIONS`` (each a list of statements, applied in one
  transaction); refuse a file written by a newer nbassets with a clear error.
- Hand out storage ids: ``INTEGER PRIMARY KEY AUTOINCREMENT`` never reuses an
  id, so ids stay unique across restarts and across kernels.

Rows only: the value files are ``value_files``' business.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "HistoryDatabase", "MaterializationRow"]

# Each entry brings the schema from version i to i + 1.
MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)""",
        """CREATE TABLE runs (
            run_id TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            start_time REAL NOT NULL,
            end_time REAL,
            tags TEXT NOT NULL DEFAULT '{}'
        )""",
        """CREATE TABLE materializations (
            storage_id INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id TEXT NOT NULL,
            asset_key TEXT NOT NULL,
            partition TEXT,
            timestamp REAL NOT NULL,
            duration REAL NOT NULL,
            code_version TEXT,
            input_versions TEXT NOT NULL,
            metadata BLOB,
            data_version TEXT,
            accepted INTEGER NOT NULL DEFAULT 0,
            file TEXT,
            format TEXT,
            size INTEGER,
            sha256 TEXT,
            libraries TEXT
        )""",
        """CREATE INDEX materializations_by_asset
            ON materializations (asset_key, partition, storage_id)""",
        """CREATE TABLE check_results (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id TEXT NOT NULL,
            asset_key TEXT NOT NULL,
            check_name TEXT NOT NULL,
            passed INTEGER NOT NULL,
            severity TEXT NOT NULL,
            description TEXT,
            timestamp REAL NOT NULL
        )""",
        """CREATE TABLE dynamic_partitions (
            name TEXT NOT NULL,
            partition_key TEXT NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (name, partition_key)
        )""",
        """CREATE TABLE sources (
            asset_key TEXT NOT NULL,
            code_version TEXT NOT NULL,
            source TEXT NOT NULL,
            PRIMARY KEY (asset_key, code_version)
        )""",
    ],
]
SCHEMA_VERSION = len(MIGRATIONS)
BUSY_TIMEOUT_MS = 30_000

_COLUMNS = (
    "storage_id, run_id, asset_key, partition, timestamp, duration, code_version, "
    "input_versions, metadata, data_version, accepted, file, format, size, sha256, libraries"
)
MaterializationRow = tuple[Any, ...]


class SchemaTooNewError(Exception):
    """Raised when the history file was written by a newer nbassets."""


class HistoryDatabase:
    """One connection to a store's ``history.sqlite``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE below).
        self.connection = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        self.connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self.connection.execute("PRAGMA journal_mode = WAL")
        # FULL: a committed row survives a power cut, like the file it points at.
        self.connection.execute("PRAGMA synchronous = FULL")
        self._migrate()

    def _migrate(self) -> None:
        with self.transaction():
            version = self.connection.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise SchemaTooNewError(
                    f"{self.path} has schema version {version}; this nbassets reads up to "
                    f"{SCHEMA_VERSION}. Upgrade nbassets, or persist to another folder."
                )
            for statements in MIGRATIONS[version:]:
                for statement in statements:
                    self.connection.execute(statement)
            if version < SCHEMA_VERSION:
                self.connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def transaction(self) -> Any:
        """A write transaction that takes the lock at once (no upgrade deadlocks)."""
        return _Transaction(self.connection)

    def close(self) -> None:
        self.connection.close()

    # Settings ----------------------------------------------------------------------

    def setting(self, name: str, default: str | None = None) -> str | None:
        row = self.connection.execute(
            "SELECT value FROM settings WHERE name = ?", (name,)
        ).fetchone()
        return row[0] if row else default

    def set_setting(self, name: str, value: str) -> None:
        with self.transaction():
            self.connection.execute(
                "INSERT INTO settings (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, value),
            )

    # Materializations --------------------------------------------------------------

    def insert_materialization(self, values: Sequence[Any]) -> int:
        """Commit one materialization row (its file is already durable); return its id."""
        with self.transaction():
            cursor = self.connection.execute(
                f"INSERT INTO materializations ({_COLUMNS}) "
                "VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                tuple(values),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def materializations(
        self, asset_key: str | None = None, partition: str | None = None, *, any_partition: bool
    ) -> list[MaterializationRow]:
        """Rows oldest first: all, one asset's, or one asset partition's."""
        if asset_key is None:
            query, args = f"SELECT {_COLUMNS} FROM materializations", ()
        elif any_partition:
            query = f"SELECT {_COLUMNS} FROM materializations WHERE asset_key = ?"
            args = (asset_key,)  # type: ignore[assignment]
        else:
            query = (
                f"SELECT {_COLUMNS} FROM materializations WHERE asset_key = ? AND partition IS ?"
            )
            args = (asset_key, partition)  # type: ignore[assignment]
        return self.connection.execute(query + " ORDER BY storage_id", args).fetchall()

    def latest_materializations(self) -> list[MaterializationRow]:
        """The newest row of each asset partition, oldest first (what a kernel restores)."""
        return self.connection.execute(
            f"SELECT {_COLUMNS} FROM materializations WHERE storage_id IN "
            "(SELECT MAX(storage_id) FROM materializations GROUP BY asset_key, partition) "
            "ORDER BY storage_id"
        ).fetchall()

    def count_materializations(self) -> int:
        return int(self.connection.execute("SELECT COUNT(*) FROM materializations").fetchone()[0])

    def materialization(self, storage_id: int) -> MaterializationRow | None:
        row: MaterializationRow | None = self.connection.execute(
            f"SELECT {_COLUMNS} FROM materializations WHERE storage_id = ?", (storage_id,)
        ).fetchone()
        return row

    def max_storage_id(self) -> int:
        row = self.connection.execute("SELECT MAX(storage_id) FROM materializations").fetchone()
        return int(row[0] or 0)

    def update_versions(
        self, storage_id: int, code_version: str | None, input_versions: str, accepted: bool
    ) -> None:
        with self.transaction():
            self.connection.execute(
                "UPDATE materializations SET code_version = ?, input_versions = ?, accepted = ? "
                "WHERE storage_id = ?",
                (code_version, input_versions, int(accepted), storage_id),
            )

    def forget_files(self, storage_ids: Iterable[int]) -> None:
        """Mark rows whose file was collected: the history stays, the value is gone."""
        with self.transaction():
            self.connection.executemany(
                "UPDATE materializations SET file = NULL WHERE storage_id = ?",
                [(i,) for i in storage_ids],
            )

    def delete_materializations(self, asset_key: str | None) -> None:
        with self.transaction():
            if asset_key is None:
                self.connection.execute("DELETE FROM materializations")
                self.connection.execute("DELETE FROM check_results")
                self.connection.execute("DELETE FROM sources")
            else:
                for table in ("materializations", "check_results", "sources"):
                    self.connection.execute(
                        f"DELETE FROM {table} WHERE asset_key = ?", (asset_key,)
                    )

    def files(self) -> set[str]:
        rows = self.connection.execute(
            "SELECT file FROM materializations WHERE file IS NOT NULL"
        ).fetchall()
        return {row[0] for row in rows}

    # Runs, checks, partitions, sources ------------------------------------------------

    def upsert_run(
        self,
        run_id: str,
        status: str,
        start_time: float,
        end_time: float | None,
        tags: dict[str, str],
    ) -> None:
        with self.transaction():
            self.connection.execute(
                "INSERT INTO runs (run_id, status, start_time, end_time, tags) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id) DO UPDATE SET "
                "status = excluded.status, end_time = excluded.end_time",
                (run_id, status, start_time, end_time, json.dumps(tags)),
            )

    def insert_check(self, values: Sequence[Any]) -> None:
        with self.transaction():
            self.connection.execute(
                "INSERT INTO check_results (run_id, asset_key, check_name, passed, severity, "
                "description, timestamp) VALUES (?, ?, ?, ?, ?, ?, ?)",
                tuple(values),
            )

    def check_results(self, asset_key: str) -> list[tuple[Any, ...]]:
        return self.connection.execute(
            "SELECT run_id, check_name, passed, severity, description, timestamp "
            "FROM check_results WHERE asset_key = ? ORDER BY id",
            (asset_key,),
        ).fetchall()

    def set_dynamic_partitions(self, name: str, keys: Sequence[str]) -> None:
        with self.transaction():
            self.connection.execute("DELETE FROM dynamic_partitions WHERE name = ?", (name,))
            self.connection.executemany(
                "INSERT INTO dynamic_partitions (name, partition_key, position) VALUES (?, ?, ?)",
                [(name, key, i) for i, key in enumerate(keys)],
            )

    def dynamic_partitions(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for name, key in self.connection.execute(
            "SELECT name, partition_key FROM dynamic_partitions ORDER BY name, position"
        ):
            found.setdefault(name, []).append(key)
        return found

    def save_source(self, asset_key: str, code_version: str, source: str) -> None:
        known = self.connection.execute(
            "SELECT source FROM sources WHERE asset_key = ? AND code_version = ?",
            (asset_key, code_version),
        ).fetchone()
        if known is not None and known[0] == source:
            return  # a re-run cell: no write, no fsync
        with self.transaction():
            self.connection.execute(
                "INSERT OR REPLACE INTO sources (asset_key, code_version, source) VALUES (?, ?, ?)",
                (asset_key, code_version, source),
            )

    def sources(self, asset_key: str) -> dict[str, str]:
        rows = self.connection.execute(
            "SELECT code_version, source FROM sources WHERE asset_key = ?", (asset_key,)
        ).fetchall()
        return dict(rows)


class _Transaction:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def __enter__(self) -> None:
        self.connection.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        self.connection.execute("COMMIT" if kind is None else "ROLLBACK")
