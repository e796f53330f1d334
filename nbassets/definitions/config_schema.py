"""Dagster's dict-style config schema: ``Field`` and the scalar type names.

``config_schema={"n": Int, "name": Field(String, default_value="x")}`` is checked
against run config before a run starts (``nbassets.engine.run_config``). ``Int``,
``String``, ``Float`` and ``Bool`` are Python's own types under Dagster's names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Bool", "Field", "Float", "Int", "String"]

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

    @property
    def has_default(self) -> bool:
        return self.default_value is not _NO_DEFAULT

    @property
    def required(self) -> bool:
        return self.is_required if self.is_required is not None else not self.has_default
