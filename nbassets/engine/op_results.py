"""Reading what an op's function returned: Dagster's rules for ops' return values.

Responsibilities:
- Turn a return value into one ``Output`` per output (a tuple for several outputs,
  a list of ``DynamicOutput`` for a dynamic one); a generator's items pass through.
- Refuse, in Dagster's words, a return that does not fit the op's outputs: a wrong
  output name, a tuple of the wrong length, a plain value where the annotation says
  ``Output[...]``, a dynamic output that is not a list of ``DynamicOutput``.

The same rules hold for an op run in a graph and for an op called directly.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Iterator
from typing import Any

from nbassets.definitions.op_view import annotations_of
from nbassets.definitions.ops import DynamicOut, DynamicOutput, Nothing, OpDefinition
from nbassets.definitions.results import Output
from nbassets.errors import InvalidInvocationError

__all__ = ["iterate_results"]

_EMPTY: Any = inspect.Parameter.empty


def iterate_results(op: OpDefinition, returned: Any) -> Iterator[Any]:
    """What an op's function returned or yielded, as ``Output``s, ``DynamicOutput``s and events.

    Raises:
        InvalidInvocationError: Dagster's ``DagsterInvariantViolationError`` for a
            return value that does not fit the op's outputs.
    """
    if inspect.isgenerator(returned) or (
        isinstance(returned, Iterator) and not isinstance(returned, (str, bytes))
    ):
        yield from returned
        return
    names = list(op.outs)
    if not names:
        if returned is not None:
            raise InvalidInvocationError(
                f'Error in op "{op.name}": Unexpectedly returned output {returned!r:.60} of '
                f"type {type(returned)}. Op is explicitly defined to return no results."
            )
        return
    annotations = _output_annotations(op, len(names))
    for position, (name, element) in enumerate(_elements(op, names, returned)):
        spec = op.outs[name]
        if isinstance(spec, DynamicOut):
            yield from _dynamic(op, name, position, element)
        elif isinstance(element, Output):
            annotation = annotations[position]
            if annotation is not _EMPTY and not _is_output_annotation(annotation):
                raise InvalidInvocationError(
                    f'Error with output for op "{op.name}": received Output object for output '
                    f"'{name}' which does not have an Output annotation. Annotation has type "
                    f"{annotation}."
                )
            _check_name(element, name, position)
            yield Output(element.value, name, element.metadata, element.data_version, element.tags)
        else:
            if name in op.generic_outputs:
                raise InvalidInvocationError(
                    f"Error with output for op \"{op.name}\": output '{name}' has generic output "
                    "annotation, but did not receive an Output object for this output. Received "
                    f"instead an object of type {type(element)}.",
                    advice=f"Return Output(value) for '{name}', or annotate it with the value's "
                    "own type.",
                )
            yield Output(element, name)


def _elements(op: OpDefinition, names: list[str], returned: Any) -> list[tuple[str, Any]]:
    """(output name, returned element) pairs, in output order."""
    if len(names) == 1:
        return [(names[0], returned)]
    specs = list(op.outs.values())
    if returned is None and all(s.dagster_type is Nothing and s.is_required for s in specs):
        returned = (None,) * len(names)  # outputs of type Nothing need no value
    if not isinstance(returned, tuple):
        raise InvalidInvocationError(
            f'op "{op.name}" has multiple outputs, but only one output was returned of type '
            f"{type(returned)}. When using multiple outputs, either yield each output, or "
            "return a tuple containing a value for each output.",
            advice=f"Return a tuple in the order of its outputs: {names}.",
        )
    if len(returned) != len(names):
        raise InvalidInvocationError(
            "Length mismatch between returned tuple of outputs and number of output defs on "
            f'op "{op.name}". Output tuple has {len(returned)} outputs, while op has '
            f"{len(names)} outputs.",
            advice=f"Return a tuple in the order of its outputs: {names}.",
        )
    return list(zip(names, returned, strict=True))


def _dynamic(
    op: OpDefinition, name: str, position: int, element: Any
) -> Iterator[DynamicOutput[Any]]:
    if not isinstance(element, list):
        raise InvalidInvocationError(
            f"Error with output for op \"{op.name}\": dynamic output '{name}' expected a list of "
            "DynamicOutput objects, but instead received instead an object of type "
            f"{type(element)}.",
            advice="Return a list of DynamicOutput(value, mapping_key=...), or yield each.",
        )
    for item in element:
        if not isinstance(item, DynamicOutput):
            raise InvalidInvocationError(
                f"Error with output for op \"{op.name}\": dynamic output '{name}' at position "
                f"{position} expected a list of DynamicOutput objects, but received an item with "
                f"type {type(item)}."
            )
        _check_name(item, name, position)
        yield DynamicOutput(item.value, item.mapping_key, name, item.metadata)


def _check_name(item: Output[Any] | DynamicOutput[Any], name: str, position: int) -> None:
    if item.output_name not in ("result", name):
        raise InvalidInvocationError(
            f"Output was explicitly named '{item.output_name}', which does not match the output "
            f"definition specified for position {position}: '{name}'.",
            advice=f"Leave output_name out, or name it '{name}'.",
        )


def _output_annotations(op: OpDefinition, count: int) -> list[Any]:
    """Each output's part of the return annotation (empty where there is none)."""
    if not op.decorated:
        return [_EMPTY] * count
    returns = annotations_of(op.compute_fn).get("return", _EMPTY)
    if isinstance(returns, str):
        returns = _EMPTY
    if count == 1:
        return [returns]
    parts = typing.get_args(returns)
    return list(parts) if len(parts) == count else [_EMPTY] * count


def _is_output_annotation(annotation: Any) -> bool:
    return annotation is Output or typing.get_origin(annotation) is Output
