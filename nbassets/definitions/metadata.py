"""Typed metadata values, as Dagster's ``MetadataValue``.

Responsibilities:
- One small frozen class per metadata type (int, float, text, md, json, url,
  path, table, bool, null), each naming its ``type_name`` for the views.
- ``MetadataValue``'s static constructors (``MetadataValue.int(3)``).
- ``normalize_metadata``: plain Python values become typed values, so users may
  write ``{"rows": 3, "note": "ok"}``; anything else is a clear error.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from nbassets.errors import InvalidDefinitionError

__all__ = [
    "BoolMetadataValue",
    "FloatMetadataValue",
    "IntMetadataValue",
    "JsonMetadataValue",
    "MarkdownMetadataValue",
    "MetadataValue",
    "NullMetadataValue",
    "PathMetadataValue",
    "TableColumn",
    "TableMetadataValue",
    "TableRecord",
    "TableSchema",
    "TextMetadataValue",
    "UrlMetadataValue",
    "normalize_metadata",
]


class MetadataValue:
    """Base of typed metadata values; its static methods build them, as in Dagster."""

    type_name: ClassVar[str] = "unknown"

    @property
    def value(self) -> Any:
        raise NotImplementedError

    @staticmethod
    def int(value: int) -> IntMetadataValue:
        return IntMetadataValue(value)

    @staticmethod
    def float(value: float) -> FloatMetadataValue:
        return FloatMetadataValue(value)

    @staticmethod
    def text(text: str) -> TextMetadataValue:
        return TextMetadataValue(text)

    @staticmethod
    def md(md_str: str) -> MarkdownMetadataValue:
        return MarkdownMetadataValue(md_str)

    @staticmethod
    def json(data: Mapping[str, Any] | Sequence[Any]) -> JsonMetadataValue:
        return JsonMetadataValue(data)

    @staticmethod
    def url(url: str) -> UrlMetadataValue:
        return UrlMetadataValue(url)

    @staticmethod
    def path(path: str | os.PathLike[str]) -> PathMetadataValue:
        return PathMetadataValue(os.fspath(path))

    @staticmethod
    def bool(value: bool) -> BoolMetadataValue:
        return BoolMetadataValue(value)

    @staticmethod
    def null() -> NullMetadataValue:
        return NullMetadataValue()

    @staticmethod
    def table(
        records: Sequence[TableRecord | Mapping[str, Any]],
        schema: TableSchema | None = None,
    ) -> TableMetadataValue:
        rows = tuple(r if isinstance(r, TableRecord) else TableRecord(dict(r)) for r in records)
        return TableMetadataValue(rows, schema)


@dataclass(frozen=True, slots=True)
class IntMetadataValue(MetadataValue):
    raw: int | None
    type_name: ClassVar[str] = "int"

    @property
    def value(self) -> int | None:
        return self.raw


@dataclass(frozen=True, slots=True)
class FloatMetadataValue(MetadataValue):
    raw: float | None
    type_name: ClassVar[str] = "float"

    @property
    def value(self) -> float | None:
        return self.raw


@dataclass(frozen=True, slots=True)
class TextMetadataValue(MetadataValue):
    text: str  # type: ignore[assignment]  # Dagster's attribute name
    type_name: ClassVar[str] = "text"

    @property
    def value(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class MarkdownMetadataValue(MetadataValue):
    md_str: str
    type_name: ClassVar[str] = "md"

    @property
    def value(self) -> str:
        return self.md_str


@dataclass(frozen=True, slots=True)
class JsonMetadataValue(MetadataValue):
    data: Mapping[str, Any] | Sequence[Any]
    type_name: ClassVar[str] = "json"

    @property
    def value(self) -> Mapping[str, Any] | Sequence[Any]:
        return self.data


@dataclass(frozen=True, slots=True)
class UrlMetadataValue(MetadataValue):
    url: str  # type: ignore[assignment]  # Dagster's attribute name
    type_name: ClassVar[str] = "url"

    @property
    def value(self) -> str:
        return self.url


@dataclass(frozen=True, slots=True)
class PathMetadataValue(MetadataValue):
    path: str  # type: ignore[assignment]  # Dagster's attribute name
    type_name: ClassVar[str] = "path"

    @property
    def value(self) -> str:
        return self.path


@dataclass(frozen=True, slots=True)
class BoolMetadataValue(MetadataValue):
    raw: bool
    type_name: ClassVar[str] = "bool"

    @property
    def value(self) -> bool:
        return self.raw


@dataclass(frozen=True, slots=True)
class NullMetadataValue(MetadataValue):
    type_name: ClassVar[str] = "null"

    @property
    def value(self) -> None:
        return None


@dataclass(frozen=True, slots=True)
class TableColumn:
    name: str
    type: str = "string"
    description: str | None = None


@dataclass(frozen=True, slots=True)
class TableSchema:
    columns: Sequence[TableColumn] = ()


@dataclass(frozen=True, slots=True)
class TableRecord:
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TableMetadataValue(MetadataValue):
    records: tuple[TableRecord, ...]
    schema: TableSchema | None = None
    type_name: ClassVar[str] = "table"

    @property
    def value(self) -> tuple[TableRecord, ...]:
        return self.records


def _normalize_one(name: str, value: Any) -> MetadataValue:
    # bool before int: bool is a subclass of int.
    if isinstance(value, MetadataValue):
        return value
    if value is None:
        return NullMetadataValue()
    if isinstance(value, bool):
        return BoolMetadataValue(value)
    if isinstance(value, int):
        return IntMetadataValue(value)
    if isinstance(value, float):
        return FloatMetadataValue(value)
    if isinstance(value, str):
        return TextMetadataValue(value)
    if isinstance(value, os.PathLike):
        return PathMetadataValue(os.fspath(value))
    if isinstance(value, (Mapping, list, tuple)):
        return JsonMetadataValue(value)
    # numpy scalars and the like expose item(); keep the number, not a repr.
    item = getattr(value, "item", None)
    if callable(item):
        try:
            scalar = item()
        except (TypeError, ValueError):
            scalar = None
        if isinstance(scalar, (bool, int, float)) and not (
            isinstance(scalar, float) and math.isnan(scalar)
        ):
            return _normalize_one(name, scalar)
    raise InvalidDefinitionError(
        f"Metadata entry '{name}' has a value of type {type(value).__name__} ({value!r:.60}), "
        "which nbassets cannot store. Use a str, int, float, bool, None, dict or list, "
        "or wrap it: MetadataValue.text(str(value)) or MetadataValue.json(...)."
    )


def normalize_metadata(metadata: Mapping[str, Any] | None) -> dict[str, MetadataValue]:
    """Typed metadata from what the user wrote; an empty dict for ``None``."""
    if not metadata:
        return {}
    return {str(name): _normalize_one(str(name), value) for name, value in metadata.items()}
