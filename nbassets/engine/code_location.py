"""``Definitions``: the assets, checks, resources and jobs of one code location.

Responsibilities:

* Hold what Dagster's ``Definitions`` holds; resolve jobs against it
  (``resolve_job_def``, the implicit job over every asset).
* ``validate_loadable``: build the asset graph so a bad definition fails where it
  is declared (inputs nothing produces, duplicate check keys, partitions mismatch).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from nbassets.definitions.assets import DEFAULT_GROUP, AssetsDefinition
from nbassets.definitions.checks import AssetChecksDefinition
from nbassets.definitions.dep_metadata import undefined_dep_metadata
from nbassets.definitions.keys import coerce_key
from nbassets.definitions.metadata import normalize_metadata
from nbassets.definitions.specs import AssetSpec
from nbassets.engine.executor_defs import as_executor_definition
from nbassets.engine.jobs import IMPLICIT_JOB_NAME, JobDefinition
from nbassets.engine.value_loader import AssetValueLoader
from nbassets.errors import (
    InvalidDefinitionError,
    InvalidInvocationError,
    UnknownAssetError,
    did_you_mean,
)
from nbassets.graph.registry import Registry
from nbassets.storage.instance import Instance

__all__ = ["Definitions"]


class Definitions:
    """The assets, checks, resources and jobs of one code location.

    In a notebook the kernel registry plays this part; ``Definitions`` is here so
    that code written for Dagster (and its jobs) runs unchanged.
    """

    def __init__(
        self,
        assets: Iterable[Any] | None = None,
        schedules: Iterable[Any] | None = None,
        sensors: Iterable[Any] | None = None,
        jobs: Iterable[JobDefinition] | None = None,
        resources: Mapping[str, Any] | None = None,
        executor: Any = None,
        loggers: Mapping[str, Any] | None = None,
        asset_checks: Iterable[Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        self.executor = as_executor_definition(executor)
        self.loggers = dict(loggers or {})
        self.assets = _expand_observations(assets or ())
        self.asset_checks = list(asset_checks or ())
        self.schedules = list(schedules or ())
        self.sensors = list(sensors or ())
        self.resources = dict(resources or {})
        self.metadata = normalize_metadata(metadata)
        self.jobs = list(jobs or ())
        names: set[str] = set()
        for job in self.jobs:
            if job.name in names:
                raise InvalidDefinitionError(
                    f"Two jobs are named {job.name!r}; give each job its own name."
                )
            names.add(job.name)
        # Set once a method has built the asset graph (merge_unbound_defs refuses then).
        self._resolved = False

    @staticmethod
    def merge(*def_sets: Definitions) -> Definitions:
        """One ``Definitions`` holding everything of ``def_sets``, in order.

        Raises:
            InvalidInvocationError: two of them bind different objects under one resource
                or logger key, or both have an executor (Dagster's words).
        """
        resources: dict[str, Any] = {}
        loggers: dict[str, Any] = {}
        where: dict[tuple[str, str], int] = {}
        executor: Any = None
        executor_index = 0
        for i, def_set in enumerate(def_sets):
            for kind, merged, given in (
                ("resources", resources, def_set.resources),
                ("loggers", loggers, def_set.loggers),
            ):
                for key, value in given.items():
                    if key in merged and merged[key] is not value:
                        raise InvalidInvocationError(
                            f"Definitions objects {where[(kind, key)]} and {i} have different "
                            f"{kind} with same key '{key}'"
                        )
                    merged[key] = value
                    where[(kind, key)] = i
            if def_set.executor is not None:
                if executor is not None and executor is not def_set.executor:
                    raise InvalidInvocationError(
                        f"Definitions objects {executor_index} and {i} both have an executor"
                    )
                executor, executor_index = def_set.executor, i
        return Definitions(
            assets=[a for d in def_sets for a in d.assets],
            schedules=[s for d in def_sets for s in d.schedules],
            sensors=[s for d in def_sets for s in d.sensors],
            jobs=[j for d in def_sets for j in d.jobs],
            resources=resources,
            executor=executor,
            loggers=loggers,
            asset_checks=[c for d in def_sets for c in d.asset_checks],
            metadata={k: v for d in def_sets for k, v in d.metadata.items()},
        )

    @staticmethod
    def merge_unbound_defs(*def_sets: Definitions) -> Definitions:
        """``merge``, for definitions none of which has been resolved yet.

        Raises:
            InvalidInvocationError: one of them has built its asset graph already.
        """
        for i, def_set in enumerate(def_sets):
            if def_set._resolved:
                raise InvalidInvocationError(
                    f"Definitions object {i} has previously been resolved. merge_unbound_defs "
                    "should only be used on definitions that have not been resolved; use merge."
                )
        return Definitions.merge(*def_sets)

    @property
    def _jobs_by_name(self) -> dict[str, JobDefinition]:
        return {job.name: job for job in self.jobs}

    @property
    def definitions(self) -> list[Any]:
        """Assets then checks, in the order given."""
        return [*self.assets, *self.asset_checks]

    def resolve_job_def(self, name: str) -> JobDefinition:
        """The job called ``name``, bound to these definitions.

        Raises:
            UnknownAssetError: no job has that name (the message lists close ones).
        """
        if name == IMPLICIT_JOB_NAME:
            return self.resolve_implicit_global_asset_job_def()
        jobs = self._jobs_by_name
        job = jobs.get(name)
        if job is None:
            raise UnknownAssetError(f"No job named {name!r}." + did_you_mean(name, jobs))
        self._resolved = True
        return job.bind(self.definitions, self.resources, self.loggers, self.executor)

    get_job_def = resolve_job_def

    def resolve_implicit_global_asset_job_def(self) -> JobDefinition:
        """A job over every asset and check of these definitions."""
        self._resolved = True
        return JobDefinition(IMPLICIT_JOB_NAME, None).bind(
            self.definitions, self.resources, self.loggers, self.executor
        )

    def resolve_implicit_job_def_def_for_assets(self, asset_keys: Iterable[Any]) -> JobDefinition:
        """The implicit job narrowed to ``asset_keys`` (Dagster's name, ``def`` twice)."""
        return self.resolve_implicit_global_asset_job_def().get_subset(asset_selection=asset_keys)

    get_implicit_global_asset_job_def = resolve_implicit_global_asset_job_def

    def resolve_all_job_defs(self) -> list[JobDefinition]:
        """Every job, bound; the implicit job over all assets first when there are assets."""
        jobs = [self.resolve_job_def(job.name) for job in self.jobs]
        if self.has_implicit_global_asset_job_def():
            jobs.insert(0, self.resolve_implicit_global_asset_job_def())
        return jobs

    get_all_job_defs = resolve_all_job_defs

    def has_implicit_global_asset_job_def(self) -> bool:
        """Whether these definitions hold assets or checks for the implicit job to run."""
        return bool(self.definitions)

    def get_asset_value_loader(self, instance: Instance | None = None) -> AssetValueLoader:
        """A loader reading assets' stored values through their IO managers."""
        return AssetValueLoader(self, instance)

    def load_asset_value(
        self,
        asset_key: Any,
        *,
        instance: Instance | None = None,
        partition_key: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        **ignored: Any,
    ) -> Any:
        """The stored value of ``asset_key``, read by its IO manager (Dagster's name)."""
        del ignored
        return AssetValueLoader(self, instance).load_asset_value(
            asset_key, partition_key=partition_key, metadata=metadata
        )

    def resolve_assets_def(self, key: Any) -> AssetsDefinition:
        """The definition producing ``key``."""
        wanted = coerce_key(key)
        for definition in self.assets:
            if isinstance(definition, AssetsDefinition) and wanted in definition.keys:
                return definition
        for definition in self.assets:
            if isinstance(definition, AssetSpec) and definition.key == wanted:
                # External assets, answered as Dagster does: one definition, not executable,
                # for the plain specs together (a source asset stands alone).
                if type(definition) is not AssetSpec:
                    return AssetsDefinition(specs=[definition])
                return AssetsDefinition(specs=[a for a in self.assets if type(a) is AssetSpec])
        raise UnknownAssetError(f"No asset {wanted.to_user_string()!r} in these definitions.")

    get_assets_def = resolve_assets_def

    def resolve_all_asset_specs(self) -> list[AssetSpec]:
        """An ``AssetSpec`` for every asset, groups filled in (``default`` when none).

        Raises:
            InvalidDefinitionError: two different specs share a key.
        """
        self._resolved = True
        specs: list[AssetSpec] = []
        for definition in self.assets:
            if isinstance(definition, AssetsDefinition):
                specs.extend(definition.specs)
            elif isinstance(definition, AssetSpec):
                group = definition.group_name or DEFAULT_GROUP
                specs.append(definition.replace_attributes(group_name=group))
        from nbassets.definitions.external import distinct_specs

        return distinct_specs(specs)  # a key's specs must agree

    def resolve_asset_graph(self) -> Registry:
        """A fresh registry holding these definitions (the graph they form)."""
        self._resolved = True
        undefined_dep_metadata(self.definitions)  # refuses deps that disagree, as Dagster
        registry = Registry()
        for definition in self.definitions:
            registry.add(definition)
        return registry

    @staticmethod
    def validate_loadable(defs: Definitions) -> None:
        """Build the graph of ``defs``: a duplicate key or a cycle raises here.

        Raises:
            InvalidDefinitionError: the definitions do not form one asset graph.
        """
        for job in defs.jobs:
            if job.name == IMPLICIT_JOB_NAME:
                raise InvalidDefinitionError(
                    f"Attempted to provide job called {IMPLICIT_JOB_NAME} to repository, which "
                    "is a reserved name. Please rename the job."
                )
        _check_inputs_produced(defs)
        _check_resources_provided(defs)
        seen: set[Any] = set()
        for check in defs.asset_checks:
            for check_key in getattr(check, "check_keys", ()):
                if check_key in seen:
                    raise InvalidDefinitionError(
                        f"Duplicate asset check key: {check_key.to_user_string()} is defined "
                        "twice. Give one of the checks another name."
                    )
                seen.add(check_key)
        registry = defs.resolve_asset_graph()
        for check in defs.asset_checks:
            if (
                not isinstance(check, AssetChecksDefinition)
                or check.multi
                or check.partitions_def is None
            ):
                continue
            target = registry.owners().get(check.asset_key)
            expected = getattr(target, "partitions_def", None)
            if target is not None and expected != check.partitions_def:
                raise InvalidDefinitionError(
                    f"Asset check '{check.check_key.to_user_string()}' targets asset "
                    f"'{check.asset_key.to_user_string()}' but has a different partitions "
                    f"definition ({check.partitions_def!r}, the asset has {expected!r}). "
                    "Give the check its asset's partitions_def, or none."
                )

    def __repr__(self) -> str:
        return f"Definitions({len(self.assets)} assets, {len(self.jobs)} jobs)"


def _check_inputs_produced(defs: Definitions) -> None:
    """An input that receives a value must come from an asset or source of ``defs``.

    Raises:
        InvalidDefinitionError: one does not; the message names close keys (a typo, a
            prefix one part off, slashes in one part), as Dagster's does.
    """
    provided: set[Any] = set()
    for item in defs.assets:
        keys = getattr(item, "keys", None)
        if keys is not None:
            provided.update(keys)
        elif getattr(item, "key", None) is not None:
            provided.add(item.key)
    for definition in defs.assets:
        if not isinstance(definition, AssetsDefinition):
            continue
        for item in definition.inputs:
            if item.key in provided:
                continue
            similar = sorted(
                (k for k in provided if _similar_keys(item.key, k)), key=lambda k: k.to_string()
            )
            hint = (
                " Did you mean one of the following?\n\t"
                + ", ".join(k.to_string() for k in similar)
                if similar
                else ""
            )
            raise InvalidDefinitionError(
                f"Input asset '{item.key.to_string()}' for asset "
                f"'{definition.node_name}' is not produced by any of the provided asset ops "
                f"and is not one of the provided sources.{hint}"
            )


def _check_resources_provided(defs: Definitions) -> None:
    """Every resource and IO manager an asset names is provided, as Dagster checks.

    Raises:
        InvalidDefinitionError: one is not; Dagster's words, with the keys there are.
    """
    for definition in defs.assets:
        own = getattr(definition, "resource_defs", None) or {}
        available = sorted({"io_manager", *defs.resources, *own})
        if isinstance(definition, AssetsDefinition):
            needs = [
                (f"resource with key '{key}' required by op '{definition.node_name}'", key, False)
                for key in sorted(definition.required_resource_keys)
            ] + [
                (
                    f"io manager with key '{out.io_manager_key}' required by output "
                    f"'{out.name}' of op '{definition.node_name}''",
                    out.io_manager_key,
                    True,
                )
                for out in definition.outputs
            ]
        elif isinstance(definition, AssetSpec) and definition.io_manager_key is not None:
            kind = "SourceAsset" if hasattr(definition, "observe_fn") else "external asset"
            key_text = json.dumps(list(definition.key.parts))
            needs = [
                (
                    f"io manager with key '{definition.io_manager_key}' required by {kind} with "
                    f"key {key_text}",
                    definition.io_manager_key,
                    True,
                )
            ]
        else:
            continue
        for described, key, io_manager in needs:
            if key in available:
                continue
            kind_name = "IOManagerDefinition" if io_manager else "ResourceDefinition"
            raise InvalidDefinitionError(
                f"{described} was not provided. Please provide a {kind_name} to key '{key}', or "
                "change the required key to one of the following keys which points to an "
                f"{kind_name}: {available}"
            )


def _closeness(a: str, b: str) -> float:
    """Twice the longest common subsequence over both lengths (1.0: equal).

    A swapped pair of letters still reads as close.
    """
    previous = [0] * (len(b) + 1)
    for char_a in a:
        current = [0]
        for j, char_b in enumerate(b, 1):
            current.append(
                previous[j - 1] + 1 if char_a == char_b else max(previous[j], current[j - 1])
            )
        previous = current
    return 2 * previous[-1] / max(len(a) + len(b), 1)


def _similar_keys(wanted: Any, candidate: Any) -> bool:
    """Whether ``candidate`` is probably what ``wanted`` meant.

    The same name under another prefix, a close name under the same prefix, or the same
    parts joined differently.
    """
    if wanted.parts[-1] == candidate.parts[-1]:
        return True
    if wanted.parts[:-1] == candidate.parts[:-1]:
        return _closeness(wanted.parts[-1], candidate.parts[-1]) >= 0.8
    return "/".join(wanted.parts) == "/".join(candidate.parts)


def _expand_observations(assets: Iterable[Any]) -> list[Any]:
    """Assets as given, a multi-asset observation standing for one source per asset."""
    import sys

    module = sys.modules.get("nbassets.definitions.multi_observe")
    kind = module.MultiObservableSourceAsset if module is not None else ()
    from nbassets.definitions.external import unwrap_external

    found: list[Any] = []
    for item in unwrap_external(assets):
        if kind and isinstance(item, kind):
            found.extend(item.to_source_assets())
        else:
            found.append(item)
    return found
