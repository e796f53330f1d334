"""Asset jobs and ``Definitions``: Dagster's way of naming a selection to run.

Responsibilities:

* ``define_asset_job(name, selection=...)``: a named selection, unbound until a
  ``Definitions`` resolves it against its assets, checks and resources.
* ``JobDefinition.execute_in_process(...)``: one ``materialize`` run of the job's
  selection (``op_selection`` narrows it by node name, as Dagster's op names are
  an asset's node name here).
* ``Definitions``: holds assets, checks, resources and jobs; ``validate_loadable``
  builds the asset graph so a bad definition fails where it is declared.

nbassets stays an asset tool: a job is a selection of assets, nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from nbassets.definitions.assets import AssetsDefinition
from nbassets.definitions.checks import AssetChecksDefinition
from nbassets.definitions.keys import coerce_key
from nbassets.definitions.specs import AssetSpec
from nbassets.engine.materialize import materialize
from nbassets.engine.result import ExecuteInProcessResult
from nbassets.errors import InvalidDefinitionError, UnknownAssetError, did_you_mean
from nbassets.graph.registry import Registry
from nbassets.storage.instance import Instance

__all__ = ["AssetValueLoader", "Definitions", "JobDefinition", "define_asset_job"]

IMPLICIT_JOB_NAME = "__ASSET_JOB"


class JobDefinition:
    """A named selection of assets and checks, run in process.

    Built unbound by ``define_asset_job``; ``Definitions.resolve_job_def`` binds it
    to the definitions it runs.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> JobDefinition:
        # Dagster's ``JobDefinition(graph_def=...)`` builds a job of ops.
        if cls is JobDefinition and kwargs.get("graph_def") is not None:
            from nbassets.engine.op_jobs import OpJob

            return OpJob.__new__(OpJob)
        return super().__new__(cls)

    def __init__(
        self,
        name: str,
        selection: Any = None,
        *,
        definitions: Sequence[Any] = (),
        resources: Mapping[str, Any] | None = None,
        config: Any = None,
        tags: Mapping[str, Any] | None = None,
        description: str | None = None,
        partitions_def: Any = None,
        loggers: Mapping[str, Any] | None = None,
    ) -> None:
        if not name or not name.replace("_", "a").isalnum():
            raise InvalidDefinitionError(
                f"Job name {name!r} is not a valid name: use letters, digits and underscores."
            )
        self.name = name
        self.selection = selection
        self.definitions = tuple(definitions)
        self.resources = dict(resources or {})
        self.config = config
        self.tags = dict(tags or {})
        self.description = description
        self.partitions_def = partitions_def
        # Logger definitions carried for Dagster's introspection; runs log via context.log.
        self.loggers = dict(loggers or {})

    def bind(
        self,
        definitions: Sequence[Any],
        resources: Mapping[str, Any],
        loggers: Mapping[str, Any] | None = None,
    ) -> JobDefinition:
        """This job over ``definitions`` with ``resources`` (the job's own win)."""
        return JobDefinition(
            self.name,
            self.selection,
            definitions=definitions,
            resources={**resources, **self.resources},
            config=self.config,
            tags=self.tags,
            description=self.description,
            partitions_def=self.partitions_def,
            loggers={**(loggers or {}), **self.loggers},
        )

    def execute_in_process(
        self,
        run_config: Any = None,
        instance: Instance | None = None,
        partition_key: str | None = None,
        raise_on_error: bool = True,
        op_selection: Sequence[str] | None = None,
        asset_selection: Sequence[Any] | None = None,
        resources: Mapping[str, Any] | None = None,
        tags: Mapping[str, Any] | None = None,
        run_id: str | None = None,
    ) -> ExecuteInProcessResult:
        """Run the job's selection once, in this process, as ``materialize`` does.

        Args:
            run_config: run config; the job's own ``config`` when not given.
            instance: where materializations are recorded.
            partition_key: the partition to run, for partitioned assets.
            raise_on_error: re-raise the first failing asset's exception.
            op_selection: node names (an asset's function name) narrowing the run.
            asset_selection: asset keys narrowing the run.
            resources: resources for this run, over the job's and the definitions'.
            tags: run tags, over the job's.
            run_id: accepted for Dagster's signature; nbassets picks its own.

        Raises:
            InvalidInvocationError: the job was never bound to definitions.
        """
        del run_id
        selection = self.selection
        if op_selection is not None:
            selection = self._keys_for_nodes(op_selection)
        if asset_selection is not None:
            selection = [coerce_key(key) for key in asset_selection]
        return materialize(
            list(self.definitions),
            run_config=run_config if run_config is not None else self.config,
            instance=instance,
            resources={**self.resources, **(resources or {})},
            partition_key=partition_key,
            raise_on_error=raise_on_error,
            tags={**self.tags, **(tags or {})} or None,
            selection=selection,
        )

    def _keys_for_nodes(self, node_names: Sequence[str]) -> list[Any]:
        nodes: dict[str, AssetsDefinition | AssetChecksDefinition] = {}
        for definition in self.definitions:
            if isinstance(definition, AssetsDefinition):
                nodes[definition.node_name] = definition
            elif isinstance(definition, AssetChecksDefinition):
                nodes[definition.name] = definition
        keys: list[Any] = []
        for name in node_names:
            definition = nodes.get(name)
            if definition is None:
                raise UnknownAssetError(
                    f"op_selection names {name!r}, which is no op of job {self.name!r}."
                    + did_you_mean(name, nodes)
                )
            if isinstance(definition, AssetsDefinition):
                keys.extend(definition.keys)
            else:
                keys.extend(definition.check_keys)
        return keys

    def __repr__(self) -> str:
        return f"JobDefinition(name={self.name!r})"


def define_asset_job(
    name: str,
    selection: Any = None,
    config: Any = None,
    description: str | None = None,
    tags: Mapping[str, Any] | None = None,
    run_tags: Mapping[str, Any] | None = None,
    metadata: Mapping[str, Any] | None = None,
    partitions_def: Any = None,
    executor_def: Any = None,
    hooks: Any = None,
    op_retry_policy: Any = None,
) -> JobDefinition:
    """A job that runs ``selection`` (every asset and check when ``None``).

    ``metadata``, ``executor_def``, ``hooks`` and ``op_retry_policy`` are accepted
    for Dagster's signature and not used: runs are in process.
    """
    del metadata, executor_def, hooks, op_retry_policy
    return JobDefinition(
        name,
        selection,
        config=config,
        tags={**(tags or {}), **(run_tags or {})},
        description=description,
        partitions_def=partitions_def,
    )


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
        del executor
        self.loggers = dict(loggers or {})
        self.assets = _expand_observations(assets or ())
        self.asset_checks = list(asset_checks or ())
        self.schedules = list(schedules or ())
        self.sensors = list(sensors or ())
        self.resources = dict(resources or {})
        self.metadata = dict(metadata or {})
        self.jobs: dict[str, JobDefinition] = {}
        for job in jobs or ():
            if job.name in self.jobs:
                raise InvalidDefinitionError(
                    f"Two jobs are named {job.name!r}; give each job its own name."
                )
            self.jobs[job.name] = job

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
        job = self.jobs.get(name)
        if job is None:
            raise UnknownAssetError(f"No job named {name!r}." + did_you_mean(name, self.jobs))
        return job.bind(self.definitions, self.resources, self.loggers)

    get_job_def = resolve_job_def

    def resolve_implicit_global_asset_job_def(self) -> JobDefinition:
        """A job over every asset and check of these definitions."""
        return JobDefinition(IMPLICIT_JOB_NAME, None).bind(
            self.definitions, self.resources, self.loggers
        )

    get_implicit_global_asset_job_def = resolve_implicit_global_asset_job_def

    def resolve_all_job_defs(self) -> list[JobDefinition]:
        """Every job, bound; the implicit job over all assets first when there are assets."""
        jobs = [self.resolve_job_def(name) for name in self.jobs]
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

    def resolve_all_asset_specs(self) -> list[AssetSpec]:
        """The spec of every asset, executable or not; a key's specs must agree.

        Raises:
            InvalidDefinitionError: two different specs share a key.
        """
        from nbassets.definitions.external import distinct_specs

        specs: list[AssetSpec] = []
        for definition in self.assets:
            if isinstance(definition, AssetSpec):
                specs.append(definition)
            elif isinstance(definition, AssetsDefinition):
                specs.extend(definition.specs)
        return distinct_specs(specs)

    get_all_asset_specs = resolve_all_asset_specs

    get_assets_def = resolve_assets_def

    def resolve_asset_graph(self) -> Registry:
        """A fresh registry holding these definitions (the graph they form)."""
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
        _check_inputs_produced(defs)
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


class AssetValueLoader:
    """Loads assets' stored values outside a run: Dagster's ``AssetValueLoader``.

    Each asset's IO manager comes from its own ``resource_defs``, then the
    definitions' resources; the default ``io_manager`` is the instance's in-memory
    store (the kernel registry's instance when none is given), where runs keep values.
    """

    def __init__(self, definitions: Definitions, instance: Instance | None = None) -> None:
        from nbassets.graph.registry import get_registry

        self.definitions = definitions
        self.instance = instance if instance is not None else get_registry().instance

    def __enter__(self) -> AssetValueLoader:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def load_asset_value(
        self,
        asset_key: Any,
        *,
        python_type: Any = None,
        partition_key: str | None = None,
        input_definition_metadata: Mapping[str, Any] | None = None,
        resource_config: Any = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> Any:
        """The value of ``asset_key`` (one partition of it with ``partition_key``).

        Raises:
            UnknownAssetError: no asset of these definitions has that key.
            MissingResourceError: its IO manager is not among the resources.
        """
        from nbassets.definitions.resources import resolve_resources
        from nbassets.errors import MissingResourceError
        from nbassets.storage.io_manager import InputContext

        del python_type, resource_config
        key = coerce_key(asset_key)
        definition = self.definitions.resolve_assets_def(key)
        manager_key = definition.io_manager_keys.get(key, "io_manager")
        available = {**self.definitions.resources, **definition.resource_defs}
        if manager_key not in available:
            if manager_key != "io_manager":
                raise MissingResourceError(
                    f"Asset '{key.to_user_string()}' is stored by IO manager '{manager_key}', "
                    "which these definitions do not provide. Add it to resources=."
                )
            available[manager_key] = self.instance.io_manager
        manager = resolve_resources({manager_key: available[manager_key]})[manager_key]
        return manager.load_input(
            InputContext(
                asset_key=key,
                partition_key=partition_key,
                definition_metadata=metadata or input_definition_metadata,
            )
        )


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
