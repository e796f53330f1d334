"""The op behind an asset or a check, seen the way Dagster's introspection sees it.

Responsibilities:

* ``OpHandle``: ``definition.op`` — name, tags, description, code version,
  retry policy, pool, required resources, and its inputs and outputs.
* ``InputDefinition`` / ``OutputDefinition`` and ``DagsterType``: what each
  parameter and output is, with the type read from the function's annotations.

nbassets has no ops of its own; this view is computed from the definition so that
code inspecting ``my_asset.op`` as in Dagster finds the same answers.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from nbassets.definitions.dagster_types import DagsterType, type_of
from nbassets.definitions.keys import AssetKey
from nbassets.errors import InvalidInvocationError

__all__ = ["DagsterType", "InputDefinition", "OpHandle", "OutputDefinition", "dagster_type_of"]


def dagster_type_of(annotation: Any) -> DagsterType:
    """The ``DagsterType`` of an annotation (``Any`` when there is none)."""
    return type_of(annotation)


@dataclass(frozen=True)
class InputDefinition:
    """A parameter of the op that receives a value."""

    name: str
    dagster_type: DagsterType = field(default_factory=lambda: dagster_type_of(Any))
    metadata: Mapping[str, Any] = field(default_factory=dict)
    asset_key: AssetKey | None = None
    description: str | None = None


@dataclass(frozen=True)
class OutputDefinition:
    """One output of the op (for an asset: one asset it produces)."""

    name: str
    dagster_type: DagsterType = field(default_factory=lambda: dagster_type_of(Any))
    metadata: Mapping[str, Any] = field(default_factory=dict)
    description: str | None = None
    code_version: str | None = None
    io_manager_key: str = "io_manager"
    is_required: bool = True
    is_dynamic: bool = False


@dataclass(frozen=True)
class OpHandle:
    """The op behind a definition: its name and tags, and Dagster's other questions."""

    name: str
    tags: Mapping[str, Any] = field(default_factory=dict)
    description: str | None = None
    version: str | None = None
    retry_policy: Any = None
    pool: str | None = None
    required_resource_keys: frozenset[str] = frozenset()
    input_defs: Sequence[InputDefinition] = ()
    output_defs: Sequence[OutputDefinition] = ()
    # Calling the op calls the definition's function (Dagster's `assets_def.op(...)`).
    compute: Callable[..., Any] | None = field(default=None, compare=False, repr=False)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.compute is None:
            raise InvalidInvocationError(
                f"Op '{self.name}' cannot be called directly here; call the definition "
                "it belongs to instead."
            )
        return self.compute(*args, **kwargs)

    @property
    def ins(self) -> dict[str, InputDefinition]:
        return {d.name: d for d in self.input_defs}

    @property
    def outs(self) -> dict[str, OutputDefinition]:
        return {d.name: d for d in self.output_defs}

    def input_def_named(self, name: str) -> InputDefinition:
        return self.ins[name]

    def output_def_named(self, name: str) -> OutputDefinition:
        return self.outs[name]


def annotations_of(fn: Callable[..., Any]) -> dict[str, Any]:
    """The function's resolved annotations, or its raw ones when they do not resolve."""
    try:
        return typing.get_type_hints(fn)
    except Exception:  # noqa: BLE001 - unresolvable forward references: use them raw
        return dict(getattr(fn, "__annotations__", {}))
