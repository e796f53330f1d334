"""What an asset job must satisfy when ``Definitions`` resolves it, in Dagster's words.

Responsibilities:

* ``check_asset_job``: the job's selection resolves among its definitions; its
  assets share one partitions definition (the implicit job over every asset may
  mix them); the assets bind no two different resources under one key; an
  ``automation_condition`` is anchored on the job's root assets and comes without
  partitioned run config.
* ``check_subsets``: a job takes all or none of a multi-asset that cannot subset.
* ``subset_selection``: the selection ``JobDefinition.get_subset`` narrows to.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from nbassets.definitions.assets import AssetsDefinition
from nbassets.definitions.automation import anchored_on_job_roots
from nbassets.definitions.partitioned_config import PartitionedConfig
from nbassets.engine.prepare import RunSelection, select_run
from nbassets.errors import InvalidDefinitionError, InvalidSubsetError

if TYPE_CHECKING:
    from nbassets.engine.jobs import JobDefinition

__all__ = ["check_asset_job", "check_subsets", "subset_selection"]

IMPLICIT_JOB_NAME = "__ASSET_JOB"


def check_asset_job(job: JobDefinition) -> None:
    """Raise what Dagster raises when it resolves ``job`` against its definitions.

    Raises:
        NbAssetsError: the selection names an unknown asset or the graph has a cycle.
        InvalidDefinitionError: partitions, resources or the automation condition do
            not fit, each message naming the problem.
    """
    chosen = check_subsets(job)
    owner = chosen.definitions.owner
    executable = [
        found
        for key in sorted(chosen.keys)
        if isinstance(found := owner.get(key), AssetsDefinition)
    ]
    _check_resources(executable)
    partitioned = _common_partitions_def(job, chosen.keys, owner)
    condition = job.automation_condition
    if condition is None:
        return
    if job.config is not None and partitioned is not None:
        raise InvalidDefinitionError(
            f"Job '{job.name}' has both an automation_condition and partitioned run config. "
            "Declarative automation submits partitioned-job runs without resolving "
            "per-partition config, so this combination is not currently supported."
        )
    if not anchored_on_job_roots(condition):
        raise InvalidDefinitionError(
            f"Job '{job.name}' has an automation_condition that does not evaluate against the "
            "job's root assets. Asset-level conditions such as `AutomationCondition.eager()` "
            "cannot be applied to a job directly; wrap them with "
            "`AutomationCondition.any_job_root_assets_match(...)` or "
            "`AutomationCondition.all_job_root_assets_match(...)`."
        )


def check_subsets(job: JobDefinition) -> RunSelection:
    """The job's selection, if it takes all or none of each definition that runs only whole.

    Raises:
        InvalidSubsetError: it takes some assets of such a definition (Dagster's words).
    """
    chosen = select_run(job.selection, list(job.definitions))
    seen: set[int] = set()
    for key in sorted(chosen.keys):
        definition = chosen.definitions.owner.get(key)
        if (
            not isinstance(definition, AssetsDefinition)
            or definition.can_subset
            or id(definition) in seen
        ):
            continue
        seen.add(id(definition))
        taken = [k for k in definition.keys if k in chosen.keys]
        if len(taken) < len(definition.keys):
            raise InvalidSubsetError(
                f"When building job, the AssetsDefinition '{definition.node_name}' contains "
                f"asset keys {list(definition.keys)} and check keys "
                f"{[s.key for s in definition.check_specs]}, but attempted to select only "
                f"assets {taken} and checks []. This AssetsDefinition does not support "
                "subsetting. Please select all asset and check keys produced by this asset.\n\n"
                "If using an AssetSelection, you may use required_multi_asset_neighbors() to "
                "select any remaining assets, for example:\n"
                "AssetSelection.assets('my_asset').required_multi_asset_neighbors()"
            )
    return chosen


def _common_partitions_def(job: JobDefinition, keys: Iterable[Any], owner: Any) -> Any:
    """The one partitions definition of the job's partitioned assets (or its own)."""
    by_definition: dict[Any, set[Any]] = {}
    for key in keys:
        definition = owner.get(key)
        if not isinstance(definition, AssetsDefinition) or definition.partitions_def is None:
            continue
        by_definition.setdefault(definition.partitions_def, set()).add(key)
    if len(by_definition) > 1 and job.name != IMPLICIT_JOB_NAME:
        listing = "\n".join(
            f"{partitions_def}: {{{', '.join(repr(k) for k in sorted(found))}}}"
            for partitions_def, found in by_definition.items()
        )
        raise InvalidDefinitionError(
            f'Error resolving selection for asset job "{job.name}": Selected assets must have '
            "the same partitions definitions, but the selected assets have different "
            f"partitions definitions: \n{listing}"
        )
    if job.partitions_def is not None:
        return job.partitions_def
    if isinstance(job.config, PartitionedConfig):
        return job.config.partitions_def
    return next(iter(by_definition), None) if len(by_definition) == 1 else None


def _check_resources(definitions: Iterable[AssetsDefinition]) -> None:
    """Assets of one job bind one object per resource key, as Dagster requires."""
    bound: dict[str, tuple[Any, str]] = {}
    for definition in definitions:
        for name, value in (definition.resource_defs or {}).items():
            seen = bound.setdefault(name, (value, definition.node_name))
            if seen[0] is not value:
                raise InvalidDefinitionError(
                    f"Conflicting versions of resource with key '{name}' were provided to "
                    "different assets. When constructing a job, all resource definitions "
                    "provided to assets must match by reference equality for a given key. "
                    f"('{seen[1]}' and '{definition.node_name}' bind different objects: bind "
                    "one object under that key, or use different keys.)"
                )


def subset_selection(
    asset_selection: Iterable[Any] | None, asset_check_selection: Iterable[Any] | None
) -> Any:
    """The ``AssetSelection`` of some assets and checks.

    Without ``asset_check_selection`` the selected assets bring their checks; with it,
    exactly those checks run.
    """
    from nbassets.graph.selection import AssetSelection

    assets = AssetSelection.assets(*(asset_selection or ()))
    if asset_check_selection is None:
        return assets
    checks = AssetSelection.checks(*asset_check_selection)
    return assets.without_checks() | checks if asset_selection is not None else checks
