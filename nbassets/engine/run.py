"""Executing a planned run, step by step.

Responsibilities:
- Call each step's function with its inputs, context, config and resources;
  retry per its ``RetryPolicy``; store outputs through IO managers; record
  materializations and check evaluations in the instance; emit events.
- Skip steps downstream of a failure or a failed blocking check, naming why.
- Keep every value that succeeded when a step fails or the run is interrupted.
- Under the threads executor, serialize every effect of a step (events, stored
  values, records) behind one lock held except while user code runs, so a
  cancelled run can discard what its still-running steps produce.

The hot path (``_run_asset``) does only what each step needs: the engine's
overhead per asset is measured in ``bench/``.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from nbassets.definitions.assets import AssetsDefinition
from nbassets.definitions.check_specs import check_output_name
from nbassets.definitions.checks import AssetChecksDefinition
from nbassets.definitions.keys import AssetKey
from nbassets.definitions.metadata import MetadataValue
from nbassets.definitions.results import (
    AssetCheckResult,
    AssetCheckSeverity,
    Failure,
    RetryRequested,
)
from nbassets.engine.check_results import match_check_results, resolve_check_spec
from nbassets.engine.compute import (
    Computed,
    Notice,
    PreSplit,
    merged_metadata,
    retry_message,
    retry_wait,
    split_partitions,
)
from nbassets.engine.context import (
    AssetCheckExecutionContext,
    AssetExecutionContext,
    Resources,
    RunInfo,
    RunLogger,
)
from nbassets.engine.events import (
    AssetCheckEvaluation,
    AssetCheckEvaluationTargetMaterializationData,
    AssetMaterialization,
    ErrorInfo,
    EventType,
    LogData,
    RunEvent,
    StepFailureData,
    StepSkippedData,
)
from nbassets.engine.hook_runs import run_hooks
from nbassets.engine.input_guard import InputWatch, report_changed, watch_inputs
from nbassets.engine.interrupts import InterruptGuard, exit_failure
from nbassets.engine.outputs import OutputShapeError, StepOutputNotFoundError, read_outputs
from nbassets.engine.plan import Plan
from nbassets.engine.steps import Step, step_context_fields
from nbassets.engine.type_checks import asset_output_type, check_output
from nbassets.errors import MissingUpstreamError
from nbassets.storage.instance import NO_VALUE, Instance
from nbassets.storage.io_manager import (
    InMemoryIOManager,
    InputContext,
    OutputContext,
    has_stored_value,
)
from nbassets.storage.remote_values import RemoteValue, RemoteValues

__all__ = ["Outcome", "Run"]

Outcome = Literal["success", "failed", "skipped", "blocked"]
CODE_VERSION_TAG = "dagster/code_version"
Listener = Callable[[RunEvent], None]
_now = time.time
_clock = time.perf_counter


class _Discarded(BaseException):
    """Unwinds a worker's step whose run was cancelled while its user code ran."""


class Run:
    """One run of a plan: its events, outcomes and the values it produced."""

    def __init__(
        self,
        plan: Plan,
        *,
        run_id: str,
        tags: Mapping[str, str],
        resources: Mapping[str, Any],
        instance: Instance,
        listeners: list[Listener],
        run_config: Mapping[str, Any] | None = None,
    ) -> None:
        self.plan = plan
        self.run_id = run_id
        self.info = RunInfo(run_id, dict(tags), dict(run_config or {}))
        self.resources = dict(resources)
        self.resource_view = Resources(self.resources)
        # Inputs between steps skip load_input only when the default in-memory store
        # holds them: any other IO manager sees every load, as in Dagster.
        self.memory_managers = frozenset(
            name for name, value in self.resources.items() if type(value) is InMemoryIOManager
        )
        self.instance = instance
        self.listeners = listeners
        self.events: list[RunEvent] = []
        self.values: dict[AssetKey, Any] = {}
        self.outputs: dict[str, dict[str, Any]] = {}
        self.outcomes: dict[str, Outcome] = {}
        self.reasons: dict[str, str] = {}
        self.errors: dict[str, BaseException] = {}
        self._unhealthy = False
        # Only the threads executor needs events serialized; in-process runs skip the lock.
        self._lock: threading.RLock | None = None
        self._owner: int | None = None
        # Set (under the lock) when a threads run is cancelled: from then on, steps
        # still running in worker threads store, record and emit nothing.
        self.cancelled = False
        # Holds SIGINT outside user code (in-process runs on the main thread).
        self.guard: InterruptGuard | None = None

    def use_lock(self) -> None:
        self._lock = threading.RLock()
        self._owner = threading.get_ident()

    def execute_step_in_worker(self, step: Step) -> Outcome:
        """``execute_step`` for a worker thread: every effect made under the run's lock."""
        lock = self._lock
        assert lock is not None
        with lock:
            if self.cancelled:
                return "failed"
            try:
                return self.execute_step(step)
            except _Discarded:
                return "failed"

    def cancel(self, running: list[Step]) -> None:
        """End ``running`` steps as failed (cancelled) and discard all they do from now on."""
        with self._lock or contextlib.nullcontext():
            for step in running:
                if step.key not in self.outcomes:
                    interrupt = KeyboardInterrupt(
                        "the run was cancelled while this step ran; whatever it returns "
                        "is discarded"
                    )
                    self._fail(step, interrupt, _clock(), 0)
            self.cancelled = True

    # Events ------------------------------------------------------------------------

    def emit(
        self,
        event_type: EventType,
        step: Step | None = None,
        asset_key: AssetKey | None = None,
        data: Any = None,
        message: str = "",
    ) -> RunEvent:
        event = RunEvent(
            event_type,
            self.run_id,
            _now(),
            step.key if step is not None else None,
            asset_key,
            data,
            message,
            step.partition_key if step is not None else None,
        )
        if self._lock is None:
            self.events.append(event)
            for listener in self.listeners:
                listener(event)
        else:
            with self._lock:
                if self.cancelled and threading.get_ident() != self._owner:
                    return event  # a cancelled step's worker: nobody may hear of it
                self.events.append(event)
                for listener in self.listeners:
                    listener(event)
        return event

    def warn(self, step: Step, message: str) -> None:
        self.emit(EventType.LOG, step, None, LogData("WARNING", message), message)

    def _event_sink(self, step: Step) -> Callable[[Any], None]:
        def sink(event: Any) -> None:
            if isinstance(event, AssetMaterialization):
                self.emit(EventType.ASSET_MATERIALIZATION, step, event.asset_key, event)
            else:
                self.emit(EventType.LOG, step, None, LogData("EVENT", repr(event)), repr(event))

        return sink

    def _log_sink(self, step: Step) -> Callable[[str, str], None]:
        def sink(level: str, message: str) -> None:
            self.emit(EventType.LOG, step, None, LogData(level, message), message)

        return sink

    # Steps -------------------------------------------------------------------------

    def blocked_reason(self, step: Step) -> str | None:
        """Why ``step`` must be skipped, or ``None`` when all it waits on succeeded."""
        for up in step.upstream:
            outcome = self.outcomes.get(up.key)
            if outcome == "success" or outcome is None:
                continue
            if outcome == "failed":
                return f"upstream '{up.label}' failed"
            if outcome == "blocked":
                return f"a blocking check on '{up.label}' failed"
            return f"upstream '{up.label}' was skipped ({self.reasons.get(up.key, 'skipped')})"
        return None

    def skip(self, step: Step, reason: str) -> None:
        self._unhealthy = True
        self.outcomes[step.key] = "skipped"
        self.reasons[step.key] = reason
        self.emit(EventType.STEP_SKIPPED, step, None, StepSkippedData(reason), f"Skipped: {reason}")
        if step.kind == "asset":
            for key in step.asset_keys:
                for partition in step.partition_keys or (step.partition_key,):
                    self.instance.record_outcome(key, "skipped", self.run_id, reason, partition)

    def execute_step(self, step: Step) -> Outcome:
        """Run one step to its outcome; KeyboardInterrupt propagates after recording it."""
        # ``begin`` inlined: this is the hot path of every in-kernel step.
        reason = self.blocked_reason(step) if self._unhealthy else None
        if reason is not None:
            self.skip(step, reason)
            return "skipped"
        self.emit(EventType.STEP_START, step)
        return self.conclude(step, _clock(), None)

    def begin(self, step: Step) -> bool:
        """Skip ``step`` (False) when what it waits on did not succeed, else start it."""
        # Only a run that already has a failure, skip or blocked check looks upstream.
        reason = self.blocked_reason(step) if self._unhealthy else None
        if reason is not None:
            self.skip(step, reason)
            return False
        self.emit(EventType.STEP_START, step)
        return True

    def conclude(self, step: Step, started: float, computed: Computed | None) -> Outcome:
        """Compute ``step`` here (``computed`` is ``None``) or take a worker's answer; record it.

        Whatever fails, in user code or in recording, fails the step alone;
        KeyboardInterrupt propagates after the step is recorded as failed.
        """
        try:
            if computed is None:
                computed = self._compute(step)
            elif computed.notices or computed.error is not None or computed.changed:
                self._replay(step, computed)
            if computed.node_outputs:
                for handle, values in computed.node_outputs.items():
                    self.outputs[f"{step.key}.{handle}"] = values
            if step.kind == "asset":
                outcome = self._record_asset(step, computed, started)
            else:
                outcome = self._record_check_step(step, computed, started)
        except KeyboardInterrupt as interrupt:
            self._fail(step, interrupt, started, 0)
            raise
        except _Discarded:
            raise
        except (SystemExit, GeneratorExit) as exit_:
            # sys.exit() in user code (argparse, click) fails its step, not the run.
            self._fail(step, exit_failure(exit_, step.label), started, 0)
            return "failed"
        except BaseException as error:  # noqa: BLE001 - a step's failure must not end the run
            self._fail(step, error, started, getattr(error, "_nbassets_attempts", 0))
            if getattr(step.definition, "hooks", None):
                run_hooks(self, step, error)
            return "failed"
        self.outcomes[step.key] = outcome
        if outcome != "success":
            self._unhealthy = True
        if getattr(step.definition, "hooks", None):
            run_hooks(self, step, None)
        return outcome

    def _replay(self, step: Step, computed: Computed) -> None:
        """Replay a worker's answer: log lines, retry notices, inputs changed in place.

        Then raise the error that failed the step, if any.
        """
        self.emit_notices(step, computed.notices)
        for change in computed.changed:
            report_changed(step, self, step.definition.fn, change)
        if computed.error is not None:
            raise computed.error

    def emit_notices(self, step: Step, notices: Sequence[Notice]) -> None:
        """Emit log lines, logged events and retry notices a worker sent for ``step``."""
        for notice in notices:
            kind = notice[0]
            if kind == "LOG":
                self.emit(EventType.LOG, step, None, LogData(notice[1], notice[2]), notice[2])
            elif kind == "EVENT":
                self._event_sink(step)(notice[1])
            else:
                self.emit(EventType.STEP_UP_FOR_RETRY, step, None, notice[1], notice[2])

    def _fail(self, step: Step, error: BaseException, started: float, retries: int) -> None:
        self._unhealthy = True
        self.outcomes[step.key] = "failed"
        self.errors[step.key] = error
        user_data = error if isinstance(error, Failure) else None
        info = ErrorInfo.from_exception(error)
        self.emit(
            EventType.STEP_FAILURE,
            step,
            None,
            StepFailureData(info, user_data, retries),
            f"Step '{step.label}' failed after {_clock() - started:.3f}s: {info.message}",
        )
        if step.kind == "asset":
            for key in step.asset_keys:
                for partition in step.partition_keys or (step.partition_key,):
                    self.instance.record_outcome(
                        key, "failed", self.run_id, info.message, partition
                    )

    def _call(
        self,
        step: Step,
        fn: Callable[..., Any],
        kwargs: dict[str, Any],
        context: AssetExecutionContext | None,
        policy: Any,
    ) -> Any:
        attempt = 0
        while True:
            try:
                if self._lock is not None:
                    return self._call_in_worker(fn, kwargs)
                guard = self.guard
                if guard is None:
                    return fn(**kwargs)
                # Only here (and in a retry's wait) may a Ctrl-C interrupt the step.
                guard.interruptible = True
                try:
                    return fn(**kwargs)
                finally:
                    guard.interruptible = False
            except (RetryRequested, Exception) as error:
                wait = retry_wait(error, attempt, policy)
                if wait is None:
                    error._nbassets_attempts = attempt  # type: ignore[attr-defined]
                    raise
                attempt += 1
                self.emit(
                    EventType.STEP_UP_FOR_RETRY,
                    step,
                    None,
                    ErrorInfo.from_exception(error),
                    retry_message(error, attempt, policy),
                )
                if wait:
                    self._wait(wait)
                if context is not None:
                    context.retry_number = attempt

    def _call_watched(
        self,
        step: Step,
        fn: Callable[..., Any],
        kwargs: dict[str, Any],
        context: AssetExecutionContext | None,
        policy: Any,
        watch: InputWatch | None,
    ) -> Any:
        """``_call``, then report the inputs the user code changed in place (returned or not)."""
        if watch is None:
            return self._call(step, fn, kwargs, context, policy)
        try:
            returned = self._call(step, fn, kwargs, context, policy)
        except Exception as error:
            watch.settle(step, self)
            watch.explain(step, error)
            raise
        except KeyboardInterrupt:
            # What the step changed before Ctrl-C is changed all the same: the
            # upstream is marked stale before the interrupt goes on.
            watch.settle(step, self)
            raise
        watch.settle(step, self)
        return returned

    def _call_in_worker(self, fn: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
        """Call user code in a worker thread without the run's lock, then take it back."""
        lock = self._lock
        assert lock is not None
        lock.release()
        try:
            return fn(**kwargs)
        finally:
            lock.acquire()
            if self.cancelled:
                raise _Discarded

    def _wait(self, seconds: float) -> None:
        """A retry's wait: interruptible, and without holding the run's lock."""
        if self._lock is not None:
            self._call_in_worker(lambda: time.sleep(seconds), {})
        elif self.guard is not None:
            self.guard.interruptible = True
            try:
                time.sleep(seconds)
            finally:
                self.guard.interruptible = False
        else:
            time.sleep(seconds)

    def _load(self, step: Step, item: Any) -> Any:
        """Load an input through its IO manager (values from this run included)."""
        manager = self.resources[item.io_manager_key]
        if item.partitions is not None:
            return self._load_partitions(step, item, manager)
        if (
            item.from_run
            and item.partition is None
            and item.key not in self.values
            and type(manager) is InMemoryIOManager
        ):
            raise OutputShapeError(
                f"'{step.label}' reads '{item.key.to_user_string()}', which stored no value in "
                "this run: it returned a MaterializeResult without value=. Return "
                "MaterializeResult(value=...) from it, or load the data yourself and list it "
                "in deps= instead of as a parameter."
            )
        return manager.load_input(
            InputContext(
                asset_key=item.key,
                name=item.param,
                step_key=step.key,
                partition_key=item.partition,
                definition_metadata=item.metadata,
                resources=self.resource_view,
            )
        )

    def _load_partitions(self, step: Step, item: Any, manager: Any) -> dict[str, Any]:
        """Several upstream partitions as ``{partition: value}``.

        An unpartitioned asset reading a partitioned one gets the partitions that
        exist (and a warning naming how many are missing); a partitioned one needs
        every partition its mapping names.
        """
        name = item.key.to_user_string()
        present = [
            p for p in item.partitions if has_stored_value(manager, item.key, p) is not False
        ]
        absent = len(item.partitions) - len(present)
        lenient = step.partition_key is None and step.partition_keys is None
        if absent and (not lenient or not present):
            missing = [p for p in item.partitions if p not in set(present)]
            shown = ", ".join(missing[:5]) + ("…" if len(missing) > 5 else "")
            raise MissingUpstreamError(
                f"'{step.label}' reads {len(item.partitions)} partition(s) of '{name}', and "
                f"{absent} are not materialized ({shown}).",
                advice=(
                    f"Materialize them first (selection='{name}', "
                    f"partition_key_range=('{missing[0]}', '{missing[-1]}'))."
                ),
                asset=item.key,
                names=missing,
            )
        if absent:
            self.emit(
                EventType.LOG,
                step,
                None,
                LogData(
                    "WARNING",
                    f"read {len(present)} of {len(item.partitions)} partitions "
                    f"of '{name}'; {absent} are not materialized",
                ),
            )
        values = {}
        for partition in present:
            values[partition] = manager.load_input(
                InputContext(
                    asset_key=item.key,
                    name=item.param,
                    step_key=step.key,
                    partition_key=partition,
                    definition_metadata=item.metadata,
                    resources=self.resource_view,
                )
            )
        return values

    def _arguments(
        self, step: Step, definition: AssetsDefinition | AssetChecksDefinition
    ) -> tuple[dict[str, Any], AssetExecutionContext | None]:
        values = self.values
        memory = self.memory_managers
        kwargs = {
            item.param: values[item.key]
            if item.from_run and item.io_manager_key in memory and item.key in values
            else self._load(step, item)
            for item in step.inputs
        }
        roles = definition.roles
        context = None
        if roles.context is not None or definition.required_resource_keys:
            common = {
                "run": self.info,
                "resources": self.resource_view,
                "log": RunLogger(self._log_sink(step), self._event_sink(step)),
                "instance": self.instance,
                **step_context_fields(step, definition),
            }
            if isinstance(definition, AssetsDefinition):
                context = AssetExecutionContext(
                    **common, partitions_def=definition.partitions_def, assets_def=definition
                )
            else:
                context = AssetCheckExecutionContext(
                    **common,
                    check_name=definition.name,
                    checks_def=definition,
                )
            if roles.context is not None:
                kwargs[roles.context] = context
        if roles.config is not None:
            kwargs[roles.config[0]] = step.config
        for name in roles.resources:
            kwargs[name] = self.resources[name]
        return kwargs, context

    def _store(
        self, step: Step, key: AssetKey, out: Any, value: Any, partition: str | None
    ) -> dict[str, MetadataValue]:
        """Hand ``value`` to its IO manager; return metadata the IO manager added."""
        manager = self.resources[out.io_manager_key]
        if type(manager) is InMemoryIOManager:
            # The default store needs no context: write straight into it.
            manager.values[(key, partition)] = value
            return {}
        out_context = OutputContext(
            asset_key=key,
            name=out.name,
            step_key=step.key,
            run_id=self.run_id,
            partition_key=partition,
            definition_metadata=out.metadata,
            resources=self.resource_view,
        )
        manager.handle_output(out_context, value)
        return out_context.consume_added_metadata()

    def _compute(self, step: Step) -> Computed:
        """Call the step's function here (in the kernel) and read what it returned."""
        definition = step.definition
        kwargs, context = self._arguments(step, definition)
        watch = (
            watch_inputs(step, kwargs, definition.fn, self.memory_managers) if step.inputs else None
        )
        returned = self._call_watched(
            step, definition.fn, kwargs, context, definition.retry_policy, watch
        )
        added = context._added if context is not None else None
        if isinstance(definition, AssetChecksDefinition):
            return Computed(added=added, returned=returned)
        produced, checks = read_outputs(definition, step.asset_keys, returned)
        nodes = context.node_outputs if context is not None else None
        return Computed(produced, checks, added, node_outputs=nodes)

    def _record_asset(self, step: Step, computed: Computed, started: float) -> Outcome:
        definition = step.definition
        assert isinstance(definition, AssetsDefinition)
        produced = computed.produced
        added_metadata = computed.added
        duration = _clock() - started
        latest_ids = self.instance.latest_ids
        versions = {k: latest_ids.get(k, 0) for k in definition.upstream_keys}
        multi = len(produced) > 1
        node_outputs = self.outputs.setdefault(step.key, {})
        for item in produced:
            key = item.key
            out = definition.output_by_key[key]
            expected = asset_output_type(definition, out)
            # A value a Dask worker keeps is checked where it is read, not fetched for this.
            if expected is not None and type(item.value) is not RemoteValue:
                check_output(expected, item.value if item.has_value else None, out.name, None)
            metadata = item.metadata
            if added_metadata:
                added = merged_metadata(added_metadata, key)
                if added:
                    metadata = {**metadata, **added}
            if multi:
                # Siblings recorded just before may be this output's inputs.
                versions = {k: latest_ids.get(k, 0) for k in definition.parents_of(key)}
            # The instance's own store keeps the value: it is hashed or persisted from there.
            instance_keeps = self.resources[out.io_manager_key] is self.instance.io_manager
            for partition, value in self._per_partition(step, item):
                part_metadata = metadata
                if item.has_value:
                    if type(value) is RemoteValue:
                        value = self._landed(value, out, instance_keeps)
                    added = self._store(step, key, out, value, partition)
                    if added:
                        part_metadata = {**metadata, **added}
                    if partition is None:
                        self.values[key] = value
                node_outputs[out.name] = item.value
                self._record(
                    step,
                    definition,
                    key,
                    partition,
                    duration,
                    versions,
                    part_metadata,
                    item,
                    value if item.has_value and instance_keeps else NO_VALUE,
                )
        blocked = (
            self._evaluate_embedded_checks(step, definition, computed.checks)
            if computed.checks or step.check_keys
            else False
        )
        self.emit(EventType.STEP_SUCCESS, step, None, duration)
        return "blocked" if blocked else "success"

    def _landed(self, value: RemoteValue, out: Any, instance_keeps: bool) -> Any:
        """What the kernel keeps of a value a Dask worker holds: the value, or a handle on it.

        The default in-memory store keeps the handle (the value is fetched when read);
        any other IO manager, and a persistent store, get the value itself.
        """
        manager = self.resources[out.io_manager_key]
        if type(manager) is not InMemoryIOManager or (
            instance_keeps and self.instance.store is not None
        ):
            return value.fetch()
        if type(manager.values) is dict:
            manager.values = RemoteValues(manager.values)
        return value

    def _per_partition(self, step: Step, item: Any) -> list[tuple[str | None, Any]]:
        """(partition, value) pairs: one for a plain step, one per key for a range step."""
        if step.partition_keys is None:
            return [(step.partition_key, item.value)]
        if type(item.value) is PreSplit:  # split on the worker that holds the values
            split, item.value = item.value, item.value.whole
            return split.parts
        return split_partitions(step.label, step.partition_keys, item)

    def _record(
        self,
        step: Step,
        definition: AssetsDefinition,
        key: AssetKey,
        partition: str | None,
        duration: float,
        versions: Mapping[AssetKey, int],
        metadata: Mapping[str, MetadataValue],
        item: Any,
        value: Any,
    ) -> None:
        code_version = definition.effective_code_version(key)
        self.instance.record_materialization(
            self.run_id,
            key,
            partition,
            duration,
            code_version,
            versions,
            metadata,
            item.data_version,
            value=value,
        )
        tags = definition.version_tags[key]
        self.emit(
            EventType.ASSET_MATERIALIZATION,
            step,
            key,
            AssetMaterialization(
                key,
                metadata=metadata,
                partition=partition,
                tags={**item.tags, **tags} if item.tags else tags,
            ),
        )

    def _evaluate_embedded_checks(
        self, step: Step, definition: AssetsDefinition, results: Sequence[AssetCheckResult]
    ) -> bool:
        """Record the results of the checks declared with ``check_specs=``, as Dagster does.

        A result for a check the run did not select is recorded with a warning; a
        selected check without a result fails the step unless the function can subset.
        """
        selected = set(step.check_keys)
        seen = set()
        blocked = False
        for result in results:
            spec = resolve_check_spec(definition.check_specs, result)
            if spec.key not in selected:
                message = (
                    f"AssetCheckResult for check '{spec.name}' for asset "
                    f"'{spec.asset_key.to_user_string()}' was yielded which is not selected. "
                    "Letting it through."
                )
                self.emit(EventType.LOG, step, None, LogData("WARNING", message), message)
            seen.add(spec.key)
            blocked |= self._record_check(step, spec.asset_key, spec.name, spec.blocking, result)
        absent = [s for s in definition.check_specs if s.key in selected and s.key not in seen]
        if absent and not definition.can_subset:
            raise StepOutputNotFoundError(
                f'Core compute for op "{definition.node_name}" did not return an output for '
                f'non-optional output "{check_output_name(absent[0])}"',
                advice=f"Yield an AssetCheckResult(check_name='{absent[0].name}', passed=...) "
                "for each check in check_specs=, or define the asset with can_subset=True.",
            )
        return blocked

    def _record_check(
        self, step: Step, key: AssetKey, name: str, blocking: bool, result: AssetCheckResult
    ) -> bool:
        partition = step.partition_key
        latest = (
            self.instance.latest(key, partition)
            if partition is not None
            else self.instance.get_latest_materialization_event(key)
        )
        target = (
            AssetCheckEvaluationTargetMaterializationData(
                latest.storage_id, latest.run_id, latest.timestamp
            )
            if latest is not None
            else None
        )
        evaluation = AssetCheckEvaluation(
            key,
            name,
            result.passed,
            result.metadata,
            result.severity,
            result.description,
            blocking,
            target,
            partition,
        )
        verdict = "passed" if result.passed else "failed"
        if self.instance.store is not None:
            self.instance.store.record_check(self.run_id, key, name, result)
        self.emit(
            EventType.ASSET_CHECK_EVALUATION,
            step,
            key,
            evaluation,
            f"Check '{key.to_user_string()}:{name}' {verdict}",
        )
        # Dagster blocks downstream only on an ERROR-severity failure; WARN reports.
        return blocking and not result.passed and result.severity is AssetCheckSeverity.ERROR

    def _record_check_step(self, step: Step, computed: Computed, started: float) -> Outcome:
        check = step.definition
        assert isinstance(check, AssetChecksDefinition)
        blocked = False
        for spec, result in match_check_results(check, computed.returned):
            blocked |= self._record_check(step, spec.asset_key, spec.name, spec.blocking, result)
        duration = _clock() - started
        self.emit(
            EventType.STEP_SUCCESS,
            step,
            None,
            duration,
            f"Check '{step.label}' ran in {duration:.3f}s",
        )
        return "blocked" if blocked else "success"
