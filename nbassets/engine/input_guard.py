"""Inputs a step must not change: the defence against assets that mutate their inputs.

Responsibilities:
- ``watch_inputs``: before a step's user code runs, look at each input it is
  handed by reference from the in-memory store (the stored object itself):
  - pandas objects under Copy-on-Write (always with pandas >= 3) are replaced
    by a lazy copy (``copy(deep=False)``, about 10 µs whatever the size): what
    the step does to it never reaches the stored frame, as if it had loaded a
    fresh copy the way Dagster's file IO managers do;
  - numpy arrays are handed as read-only views (about 1 µs): writing into one
    raises numpy's ``ValueError`` at the offending line, to which
    ``InputWatch.explain`` adds the fix;
  - values of types that cannot change (numbers, strings, bytes, None, tuples
    of those...) are let through untouched, at the cost of one type lookup;
  - everything else (lists, dicts, sets, objects, arrays inside them) is
    checksummed: CRC-32 of the value's pickle, with large buffers out of band
    (not copied). Values that do not pickle go unwatched.
- ``InputWatch.settle``: after the call (returned or raised), checksum again;
  a changed input (``report_changed``; on a Dask worker the watch runs there and
  the kernel reports what ``InputWatch.changed`` found) marks the upstream
  (partition) stale on the instance, and warns twice: a WARNING event on the
  step (views, logs) and an ``InputChangedWarning`` pointing at the asset's
  code, naming the asset, the input and the fix (copy it before changing it).

Why not copy every input: a copy costs memory and time on every read, and
deep-copying arbitrary objects is not always possible. The large values of a
notebook, frames and arrays, are protected at no cost (pandas' Copy-on-Write,
numpy's read-only flag); the checksum of other values is paid only by values
that can change, before and after the step.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import fractions
import pickle
import warnings
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nbassets.definitions.keys import AssetKey

if TYPE_CHECKING:
    from nbassets.engine.steps import Step

__all__ = ["ChangedInput", "InputChangedWarning", "InputWatch", "report_changed", "watch_inputs"]


class InputChangedWarning(UserWarning):
    """An asset or check changed one of its inputs in place (the stored upstream value)."""


# How each type is handled, decided once per type.
_SKIP, _FRAME, _ARRAY, _PICKLE = "skip", "frame", "array", "pickle"
_IMMUTABLE: frozenset[type] = frozenset(
    {
        int,
        float,
        complex,
        bool,
        str,
        bytes,
        type(None),
        range,
        frozenset,
        type(Ellipsis),
        decimal.Decimal,
        fractions.Fraction,
        datetime.date,
        datetime.datetime,
        datetime.time,
        datetime.timedelta,
        AssetKey,
    }
)
_kinds: dict[type, str] = {}


def _kind_of(kind: type) -> str:
    found = _kinds.get(kind)
    if found is None:
        found = _kinds[kind] = _decide(kind)
    return found


def _decide(kind: type) -> str:
    if kind in _IMMUTABLE or issubclass(kind, enum.Enum):
        return _SKIP
    module = kind.__module__.split(".")[0]
    if module == "numpy":
        import numpy as np

        if kind is np.ndarray:
            return _ARRAY  # subclasses (masked arrays...) keep state a view shares: summed
        if issubclass(kind, np.generic) and kind is not np.void:
            return _SKIP  # numpy scalars cannot change
    if module == "pandas":
        import pandas as pd

        if issubclass(kind, (pd.DataFrame, pd.Series)):
            return _FRAME
        if issubclass(kind, (pd.Timestamp, pd.Timedelta, pd.Period, pd.Interval)):
            return _SKIP
    return _PICKLE


_pandas_3: list[bool] = []


def _copy_on_write() -> bool:
    """Whether pandas copies a shallow copy's data before writing to it."""
    import pandas as pd

    if not _pandas_3:
        _pandas_3.append(int(pd.__version__.split(".")[0]) >= 3)
    # Always on from pandas 3; an option (off by default) before.
    return _pandas_3[0] or pd.get_option("mode.copy_on_write") is True


def _is_immutable(value: Any) -> bool:
    kind = type(value)
    if kind is tuple:
        return all(_is_immutable(item) for item in value)
    return _kind_of(kind) == _SKIP


def checksum(value: Any) -> int | None:
    """A CRC-32 of ``value``'s content; ``None`` when it cannot be taken.

    Not a data version: it only has to notice that the same object changed
    between two moments, so a fast non-cryptographic sum is enough.
    """
    try:
        buffers: list[pickle.PickleBuffer] = []
        total = zlib.crc32(pickle.dumps(value, protocol=5, buffer_callback=buffers.append))
        for buffer in buffers:
            total = zlib.crc32(buffer.raw(), total)
        return total
    except Exception:  # noqa: BLE001 - a value that cannot be summed goes unwatched
        return None


# (parameter, asset key, partition, the value handed over, its checksum before the call)
_Watched = tuple[str, AssetKey, "str | None", Any, int]


class InputWatch:
    """One step's inputs as handed over.

    The checksums taken before its user code ran, and the parameters that
    received a read-only array.
    """

    __slots__ = ("fn", "items", "read_only")

    def __init__(self, fn: Callable[..., Any], items: list[_Watched], read_only: list[str]) -> None:
        self.fn = fn
        self.items = items
        self.read_only = read_only

    def explain(self, step: Any, error: BaseException) -> None:
        """Add advice to numpy's error when the step wrote into a read-only input."""
        if not self.read_only or not isinstance(error, ValueError):
            return
        if "read-only" not in str(error) or not hasattr(error, "add_note"):
            return
        params = list(dict.fromkeys(self.read_only))
        names = ", ".join(f"'{p}'" for p in params)
        kind = "a read-only numpy array" if len(params) == 1 else "read-only numpy arrays"
        first = params[0]
        error.add_note(
            f"nbassets: '{step.label}' received {names} as {kind}, so that "
            "a step cannot change a stored value in place. Copy an input before changing "
            f"it: `{first} = {first}.copy()`."
        )

    def settle(self, step: Step, run: Any) -> None:
        """Checksum the inputs again; report each one the step changed."""
        for change in self.changed():
            report_changed(step, run, self.fn, change)

    def changed(self) -> list[ChangedInput]:
        """The inputs whose checksum is not what it was before the call."""
        return [
            (param, key, partition, type(value).__name__)
            for param, key, partition, value, before in self.items
            if checksum(value) != before
        ]


# (parameter, asset key, partition, the value's type name): an input changed in place.
ChangedInput = tuple[str, AssetKey, "str | None", str]


def report_changed(step: Any, run: Any, fn: Callable[..., Any], change: ChangedInput) -> None:
    """Mark the changed input's asset stale; warn on the step and at the asset's code.

    Called in the kernel, for a step run there or on a Dask worker.
    """
    param, key, partition, type_name = change
    name = key.to_user_string()
    label = step.label
    what = f"'{param}'"
    if param != name or partition is not None:
        where = f", partition {partition}" if partition is not None else ""
        what += f" (asset '{name}'{where})"
    message = (
        f"'{label}' changed its input {what} in place ({type_name}): the "
        f"value stored for '{name}' is no longer what '{name}' computed, so '{name}' is "
        f"marked stale. Copy an input before changing it (`{param} = {param}.copy()`, "
        f"or `copy.deepcopy({param})` to change what it contains), or build a new "
        f"value; then materialize '{name}' again."
    )
    run.instance.mark_changed_in_place(
        key,
        partition,
        f"its stored value was changed in place by '{label}' (re-materialize it to get "
        "its own value back)",
    )
    run.warn(step, message)
    code = getattr(fn, "__code__", None)
    warnings.warn_explicit(
        message,
        InputChangedWarning,
        code.co_filename if code is not None else "<asset>",
        code.co_firstlineno if code is not None else 0,
    )


def watch_inputs(
    step: Any, kwargs: dict[str, Any], fn: Callable[..., Any], by_reference: frozenset[str]
) -> InputWatch | None:
    """Protect or checksum the inputs of ``step`` in ``kwargs`` (changed in place).

    ``step`` is a ``Step``, or a step shipped to a Dask worker (anything with its
    ``inputs`` and ``label``).

    ``by_reference`` names the IO managers that hand a step the stored object
    itself; inputs from any other IO manager are fresh copies and need nothing.
    Returns ``None`` when no input needs checking after the call.
    """
    items: list[_Watched] = []
    read_only: list[str] = []
    immutable = _IMMUTABLE
    for item in step.inputs:
        value = kwargs[item.param]
        # The engine's hot path: numbers and strings cost one set lookup.
        if type(value) in immutable or item.io_manager_key not in by_reference:
            continue
        if item.partitions is not None:
            # {partition: value}, a dict built for this step: watch each value in it.
            for partition, part in value.items():
                protected = _protect(item.param, item.key, partition, part, items, read_only)
                if protected is not part:
                    value[partition] = protected
        else:
            protected = _protect(item.param, item.key, item.partition, value, items, read_only)
            if protected is not value:
                kwargs[item.param] = protected
    return InputWatch(fn, items, read_only) if items or read_only else None


def _protect(
    param: str,
    key: AssetKey,
    partition: str | None,
    value: Any,
    items: list[_Watched],
    read_only: list[str],
) -> Any:
    """What the step receives for ``value``; adds a checksum to ``items`` when needed."""
    kind = _kind_of(type(value))
    if kind == _SKIP or (type(value) is tuple and _is_immutable(value)):
        return value
    if kind == _FRAME and _copy_on_write():
        return value.copy(deep=False)
    if kind == _ARRAY:
        view = value.view()
        view.flags.writeable = False
        read_only.append(param)
        return view
    before = checksum(value)
    if before is not None:
        items.append((param, key, partition, value, before))
    return value
