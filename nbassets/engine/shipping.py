"""Shipping a step's compute to a Dask worker, and reading back what it did.

A shipped step is the compute part of a step (``nbassets.engine.compute``): the
kernel prepares it and records it; a worker calls the function.

Responsibilities:
- ``check_shippable``: before a run starts, pickle what each step sends (its
  function, by value when a notebook cell defined it; its config; the resources it
  asks for) and name the asset and the object that cannot travel, with the fix.
- ``ship``: a step's compute as a picklable ``ShippedStep`` with its inputs: values
  the kernel loaded, and handles on values workers hold (results of this run's
  upstream steps, ``RemoteValue``s of earlier runs), so those never pass the kernel.
- ``compute_shipped`` (on a worker): skip when an upstream failed or a blocking check
  failed; call the function under the same retry rule as the kernel; keep its log
  lines and retry notices in order; read its outputs; split a range step's value
  per partition. It never raises: a failure is part of its answer.
- ``summarize`` (on a worker): that answer without the values, which is all the
  kernel receives: sent on the run's channel (``nbassets.engine.dask_channel``) by
  the step itself, with its log lines as they are written; ``landed`` (in the
  kernel) puts handles on the values in their place.
"""

from __future__ import annotations

import contextlib
import inspect
import pickle
import time
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from nbassets.definitions.assets import AssetsDefinition
from nbassets.definitions.checks import AssetChecksDefinition
from nbassets.definitions.keys import AssetKey
from nbassets.definitions.results import AssetCheckResult, AssetCheckSeverity, RetryRequested
from nbassets.engine.compute import (
    Computed,
    Notice,
    PreSplit,
    check_results_in,
    retry_message,
    retry_wait,
    split_partitions,
)
from nbassets.engine.context import (
    AssetCheckExecutionContext,
    AssetExecutionContext,
    Resources,
    RunLogger,
)
from nbassets.engine.dask_channel import Channel, LiveNotices, packed
from nbassets.engine.events import ErrorInfo
from nbassets.engine.input_guard import ChangedInput, InputWatch, watch_inputs
from nbassets.engine.interrupts import exit_failure
from nbassets.engine.outputs import OutputShapeError, OutputsSpec, read_outputs
from nbassets.engine.steps import Step, StepInput, step_context_fields
from nbassets.errors import UnshippableStepError
from nbassets.storage.io_manager import InMemoryIOManager, InputContext
from nbassets.storage.remote_values import RemoteValue, raw_value

__all__ = [
    "ShippedStep",
    "StepResult",
    "check_shippable",
    "compute_shipped",
    "landed",
    "ship",
    "summarize",
]

# The slot of a range step's whole value (a partition key is never this string).
WHOLE = "\0whole"
# The first item of an op output's slot: (NODE, op handle, output name).
NODE = "\0node"
Slot = tuple[AssetKey, "str | None"]
# (parameter, partition or None for the whole parameter, upstream result, slot)
RemoteInput = tuple[str, "str | None", Any, Slot]


class Notices:
    """A worker's log lines and events for one step, in order (the light context's sinks).

    With ``live`` set (on the worker), notices are also sent to the kernel while
    the step runs, so the step's log shows them as they come. The step's summary
    carries them all again: the kernel shows the ones that did not arrive live.
    """

    __slots__ = ("items", "live")

    def __init__(self) -> None:
        self.items: list[Notice] = []
        # (channel, task key) until the first notice makes the sender.
        self.live: LiveNotices | tuple[Channel, str] | None = None

    def add(self, notice: Notice) -> None:
        self.items.append(notice)
        live = self.live
        if live is not None:
            try:
                if type(live) is tuple:
                    live = self.live = LiveNotices(live[0], live[1], self.items)
                assert isinstance(live, LiveNotices)
                live.added()
            except Exception:  # noqa: BLE001 - the summary brings them, at the step's end
                self.live = None

    def close(self) -> None:
        """The step ended: no more sends while it runs."""
        if isinstance(self.live, LiveNotices):
            self.live.close()
        self.live = None

    def log(self, level: str, message: str) -> None:
        self.add(("LOG", level, message))

    def event(self, event: Any) -> None:
        self.add(("EVENT", event))


@dataclass(slots=True)
class ShippedStep:
    """Everything a worker needs to compute one step; pickled with cloudpickle."""

    label: str
    kind: str
    fn: Any
    static: dict[str, Any]
    context: AssetExecutionContext | None
    context_param: str | None
    notices: Notices
    policy: Any
    keys: tuple[AssetKey, ...]
    partition_key: str | None
    partition_keys: tuple[str, ...] | None
    outputs: OutputsSpec | None = None
    # Names of the checks that stop downstream steps when they fail (ERROR severity).
    blocking: frozenset[str] = frozenset()
    # The check a result without check_name belongs to (a check step, or a sole spec).
    sole_check: str | None = None
    readers: dict[Slot, str] = field(default_factory=dict)
    # Where the worker sends the summary and live notices, and this step's task key.
    channel: Channel | None = None
    task_key: str = ""
    live_notices: bool = True
    # The inputs handed over by reference (the in-memory store's values on the
    # workers), watched for changes in place as in the kernel; their IO managers.
    inputs: tuple[StepInput, ...] = ()
    by_reference: frozenset[str] = frozenset()


class StepResult:
    """What a worker keeps of a step: the answer, its values by slot, and ``stops``.

    ``stops`` says the steps downstream must not run: it failed, was skipped, or a
    blocking check failed.
    """

    __slots__ = ("computed", "stops", "values")

    def __init__(self, computed: Computed, values: dict[Any, Any], stops: bool) -> None:
        self.computed = computed
        self.values = values
        self.stops = stops

    def value_of(self, slot: Any) -> Any:
        return self.values[slot]


class _RawReads:
    """An in-memory IO manager read without fetching: a ``RemoteValue`` stays a handle."""

    def __init__(self, manager: InMemoryIOManager) -> None:
        self._manager = manager

    def load_input(self, context: InputContext) -> Any:
        return raw_value(self._manager.values, (context.asset_key, context.partition_key))

    def has_value(self, asset_key: AssetKey, partition: str | None = None) -> bool:
        return self._manager.has_value(asset_key, partition)


# Preparing (in the kernel) ---------------------------------------------------------------


def ship(
    run: Any, step: Step, upstream_futures: Mapping[Slot, Any], fn: Any = None
) -> tuple[ShippedStep, dict[str, Any], list[RemoteInput]]:
    """A step's compute and its inputs, ready for ``client.submit(compute_shipped, ...)``.

    ``upstream_futures`` maps each (asset, partition) this run produces to the future
    of the step producing it; inputs read from those stay on the workers. ``fn`` is
    the function already pickled (bytes), if it was.
    """
    definition = step.definition
    values: dict[str, Any] = {}
    remote: list[RemoteInput] = []
    readers: dict[Slot, str] = {}
    for item in step.inputs:
        manager = run.resources[item.io_manager_key]
        memory = type(manager) is InMemoryIOManager
        slot = (item.key, item.partition)
        if item.partitions is None and item.from_run and memory and slot in upstream_futures:
            remote.append((item.param, None, upstream_futures[slot], slot))
            readers[slot] = item.key.to_user_string()
            continue
        reader = _RawReads(manager) if memory else manager
        if item.partitions is not None:
            loaded = run._load_partitions(step, item, reader)
            for partition, value in list(loaded.items()):
                if type(value) is RemoteValue:
                    remote.append((item.param, partition, value.future, value.slot))
                    loaded[partition] = None
            values[item.param] = loaded
            continue
        value = reader.load_input(
            InputContext(
                asset_key=item.key,
                name=item.param,
                step_key=step.key,
                partition_key=item.partition,
                definition_metadata=item.metadata,
                resources=run.resource_view,
            )
        )
        if type(value) is RemoteValue:
            remote.append((item.param, None, value.future, value.slot))
        else:
            values[item.param] = value
    roles = definition.roles
    static: dict[str, Any] = {}
    if roles.config is not None:
        static[roles.config[0]] = step.config
    for name in roles.resources:
        static[name] = run.resources[name]
    notices = Notices()
    context = None
    if roles.context is not None:
        context = _light_context(run, step, definition, notices)
    shipped = ShippedStep(
        label=step.label,
        kind=step.kind,
        fn=fn if fn is not None else definition.fn,
        static=static,
        context=context,
        context_param=roles.context,
        notices=notices,
        policy=definition.retry_policy,
        keys=step.asset_keys,
        partition_key=step.partition_key,
        partition_keys=step.partition_keys,
        readers=readers,
    )
    memory = run.memory_managers
    watched = tuple(replace(i, metadata={}) for i in step.inputs if i.io_manager_key in memory)
    if watched:
        shipped.inputs = watched
        shipped.by_reference = frozenset(i.io_manager_key for i in watched)
    if isinstance(definition, AssetsDefinition):
        shipped.outputs = OutputsSpec.of(definition)
        shipped.blocking = frozenset(s.name for s in definition.check_specs if s.blocking)
        if len(definition.check_specs) == 1:
            shipped.sole_check = definition.check_specs[0].name
    else:
        specs = definition.selected_specs
        shipped.blocking = frozenset(s.name for s in specs if s.blocking)
        if len(specs) == 1:
            shipped.sole_check = specs[0].name
    return shipped, values, remote


def _needed_resources(
    run_resources: Mapping[str, Any], definition: AssetsDefinition | AssetChecksDefinition
) -> dict[str, Any]:
    names = {*definition.required_resource_keys, *definition.roles.resources}
    return {name: run_resources[name] for name in sorted(names) if name in run_resources}


def _light_context(
    run: Any, step: Step, definition: Any, notices: Notices
) -> AssetExecutionContext:
    """The context a worker hands the function: what it can use there, and nothing else.

    Its log and the metadata it adds come back with the result. It holds the
    resources the step asks for (not the run's IO managers and their values), and
    no instance or definition, which live in the kernel.
    """
    common: dict[str, Any] = {
        "run": run.info,
        "resources": Resources(_needed_resources(run.resources, definition)),
        "log": RunLogger(notices.log, notices.event),
        **step_context_fields(step, definition),
    }
    if isinstance(definition, AssetsDefinition):
        return AssetExecutionContext(**common, partitions_def=definition.partitions_def)
    return AssetCheckExecutionContext(**common, check_name=definition.name)


def landed(summary: Computed, step: Step, future: Any) -> Computed:
    """``summary`` with a ``RemoteValue`` (a handle on ``future``'s slot) for each value."""
    if summary.node_outputs:
        summary.node_outputs = {
            handle: {
                name: RemoteValue(future, (NODE, handle, name), f"{step.label}.{handle}")
                for name in outputs
            }
            for handle, outputs in summary.node_outputs.items()
        }
    for item in summary.produced:
        if not item.has_value:
            continue
        label = item.key.to_user_string()
        if step.partition_keys is None:
            item.value = RemoteValue(future, (item.key, step.partition_key), label)
        else:
            parts: list[tuple[str | None, Any]] = [
                (p, RemoteValue(future, (item.key, p), f"{label} [{p}]"))
                for p in step.partition_keys
            ]
            item.value = PreSplit(parts, RemoteValue(future, (item.key, WHOLE), label))
    return summary


# Checking, before the run ----------------------------------------------------------------


def check_shippable(
    steps: Sequence[Step], resources: Mapping[str, Any]
) -> dict[int, tuple[Any, bytes]]:
    """Raise ``UnshippableStepError`` for the first step that cannot be sent to a worker.

    Returns each definition's pickled function by ``id`` (with the definition, to
    check it is the same): the run ships these bytes, pickling each function once
    for all its steps (365 partitions of one asset pickle it once).
    """
    import cloudpickle

    seen: set[int] = set()
    pickled: dict[int, tuple[Any, bytes]] = {}
    for step in steps:
        definition = step.definition
        parts: list[tuple[str, Any]] = []
        if id(definition) not in seen:
            seen.add(id(definition))
            parts.append(("its function", definition.fn))
            for name, value in _needed_resources(resources, definition).items():
                parts.append((f"the resource '{name}'", value))
        if step.config is not None:
            parts.append(("its config", step.config))
        for where, value in parts:
            try:
                data = cloudpickle.dumps(value)
            except Exception as error:  # noqa: BLE001 - any pickling failure is reported
                culprit = _culprit(value) if where == "its function" else None
                what = "Check" if step.kind == "check" else "Asset"
                raise UnshippableStepError(
                    _unshippable_message(what, step.label, where, value, culprit, error),
                    asset=step.asset_keys[0] if step.asset_keys else None,
                ) from error
            if where == "its function":
                pickled[id(definition)] = (definition, data)
    return pickled


def _culprit(fn: Any) -> tuple[str, Any] | None:
    """The variable a function reaches that cannot be pickled: (name, value)."""
    import cloudpickle

    try:
        found = inspect.getclosurevars(fn)
    except (TypeError, ValueError):
        return None
    for name, value in [*found.nonlocals.items(), *found.globals.items()]:
        if inspect.ismodule(value):
            continue
        try:
            cloudpickle.dumps(value)
        except Exception:  # noqa: BLE001 - any pickling failure names the object
            return name, value
    return None


def _unshippable_message(
    what: str,
    label: str,
    where: str,
    value: Any,
    culprit: tuple[str, Any] | None,
    error: BaseException,
) -> str:
    if culprit is not None:
        name, obj = culprit
        obj_text = f"'{name}' ({type(obj).__module__}.{type(obj).__qualname__})"
        source = f"its function uses {obj_text}, which cannot be pickled"
        fix = (
            f"Create {name} inside the function (open the connection there), or give it to "
            "the asset as a ConfigurableResource that opens it in setup_for_execution; or "
            "run this asset with the in_process or threads executor."
        )
    elif where == "its function":
        source = "its function cannot be pickled"
        fix = (
            "Define the function at the top level of a cell or module, without references to "
            "open connections, locks or files; or run it with the in_process executor."
        )
    else:
        source = f"{where} ({type(value).__module__}.{type(value).__qualname__}) cannot be pickled"
        fix = (
            "Make it picklable: keep only settings in it (a ConfigurableResource with plain "
            "fields) and open connections in setup_for_execution or inside the function; or "
            "run it with the in_process executor."
        )
    return (
        f"{what} '{label}' cannot be sent to a Dask worker: {source} "
        f"({type(error).__name__}: {error}). {fix}"
    )


# Computing (on a worker) -----------------------------------------------------------------


def compute_shipped(
    shipped: ShippedStep,
    values: dict[str, Any],
    remote: list[RemoteInput],
    after: tuple[StepResult, ...],
) -> StepResult:
    """Run on a worker: compute one step and send the kernel its summary.

    ``after`` are its upstream steps' results. The returned result, with the values,
    stays on the worker; only the summary travels (on ``shipped.channel``).
    """
    channel = shipped.channel
    if channel is not None and shipped.live_notices:
        shipped.notices.live = (channel, shipped.task_key)
    result = _compute(shipped, values, remote, after)
    shipped.notices.close()
    if channel is not None:
        # If this fails, the kernel reads the summary with a task of its own.
        with contextlib.suppress(Exception):
            channel.publish("summary", shipped.task_key, _packed_summary(result))
    return result


def _packed_summary(result: StepResult) -> bytes:
    summary = summarize(result)
    try:
        return packed(summary)
    except Exception as error:  # noqa: BLE001 - e.g. metadata that cannot be pickled
        failure = RuntimeError(f"its answer cannot be sent to the kernel ({error})")
        return packed(Computed(notices=summary.notices, error=failure))


def _compute(
    shipped: ShippedStep,
    values: dict[str, Any],
    remote: list[RemoteInput],
    after: tuple[StepResult, ...],
) -> StepResult:
    if any(result.stops for result in after):
        error = RuntimeError("skipped on the Dask worker: an upstream step did not succeed")
        return StepResult(Computed(error=error), {}, True)
    notices = shipped.notices.items
    watch: InputWatch | None = None
    changed: list[ChangedInput] = []
    try:
        if type(shipped.fn) is bytes:
            import cloudpickle

            shipped.fn = cloudpickle.loads(shipped.fn)
        kwargs = {**shipped.static, **values}
        for param, partition, result, slot in remote:
            if slot not in result.values:
                raise _no_value(shipped, slot)
            if partition is None:
                kwargs[param] = result.values[slot]
            else:
                kwargs[param][partition] = result.values[slot]
        if shipped.context_param is not None:
            kwargs[shipped.context_param] = shipped.context
        if shipped.inputs:
            watch = watch_inputs(shipped, kwargs, shipped.fn, shipped.by_reference)
        returned = _call(shipped, kwargs)
        if watch is not None:
            changed = watch.changed()
        if shipped.kind == "check":
            if inspect.isgenerator(returned) or isinstance(returned, (tuple, set)):
                returned = list(returned)  # a multi-check's results, to send back
            added = shipped.context._added if shipped.context is not None else None
            computed = Computed(
                added=added or None, notices=notices, returned=returned, changed=changed
            )
            return StepResult(computed, {}, _blocks(shipped, check_results_in(returned)))
        else:
            assert shipped.outputs is not None
            produced, checks = read_outputs(shipped.outputs, shipped.keys, returned)
        slots: dict[Any, Any] = {}
        for item in produced:
            if not item.has_value:
                continue
            if shipped.partition_keys is None:
                slots[(item.key, shipped.partition_key)] = item.value
                continue
            for partition, value in split_partitions(shipped.label, shipped.partition_keys, item):
                slots[(item.key, partition)] = value
            slots[(item.key, WHOLE)] = item.value
        nodes = shipped.context.node_outputs if shipped.context is not None else None
        if nodes:  # a graph-backed asset's op outputs stay here too
            for handle, outputs in nodes.items():
                for name, value in outputs.items():
                    slots[(NODE, handle, name)] = value
    except BaseException as error:  # noqa: BLE001 - a failure is part of the answer
        if isinstance(error, (SystemExit, GeneratorExit)):
            error = exit_failure(error, shipped.label)
        if watch is not None and not changed:
            changed = watch.changed()
            watch.explain(shipped, error)
        error._nbassets_stack = traceback.format_tb(error.__traceback__)  # type: ignore[attr-defined]
        return StepResult(Computed(notices=notices, error=error, changed=changed), {}, True)
    added = shipped.context._added if shipped.context is not None else None
    computed = Computed(produced, checks, added or None, notices, changed=changed)
    if nodes:
        computed.node_outputs = {handle: dict.fromkeys(outs) for handle, outs in nodes.items()}
    return StepResult(computed, slots, _blocks(shipped, checks))


def _call(shipped: ShippedStep, kwargs: dict[str, Any]) -> Any:
    """Call the function, retrying as the kernel would; each retry becomes a notice."""
    attempt = 0
    while True:
        try:
            return shipped.fn(**kwargs)
        except (RetryRequested, Exception) as error:
            wait = retry_wait(error, attempt, shipped.policy)
            if wait is None:
                error._nbassets_attempts = attempt  # type: ignore[attr-defined]
                raise
            attempt += 1
            info = replace(ErrorInfo.from_exception(error), exception=None)
            shipped.notices.add(("RETRY", info, retry_message(error, attempt, shipped.policy)))
            if wait:
                time.sleep(wait)
            if shipped.context is not None:
                shipped.context.retry_number = attempt


def _no_value(shipped: ShippedStep, slot: Slot) -> OutputShapeError:
    name = shipped.readers.get(slot, slot[0].to_user_string())
    return OutputShapeError(
        f"'{shipped.label}' reads '{name}', which stored no value in this run: it returned a "
        "MaterializeResult without value=. Return MaterializeResult(value=...) from it, or load "
        "the data yourself and list it in deps= instead of as a parameter."
    )


def _blocks(shipped: ShippedStep, checks: Sequence[AssetCheckResult]) -> bool:
    for result in checks:
        name = result.check_name or shipped.sole_check
        if (
            name in shipped.blocking
            and not result.passed
            and result.severity is AssetCheckSeverity.ERROR
        ):
            return True
    return False


def summarize(result: StepResult) -> Computed:
    """Run on a worker: the answer the kernel gathers, without the values."""
    computed = result.computed
    error = computed.error
    if error is not None:
        try:
            pickle.dumps(error)
        except Exception:  # noqa: BLE001 - the kernel still learns what failed, as text
            stack = getattr(error, "_nbassets_stack", [])
            error = RuntimeError(f"{type(error).__name__}: {error}")
            error._nbassets_stack = stack  # type: ignore[attr-defined]
    produced = [replace(item, value=None) for item in computed.produced]
    return Computed(
        produced,
        computed.checks,
        computed.added,
        computed.notices,
        error,
        computed.returned,
        computed.changed,
        computed.node_outputs,
    )
