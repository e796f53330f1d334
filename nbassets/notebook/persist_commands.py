"""The notebook side of persistence: ``%assets persist|wipe``, stored history, restore.

Responsibilities:
- ``%assets persist [DIR|off] [--keep N]``: attach the store (default
  ``.nbassets/<notebook stem>/`` beside the notebook), say where it went, and
  remember a store put elsewhere so the next kernel finds it.
- ``reattach``: at ``%load_ext``, attach the store this notebook used before
  (unless it was turned off), in one line.
- ``%assets wipe [KEY]``, ``%assets history KEY`` from the store,
  ``%assets value KEY --version ID``.
- ``restore_current``: an ``%%asset`` cell re-run after a restart whose code
  and inputs match its stored materialization is restored, not recomputed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TextIO

from IPython.core.error import UsageError

from nbassets.definitions.keys import AssetKey
from nbassets.graph.registry import Registry
from nbassets.notebook.text_views import Table
from nbassets.notebook.value_origin import size_text
from nbassets.storage.instance import MaterializationRecord

__all__ = [
    "history_from_store",
    "persist_command",
    "reattach",
    "remember_source",
    "restore_current",
    "stored_sources",
    "value_version",
    "wipe_command",
]


def _when(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


def _parse(args: list[str]) -> tuple[str | None, int | None]:
    directory: str | None = None
    keep: int | None = None
    rest = list(args)
    while rest:
        token = rest.pop(0)
        if token == "--keep":
            if not rest:
                raise UsageError("%assets persist --keep N: say how many versions to keep, e.g. 5.")
            text = rest.pop(0)
            if not text.isdigit() or int(text) < 1:
                raise UsageError(
                    f"%assets persist --keep {text}: N must be a whole number of 1 or more "
                    "(the stored versions kept per asset and partition)."
                )
            keep = int(text)
        elif token.startswith("-"):
            raise UsageError(
                f"%assets persist: unknown option '{token}'. Usage: %assets persist "
                "[DIR|off] [--keep N]."
            )
        elif directory is None:
            directory = token
        else:
            raise UsageError(
                f"%assets persist takes one folder; got '{directory}' and '{token}'. Quote a "
                "path with spaces."
            )
    return directory, keep


def persist_command(shell: Any, registry: Registry, args: list[str], out: TextIO) -> Any:
    from pathlib import Path

    from nbassets.storage.locations import default_store, remember_store
    from nbassets.storage.persistence import attach_store, persist

    directory, keep = _parse(args)
    store = registry.instance.store
    if directory == "off":
        if store is None:
            out.write("Persistence is already off: values live in memory only.\n")
            return None
        persist(False, registry=registry)
        out.write(
            f"Stopped writing to {store.root}; what is stored there stays "
            "(%assets persist turns it back on).\n"
        )
        return None
    location = default_store(shell.user_ns)
    if directory is None and store is not None:
        target = store.root
    else:
        target = Path(directory).expanduser() if directory else location.path
    try:
        report = attach_store(registry, target, keep=keep)
    except (OSError, ValueError) as error:
        raise UsageError(f"%assets persist {target}: {error}") from error
    remember_store(location, Path(report.root))
    where = "" if directory else f" ({location.explanation()})"
    kept = registry.instance.store.keep
    out.write(f"{report.line()[:-1]}{where}; keeping {kept} version(s) per asset.\n")
    if keep is not None:
        count, freed = registry.instance.store.collect()
        if count:
            out.write(f"Collected {count} older value(s), {size_text(freed)} freed.\n")
    return None


def reattach(shell: Any, registry: Registry) -> str | None:
    """Attach the store this notebook used before; the one line to print, or None."""
    from nbassets.storage.locations import default_store, remembered_store
    from nbassets.storage.persistence import attach_store
    from nbassets.storage.store import AssetStore

    if registry.instance.store is not None:
        return None
    location = default_store(shell.user_ns)
    found = remembered_store(location)
    if found is None:
        return None
    store = AssetStore.open(found, collect_orphans=False)
    if store.db.setting("active", "1") != "1":
        store.close()
        return None
    report = attach_store(registry, store)
    return report.line().replace("persisting to", "re-attached the store at", 1)


def _store_or_error(registry: Registry, command: str) -> Any:
    store = registry.instance.store
    if store is None:
        raise UsageError(
            f"%assets {command} works on the persistent store, which is off. Turn it on "
            "first: %assets persist [DIR]"
        )
    return store


def wipe_command(shell: Any, registry: Registry, args: list[str], out: TextIO) -> Any:
    store = _store_or_error(registry, "wipe")
    if len(args) > 1:
        raise UsageError("%assets wipe takes at most one asset key: %assets wipe [KEY].")
    key: AssetKey | None = None
    if args:
        from nbassets.definitions.keys import coerce_key

        try:
            key = registry.resolve_key(args[0])
        except Exception:  # noqa: BLE001 - a key only the store knows may still be wiped
            key = coerce_key(args[0])
    count, freed = store.wipe(key)
    _drop_unloaded(registry, key)
    what = f"of {key.to_user_string()}" if key is not None else "of every asset"
    out.write(f"Wiped {count} stored value(s) {what}: {size_text(freed)} freed.\n")
    registry.status_changed(list(registry.keys()))
    return None


def _drop_unloaded(registry: Registry, key: AssetKey | None) -> None:
    """Values still on disk are gone now: their assets become missing."""
    from nbassets.storage.lazy_values import LazyValues

    values = registry.instance.io_manager.values
    if not isinstance(values, LazyValues):
        return
    for slot in [s for s in values if key is None or s[0] == key]:
        if not values.is_loaded(slot):
            dict.pop(values, slot, None)
            registry.instance.forget_latest(*slot)
    for history in registry.instance._history.values():
        for record in history:
            if record.stored is not None and (key is None or record.asset_key == key):
                record.stored = None


def history_from_store(registry: Registry, key: AssetKey) -> Table:
    """``%assets history KEY`` with a store: every stored version, newest first."""
    store = registry.instance.store
    versions = store.versions(key)
    rows = [
        [
            _when(v.timestamp),
            str(v.storage_id),
            v.run_id[:8],
            v.partition or "",
            v.code_version or "",
            (v.data_version or "")[:12],
            size_text(v.size) if v.file else ("collected" if v.size else "no value"),
            v.format or "",
            "accepted" if v.accepted else "",
        ]
        for v in reversed(versions)
    ]
    title = (
        f"History of {key.to_user_string()}: {len(rows)} stored version(s) in {store.root} "
        f"(%assets value {key.to_user_string()} --version ID loads one)"
    )
    return Table(
        ["when", "id", "run", "partition", "code", "data version", "size", "format", ""],
        rows,
        title,
    )


def value_version(registry: Registry, key: AssetKey, version_text: str) -> Any:
    """``%assets value KEY --version ID``: an older stored value."""
    from nbassets.storage.value_files import CorruptValueError

    store = _store_or_error(registry, "value --version")
    if not version_text.isdigit():
        raise UsageError(
            f"--version {version_text}: give a version id from %assets history "
            f"{key.to_user_string()} (a number)."
        )
    version = store.version(int(version_text))
    if version is None or version.asset_key != key:
        raise UsageError(
            f"'{key.to_user_string()}' has no stored version {version_text}. See its "
            f"versions: %assets history {key.to_user_string()}"
        )
    try:
        return store.load(version)
    except CorruptValueError as error:
        raise UsageError(f"Version {version_text} cannot be loaded: {error}.") from error


def remember_source(registry: Registry, key: AssetKey, code_version: str | None, cell: str) -> None:
    """Keep the cell's source by code version, so a later kernel can diff against it."""
    from nbassets.storage.store import encode_key

    store = registry.instance.store
    if store is not None and code_version:
        store.db.save_source(encode_key(key), code_version, cell)


def stored_sources(registry: Registry, key: AssetKey) -> dict[str, str]:
    from nbassets.storage.store import encode_key

    store = registry.instance.store
    return store.db.sources(encode_key(key)) if store is not None else {}


def restore_current(registry: Registry, key: AssetKey) -> MaterializationRecord | None:
    """The restored record to use instead of running ``key``, when it is current."""
    if registry.instance.store is None:
        return None
    record = registry.instance.latest(key)
    if record is None or not record.restored or registry.status(key) != "materialized":
        return None
    if not registry.instance.io_manager.has_value(key, None):
        return None
    return record
