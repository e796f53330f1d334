"""Asset keys: the names assets are known by.

Responsibilities:
- ``AssetKey``, an immutable, hashable, ordered path of string parts.
- Coercion from the spellings users write (``"a"``, ``"a/b"``, ``["a", "b"]``,
  an ``AssetKey``, or anything with a ``.key``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from nbassets.errors import InvalidDefinitionError

__all__ = ["AssetKey", "CoercibleToAssetKey", "coerce_key"]


class AssetKey:
    """The structured name of an asset: a path such as ``["sales", "orders"]``.

    ``AssetKey("a")`` and ``AssetKey(["a"])`` are equal. The user-facing spelling
    joins parts with ``/`` (``"sales/orders"``); Dagster's node name joins them
    with ``__`` (``"sales__orders"``).
    """

    __slots__ = ("__weakref__", "parts")

    parts: tuple[str, ...]

    def __new__(cls, path: str | Sequence[str]) -> AssetKey:
        parts = (path,) if isinstance(path, str) else tuple(path)
        # Keys are interned: the engine looks keys up in dicts on every step, and an
        # identical object makes each lookup an identity check instead of a tuple compare.
        known = _interned.get(parts)
        if known is not None:
            return known
        if not parts:
            raise InvalidDefinitionError("An asset key needs at least one part; got an empty path.")
        for part in parts:
            if not isinstance(part, str) or not part or "/" in part:
                raise InvalidDefinitionError(
                    f"Asset key parts must be non-empty strings without '/'; got {part!r} in "
                    f"{list(parts)!r}. Write a multi-part key as a list, AssetKey(['sales', "
                    "'orders']), or parse one with AssetKey.from_user_string('sales/orders')."
                )
        self = object.__new__(cls)
        object.__setattr__(self, "parts", parts)
        _interned[parts] = self
        return self

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("AssetKey is immutable")

    @classmethod
    def from_user_string(cls, text: str) -> AssetKey:
        """Parse the slash-separated spelling: ``"sales/orders"``."""
        return cls(text.split("/"))

    @property
    def path(self) -> list[str]:
        """The parts as a new list, as in Dagster (code compares it to lists)."""
        return list(self.parts)

    @classmethod
    def from_coercible(cls, value: CoercibleToAssetKey) -> AssetKey:
        return coerce_key(value)

    def to_user_string(self) -> str:
        return "/".join(self.parts)

    def to_python_identifier(self, suffix: str | None = None) -> str:
        """Dagster's node name for the key: parts (and ``suffix``) joined by ``__``.

        ``-`` and ``.`` become ``_``: ``AssetKey(["a.b", "c-d"])`` gives ``a_b__c_d``.
        """
        parts = self.parts if suffix is None else (*self.parts, suffix)
        return "__".join(parts).replace("-", "_").replace(".", "_")

    def to_string(self) -> str:
        return str(list(self.parts)).replace("'", '"')

    def with_prefix(self, prefix: str | Sequence[str]) -> AssetKey:
        parts = (prefix,) if isinstance(prefix, str) else tuple(prefix)
        return AssetKey(parts + self.parts)

    @property
    def parent(self) -> AssetKey:
        return AssetKey(self.parts[:-1])

    def has_prefix(self, prefix: Sequence[str]) -> bool:
        return self.parts[: len(prefix)] == tuple(prefix)

    # Equality and hashing are object identity, inherited from ``object`` and so done
    # in C: keys are interned (one object per path, pickling included), so equal
    # paths are the same object. The engine hashes keys ~20 times per step.

    def __lt__(self, other: AssetKey) -> bool:
        return self.parts < other.parts

    def __repr__(self) -> str:
        return f"AssetKey({list(self.parts)!r})"

    def __str__(self) -> str:
        return self.to_user_string()

    def __reduce__(self) -> tuple[type[AssetKey], tuple[tuple[str, ...]]]:
        return (AssetKey, (self.parts,))


_interned: dict[tuple[str, ...], AssetKey] = {}

CoercibleToAssetKey = AssetKey | str | Sequence[str]


def coerce_key(value: Any) -> AssetKey:
    """Turn what a user wrote into an ``AssetKey``.

    A plain string is split on ``/`` so ``"sales/orders"`` names the two-part key,
    as in Dagster's ``AssetKey.from_user_string``; definitions (anything with a
    single ``.key``) give their key.
    """
    if isinstance(value, AssetKey):
        return value
    if isinstance(value, str):
        return AssetKey.from_user_string(value)
    key = getattr(value, "key", None)
    if isinstance(key, AssetKey):
        return key
    if isinstance(value, Iterable):
        return AssetKey(list(value))
    raise InvalidDefinitionError(
        f"Cannot use {value!r} as an asset key: pass a string such as 'sales/orders', "
        "a list of strings, or an AssetKey."
    )
