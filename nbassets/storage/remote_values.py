"""Values that stay on Dask workers until the kernel needs them.

Responsibilities:
- ``RemoteValue``: one value a Dask worker holds (a slot of a step's result,
  kept alive by its future); ``fetch`` brings that value alone to the kernel,
  ``fingerprint`` hashes it where it lives.
- ``RemoteValues``: the in-memory IO manager's value dict once a Dask run stored
  values in it: reading an entry (``values[key]``, ``values.get``, what
  ``%assets value``, the asset view and in-process runs do) fetches it once and
  keeps the value, releasing the worker's copy.

Nothing here imports Dask: a ``RemoteValue`` only calls methods of the future it
holds, so reading one costs nothing until it happens.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "RemoteFingerprint",
    "RemoteValue",
    "RemoteValues",
    "fetch_remote",
    "pick",
    "raw_value",
]


def pick(result: Any, slot: Any) -> Any:
    """Run on a worker: the value in ``slot`` of a step's result."""
    return result.value_of(slot)


def _fingerprint(result: Any, slot: Any) -> str | None:
    from nbassets.storage.data_versions import fingerprint

    return fingerprint(result.value_of(slot))


class RemoteValue:
    """A value held by a Dask worker: ``future`` is the step's result, ``slot`` the value."""

    __slots__ = ("future", "label", "slot")

    def __init__(self, future: Any, slot: Any, label: str) -> None:
        self.future = future
        self.slot = slot
        self.label = label

    def fetch(self) -> Any:
        """The value, copied to the kernel (one transfer of this value alone)."""
        return self._run(pick)

    def fingerprint(self) -> str | None:
        """The value's data version, hashed on the worker that holds it."""
        return self._run(_fingerprint)  # type: ignore[no-any-return]

    def fingerprint_soon(self) -> RemoteFingerprint:
        """Start hashing the value on its worker; the answer is read when asked for.

        Only the hash's future is kept, so the worker may drop the value itself.
        """
        future = self.future.client.submit(_fingerprint, self.future, self.slot, pure=False)
        return RemoteFingerprint(future)

    def _run(self, fn: Any) -> Any:
        from nbassets.errors import MissingUpstreamError

        try:
            return self.future.client.submit(fn, self.future, self.slot, pure=False).result()
        except Exception as error:
            raise MissingUpstreamError(
                f"The value of '{self.label}' was kept on a Dask worker and cannot be read "
                f"from there any more ({type(error).__name__}: {error}).",
                advice=f"Materialize it again (selection='{self.label}').",
            ) from error

    def __repr__(self) -> str:
        return f"<on a Dask worker: {self.label}>"


class RemoteFingerprint:
    """A data version being computed on a Dask worker."""

    __slots__ = ("future",)

    def __init__(self, future: Any) -> None:
        self.future = future

    def result(self) -> str | None:
        try:
            return self.future.result()  # type: ignore[no-any-return]
        except Exception:  # noqa: BLE001 - a value that cannot be hashed has no data version
            return None


class RemoteValues(dict[Any, Any]):
    """A value dict whose ``RemoteValue`` entries are fetched when read."""

    def __getitem__(self, slot: Any) -> Any:
        value = super().__getitem__(slot)
        if type(value) is RemoteValue:
            value = value.fetch()
            super().__setitem__(slot, value)
        return value

    def get(self, slot: Any, default: Any = None) -> Any:
        if slot not in self:
            return default
        return self[slot]

    def is_loaded(self, slot: Any) -> bool:
        return type(super().get(slot)) is not RemoteValue


def raw_value(values: dict[Any, Any], slot: Any) -> Any:
    """The entry of ``slot`` without fetching it (a ``RemoteValue`` stays one)."""
    if type(values) is RemoteValues:
        return dict.__getitem__(values, slot)
    return values[slot]


def fetch_remote(values: dict[Any, Any], slots: list[Any]) -> None:
    """Fetch the ``RemoteValue`` entries of ``slots`` in one gather, and keep the values.

    Reading them one by one would cost one round trip to the cluster each. When the
    gather fails, the entries stay handles: reading one then says what went wrong.
    """
    if type(values) is not RemoteValues:
        return
    pending = [
        (slot, entry) for slot in slots if type(entry := dict.get(values, slot)) is RemoteValue
    ]
    if not pending:
        return
    client = pending[0][1].future.client
    futures = [client.submit(pick, entry.future, entry.slot, pure=False) for _, entry in pending]
    try:
        fetched = client.gather(futures)
    except Exception:  # noqa: BLE001 - each value's own read reports its failure
        return
    for (slot, _), value in zip(pending, fetched, strict=True):
        dict.__setitem__(values, slot, value)
