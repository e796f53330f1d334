"""Checking each output value against its type, as Dagster's steps do.

Responsibilities:
- ``check_output``: raise ``TypeCheckError`` (Dagster's ``DagsterTypeCheckDidNotPass``,
  with its words) when a value fails its output's ``DagsterType``.
- ``asset_output_type``: an asset output's type, from ``dagster_type=`` or a typed
  result annotation (``Output[int]`` and ``MaterializeResult[int]`` are ``int``); a
  plain annotation (``-> int``) is not checked on an asset.

What is checked is ``nbassets.definitions.dagster_types.type_of``'s choice: scalars,
``Optional`` of them, and explicit ``DagsterType``s.
"""

from __future__ import annotations

import functools
import inspect
import typing
from typing import Any

from nbassets.definitions.dagster_types import DagsterType, type_of
from nbassets.definitions.op_view import annotations_of
from nbassets.errors import TypeCheckError

__all__ = ["asset_output_type", "check_output"]

_WRAPPERS = ("Output", "MaterializeResult", "DynamicOutput")


def check_output(dagster_type: Any, value: Any, output_name: str, op_name: str | None) -> None:
    """Raise when ``value`` fails ``dagster_type``.

    ``op_name`` names the op when it was called directly (Dagster's wording differs
    from a step's).
    """
    if dagster_type is None:
        return
    checked = type_of(dagster_type)
    verdict = checked.type_check(None, value)
    if verdict.success:
        return
    where = f'op "{op_name}" output' if op_name is not None else "step output"
    raise TypeCheckError(
        f'Type check failed for {where} "{output_name}" - expected type '
        f'"{checked.display_name}". Description: {verdict.description}',
        advice="Return a value of that type, or change the annotation or dagster_type=.",
    )


def asset_output_type(definition: Any, output: Any) -> DagsterType | None:
    """The type ``output`` of ``definition`` (an ``AssetsDefinition``) must have."""
    if output.dagster_type is not None:
        return type_of(output.dagster_type)
    if len(definition.outputs) != 1:
        return None
    return _returned_type(definition.fn)


@functools.lru_cache(maxsize=4096)
def _returned_type(fn: Any) -> DagsterType | None:
    """The type a function's return annotation gives its one output (read once per function)."""
    returned = annotations_of(fn).get("return", inspect.Parameter.empty)
    if isinstance(returned, str) or returned is inspect.Parameter.empty:
        return None
    # Only Dagster's typed results (``Output[int]``, ``MaterializeResult[int]``) bind an
    # asset's value: a plain annotation on a notebook asset describes, it does not check
    # (README: "Types of asset values").
    origin = getattr(typing.get_origin(returned), "__name__", "")
    args = typing.get_args(returned)
    return type_of(args[0]) if origin in _WRAPPERS and args else None
