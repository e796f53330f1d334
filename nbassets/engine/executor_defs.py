"""Dagster's executor definitions, carried by jobs and ``Definitions``.

Responsibilities:

* ``ExecutorDefinition`` and ``@executor``: how a job's runs would be executed by a
  Dagster deployment; ``in_process_executor``, ``multiprocess_executor`` and
  ``multi_or_in_process_executor`` are Dagster's own.
* ``Executor``: Dagster's base class for a custom executor; an instance given to
  ``Definitions(executor=...)`` becomes a definition that always returns it.

``execute_in_process`` runs in this process whatever the job's executor is, as in
Dagster; nbassets' own executors (threads, Dask) are chosen with
``materialize(executor=...)`` (see ``nbassets.engine.executor_spec``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from nbassets.errors import InvalidDefinitionError

__all__ = [
    "Executor",
    "ExecutorDefinition",
    "as_executor_definition",
    "executor",
    "in_process_executor",
    "multi_or_in_process_executor",
    "multiprocess_executor",
]


class Executor(ABC):
    """Dagster's base class for a custom executor (carried; runs here are in process)."""

    @abstractmethod
    def execute(self, plan_context: Any, execution_plan: Any) -> Any:
        """Execute a plan: called by a Dagster deployment, never by nbassets."""

    @property
    @abstractmethod
    def retries(self) -> Any:
        """The executor's retry mode."""


class ExecutorDefinition:
    """A named way to execute a job's runs, with its config schema."""

    def __init__(
        self,
        name: str,
        config_schema: Any = None,
        requirements: Any = None,
        executor_creation_fn: Callable[[Any], Any] | None = None,
        description: str | None = None,
    ) -> None:
        self.name = name
        self.config_schema = config_schema
        self.requirements = requirements
        self.executor_creation_fn = executor_creation_fn
        self.description = description

    @staticmethod
    def hardcoded_executor(executor: Executor) -> ExecutorDefinition:
        """A definition whose creation always returns ``executor``."""
        return ExecutorDefinition(type(executor).__name__, executor_creation_fn=lambda _: executor)

    def __repr__(self) -> str:
        return f"ExecutorDefinition({self.name!r})"


def executor(
    name: Any = None,
    config_schema: Any = None,
    requirements: Any = None,
) -> Any:
    """Define an executor from its creation function, as Dagster's ``@executor``."""

    def build(fn: Callable[[Any], Any]) -> ExecutorDefinition:
        return ExecutorDefinition(
            name if isinstance(name, str) else fn.__name__,
            config_schema=config_schema,
            requirements=requirements,
            executor_creation_fn=fn,
            description=fn.__doc__,
        )

    return build(name) if callable(name) else build


def _in_process(_context: Any) -> Any:
    from nbassets.engine.executors import InProcessExecutor

    return InProcessExecutor()


def _process_per_step(_context: Any) -> Any:
    raise InvalidDefinitionError(
        "nbassets has no process-per-step executor: runs stay in the kernel. Choose "
        "materialize(executor='threads') or executor='dask' to run steps in parallel."
    )


in_process_executor = ExecutorDefinition(
    "in_process", executor_creation_fn=_in_process, description="Steps run one by one."
)
multiprocess_executor = ExecutorDefinition(
    "multiprocess", executor_creation_fn=_process_per_step, description="A process per step."
)
# Dagster's default; in its in-process mode, which is how nbassets runs.
multi_or_in_process_executor = ExecutorDefinition(
    "multi_or_in_process",
    executor_creation_fn=_in_process,
    description="Dagster's default: in process or a process per step, by run config.",
)


def as_executor_definition(value: Any) -> ExecutorDefinition | None:
    """``value`` (a definition, an ``Executor`` or ``None``) as an ``ExecutorDefinition``.

    Raises:
        InvalidDefinitionError: it is neither.
    """
    if value is None or isinstance(value, ExecutorDefinition):
        return value
    if isinstance(value, Executor):
        return ExecutorDefinition.hardcoded_executor(value)
    raise InvalidDefinitionError(
        f"executor= takes an ExecutorDefinition (in_process_executor, @executor) or an "
        f"Executor; got {value!r:.60}."
    )
