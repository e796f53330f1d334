"""IO managers: where asset values go after a step and come from before one.

Responsibilities:
- ``IOManager``, the two-method interface of Dagster, and the contexts it
  receives (``OutputContext``, ``InputContext``).
- ``InMemoryIOManager``, the default: values stay in the kernel between runs.
- ``FilesystemIOManager``: pickles under a base directory with atomic writes,
  every path confined to that directory (``nbassets.storage.paths``).
- ``has_stored_value``: lets the planner report a missing upstream before a run
  starts, for IO managers that can tell.
"""

from __future__ import annotations

import logging
import os
import pickle
import tempfile
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nbassets.definitions.keys import AssetKey
from nbassets.definitions.metadata import MetadataValue, normalize_metadata
from nbassets.storage.paths import value_path

__all__ = [
    "FilesystemIOManager",
    "IOManager",
    "InMemoryIOManager",
    "InputContext",
    "OutputContext",
    "build_input_context",
    "build_output_context",
    "has_stored_value",
]

_log = logging.getLogger("nbassets")


class _IOContext:
    """What both IO contexts answer the same way: partitions, metadata, config."""

    __slots__ = ()

    partition_key: str | None
    definition_metadata: Mapping[str, Any]

    @property
    def metadata(self) -> Mapping[str, Any]:
        return self.definition_metadata

    @property
    def has_partition_key(self) -> bool:
        return self.partition_key is not None

    @property
    def has_asset_partitions(self) -> bool:
        return self.partition_key is not None

    @property
    def asset_partition_key(self) -> str | None:
        return self.partition_key

    @property
    def asset_partition_keys(self) -> list[str]:
        return [self.partition_key] if self.partition_key is not None else []

    @property
    def config(self) -> Mapping[str, Any]:
        """IO managers in nbassets take no per-output config: always empty."""
        return {}

    @property
    def dagster_type(self) -> None:
        """Always ``None``: nbassets does not check types at run time."""
        return None


class OutputContext(_IOContext):
    """What an IO manager knows when it stores an asset's value."""

    __slots__ = (
        "_added_metadata",
        "asset_key",
        "definition_metadata",
        "log",
        "name",
        "partition_key",
        "resources",
        "run_id",
        "step_key",
    )

    def __init__(
        self,
        *,
        asset_key: AssetKey,
        name: str = "result",
        step_key: str | None = None,
        run_id: str | None = None,
        partition_key: str | None = None,
        definition_metadata: Mapping[str, MetadataValue] | None = None,
        resources: Any = None,
        log: Any = None,
    ) -> None:
        self.asset_key = asset_key
        self.name = name
        self.step_key = step_key or asset_key.to_python_identifier()
        self.run_id = run_id
        self.partition_key = partition_key
        self.definition_metadata = definition_metadata or {}
        self.resources = resources
        self.log = log or _log
        self._added_metadata: dict[str, MetadataValue] = {}

    def add_output_metadata(self, metadata: Mapping[str, Any]) -> None:
        """Attach metadata (a row count, a path) to this materialization."""
        self._added_metadata.update(normalize_metadata(metadata))

    def consume_added_metadata(self) -> dict[str, MetadataValue]:
        added, self._added_metadata = self._added_metadata, {}
        return added


class InputContext(_IOContext):
    """What an IO manager knows when it loads an upstream value for a step."""

    __slots__ = (
        "asset_key",
        "definition_metadata",
        "log",
        "name",
        "partition_key",
        "resources",
        "step_key",
        "upstream_output",
    )

    def __init__(
        self,
        *,
        asset_key: AssetKey,
        name: str | None = None,
        step_key: str | None = None,
        partition_key: str | None = None,
        definition_metadata: Mapping[str, Any] | None = None,
        upstream_output: OutputContext | None = None,
        resources: Any = None,
        log: Any = None,
    ) -> None:
        self.asset_key = asset_key
        self.name = name or asset_key.parts[-1]
        self.step_key = step_key
        self.partition_key = partition_key
        self.definition_metadata = definition_metadata or {}
        self.upstream_output = upstream_output or OutputContext(
            asset_key=asset_key, partition_key=partition_key
        )
        self.resources = resources
        self.log = log or _log


def build_output_context(**kwargs: Any) -> OutputContext:
    """An ``OutputContext`` for testing an IO manager by hand."""
    return OutputContext(**kwargs)


def build_input_context(**kwargs: Any) -> InputContext:
    """An ``InputContext`` for testing an IO manager by hand."""
    return InputContext(**kwargs)


class IOManager(ABC):
    """Stores each asset's value after its step and loads it for downstream steps."""

    @abstractmethod
    def handle_output(self, context: OutputContext, obj: Any) -> None:
        """Store ``obj``, the value of ``context.asset_key``."""

    @abstractmethod
    def load_input(self, context: InputContext) -> Any:
        """Return the stored value of ``context.asset_key``."""


def has_stored_value(io_manager: Any, asset_key: AssetKey, partition: str | None) -> bool | None:
    """Whether ``io_manager`` holds a value; ``None`` when it cannot tell."""
    probe = getattr(io_manager, "has_value", None)
    if probe is None:
        return None
    return bool(probe(asset_key, partition))


class InMemoryIOManager(IOManager):
    """Keeps values in a dict for the life of the kernel: the default IO manager."""

    def __init__(self) -> None:
        self.values: dict[tuple[AssetKey, str | None], Any] = {}

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        self.values[(context.asset_key, context.partition_key)] = obj

    def load_input(self, context: InputContext) -> Any:
        return self.values[(context.asset_key, context.partition_key)]

    def has_value(self, asset_key: AssetKey, partition: str | None = None) -> bool:
        return (asset_key, partition) in self.values

    def delete(self, asset_key: AssetKey) -> None:
        for stored in [k for k in self.values if k[0] == asset_key]:
            del self.values[stored]


class FilesystemIOManager(IOManager):
    """Pickles each value under ``base_dir``, one file per asset (and partition).

    ``a/b`` is stored at ``base_dir/a/b.pickle`` and partition ``p`` of ``e`` at
    ``base_dir/e.partitions/p.pickle``; key parts and partition keys that are not
    safe file names are escaped (``nbassets.storage.paths``), so no key can write
    outside ``base_dir``, and ``a`` and ``a/b`` can both be stored.

    Writes go to a temporary file in the same directory, then replace the old
    file in one step, so an interrupted run never leaves a half-written value.
    Temporary files a killed writer left behind are removed by the next write of
    the same value.
    """

    def __init__(self, base_dir: str | os.PathLike[str] | None = None) -> None:
        self.base_dir = Path(base_dir if base_dir is not None else "nbassets_storage")

    def path_for(self, asset_key: AssetKey, partition: str | None = None) -> Path:
        """The file holding the value of ``asset_key`` (and ``partition``)."""
        return value_path(self.base_dir, asset_key.parts, partition)

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        path = self.path_for(context.asset_key, context.partition_key)
        path.parent.mkdir(parents=True, exist_ok=True)
        started = time.time()
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(obj, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _remove_orphans(path, older_than=started)
        context.add_output_metadata({"path": MetadataValue.path(str(path))})

    def load_input(self, context: InputContext) -> Any:
        path = self.path_for(context.asset_key, context.partition_key)
        with open(path, "rb") as handle:
            return pickle.load(handle)

    def has_value(self, asset_key: AssetKey, partition: str | None = None) -> bool:
        return self.path_for(asset_key, partition).is_file()


def _remove_orphans(path: Path, *, older_than: float) -> None:
    """Remove temporary files of ``path`` that writers killed before ``older_than`` left."""
    for orphan in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            if orphan.stat().st_mtime < older_than:
                orphan.unlink()
        except FileNotFoundError:
            continue  # another writer finished or cleaned it meanwhile
