"""Reading what an asset function returned or yielded.

Responsibilities:
- Turn a return value (plain value, ``Output``, ``MaterializeResult``, a tuple
  for a multi-asset, or a generator of those) into one ``Produced`` per asset
  key, plus any ``AssetCheckResult``s.
- Say clearly when a function returned the wrong shape.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from nbassets.definitions.assets import AssetsDefinition
from nbassets.definitions.keys import AssetKey
from nbassets.definitions.metadata import MetadataValue, normalize_metadata
from nbassets.definitions.results import AssetCheckResult, MaterializeResult, Output
from nbassets.engine.events import AssetMaterialization
from nbassets.errors import InvalidInvocationError

__all__ = [
    "OutputShapeError",
    "OutputsOwner",
    "OutputsSpec",
    "Produced",
    "StepOutputNotFoundError",
    "check_names",
    "checked_direct_stream",
    "multiple_outputs_error",
    "read_outputs",
]


class OutputsOwner(Protocol):
    """What reading a return value needs of its definition (``AssetsDefinition`` has it)."""

    @property
    def node_name(self) -> str: ...
    @property
    def is_multi(self) -> bool: ...
    @property
    def outputs(self) -> Sequence[Any]: ...


@dataclass(frozen=True, slots=True)
class OutputSpec:
    name: str
    key: AssetKey
    is_required: bool


@dataclass(frozen=True, slots=True)
class OutputsSpec:
    """A definition's outputs alone: picklable, for reading a return value on a worker."""

    node_name: str
    is_multi: bool
    outputs: tuple[OutputSpec, ...]

    @staticmethod
    def of(definition: AssetsDefinition) -> OutputsSpec:
        outputs = tuple(OutputSpec(o.name, o.key, o.is_required) for o in definition.outputs)
        return OutputsSpec(definition.node_name, definition.is_multi, outputs)


class StepOutputNotFoundError(InvalidInvocationError):
    """An op or asset finished without producing an output it must produce.

    Dagster's ``DagsterStepOutputNotFoundError``.
    """


class OutputShapeError(InvalidInvocationError):
    """Raised when an asset function returns something that does not fit its outputs.

    Dagster raises ``DagsterInvariantViolationError`` here, which is this class's base.
    """


@dataclass(slots=True)
class Produced:
    key: AssetKey
    value: Any
    has_value: bool = True
    metadata: dict[str, MetadataValue] = field(default_factory=dict)
    data_version: str | None = None
    tags: dict[str, str] = field(default_factory=dict)


def _one(key: AssetKey, item: Any) -> Produced:
    if isinstance(item, MaterializeResult):
        dv = item.data_version.value if item.data_version else None
        return Produced(
            key,
            item.value if item.has_value else None,
            item.has_value,
            normalize_metadata(item.metadata),
            dv,
            item.tags,
        )
    if isinstance(item, Output):
        dv = item.data_version.value if item.data_version else None
        return Produced(key, item.value, True, dict(item.metadata), dv, item.tags)
    return Produced(key, item)


def read_outputs(
    definition: OutputsOwner, keys: tuple[AssetKey, ...], returned: Any
) -> tuple[list[Produced], list[AssetCheckResult]]:
    """Sort ``returned`` into values per key and check results."""
    kind = type(returned)
    if (
        not definition.is_multi
        and kind is not MaterializeResult
        and kind is not Output
        and (not inspect.isgenerator(returned))
    ):
        if kind is AssetCheckResult:
            # Dagster's reading: the asset's value is None, and the result its check's.
            return [Produced(keys[0], None)], [returned]
        return [Produced(keys[0], returned)], []
    checks: list[AssetCheckResult] = []
    if inspect.isgenerator(returned) or (
        definition.is_multi and isinstance(returned, Iterable) and _is_event_stream(returned)
    ):
        return _from_stream(definition, keys, returned)
    if isinstance(returned, MaterializeResult):
        checks.extend(returned.check_results)
    if not definition.is_multi:
        check_names(definition, keys, returned)
        return [_one(keys[0], returned)], checks
    return _from_multi_return(definition, keys, returned), checks


def check_names(definition: OutputsOwner, keys: tuple[AssetKey, ...], item: Any) -> None:
    """Refuse a result naming another asset or output (Dagster fails the step too)."""
    if isinstance(item, MaterializeResult) and item.asset_key is not None:
        if item.asset_key not in keys:
            raise OutputShapeError(
                f"Asset key {item.asset_key.to_user_string()} not found in AssetsDefinition "
                f"'{definition.node_name}': it returned MaterializeResult(asset_key="
                f"'{item.asset_key.to_user_string()}'), but it produces "
                f"{[k.to_user_string() for k in keys]}. Leave asset_key out or name its own."
            )
    elif isinstance(item, Output):
        names = [out.name for out in definition.outputs if out.key in keys]
        if item.output_name not in names:
            raise OutputShapeError(
                f"'{definition.node_name}' returned Output(output_name='{item.output_name}'), "
                f"but its outputs are {names}. Leave output_name out or use one of those."
            )


def _is_event_stream(returned: Any) -> bool:
    # A tuple, as in Dagster: a list from a multi-output asset is refused (see below).
    if not isinstance(returned, tuple) or not returned:
        return False
    return all(
        isinstance(x, (Output, MaterializeResult, AssetCheckResult)) for x in returned
    ) and any(isinstance(x, MaterializeResult) and x.asset_key is not None for x in returned)


def _from_stream(
    definition: OutputsOwner,
    keys: tuple[AssetKey, ...],
    stream: Iterable[Any],
    *,
    require: bool = True,
) -> tuple[list[Produced], list[AssetCheckResult]]:
    by_name = {out.name: out.key for out in definition.outputs}
    produced: list[Produced] = []
    checks: list[AssetCheckResult] = []
    for item in stream:
        if isinstance(item, AssetCheckResult):
            checks.append(item)
        elif isinstance(item, Output):
            key = by_name.get(item.output_name)
            if key is None:
                raise OutputShapeError(
                    f"'{definition.node_name}' yielded Output(output_name='{item.output_name}'), "
                    f"but its outputs are {sorted(by_name)}."
                )
            produced.append(_one(key, item))
        elif isinstance(item, MaterializeResult):
            key = item.asset_key or (keys[0] if len(keys) == 1 else None)
            if key is None:
                options = [k.to_user_string() for k in keys]
                raise OutputShapeError(
                    "MaterializeResult did not include asset_key and it can not be inferred. "
                    f"Specify which asset_key, options are: {options}. "
                    f"('{definition.node_name}' produces several assets; give each "
                    "MaterializeResult its asset_key=.)"
                )
            check_names(definition, keys, item)
            produced.append(_one(key, item))
            checks.extend(item.check_results)
        elif isinstance(item, AssetMaterialization) and item.asset_key in keys:
            # Recorded as materialized, with no value to store (Dagster's event form).
            produced.append(
                Produced(item.asset_key, None, False, dict(item.metadata), None, dict(item.tags))
            )
        else:
            raise OutputShapeError(
                f"'{definition.node_name}' yielded {type(item).__name__}; a generator asset yields "
                "Output, MaterializeResult or AssetCheckResult objects."
            )
    _check_yield_order(definition, keys, produced)
    if require:
        _require(definition, keys, produced)
    return produced, checks


def _check_yield_order(
    definition: OutputsOwner, keys: tuple[AssetKey, ...], produced: list[Produced]
) -> None:
    """Refuse an asset yielded before a sibling it depends on (Dagster's rule).

    Its record would name a parent not yet materialized in this run.
    """
    parents_of = getattr(definition, "parents_of", None)
    if parents_of is None or len(produced) < 2:
        return
    later = {item.key for item in produced}
    seen: set[AssetKey] = set()
    for item in produced:
        for parent in parents_of(item.key):
            if parent in later and parent not in seen and parent != item.key:
                raise OutputShapeError(
                    f'Asset "{item.key.to_user_string()}" was yielded before its dependency '
                    f'"{parent.to_user_string()}". Multiassets yielding multiple asset outputs '
                    "must yield them in topological order.",
                    advice=f"Yield {parent.to_user_string()!r} first.",
                )
        seen.add(item.key)


def checked_direct_stream(definition: AssetsDefinition, stream: Iterable[Any]) -> Iterator[Any]:
    """What a generator asset called directly yields, checked as a run would check it.

    Raises, once the generator is exhausted, ``OutputShapeError`` for a result that
    fits no output or for a required output it never produced.
    """
    keys = tuple(definition.keys)
    items = []
    for item in stream:
        items.append(item)
        yield item
    produced, _ = _from_stream(definition, keys, items, require=False)
    absent = _absent(definition, keys, produced)
    if absent:
        raise OutputShapeError(
            f'Invocation of op "{definition.node_name}" did not return an output for '
            f'non-optional output "{absent[0].name}".',
            advice="Yield an Output or MaterializeResult for each, or mark the output "
            "is_required=False.",
        )


def _from_multi_return(
    definition: OutputsOwner, keys: tuple[AssetKey, ...], returned: Any
) -> list[Produced]:
    outputs = [out for out in definition.outputs if out.key in keys]
    if returned is None and len(outputs) > 1:
        # The function wrote its data itself (Dagster's specs= style): record each
        # materialization, store no value.
        return [Produced(out.key, None, has_value=False) for out in outputs]
    if len(outputs) == 1 and not isinstance(returned, tuple):
        check_names(definition, keys, returned)
        return [_one(outputs[0].key, returned)]
    if isinstance(returned, tuple) and len(returned) == len(definition.outputs) > len(outputs):
        unselected = next(out for out in definition.outputs if out.key not in keys)
        raise OutputShapeError(
            f'Core compute for op "{definition.node_name}" returned an output '
            f'"{unselected.name}" that is not selected.',
            advice="Yield Output(value, output_name=...) for each of "
            "context.selected_output_names instead of returning a tuple of every output.",
        )
    if not isinstance(returned, tuple) or len(returned) != len(outputs):
        if hasattr(returned, "close") and type(returned).__name__ == "coroutine":
            # Close it, so no "never awaited" warning surfaces later in another cell.
            returned.close()
        got = (
            f"a tuple of {len(returned)}"
            if isinstance(returned, tuple)
            else type(returned).__name__
        )
        raise multiple_outputs_error(definition, got)
    return [_one(out.key, item) for out, item in zip(outputs, returned, strict=True)]


def multiple_outputs_error(definition: OutputsOwner, got: str) -> OutputShapeError:
    """Dagster's words for a multi-output function that returned no tuple, and the fix."""
    names = ", ".join(o.name for o in definition.outputs)
    return OutputShapeError(
        "When using multiple outputs, either yield each output, or return a tuple containing "
        f"a value for each output. '{definition.node_name}' must return a tuple of "
        f"{len(definition.outputs)} values ({names}), in that order; it returned {got}."
    )


def _absent(
    definition: OutputsOwner, keys: tuple[AssetKey, ...], produced: list[Produced]
) -> list[Any]:
    got = {p.key for p in produced}
    return [
        out
        for out in definition.outputs
        if out.key in keys and out.is_required and out.key not in got
    ]


def _require(
    definition: OutputsOwner, keys: tuple[AssetKey, ...], produced: list[Produced]
) -> None:
    absent = _absent(definition, keys, produced)
    if absent:
        # Dagster's class and words for it, then what to do.
        names = [out.key.to_user_string() for out in absent]
        raise StepOutputNotFoundError(
            f'Core compute for op "{definition.node_name}" did not return an output for '
            f'non-optional output "{absent[0].name}": it finished without producing {names}.',
            advice="Yield an Output or MaterializeResult for each, or mark the output "
            "is_required=False.",
        )
