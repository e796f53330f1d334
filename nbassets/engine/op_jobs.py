"""Op jobs: a graph of ops run as a job, Dagster's ``@job`` and ``GraphDefinition.to_job``.

Responsibilities:

* ``OpJob``: a graph with a name, resources, default run config (or a
  ``ConfigMapping`` from the job's config to its ops'), tags; ``execute_in_process``.
  It is a ``JobDefinition`` so ``Definitions(jobs=[...])`` holds it beside asset jobs.
* ``job``: the decorator.
* ``execute_job`` / ``reconstructable``: Dagster's out-of-process entry points; a
  notebook run is in process, so ``execute_job`` runs the job here, and
  ``reconstructable`` only checks the job can be found again by name.
* ``validate_run_config``: the run config a job would run with, checked.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from nbassets.definitions.graphs import (
    ConfigMapping,
    GraphDefinition,
    check_unique_definitions,
)
from nbassets.engine.jobs import JobDefinition
from nbassets.engine.op_runs import OpGraphResult, plan_steps, run_graph
from nbassets.errors import InvalidInvocationError

__all__ = [
    "OpJob",
    "ReconstructableJob",
    "execute_job",
    "job",
    "reconstructable",
    "validate_run_config",
]


class OpJob(JobDefinition):
    """A graph of ops run as a job, in process."""

    def __init__(
        self,
        graph_def: GraphDefinition,
        *,
        name: str | None = None,
        config: Any = None,
        tags: Mapping[str, Any] | None = None,
        run_tags: Mapping[str, Any] | None = None,
        resource_defs: Mapping[str, Any] | None = None,
        description: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        logger_defs: Mapping[str, Any] | None = None,
        owners: Sequence[str] | None = None,
        executor_def: Any = None,
        **ignored: Any,
    ) -> None:
        del ignored
        check_unique_definitions(graph_def)
        super().__init__(
            name or graph_def.name,
            None,
            resources=resource_defs,
            config=config,
            tags=tags,
            run_tags=run_tags,
            description=description or graph_def.description,
            metadata=metadata,
            loggers=logger_defs,
            owners=owners,
            executor_def=executor_def,
        )
        self.graph_def = graph_def
        fn = graph_def.fn
        if fn is not None:
            # The function's own name and docstring, as Dagster keeps them.
            self.__name__ = fn.__name__
            self.__doc__ = fn.__doc__

    # Introspection, as Dagster's JobDefinition ---------------------------------------------

    @property
    def graph(self) -> GraphDefinition:
        return self.graph_def

    @property
    def nodes(self) -> list[Any]:
        return list(self.graph.nodes.values())

    @property
    def node_defs(self) -> list[Any]:
        return self.graph.node_defs

    @property
    def top_level_node_defs(self) -> list[Any]:
        return self.graph.node_defs

    def has_node(self, name: str) -> bool:
        """Whether an op or graph named ``name`` is anywhere in the job (Dagster's rule)."""
        pending = [self.graph]
        while pending:
            graph = pending.pop()
            for node in graph.nodes.values():
                if node.definition.name == name:
                    return True
                if isinstance(node.definition, GraphDefinition):
                    pending.append(node.definition)
        return False

    def has_node_named(self, name: str) -> bool:
        """Whether the job's top level has a node called ``name``."""
        return self.graph.has_node(name)

    def get_node(self, handle: Any) -> Any:
        graph: GraphDefinition = self.graph
        node = None
        for part in str(handle).split("."):
            node = graph.nodes[part]
            if isinstance(node.definition, GraphDefinition):
                graph = node.definition
        return node

    def bind(
        self,
        definitions: Sequence[Any],
        resources: Mapping[str, Any],
        loggers: Mapping[str, Any] | None = None,
        executor_def: Any = None,
    ) -> OpJob:
        """An op job runs its own graph: only the definitions' resources join it."""
        del definitions
        return self._copy(
            resources={**resources, **self.resources},
            loggers={**(loggers or {}), **self.loggers},
            executor_def=self._executor_def or executor_def,
        )

    def _copy(self, **changes: Any) -> OpJob:
        """This job with some of its attributes changed (the asset-job names accepted)."""
        arguments: dict[str, Any] = {
            "name": self.name,
            "config": self.config,
            "tags": self.tags,
            "run_tags": self._own_run_tags,
            "resource_defs": self.resources,
            "description": self.description,
            "metadata": self.metadata,
            "logger_defs": self.loggers,
            "owners": self.owners,
            "executor_def": self._executor_def,
        }
        renamed = {"resources": "resource_defs", "loggers": "logger_defs"}
        for key, value in changes.items():
            arguments[renamed.get(key, key)] = value
        return OpJob(self.graph_def, **arguments)

    def run_config_for(self, run_config: Any) -> dict[str, Any]:
        """The run config the ops see: the job's default, or its mapping of ``run_config``."""
        if isinstance(self.config, ConfigMapping):
            return dict(self.config.resolve(run_config) or {})
        if run_config is not None:
            return dict(run_config)
        config = self.config
        if config is not None and hasattr(config, "to_config_dict"):
            return dict(config.to_config_dict())
        return dict(config or {})

    def execute_in_process(
        self,
        run_config: Any = None,
        instance: Any = None,
        partition_key: str | None = None,
        raise_on_error: bool = True,
        op_selection: Sequence[str] | None = None,
        asset_selection: Sequence[Any] | None = None,
        resources: Mapping[str, Any] | None = None,
        tags: Mapping[str, Any] | None = None,
        run_id: str | None = None,
        input_values: Mapping[str, Any] | None = None,
    ) -> OpGraphResult:
        """Run every op of the graph once, in order, in this process.

        Raises:
            InvalidInvocationError: ``op_selection`` or ``asset_selection`` is given
                (op jobs run whole in nbassets).
        """
        del partition_key
        if op_selection is not None or asset_selection is not None:
            raise InvalidInvocationError(
                f"op_selection narrows asset jobs; job '{self.name}' is a graph of ops and "
                "runs whole in nbassets."
            )
        return run_graph(
            self.graph,
            job_name=self.name,
            run_config=self.run_config_for(run_config),
            resources={**self.resources, **(resources or {})},
            input_values=input_values,
            raise_on_error=raise_on_error,
            tags={**self.run_tags, **(tags or {})},
            run_id=run_id,
            instance=instance,
        )

    def __repr__(self) -> str:
        return f"<JobDefinition {self.name} (graph of ops)>"


def job(
    compose_fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    resource_defs: Mapping[str, Any] | None = None,
    config: Any = None,
    tags: Mapping[str, Any] | None = None,
    run_tags: Mapping[str, Any] | None = None,
    metadata: Mapping[str, Any] | None = None,
    logger_defs: Mapping[str, Any] | None = None,
    owners: Sequence[str] | None = None,
    **ignored: Any,
) -> Any:
    """Define a job from a composition of ops, as Dagster's ``@job``, run in process."""
    del ignored

    def build(fn: Callable[..., Any]) -> OpJob:
        graph_def = GraphDefinition(name, fn=fn, description=description)
        return OpJob(
            graph_def,
            name=name,
            config=config,
            tags=tags,
            run_tags=run_tags,
            resource_defs=resource_defs,
            description=description,
            metadata=metadata,
            logger_defs=logger_defs,
            owners=owners,
        )

    return build(compose_fn) if compose_fn is not None else build


class ReconstructableJob:
    """A job that can be found again by its module and name: Dagster's ``reconstructable``."""

    def __init__(self, target: Any, op_selection: Any = None) -> None:
        self.target = target
        self.op_selection = set(op_selection) if op_selection is not None else None

    def get_definition(self) -> Any:
        """The job: the target itself, or what the target function returns."""
        return _definition_of(self.target)

    def get_subset(self, op_selection: Any = None, **ignored: Any) -> ReconstructableJob:
        """The same job with ``op_selection`` recorded (asset jobs narrow by it)."""
        del ignored
        return ReconstructableJob(self.target, op_selection)

    def __repr__(self) -> str:
        return f"ReconstructableJob({getattr(self.target, 'name', self.target)!r})"


def _definition_of(target: Any) -> Any:
    if isinstance(target, (JobDefinition, GraphDefinition)):
        return target
    found = target()
    if not isinstance(found, (JobDefinition, GraphDefinition)):
        raise InvalidInvocationError(
            "Loadable attributes must be either a JobDefinition, GraphDefinition, Definitions, "
            f"or RepositoryDefinition. Got {found!r}."
        )
    return found


def reconstructable(target: Any) -> ReconstructableJob:
    """Mark a job (or a module-level function returning one) as findable again by name.

    As in Dagster, the target must be defined at module scope of an importable module:
    not a lambda, not inside a function, not in a notebook (run a notebook's job with
    ``job.execute_in_process()``).

    Raises:
        InvalidInvocationError: a target Dagster could not find again either.
    """
    if isinstance(target, OpJob):
        fn = target.graph.fn
        if fn is None:
            raise InvalidInvocationError(
                "Reconstructable target was not a function returning a job definition, or a "
                "job definition produced by a decorated function. Build the job with @job or "
                "return it from a function defined at module scope."
            )
    elif isinstance(target, JobDefinition):
        fn = None
    elif inspect.isfunction(target):
        fn = target
        if target.__name__ == "<lambda>":
            raise InvalidInvocationError(
                "Reconstructable target can not be a lambda. Use a function or decorated "
                "function defined at module scope instead."
            )
        required = [
            p
            for p in inspect.signature(target).parameters.values()
            if p.default is inspect.Parameter.empty
            and p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        ]
        if required:
            raise InvalidInvocationError(
                "Reconstructable target must be callable with no arguments; "
                f"{target.__qualname__} takes {[p.name for p in required]}."
            )
    else:
        raise InvalidInvocationError(
            "Reconstructable target was not a function returning a job definition, or a job "
            f"definition produced by a decorated function; got {target!r:.60}."
        )
    if fn is not None:
        if "<locals>" in fn.__qualname__:
            raise InvalidInvocationError(
                f"reconstructable() got {fn.__qualname__}, defined inside a function. Use a "
                "function or decorated function defined at module scope instead."
            )
        module = inspect.getmodule(fn)
        if module is None or module.__name__ == "__main__":
            raise InvalidInvocationError(
                "reconstructable() can not reconstruct jobs defined in interactive environments "
                "like <stdin>, IPython, or Jupyter notebooks. Define the job in a module, or run "
                "it here with job.execute_in_process()."
            )
    if inspect.isfunction(target):
        _definition_of(target)
    return ReconstructableJob(target)


def execute_job(
    job: Any,
    instance: Any = None,
    run_config: Any = None,
    tags: Mapping[str, Any] | None = None,
    raise_on_error: bool = False,
    op_selection: Sequence[str] | None = None,
    reexecution_options: Any = None,
    asset_selection: Any = None,
) -> Any:
    """Run ``job`` (a ``reconstructable`` one or the job itself); here, in process."""
    del reexecution_options
    definition = job.get_definition() if isinstance(job, ReconstructableJob) else job
    return _ResultContext(
        definition.execute_in_process(
            run_config=run_config,
            instance=instance,
            raise_on_error=raise_on_error,
            op_selection=op_selection,
            asset_selection=asset_selection,
            tags=tags,
        )
    )


class _ResultContext:
    """``execute_job``'s result, usable with ``with`` as Dagster's is."""

    def __init__(self, result: Any) -> None:
        self._result = result

    def __enter__(self) -> Any:
        return self._result

    def __exit__(self, *exc: object) -> None:
        return None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._result, name)


def validate_run_config(
    job_def: Any, run_config: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The run config ``job_def`` would run with, defaults filled; raises if it does not fit.

    Raises:
        ConfigError: a key an op does not take, a missing required key, a wrong type.
    """
    from nbassets.engine.op_runs import _op_config

    if not isinstance(job_def, OpJob):
        return dict(run_config or {})
    config = job_def.run_config_for(run_config)
    steps, _ = plan_steps(job_def.graph, config, {})
    # Dagster's shape: every node by its handle (a graph's ops as "graph.op" beside it).
    ops: dict[str, Any] = {}
    needed: set[str] = {"io_manager"}
    for step in steps:
        parts = step.handle.split(".")
        for depth in range(1, len(parts)):
            ops.setdefault(".".join(parts[:depth]), _node_entry(None))
        ops[step.handle] = _node_entry(_op_config(step))
        needed.update(step.op.required_resource_keys)
    given = dict(config.get("resources") or {})
    return {
        "ops": ops,
        "execution": config.get("execution") or _execution_defaults(job_def.executor_def.name),
        "resources": {
            name: {"config": (given.get(name) or {}).get("config")} for name in sorted(needed)
        },
        "loggers": dict(config.get("loggers") or {}),
    }


def _node_entry(config: Any) -> dict[str, Any]:
    return {"config": config, "inputs": {}, "outputs": None}


def _execution_defaults(executor_name: str) -> dict[str, Any]:
    """The ``execution`` section Dagster fills in for an executor left unconfigured."""
    retries: dict[str, Any] = {"retries": {"enabled": {}}}
    multiprocess = {"max_concurrent": None, **retries}
    if executor_name == "in_process":
        return {"in_process": retries}
    if executor_name == "multiprocess":
        return {"multiprocess": multiprocess}
    if executor_name == "multi_or_in_process":
        return {"multi_or_in_process_executor": {"multiprocess": multiprocess}}
    return {executor_name: {}}
