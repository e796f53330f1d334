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
    "Enum",
    "EnumValue",
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


@dataclass(frozen=True)
class EnumValue:
    """One value of a config ``Enum``: the string in config, the value the op receives."""

    config_value: str
    python_value: Any = None
    description: str | None = None


class Enum:
    """A config type whose value is one of some names (Dagster's config ``Enum``).

    With ``from_python_enum`` an op receives the Python enum member for the name.
    """

    def __init__(self, name: str, enum_values: list[EnumValue]) -> None:
        self.name = name
        self.enum_values = list(enum_values)

    @classmethod
    def from_python_enum(cls, enum_type: Any, name: str | None = None) -> Enum:
        values = [EnumValue(member.name, member) for member in enum_type]
        return cls(name or enum_type.__name__, values)

    @property
    def config_values(self) -> list[str]:
        return [v.config_value for v in self.enum_values]

    def to_python_value(self, config_value: Any) -> Any:
        for value in self.enum_values:
            if value.config_value == config_value:
                return value.python_value if value.python_value is not None else config_value
        raise ValueError(config_value)

    def __repr__(self) -> str:
        return f"Enum({self.name!r}, {self.config_values})"


class InvalidConfigDefinitionError(InvalidDefinitionError):
    """A ``config_schema`` that names no type: a string, an instance, a malformed dict."""


DagsterInvalidConfigDefinitionError = InvalidConfigDefinitionError


def _resolvable(value: Any) -> bool:
    if value is None or value is Any or isinstance(value, (type, Field, Enum)):
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
