"""``materialize`` and ``materialize_to_memory``: Dagster's entry points for a run.

Responsibilities:
- Take Dagster's arguments (an explicit list of definitions, or the kernel
  registry's when none is given), then ``prepare_run`` and ``execute``: these
  two functions are nothing more, so every caller runs through one plan.
- ``materialize`` runs with the instance's IO managers (by default the
  in-memory store, so values outlive the run); ``materialize_to_memory``
  refuses IO managers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from nbassets.engine.execute import RunListener, execute
from nbassets.engine.executors import Executor
from nbassets.engine.prepare import prepare_run
from nbassets.engine.result import ExecuteInProcessResult
from nbassets.graph.registry import Registry
from nbassets.storage.instance import Instance

__all__ = ["materialize", "materialize_to_memory"]


def materialize(
    assets: Sequence[Any] | None = None,
    run_config: Any = None,
    instance: Instance | None = None,
    resources: Mapping[str, Any] | None = None,
    partition_key: str | None = None,
    raise_on_error: bool = True,
    tags: Mapping[str, str] | None = None,
    selection: Any = None,
    *,
    partition_keys: Sequence[str] | None = None,
    partition_key_range: Any = None,
    executor: str | Executor | None = None,
    registry: Registry | None = None,
    listeners: Sequence[RunListener] = (),
) -> ExecuteInProcessResult:
    """Materialize ``assets`` (all, or ``selection`` of them) in this process.

    As Dagster's ``materialize``; without ``assets`` the kernel registry's
    definitions are used. Values go through the IO managers in ``resources``,
    by default the kernel's in-memory store, where later runs find them.

    Beyond Dagster: ``partition_keys=[...]`` or ``partition_key_range=(start, end)``
    (or a ``PartitionKeyRange``) materializes many partitions in one run, a step per
    partition, or one step per asset that declares ``BackfillPolicy.single_run()``.
    """
    prepared = prepare_run(
        assets,
        selection=selection,
        run_config=run_config,
        resources=resources,
        partition_key=partition_key,
        partition_keys=partition_keys,
        partition_key_range=partition_key_range,
        tags=tags,
        executor=executor,
        instance=instance,
        registry=registry,
    )
    return execute(prepared, listeners, raise_on_error=raise_on_error)


def materialize_to_memory(
    assets: Sequence[Any] | None = None,
    run_config: Any = None,
    instance: Instance | None = None,
    resources: Mapping[str, Any] | None = None,
    partition_key: str | None = None,
    raise_on_error: bool = True,
    tags: Mapping[str, str] | None = None,
    selection: Any = None,
    *,
    partition_keys: Sequence[str] | None = None,
    partition_key_range: Any = None,
    executor: str | Executor | None = None,
    registry: Registry | None = None,
    listeners: Sequence[RunListener] = (),
) -> ExecuteInProcessResult:
    """Like ``materialize``, keeping every value in memory; IO managers are refused."""
    prepared = prepare_run(
        assets,
        selection=selection,
        run_config=run_config,
        resources=resources,
        partition_key=partition_key,
        partition_keys=partition_keys,
        partition_key_range=partition_key_range,
        tags=tags,
        executor=executor,
        instance=instance,
        registry=registry,
        in_memory=True,
    )
    return execute(prepared, listeners, raise_on_error=raise_on_error)
