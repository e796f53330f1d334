"""The value dict of the in-memory IO manager, when some values are still on disk.

Responsibilities:
- Hold a placeholder for each restored value and load it on first access
  (``values[key]``, ``values.get(key)``), replacing the placeholder.
- When a stored file is missing or corrupt, warn naming the file, let the owner
  forget the materialization (the asset becomes "missing"), and raise
  ``MissingUpstreamError`` instead of crashing on half-read bytes.

Only installed while a store is attached: without persistence the IO manager
keeps a plain dict and its hot path does not change.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from nbassets.storage.remote_values import RemoteValue

__all__ = ["LazyValues", "OnDisk"]


class OnDisk:
    """A value not loaded yet: which stored version to load."""

    __slots__ = ("version",)

    def __init__(self, version: Any) -> None:
        self.version = version

    def __repr__(self) -> str:
        return f"<on disk: version {self.version.storage_id}>"


class LazyValues(dict[Any, Any]):
    """A dict whose ``OnDisk`` entries load themselves when read."""

    def __init__(
        self,
        values: dict[Any, Any],
        load: Callable[[Any], Any],
        forget: Callable[[Any, str | None], None],
    ) -> None:
        super().__init__(values)
        self._load = load
        self._forget = forget

    def __getitem__(self, slot: Any) -> Any:
        value = super().__getitem__(slot)
        if type(value) is OnDisk:
            value = self._resolve(slot, value)
        elif type(value) is RemoteValue:
            # Kept on a Dask worker before the store was attached: fetched once, here.
            value = value.fetch()
            super().__setitem__(slot, value)
        return value

    def get(self, slot: Any, default: Any = None) -> Any:
        if slot not in self:
            return default
        return self[slot]

    def is_loaded(self, slot: Any) -> bool:
        return type(super().get(slot)) not in (OnDisk, RemoteValue)

    def _resolve(self, slot: Any, pending: OnDisk) -> Any:
        from nbassets.errors import MissingUpstreamError
        from nbassets.storage.value_files import CorruptValueError

        try:
            value = self._load(pending.version)
        except CorruptValueError as error:
            key, partition = slot
            super().pop(slot, None)
            self._forget(key, partition)
            name = key.to_user_string()
            message = (
                f"The stored value of '{name}' cannot be loaded: {error}. '{name}' is now "
                f"missing; materialize it again: %materialize {name}"
            )
            warnings.warn(message, RuntimeWarning, stacklevel=3)
            raise MissingUpstreamError(message) from error
        super().__setitem__(slot, value)
        return value
