"""Dagster types: what a value of an op's (or asset's) input or output must be.

Responsibilities:
- ``DagsterType``: a named check (``type_check_fn(context, value)``), user-made or
  built from a Python annotation (``int`` is Dagster's ``Int``).
- ``TypeCheck``: a check's verdict, with a description and metadata.
- ``type_of``: the type of an annotation. Only what Dagster checks the same way is
  checked: the scalars (``Int``, ``String``, ``Float``, ``Bool``), ``Optional`` of
  them, and a ``DagsterType`` given explicitly; any other annotation only names the
  value's type.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["DagsterType", "TypeCheck", "type_of"]


@dataclass(frozen=True)
class TypeCheck:
    """A type check's verdict (Dagster's ``TypeCheck``)."""

    success: bool = True
    description: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)


class DagsterType:
    """A named type whose values pass ``type_check_fn(context, value)``.

    The function returns a bool or a ``TypeCheck``.
    """

    def __init__(
        self,
        type_check_fn: Callable[[Any, Any], Any],
        key: str | None = None,
        name: str | None = None,
        is_builtin: bool = False,
        description: str | None = None,
        typing_type: Any = Any,
        metadata: Mapping[str, Any] | None = None,
        **ignored: Any,
    ) -> None:
        del ignored
        self.type_check_fn = type_check_fn
        self.key = key or name or "Any"
        self._name = name
        self.is_builtin = is_builtin
        self.description = description
        self.typing_type = typing_type
        self.metadata = dict(metadata or {})

    @property
    def display_name(self) -> str:
        return self._name or self.key

    @property
    def unique_name(self) -> str:
        return self.key

    @property
    def is_nothing(self) -> bool:
        return self.key == "Nothing"

    def type_check(self, context: Any, value: Any) -> TypeCheck:
        verdict = self.type_check_fn(context, value)
        if isinstance(verdict, TypeCheck):
            return verdict
        return TypeCheck(bool(verdict))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DagsterType):
            return NotImplemented
        if self.is_builtin or other.is_builtin:
            return self.key == other.key and self.typing_type == other.typing_type
        return self is other

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return f"<DagsterType {self.display_name}>"


_SCALARS = {
    int: ("Int", "int"),
    str: ("String", "string"),
    float: ("Float", "float"),
    bool: ("Bool", "bool"),
}


def _scalar(python_type: type, name: str, word: str) -> DagsterType:
    def check(_context: Any, value: Any) -> TypeCheck:
        if isinstance(value, python_type):
            return TypeCheck(True)
        return TypeCheck(
            False, f'Value "{value}" of python type "{type(value).__name__}" must be a {word}.'
        )

    return DagsterType(check, key=name, name=name, is_builtin=True, typing_type=python_type)


_EMPTY: Any = inspect.Parameter.empty


def _passes(_context: Any, _value: Any) -> bool:
    return True


def _optional(inner: DagsterType) -> DagsterType:
    def check(context: Any, value: Any) -> TypeCheck:
        return TypeCheck(True) if value is None else inner.type_check(context, value)

    name = f"Optional[{inner.display_name}]"
    return DagsterType(
        check, key=name, name=name, is_builtin=True, typing_type=inner.typing_type | None
    )


def type_of(annotation: Any) -> DagsterType:
    """The ``DagsterType`` of an annotation or ``dagster_type=`` (``Any`` for none)."""
    if isinstance(annotation, DagsterType):
        return annotation
    if annotation is None or annotation is type(None):
        return DagsterType(
            _passes, key="Nothing", name="Nothing", is_builtin=True, typing_type=type(None)
        )
    if annotation is Any or annotation is _EMPTY:
        return DagsterType(_passes, key="Any", name="Any", is_builtin=True)
    scalar = _SCALARS.get(annotation) if isinstance(annotation, type) else None
    if scalar is not None:
        return _scalar(annotation, *scalar)
    args = typing.get_args(annotation)
    if type(None) in args and len(args) == 2:
        inner = next(a for a in args if a is not type(None))
        if isinstance(inner, type) and inner in _SCALARS:
            return _optional(type_of(inner))
    name = getattr(annotation, "__name__", None) or str(annotation)
    return DagsterType(_passes, key=name, name=name, is_builtin=True, typing_type=annotation)
