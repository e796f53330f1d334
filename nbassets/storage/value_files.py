"""One stored value, one file: choosing a format, writing it durably, reading it back.

Responsibilities:
- Choose the format by type: Parquet (through pyarrow) for a DataFrame or Series
  that round-trips, ``.npy`` for a numpy array of plain dtype (never pickled),
  pickle for everything else.
- Write atomically and durably: a temporary file in the destination folder,
  flushed and fsynced, renamed over the final name, then the folder fsynced.
  Only after that may the caller commit the row that points at the file, so a
  crash at any moment leaves either no file (the previous version stays the
  latest) or a complete one.
- Read back and verify: the bytes are hashed and compared with the recorded
  sha256 before they are parsed, so a truncated or edited file is reported,
  never half-read.

pyarrow, pandas and numpy are imported only when a value of theirs is stored.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import pickle
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "CorruptValueError",
    "StoredFile",
    "UnstorableValueError",
    "choose_format",
    "read_value",
    "write_atomically",
]

Format = Literal["parquet", "npy", "pickle"]
SUFFIX: dict[str, str] = {"parquet": ".parquet", "npy": ".npy", "pickle": ".pickle"}
TEMP_SUFFIX = ".tmp"
PARALLEL_HASH_BYTES = 4_000_000


class UnstorableValueError(Exception):
    """Raised when a value cannot be serialized in any format (the store names the asset)."""


class CorruptValueError(Exception):
    """Raised when a stored file is missing, truncated or does not match its sha256."""


@dataclass(frozen=True, slots=True)
class StoredFile:
    """What the history records about one written value."""

    name: str
    format: Format
    size: int
    sha256: str
    libraries: dict[str, str]


def _is_frame(value: Any) -> bool:
    module = type(value).__module__
    in_pandas = module == "pandas" or module.startswith("pandas.")
    return in_pandas and type(value).__name__ in {"DataFrame", "Series"}


def _frame_round_trips(value: Any) -> bool:
    """Whether Parquet gives this frame back as it was (string column names, no duplicates)."""
    import pandas as pd

    frame = value.to_frame() if isinstance(value, pd.Series) else value
    columns = frame.columns
    if isinstance(columns, pd.MultiIndex) or not columns.is_unique:
        return False
    if isinstance(value, pd.Series) and not isinstance(value.name, str | None):
        return False
    if not all(isinstance(c, str) for c in columns):
        return False
    if not all(isinstance(n, str | None) for n in frame.index.names):
        return False
    # Object columns of mixed Python types do not survive Arrow's typed columns.
    return all(
        pd.api.types.infer_dtype(frame[c], skipna=True) in _ARROW_OBJECT_KINDS
        for c in columns
        if frame[c].dtype == object
    )


_ARROW_OBJECT_KINDS = frozenset({"string", "empty", "bytes", "boolean", "integer", "floating"})


def _is_plain_array(value: Any) -> bool:
    if type(value).__module__ != "numpy" or type(value).__name__ != "ndarray":
        return False
    return not value.dtype.hasobject


@functools.cache
def _has_pyarrow() -> bool:
    return importlib.util.find_spec("pyarrow") is not None


def choose_format(value: Any) -> Format:
    """The file format ``value`` is stored in (frames are pickled without pyarrow)."""
    if _is_frame(value) and _has_pyarrow() and _frame_round_trips(value):
        return "parquet"
    if _is_plain_array(value):
        return "npy"
    return "pickle"


def _libraries(fmt: Format, value: Any) -> dict[str, str]:
    found = {"python": sys.version.split()[0]}
    root = type(value).__module__.split(".")[0]
    for name in {root, "pyarrow" if fmt == "parquet" else "", "numpy" if fmt == "npy" else ""}:
        module = sys.modules.get(name) if name else None
        version = getattr(module, "__version__", None)
        if isinstance(version, str):
            found[name] = version
    return found


def _write_value(path: str, fmt: Format, value: Any) -> dict[str, str]:
    """Serialize ``value`` into the file at ``path``; return what reading it back needs.

    Raises:
        UnstorableValueError: the value cannot be pickled (a lock, a generator, an
            open connection...).
    """
    if fmt == "parquet":
        import pandas as pd

        is_series = isinstance(value, pd.Series)
        frame = value.to_frame() if is_series else value
        # A path, not a Python file object: pyarrow then writes natively, as to_parquet does.
        frame.to_parquet(path, engine="pyarrow", write_page_checksum=True)
        extra = {"series": "1"} if is_series else {}
        # Parquet keeps a DatetimeIndex but not its frequency: record it beside the file.
        freq = getattr(frame.index, "freqstr", None)
        if freq:
            extra["index_freq"] = freq
        return extra
    with open(path, "wb") as handle:
        if fmt == "npy":
            import numpy as np

            np.save(handle, value, allow_pickle=False)
            return {}
        try:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as error:  # noqa: BLE001 - pickle raises many kinds for unpicklable values
            raise UnstorableValueError(f"{type(error).__name__}: {error}") from error
    return {}


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":  # pragma: no cover - Windows cannot open a folder
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _Digest:
    """The sha256 of bytes in memory, or of a file; for a large one, in a thread.

    hashlib and file reads release the GIL, so the hash runs beside the fsync or
    the parse instead of after it.
    """

    def __init__(self, payload: bytes | None = None, path: str | None = None) -> None:
        self._payload = payload
        self._path = path
        self._hex: str | None = None
        self._thread: threading.Thread | None = None
        size = len(payload) if payload is not None else os.path.getsize(path or "")
        if size >= PARALLEL_HASH_BYTES:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        else:
            self._run()

    @property
    def ready(self) -> bool:
        return self._hex is not None

    def _run(self) -> None:
        if self._payload is not None:
            self._hex = hashlib.sha256(self._payload).hexdigest()
            return
        assert self._path is not None
        digest = hashlib.sha256()
        with open(self._path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        self._hex = digest.hexdigest()

    def hexdigest(self) -> str:
        if self._thread is not None:
            self._thread.join()
        assert self._hex is not None
        return self._hex


def write_atomically(folder: Path, stem: str, value: Any) -> StoredFile:
    """Write ``value`` to ``folder/stem.<ext>`` so that it exists whole or not at all.

    The value is written to a temporary file in the same folder, fsynced (while its
    sha256 is computed), renamed over the final name, and the folder fsynced.
    """
    fmt = choose_format(value)
    name = stem + SUFFIX[fmt]
    folder.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=TEMP_SUFFIX)
    os.close(fd)
    try:
        extra = _write_value(temp, fmt, value)
        digest = _Digest(path=temp)
        fd = os.open(temp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        size = os.path.getsize(temp)
        sha256 = digest.hexdigest()
        os.replace(temp, folder / name)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    _fsync_folder(folder)
    return StoredFile(name, fmt, size, sha256, {**_libraries(fmt, value), **extra})


def read_value(
    path: Path, fmt: str, sha256: str, libraries: dict[str, str], expected_size: int
) -> Any:
    """Load the value stored at ``path``, checking its bytes against ``sha256``.

    Large Parquet files are checked by size and by their page checksums instead.

    Raises:
        CorruptValueError: the file is missing, or its bytes are not the ones written.
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError as error:
        raise CorruptValueError(f"{path} is missing") from error
    if fmt == "parquet" and size >= PARALLEL_HASH_BYTES:
        # A large Parquet file carries a CRC per page, checked as it is read: that
        # finds a flipped byte at a fraction of the cost of hashing the whole file.
        if size != expected_size:
            raise _mismatch(path)
        try:
            return _parse(path, fmt, libraries)
        except Exception as error:  # noqa: BLE001 - any parse failure means the file is unusable
            raise CorruptValueError(
                f"{path} cannot be read: {type(error).__name__}: {error}"
            ) from error
    digest = _Digest(path=str(path))
    if (fmt == "pickle" or digest.ready) and digest.hexdigest() != sha256:
        # Checked before parsing when it costs nothing extra, and always before unpickling:
        # pickle must never see bytes nobody wrote.
        raise _mismatch(path)
    try:
        # The parse reads the file natively while the digest thread hashes it.
        value = _parse(path, fmt, libraries)
    except Exception as error:  # noqa: BLE001 - any parse failure means the file is unusable
        if digest.hexdigest() != sha256:
            raise _mismatch(path) from error
        raise CorruptValueError(
            f"{path} cannot be read: {type(error).__name__}: {error}"
        ) from error
    if digest.hexdigest() != sha256:
        raise _mismatch(path)
    return value


def _mismatch(path: Path) -> CorruptValueError:
    size = path.stat().st_size if path.exists() else 0
    return CorruptValueError(
        f"{path} does not match the sha256 recorded when it was written ({size} bytes on disk)"
    )


def _parse(path: Path, fmt: str, libraries: dict[str, str]) -> Any:
    if fmt == "parquet":
        import pandas as pd

        frame = pd.read_parquet(path, engine="pyarrow", page_checksum_verification=True)
        if libraries.get("index_freq"):
            frame.index.freq = libraries["index_freq"]
        if libraries.get("series"):
            return frame.iloc[:, 0]
        return frame
    if fmt == "npy":
        import numpy as np

        return np.load(path, allow_pickle=False)
    with open(path, "rb") as handle:
        return pickle.load(handle)
