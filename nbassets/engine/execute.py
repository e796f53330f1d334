"""Executing a prepared run: ``execute(prepared, listeners)``.

Responsibilities:
- Run a ``PreparedRun``'s plan with its executor, calling each listener with
  every ``RunEvent`` as it happens (progress views, logbooks, the lab panel).
- Set up and tear down ``ConfigurableResource``s around the steps, record the
  run on the instance, and keep the registry's running set and statuses live.
- Finish with an ``ExecuteInProcessResult``; with ``raise_on_error`` re-raise
  the user's own exception after every independent step has run.
"""

from __future__ import annotations

import contextlib
import sys
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from nbassets.engine.events import EventType, RunEvent
from nbassets.engine.interrupts import InterruptGuard
from nbassets.engine.prepare import PreparedRun
from nbassets.engine.result import ExecuteInProcessResult
from nbassets.engine.run import Run
from nbassets.graph.registry import Registry
from nbassets.storage.instance import RunRecord

__all__ = ["RunListener", "execute"]

RunListener = Callable[[RunEvent], None]


def _registry_listener(registry: Registry, run: Run) -> RunListener:
    """Keep the registry's running set and status answers current while the run goes on."""
    keys_of = {step.key: step.asset_keys for step in run.plan.steps if step.kind == "asset"}
    running = registry.running
    start = EventType.STEP_START
    ends = frozenset({EventType.STEP_SUCCESS, EventType.STEP_FAILURE, EventType.STEP_SKIPPED})

    def listen(event: RunEvent) -> None:
        kind = event.event_type
        if kind is start:
            running.update(keys_of.get(event.step_key or "", ()))
        elif kind in ends:
            running.difference_update(keys_of.get(event.step_key or "", ()))
            # Subscribers learn of the change from this step event itself (and recolour
            # everything at the run's end): no status event per step on top of it.
            registry.forget_statuses()
        # Asked per event: a view may subscribe while the run goes on.
        if registry.has_subscribers:
            registry.publish(event)

    return listen


def execute(
    prepared: PreparedRun,
    listeners: Sequence[RunListener] = (),
    *,
    raise_on_error: bool = True,
) -> ExecuteInProcessResult:
    """Run ``prepared`` in this process, calling each listener with every event.

    Args:
        prepared: From ``prepare_run``.
        listeners: Called with each ``RunEvent`` in order, on the thread that
            produced it.
        raise_on_error: Re-raise the first step's own exception once every
            independent step has run (the result is on its ``nbassets_result``).

    Returns:
        The result: events, outputs, values and each step's outcome.
    """
    plan = prepared.plan
    registry = prepared.registry
    instance = prepared.instance
    tags = prepared.tags
    run_config = prepared.run_config
    run = Run(
        plan,
        run_id=str(uuid.uuid4()),
        tags=tags,
        resources=prepared.resources,
        instance=instance,
        listeners=list(listeners),
        run_config=run_config if isinstance(run_config, Mapping) else None,
    )
    if instance is registry.instance:
        run.listeners.append(_registry_listener(registry, run))
    # A cluster that cannot be reached fails here, before the run is recorded as started.
    prepared.executor.open()
    record = RunRecord(
        run.run_id, "STARTED", time.time(), None, dict(tags), tuple(s.key for s in plan.steps)
    )
    # Outside user code a Ctrl-C is held until the next step boundary, so the run's
    # record, each step's events and what is stored always agree.
    with InterruptGuard() as guard:
        run.guard = guard if guard.installed else None
        instance.runs.append(record)
        canceled = False
        run.emit(EventType.RUN_START)
        active = _setup_resources(prepared.resources, run)
        try:
            prepared.executor.execute(run)
            guard.raise_pending()
        except KeyboardInterrupt:
            canceled = True
            run.emit(EventType.RUN_CANCELED, message="Run canceled by KeyboardInterrupt")
            raise
        finally:
            _teardown_resources(active, run)
            record.end_time = time.time()
            failed = any(o == "failed" for o in run.outcomes.values())
            record.status = "CANCELED" if canceled else ("FAILURE" if failed else "SUCCESS")
            if instance.store is not None:
                instance.store.record_run(record)
            registry.running.difference_update(k for s in plan.steps for k in s.asset_keys)
            if not canceled:
                run.emit(EventType.RUN_FAILURE if failed else EventType.RUN_SUCCESS)
    keep = getattr(instance, "keep_run_events", None)
    if keep is not None:  # Dagster's instance keeps an event log; planned events first
        keep(run.run_id, [*_planned_events(plan, run), *run.events], tags=tags)
    result = ExecuteInProcessResult(
        run_id=run.run_id,
        events=run.events,
        outputs=run.outputs,
        values=run.values,
        outcomes=run.outcomes,
        reasons=run.reasons,
        tags=tags,
    )
    if raise_on_error and run.errors:
        error = next(iter(run.errors.values()))
        with contextlib.suppress(AttributeError):
            error.nbassets_result = result  # type: ignore[attr-defined]
        raise error
    return result


def _setup_resources(resources: Mapping[str, Any], run: Run) -> list[Any]:
    config = sys.modules.get("nbassets.definitions.config")
    if config is None:  # no ConfigurableResource can exist yet
        return []
    active = []
    for value in {id(v): v for v in resources.values()}.values():
        if isinstance(value, config.ConfigurableResource):
            value.setup_for_execution(run)
            active.append(value)
    return active


def _teardown_resources(active: list[Any], run: Run) -> None:
    for value in reversed(active):
        value.teardown_after_execution(run)


def _planned_events(plan: Any, run: Run) -> list[RunEvent]:
    """The ``*_PLANNED`` events Dagster logs at a run's start: each asset and check planned."""
    from nbassets.storage.testing import PlannedEvent

    started = run.events[0].timestamp if run.events else time.time()
    planned = []
    for step in plan.steps:
        if step.kind == "check":
            # A run that selected some checks of a multi-asset check plans only those.
            selected = getattr(step.definition, "selected_specs", None)
            keys = [s.key for s in selected] if selected is not None else step.definition.check_keys
            for check_key in sorted(keys, key=str):
                data = PlannedEvent(check_key.asset_key, step.partition_key, check_key.name)
                planned.append(
                    RunEvent(
                        EventType.ASSET_CHECK_EVALUATION_PLANNED,
                        run.run_id,
                        started,
                        step.key,
                        check_key.asset_key,
                        data,
                    )
                )
            continue
        for key in step.asset_keys:
            data = PlannedEvent(key, step.partition_key)
            planned.append(
                RunEvent(
                    EventType.ASSET_MATERIALIZATION_PLANNED,
                    run.run_id,
                    started,
                    step.key,
                    key,
                    data,
                )
            )
        for spec in getattr(step.definition, "check_specs", ()):
            if spec.asset_key in step.asset_keys:
                data = PlannedEvent(spec.asset_key, step.partition_key, spec.name)
                planned.append(
                    RunEvent(
                        EventType.ASSET_CHECK_EVALUATION_PLANNED,
                        run.run_id,
                        started,
                        step.key,
                        spec.asset_key,
                        data,
                    )
                )
    return planned
