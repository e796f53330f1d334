"""Dagster's dict-style config schema: ``Field`` and the scalar type names.

``config_schema={"n": Int, "name": Field(String, default_value="x")}`` is checked
against run config before a run starts (``nbassets.engine.run_config``). ``Int``,
``String``, ``Float`` and ``Bool`` are Python's own types under Dagster's names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nbassets.errors import InvalidDefinitionError

__all__ = [
    "Bool",
    "DagsterInvalidConfigDefinitionError",
    "Field",
    "Float",
    "Int",
    "InvalidConfigDefinitionError",
    "String",
    "check_config_schema",
]

Int = int
String = str
Float = float
Bool = bool

_NO_DEFAULT: Any = object()


@dataclass(frozen=True)
class Field:
    """One config key: its type, default and whether it must be given."""

    config: Any = Any
    default_value: Any = _NO_DEFAULT
    is_required: bool | None = None
    description: str | None = None

    def __post_init__(self) -> None:
        if not _resolvable(self.config):
            raise InvalidDefinitionError(
                f"Attempted to pass {self.config!r} to a Field that expects a valid dagster type "
                "usable in config (e.g. Dict, Int, String et al)."
            )

    @property
    def has_default(self) -> bool:
        return self.default_value is not _NO_DEFAULT

    @property
    def required(self) -> bool:
        return self.is_required if self.is_required is not None else not self.has_default


class InvalidConfigDefinitionError(InvalidDefinitionError):
    """A ``config_schema`` that names no type: a string, an instance, a malformed dict."""


DagsterInvalidConfigDefinitionError = InvalidConfigDefinitionError


def _resolvable(value: Any) -> bool:
    if value is None or value is Any or isinstance(value, (type, Field)):
        return True
    if isinstance(value, (Mapping, list)):
        return True
    # typing constructs (list[int], Optional[str]...) and Dagster-style type objects
    return hasattr(value, "__origin__") or callable(getattr(value, "__class_getitem__", None))


def check_config_schema(schema: Any) -> None:
    """Refuse a ``config_schema`` Dagster could not resolve, naming where it fails.

    Raises:
        InvalidConfigDefinitionError: a value in the schema is not a type, ``Field``,
            dict or list of those.
    """

    def walk(value: Any, path: list[str]) -> None:
        if isinstance(value, Mapping):
            for key, inner in value.items():
                walk(inner, [*path, str(key)])
            return
        if isinstance(value, list):
            for inner in value:
                walk(inner, path)
            return
        if not _resolvable(value):
            where = f"Error at stack path :{':'.join(path)}. " if path else ""
            raise InvalidConfigDefinitionError(
                f"Error defining config. Original value passed: {schema!r}. {where}{value!r} "
                "cannot be resolved. Use a type (int, str...), Field(...), or a dict of them."
            )

    walk(schema, [])
