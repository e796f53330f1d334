"""Steps: the units a plan is made of.

Responsibilities:
- ``Step``: one function call in a run (an asset, for one partition or a range
  of them, or a check), with its inputs and the steps it waits on.
- ``StepInput``: where one parameter's value comes from.
- ``io_manager_key_of``: which IO manager holds an upstream's value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from nbassets.definitions.assets import DEFAULT_IO_MANAGER_KEY, AssetsDefinition
from nbassets.definitions.checks import AssetChecksDefinition
from nbassets.definitions.keys import AssetKey
from nbassets.definitions.specs import AssetCheckKey, AssetSpec

if TYPE_CHECKING:
    from nbassets.definitions.config import Config

__all__ = ["Step", "StepInput", "io_manager_key_of"]


@dataclass(slots=True)
class StepInput:
    """One parameter's value: from an earlier step of this run, or from storage."""

    param: str
    key: AssetKey
    from_run: bool
    io_manager_key: str
    partition: str | None
    metadata: Mapping[str, Any]
    # Several upstream partitions, handed to the function as {partition: value}.
    partitions: tuple[str, ...] | None = None


@dataclass(slots=True, eq=False)
class Step:
    """One function call in a run."""

    key: str
    kind: Literal["asset", "check"]
    definition: AssetsDefinition | AssetChecksDefinition
    asset_keys: tuple[AssetKey, ...]
    inputs: tuple[StepInput, ...]
    upstream: tuple[Step, ...]
    config: Config | None
    op_config: Any
    partition_key: str | None
    # A range run as one step (BackfillPolicy.single_run()): all its partition keys.
    partition_keys: tuple[str, ...] | None = None
    # The checks declared with check_specs= that this asset step evaluates.
    check_keys: tuple[AssetCheckKey, ...] = ()
    # The upstream partitions each value-less dependency (deps=) names, by input name.
    dep_partitions: Mapping[str, tuple[str, ...]] | None = None

    @property
    def label(self) -> str:
        """How a person names the step: the asset key, or ``asset:check``."""
        if self.kind == "check":
            assert isinstance(self.definition, AssetChecksDefinition)
            return self.definition.label
        return ", ".join(k.to_user_string() for k in self.asset_keys)


def io_manager_key_of(entry: Any, key: AssetKey) -> str:
    if isinstance(entry, AssetsDefinition):
        return entry.io_manager_keys[key]
    if isinstance(entry, AssetSpec):
        return entry.io_manager_key or DEFAULT_IO_MANAGER_KEY
    return DEFAULT_IO_MANAGER_KEY


def step_context_fields(step: Step, definition: Any) -> dict[str, Any]:
    """What a step tells its execution context, wherever the step runs.

    The kernel's context and the light one shipped to a Dask worker differ in
    resources, log and instance; these fields are the same for both.
    """
    return {
        "keys": step.asset_keys,
        "subset": isinstance(definition, AssetsDefinition)
        and len(step.asset_keys) < len(definition.keys),
        "step_key": step.key,
        "check_keys": (
            tuple(s.key for s in definition.selected_specs)
            if isinstance(definition, AssetChecksDefinition)
            else step.check_keys
        ),
        "op_config": step.op_config,
        "partition_key": step.partition_key,
        "partition_keys": step.partition_keys,
        "input_keys": (
            definition.keys_by_input_name
            if isinstance(definition, AssetChecksDefinition)
            # deps= are inputs too (value-less), under Dagster's names for them.
            else {**definition.keys_by_input_name, **{i.param: i.key for i in step.inputs}}
        ),
        "input_partitions": {
            **{name: list(keys) for name, keys in (step.dep_partitions or {}).items()},
            **{
                i.param: list(i.partitions)
                if i.partitions is not None
                else ([i.partition] if i.partition is not None else [])
                for i in step.inputs
            },
        },
    }
