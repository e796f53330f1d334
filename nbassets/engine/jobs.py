"""Asset jobs and ``Definitions``: Dagster's way of naming a selection to run.

Responsibilities:

* ``define_asset_job(name, selection=...)``: a named selection, unbound until a
  ``Definitions`` resolves it against its assets, checks and resources.
* ``JobDefinition.execute_in_process(...)``: one ``materialize`` run of the job's
  selection (``op_selection`` narrows it by node name, as Dagster's op names are
  an asset's node name here).

nbassets stays an asset tool: a job is a selection of assets, nothing more.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from nbassets.definitions.assets import AssetsDefinition
from nbassets.definitions.checks import AssetChecksDefinition
from nbassets.definitions.job_labels import check_job_owners, job_tags
from nbassets.definitions.metadata import normalize_metadata
from nbassets.definitions.partitioned_config import PartitionedConfig
from nbassets.engine.asset_job_checks import (
    IMPLICIT_JOB_NAME,
    check_asset_job,
    check_subsets,
    subset_selection,
)
from nbassets.engine.executor_defs import (
    ExecutorDefinition,
    as_executor_definition,
    multi_or_in_process_executor,
)
from nbassets.engine.job_graph import asset_job_graph
from nbassets.engine.materialize import materialize
from nbassets.engine.result import ExecuteInProcessResult
from nbassets.errors import InvalidDefinitionError, NbAssetsError, UnknownAssetError, did_you_mean
from nbassets.storage.instance import Instance

__all__ = ["IMPLICIT_JOB_NAME", "JobDefinition", "define_asset_job"]


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
        run_tags: Mapping[str, Any] | None = None,
        description: str | None = None,
        partitions_def: Any = None,
        loggers: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        automation_condition: Any = None,
        owners: Sequence[str] | None = None,
        executor_def: Any = None,
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
        self.tags = job_tags(tags)
        # As in Dagster, a job's runs carry its run_tags, or its tags when it has none.
        self._own_run_tags = job_tags(run_tags) if run_tags is not None else None
        self.run_tags = dict(self._own_run_tags if self._own_run_tags is not None else self.tags)
        self.description = description
        self.partitions_def = partitions_def
        # Logger definitions carried for Dagster's introspection; runs log via context.log.
        self.loggers = dict(loggers or {})
        self.metadata = normalize_metadata(metadata)
        # Carried as data: a notebook has no daemon that evaluates it.
        self.automation_condition = automation_condition
        self.owners = check_job_owners(owners, name)
        # Carried for Dagster: execute_in_process runs in this process whatever it is.
        self._executor_def = as_executor_definition(executor_def)

    def _copy(self, **changes: Any) -> JobDefinition:
        """This job with some of its constructor arguments changed."""
        arguments: dict[str, Any] = {
            "selection": self.selection,
            "definitions": self.definitions,
            "resources": self.resources,
            "config": self.config,
            "tags": self.tags,
            "run_tags": self._own_run_tags,
            "description": self.description,
            "partitions_def": self.partitions_def,
            "loggers": self.loggers,
            "metadata": self.metadata,
            "automation_condition": self.automation_condition,
            "owners": self.owners,
            "executor_def": self._executor_def,
        }
        arguments.update(changes)
        return JobDefinition(self.name, **arguments)

    @property
    def executor_def(self) -> ExecutorDefinition:
        """How a Dagster deployment would execute this job (Dagster's default when unset)."""
        return self._executor_def or multi_or_in_process_executor

    def with_executor_def(self, executor_def: Any) -> JobDefinition:
        """This job with ``executor_def`` as its executor."""
        return self._copy(executor_def=executor_def)

    def with_metadata(self, metadata: Mapping[str, Any]) -> JobDefinition:
        """This job with ``metadata`` in place of its own."""
        return self._copy(metadata=metadata)

    def bind(
        self,
        definitions: Sequence[Any],
        resources: Mapping[str, Any],
        loggers: Mapping[str, Any] | None = None,
        executor_def: Any = None,
    ) -> JobDefinition:
        """This job over ``definitions`` with ``resources`` (the job's own win).

        Raises:
            InvalidDefinitionError: the job cannot be resolved against ``definitions``
                ("Failed to resolve asset job ...", the reason as its cause).
        """
        bound = self._copy(
            definitions=definitions,
            resources={**resources, **self.resources},
            loggers={**(loggers or {}), **self.loggers},
            executor_def=self._executor_def or executor_def,
        )
        if self.name == IMPLICIT_JOB_NAME:
            check_asset_job(bound)  # Dagster builds this one itself: its errors come bare
            return bound
        try:
            check_asset_job(bound)
        except NbAssetsError as error:
            raise InvalidDefinitionError(f"Failed to resolve asset job {self.name}") from error
        return bound

    @property
    def resource_defs(self) -> dict[str, Any]:
        """The resources a run of this job sees (an ``io_manager`` by default), as definitions."""
        resources = {**self.resources}
        for definition in self.definitions:
            resources.update(getattr(definition, "resource_defs", None) or {})
        resources.setdefault("io_manager", _default_io_manager())
        return {name: _as_resource_definition(value) for name, value in resources.items()}

    def with_top_level_resources(self, resource_defs: Mapping[str, Any]) -> JobDefinition:
        """This job with ``resource_defs`` under its own resources (its own win)."""
        return self._copy(resources={**resource_defs, **self.resources})

    def get_subset(
        self,
        *,
        op_selection: Iterable[str] | None = None,
        asset_selection: Iterable[Any] | None = None,
        asset_check_selection: Iterable[Any] | None = None,
    ) -> JobDefinition:
        """This job narrowed to some of its nodes, assets or checks.

        With ``asset_selection`` alone, the checks of the selected assets come along;
        ``asset_check_selection`` names exactly the checks to run.
        """
        if op_selection is not None:
            return self._copy(selection=self._keys_for_nodes(list(op_selection)))
        return self._copy(selection=subset_selection(asset_selection, asset_check_selection))

    def has_node_named(self, name: str) -> bool:
        """Whether one of this job's nodes (an asset's or a check's op) is called ``name``."""
        return bool(self.graph.has_node(name))

    @property
    def graph(self) -> Any:
        """The nodes this job runs and what feeds each (Dagster's ``job.graph``).

        An ``AssetJobGraph`` here; an op job's is its ``GraphDefinition``.
        """
        return asset_job_graph(self.name, self.selection, list(self.definitions))

    def _nodes(self) -> dict[str, AssetsDefinition | AssetChecksDefinition]:
        nodes: dict[str, AssetsDefinition | AssetChecksDefinition] = {}
        for definition in self.definitions:
            if isinstance(definition, AssetsDefinition):
                nodes[definition.node_name] = definition
            elif isinstance(definition, AssetChecksDefinition):
                nodes[definition.name] = definition
        return nodes

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
        job = self
        if op_selection is not None or asset_selection is not None:
            job = self.get_subset(op_selection=op_selection, asset_selection=asset_selection)
            check_subsets(job)
        config = job.config
        partition_tags: dict[str, str] = {}
        if isinstance(config, PartitionedConfig):
            # The job's config for this partition; an explicit run_config replaces it.
            config = (
                config.get_run_config_for_partition_key(partition_key)
                if partition_key is not None
                else None
            )
            if partition_key is not None:
                partition_tags = job.config.get_tags_for_partition_key(partition_key)
        result = materialize(
            list(job.definitions),
            run_config=run_config if run_config is not None else config,
            instance=instance,
            resources={**job.resources, **(resources or {})},
            partition_key=partition_key,
            raise_on_error=raise_on_error,
            tags={**job.run_tags, **partition_tags, **(tags or {})} or None,
            selection=job.selection,
        )
        result.job_def = job
        return result

    def _keys_for_nodes(self, node_names: Sequence[str]) -> list[Any]:
        nodes = self._nodes()
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


def _default_io_manager() -> Any:
    """The IO manager a job's runs use unless given one: the instance's in-memory store."""
    from nbassets.definitions.resources import IOManagerDefinition

    return IOManagerDefinition.hardcoded_resource(None, "the instance's in-memory store")


def _as_resource_definition(value: Any) -> Any:
    """``value`` as Dagster shows a job's resource: a definition, an IO manager's typed so."""
    from nbassets.definitions.resources import IOManagerDefinition, ResourceDefinition
    from nbassets.storage.io_manager import IOManager

    if isinstance(value, ResourceDefinition):
        return value
    if isinstance(value, IOManager):
        return IOManagerDefinition.hardcoded_resource(value)
    return value


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
    automation_condition: Any = None,
) -> JobDefinition:
    """A job that runs ``selection`` (every asset and check when ``None``).

    ``hooks`` and ``op_retry_policy`` are accepted for Dagster's signature and not
    used; ``executor_def`` is carried (runs are in process). ``automation_condition`` is carried
    (and checked when the job resolves), not evaluated: a notebook has no daemon.
    """
    del hooks, op_retry_policy
    if partitions_def is not None:
        warnings.warn(
            "define_asset_job(partitions_def=...) is deprecated: the job takes the partitions "
            "definition of the assets it selects.",
            DeprecationWarning,
            stacklevel=2,
        )
    return JobDefinition(
        name,
        selection,
        config=config,
        tags=tags,
        run_tags=run_tags,
        description=description,
        partitions_def=partitions_def,
        metadata=metadata,
        automation_condition=automation_condition,
        executor_def=executor_def,
    )
