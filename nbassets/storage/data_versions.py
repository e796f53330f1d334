"""Data versions: a hash of an asset value's content.

Responsibilities:
- ``fingerprint``: a content hash of a value held in memory, so that an upstream
  re-materialized to equal data leaves its downstream fresh (Dagster's data
  version model, with the version derived from the data itself).

Frames and arrays hash their buffers (no pickling); other values hash their
pickle. A value that cannot be hashed has no data version (``None``), and then
the storage id decides, as it did before data versions.

Values written to a store take the sha256 of their file instead (computed while
writing, for free); the two kinds are never equal, which can only make an asset
stale, never fresh by mistake.
"""

from __future__ import annotations

import hashlib
import pickle
from typing import Any

from nbassets.storage.remote_values import RemoteFingerprint, RemoteValue

__all__ = ["fingerprint"]


def _frame_digest(value: Any) -> bytes:
    import pandas as pd

    digest = hashlib.blake2b(digest_size=20)
    digest.update(repr((type(value).__name__, getattr(value, "name", None))).encode())
    if isinstance(value, pd.DataFrame):
        digest.update(repr((list(value.columns), [str(d) for d in value.dtypes])).encode())
    else:
        digest.update(str(value.dtype).encode())
    digest.update(pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes())
    return digest.digest()


def _array_digest(value: Any) -> bytes:
    import numpy as np

    digest = hashlib.blake2b(digest_size=20)
    digest.update(repr((value.dtype.str, value.shape)).encode())
    digest.update(np.ascontiguousarray(value).data)
    return digest.digest()


def fingerprint(value: Any) -> str | None:
    """A content hash of ``value``; ``None`` when it cannot be hashed."""
    kind = type(value)
    if kind is RemoteFingerprint:
        return value.result()  # type: ignore[no-any-return]
    if kind is RemoteValue:
        return value.fingerprint()  # type: ignore[no-any-return]  # hashed where it lives
    module = kind.__module__
    try:
        if module.split(".")[0] == "pandas" and kind.__name__ in {"DataFrame", "Series"}:
            return "mem:" + _frame_digest(value).hex()
        if module == "numpy" and kind.__name__ == "ndarray" and not value.dtype.hasobject:
            return "mem:" + _array_digest(value).hex()
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - unhashable data simply has no data version
        return None
    return "mem:" + hashlib.blake2b(payload, digest_size=20).hexdigest()
