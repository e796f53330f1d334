"""Safe file names for asset keys and partition keys, confined to a base directory.

Responsibilities:
- ``encode_name``: turn any string (a key part, a partition key) into one file
  name that cannot climb out of its folder, hide, or collide with another name.
- ``value_path``: where one value of one asset (and partition) lives under a
  base directory, with the guarantee that it stays inside it.

The layout keeps asset names readable and lets ``a`` and ``a/b`` both be stored::

    base/a.pickle                       the value of ``a``
    base/a/b.pickle                     the value of ``a/b``
    base/events.partitions/2024-01-01.pickle   one partition of ``events``

Encoded names use only ``[A-Za-z0-9_.-]`` and ``%XX`` escapes (UTF-8 bytes), never
start with ``.`` (so never ``.``, ``..``, a hidden file or a temporary file of a
writer), and never end with a suffix the layout reserves (``.pickle``,
``.partitions``), so a folder of key parts, a value file and a partitions folder
can never share a name. Very long names are shortened with a hash of the original.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

from nbassets.errors import InvalidInvocationError

__all__ = [
    "PARTITIONS_SUFFIX",
    "VALUE_SUFFIX",
    "encode_name",
    "is_inside",
    "value_path",
]

VALUE_SUFFIX = ".pickle"
PARTITIONS_SUFFIX = ".partitions"
_RESERVED_SUFFIXES = (VALUE_SUFFIX, PARTITIONS_SUFFIX)
_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
# Windows refuses these as file stems whatever the extension; escaping their first
# letter keeps a store written on Linux readable there.
_WINDOWS_DEVICES = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"COM{i}" for i in range(10)] + [f"LPT{i}" for i in range(10)]
)
# Well under the 255-byte limit of common file systems, leaving room for the
# reserved suffixes and for the writer's temporary-file prefix and suffix.
_MAX_NAME = 160
_HASH_CHARS = 20


def _escape(char: str) -> str:
    return "".join(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))


def encode_name(text: str) -> str:
    """Return a file name for ``text`` that is safe in any folder and unique to it.

    Args:
        text: Any string: a key part or a partition key, hostile or not.

    Returns:
        A non-empty name of safe characters; different texts give different names.
    """
    if text == "":
        # A lone '%' never comes out of escaping (which always adds two hex digits).
        return "%"
    out = [c if c in _SAFE else _escape(c) for c in text]
    if text[0] == ".":
        out[0] = _escape(".")
    lowered = text.lower()
    for suffix in _RESERVED_SUFFIXES:
        if lowered.endswith(suffix):
            dot = len(text) - len(suffix)
            out[dot] = _escape(".")
    if text.split(".", 1)[0].upper() in _WINDOWS_DEVICES:
        out[0] = _escape(text[0])
    name = "".join(out)
    if len(name) > _MAX_NAME:
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        # '~' is never produced by escaping, so a shortened name cannot equal a full one.
        name = f"{name[: _MAX_NAME - _HASH_CHARS - 1]}~{digest[:_HASH_CHARS]}"
    return name


def is_inside(path: Path, base: Path) -> bool:
    """Whether ``path``, with symbolic links resolved, lies within ``base``."""
    real_base = Path(os.path.realpath(base))
    real_path = Path(os.path.realpath(path))
    return real_path == real_base or real_base in real_path.parents


def value_path(base: Path, key_parts: Sequence[str], partition: str | None = None) -> Path:
    """Where the value of the asset ``key_parts`` (and ``partition``) lives under ``base``.

    Args:
        base: The store's folder.
        key_parts: The asset key's parts, each encoded as one folder or file name.
        partition: The partition key, if the value is one partition's.

    Returns:
        A path inside ``base``.

    Raises:
        InvalidInvocationError: The path would leave ``base`` through a symbolic
            link someone placed inside it (encoding alone never leaves it).
    """
    folders = [encode_name(part) for part in key_parts[:-1]]
    last = encode_name(key_parts[-1])
    if partition is None:
        path = base.joinpath(*folders, last + VALUE_SUFFIX)
    else:
        folders.append(last + PARTITIONS_SUFFIX)
        path = base.joinpath(*folders, encode_name(partition) + VALUE_SUFFIX)
    if not is_inside(path, base):
        raise InvalidInvocationError(
            f"The storage path {str(path)!r} for asset {'/'.join(key_parts)!r} leaves the "
            f"store {str(base)!r} through a symbolic link inside it. Remove the link or "
            "choose another base_dir."
        )
    return path
