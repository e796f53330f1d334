"""Running a graph of ops in process: Dagster's op-level execution, trimmed.

Responsibilities:

* ``plan_steps``: flatten a graph (graphs inside it too) into op steps named by their
  handle (``outer.inner``), each input resolved to the output feeding it, a graph
  input, run config (``ops.<name>.inputs``) or its default.
* ``run_graph``: call each step's op in order with its inputs, config and resources;
  turn what it returns or yields into outputs and events (``Output``,
  ``DynamicOutput``, ``AssetMaterialization``...); skip a step whose input was not
  produced; stop at a failure (raise it, or record it when ``raise_on_error=False``).
* ``OpGraphResult``: the run's outcome, read by node handle (``output_for_node``,
  ``events_for_node``) or by graph output (``output_value``).
* ``invoke_op_directly``: calling an op outside a graph, as in a unit test.

There are no IO managers between ops: values pass in memory, as the run is in process.
"""

from __future__ import annotations

import copy
import inspect
import json
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from nbassets.definitions.dagster_types import type_of
from nbassets.definitions.graphs import (
    ConfigMapping,
    FanIn,
    GraphDefinition,
    GraphInputRef,
    NodeOutput,
)
from nbassets.definitions.op_view import OpHandle
from nbassets.definitions.ops import DynamicOut, DynamicOutput, In, Nothing, OpDefinition
from nbassets.definitions.results import Output
from nbassets.engine.context import (
    AssetExecutionContext,
    Resources,
    RunInfo,
    RunLogger,
    build_op_context,
)
from nbassets.engine.events import (
    ErrorInfo,
    EventType,
    LogData,
    RunEvent,
    StepFailureData,
    StepSkippedData,
)
from nbassets.engine.op_output_metadata import OpOutputMetadata
from nbassets.engine.op_results import iterate_results
from nbassets.engine.outputs import StepOutputNotFoundError
from nbassets.engine.result import ExecuteInProcessResult
from nbassets.engine.type_checks import check_output
from nbassets.errors import (
    ConfigError,
    InvalidDefinitionError,
    InvalidInvocationError,
    NbAssetsError,
    TypeCheckError,
    did_you_mean,
)

__all__ = ["OpGraphResult", "StepOutputNotFoundError", "invoke_op_directly", "run_graph"]


@dataclass(frozen=True)
class TypeCheckData:
    """An input's or output's type check: passed or not, and why."""

    success: bool
    label: str
    description: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StepInputData:
    """What a ``STEP_INPUT`` event carries: the input and its type check."""

    input_name: str
    type_check_data: TypeCheckData


@dataclass(frozen=True)
class StepOutputData:
    """What a ``STEP_OUTPUT`` event carries: the output's name and metadata."""

    output_name: str
    mapping_key: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Step:
    """One op call of the flattened graph."""

    handle: str
    op: OpDefinition
    inputs: dict[str, Any]
    config: Any
    tags: dict[str, Any]
    # Hooks given with .with_hooks() in the graph (and by enclosing graphs' nodes).
    hooks: frozenset[Any] = frozenset()


# Planning --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Value:
    value: Any


@dataclass(frozen=True)
class _TopInput(_Value):
    """A value of the outermost graph's input ``name``: an asset's input, in a graph asset."""

    name: str = ""


_MISSING = object()


def _section(config: Any, name: str) -> dict[str, Any]:
    ops = config.get("ops") if isinstance(config, Mapping) else None
    found = ops.get(name) if isinstance(ops, Mapping) else None
    return dict(found) if isinstance(found, Mapping) else {}


def plan_steps(
    graph: GraphDefinition,
    run_config: Mapping[str, Any],
    input_values: Mapping[str, Any],
) -> tuple[list[Step], dict[str, Any]]:
    """The op steps of ``graph`` in run order, and where each graph output comes from."""
    steps: list[Step] = []
    top_inputs = {name: _TopInput(value, name) for name, value in input_values.items()}
    outputs = _flatten(graph, "", top_inputs, run_config, steps)
    return steps, outputs


def _flatten(
    graph: GraphDefinition,
    prefix: str,
    graph_inputs: Mapping[str, Any],
    config: Any,
    steps: list[Step],
    inherited_hooks: frozenset[Any] = frozenset(),
) -> dict[str, Any]:
    """Add ``graph``'s steps under ``prefix``; return its outputs' resolved sources.

    ``inherited_hooks`` are the hooks given to the node that runs ``graph``.
    """
    produced: dict[str, dict[str, Any]] = {}  # node -> output -> source

    def resolve(source: Any) -> Any:
        if isinstance(source, NodeOutput):
            return produced[source.node].get(source.output, _MISSING)
        if isinstance(source, GraphInputRef):
            return graph_inputs.get(source.name, _MISSING)
        if isinstance(source, FanIn):
            return FanIn(tuple(resolve(s) for s in source.sources))
        return source

    for node in graph.nodes.values():
        handle = prefix + node.name
        section = _section(config, node.name)
        inputs = {name: resolve(source) for name, source in node.inputs.items()}
        definition = node.definition
        if isinstance(definition, GraphDefinition):
            inner_config: Any = section
            if isinstance(definition.config, ConfigMapping):
                inner_config = {"ops": definition.config.resolve(section.get("config"))}
            elif isinstance(definition.config, Mapping) and not section:
                inner_config = definition.config
            inputs.update(_config_inputs(handle, section, definition.input_names, inputs))
            produced[node.name] = _flatten(
                definition,
                handle + ".",
                inputs,
                inner_config,
                steps,
                frozenset(node.hooks) | inherited_hooks,
            )
            continue
        inputs.update(_config_inputs(handle, section, list(definition.ins), inputs))
        for name, spec in definition.ins.items():
            if name not in inputs or inputs[name] is _MISSING:
                inputs[name] = _unconnected(handle, name, spec)
        hooks = frozenset(node.hooks) | inherited_hooks
        steps.append(Step(handle, definition, inputs, section.get("config"), node.tags, hooks))
        produced[node.name] = {out: NodeOutput(handle, out) for out in definition.outs}
    return {name: resolve(source) for name, source in graph.outputs.items()}


def _config_inputs(
    handle: str, section: Mapping[str, Any], names: Sequence[str], connected: Mapping[str, Any]
) -> dict[str, Any]:
    given = section.get("inputs") or {}
    found = {}
    for name, raw in given.items():
        if name not in names:
            raise ConfigError(
                f"Error in config for op '{handle}': it has no input '{name}'; its inputs: "
                f"{list(names)}."
            )
        if name in connected and connected[name] is not _MISSING:
            raise ConfigError(
                f"Error in config for op '{handle}': input '{name}' is connected to another "
                "op's output, so run config cannot give it."
            )
        value = raw.get("value", raw) if isinstance(raw, Mapping) and len(raw) == 1 else raw
        found[name] = _Value(value)
    return found


def _unconnected(handle: str, name: str, spec: In) -> Any:
    if spec.dagster_type is Nothing:
        return _Value(None)
    if spec.has_default_value:
        return _Value(spec.default_value)
    raise InvalidDefinitionError(
        f"Input '{name}' of op '{handle}' is not connected to the output of a previous node "
        "and has no default: connect it inside the graph, give it In(default_value=...), or "
        f"pass run_config={{'ops': {{'{handle.split('.')[-1]}': {{'inputs': {{'{name}': "
        "...}}}}."
    )


# Running -----------------------------------------------------------------------------------


class _Run:
    def __init__(self, run_id: str, job_name: str, tags: Mapping[str, Any]) -> None:
        self.run_id = run_id
        self.job_name = job_name
        self.tags = {k: str(v) for k, v in tags.items()}
        self.events: list[RunEvent] = []
        self.outputs: dict[str, dict[str, Any]] = {}
        self.outcomes: dict[str, str] = {}
        self.reasons: dict[str, str] = {}

    def emit(
        self, kind: EventType, step: str | None = None, data: Any = None, msg: str = ""
    ) -> None:
        asset_key = getattr(data, "asset_key", None)
        self.events.append(RunEvent(kind, self.run_id, time.time(), step, asset_key, data, msg))


def run_graph(
    graph: GraphDefinition,
    *,
    job_name: str,
    run_config: Mapping[str, Any] | None = None,
    resources: Mapping[str, Any] | None = None,
    input_values: Mapping[str, Any] | None = None,
    raise_on_error: bool = True,
    tags: Mapping[str, Any] | None = None,
    run_id: str | None = None,
    instance: Any = None,
) -> OpGraphResult:
    """Run every op of ``graph`` once, in dependency order, in this process.

    Raises:
        InvalidDefinitionError: an input no op, config or default provides; a resource
            an op requires that the run lacks.
        ConfigError: run config that does not fit the ops.
        Exception: what an op raised, when ``raise_on_error`` (the default).
    """
    from nbassets.definitions.resources import resolve_resources

    config = dict(run_config or {})
    steps, graph_outputs = plan_steps(graph, config, input_values or {})
    available = dict(resources or {})
    for step in steps:
        missing = sorted(step.op.required_resource_keys - set(available))
        if missing:
            raise InvalidDefinitionError(
                f"Resource {missing[0]!r} is required by op '{step.handle}', but was not "
                f"provided. Pass resources={{'{missing[0]}': ...}} to the job or run."
            )
    built = resolve_resources(available)
    run = _Run(run_id or str(uuid.uuid4()), job_name, tags or {})
    run.emit(EventType.RUN_START, msg=f'Started execution of run for "{job_name}".')
    failure: BaseException | None = None
    for step in steps:
        skipped = _skip_reason(step, run.outputs)
        if skipped is not None:
            run.outcomes[step.handle] = "skipped"
            run.reasons[step.handle] = skipped
            run.emit(EventType.STEP_SKIPPED, step.handle, StepSkippedData(skipped))
            continue
        try:
            _run_step(run, step, config, built, instance)
        except Exception as exc:  # noqa: BLE001 - recorded, then raised or kept
            run.outcomes[step.handle] = "failed"
            run.emit(
                EventType.STEP_FAILURE, step.handle, StepFailureData(ErrorInfo.from_exception(exc))
            )
            _run_node_hooks(run, step, built, instance, exc)
            if raise_on_error:
                run.emit(EventType.RUN_FAILURE)
                raise
            failure = exc
            continue
        run.outcomes[step.handle] = "success"
        run.emit(
            EventType.STEP_SUCCESS, step.handle, msg=f'Finished execution of step "{step.handle}".'
        )
        _run_node_hooks(run, step, built, instance, None)
    run.emit(EventType.RUN_FAILURE if failure is not None else EventType.RUN_SUCCESS)
    keep = getattr(instance, "keep_run_events", None)
    if keep is not None:
        keep(run.run_id, run.events, tags=run.tags)
    return OpGraphResult(run, graph, graph_outputs, failed=failure is not None)


def _node_op(step: Step) -> OpHandle:
    """The node a step runs, as ``context.op`` shows it: tag values are strings (Dagster)."""
    tags = {
        k: v if isinstance(v, str) else json.dumps(v)
        for k, v in {**step.op.tags, **step.tags}.items()
    }
    return OpHandle(step.handle.rsplit(".", 1)[-1], tags, step.op.description)


def _run_node_hooks(
    run: _Run, step: Step, resources: Mapping[str, Any], instance: Any, error: BaseException | None
) -> None:
    """Call the step's hooks for its outcome; a hook's own error is reported, not raised."""
    from nbassets.definitions.hooks import HookContext

    trigger = "success" if error is None else "failure"
    for hook in sorted(step.hooks, key=lambda hook: hook.name):  # a set: run them in one order
        if hook.trigger != trigger:
            run.emit(EventType.HOOK_SKIPPED, step.handle)
            continue
        context = HookContext(
            step.handle,
            _node_op(step),
            RunLogger(),
            Resources(resources),
            hook,
            run.run_id,
            run.job_name,
            instance,
            error,
            dict(run.outputs.get(step.handle, {})),
            step.config,
        )
        try:
            hook.hook_fn(context)
        except Exception as failure:  # noqa: BLE001 - a hook's error is reported, never raised
            run.emit(EventType.HOOK_ERRORED, step.handle, ErrorInfo.from_exception(failure))
            continue
        run.emit(EventType.HOOK_COMPLETED, step.handle, msg=f'Finished hook "{hook.name}".')


def _value_of(source: Any, outputs: Mapping[str, Mapping[str, Any]]) -> Any:
    if isinstance(source, _Value):
        return source.value
    if isinstance(source, NodeOutput):
        return outputs.get(source.node, {}).get(source.output, _MISSING)
    if isinstance(source, FanIn):
        values = [_value_of(s, outputs) for s in source.sources]
        present = [v for v in values if v is not _MISSING]
        return present if present or not values else _MISSING
    return _MISSING


def _skip_reason(step: Step, outputs: Mapping[str, Mapping[str, Any]]) -> str | None:
    for name, source in step.inputs.items():
        if _value_of(source, outputs) is _MISSING:
            where = f" of '{source.node}'" if isinstance(source, NodeOutput) else ""
            return f"input '{name}' was not produced (its upstream output{where} did not run)"
    return None


def _op_config(step: Step) -> Any:
    from nbassets.engine.run_config import check_schema_config

    schema = step.op.config_schema
    if schema is not None:
        return check_schema_config(step.handle, schema, step.config)
    return step.config


def _run_step(
    run: _Run,
    step: Step,
    run_config: Mapping[str, Any],
    resources: Mapping[str, Any],
    instance: Any,
    base_context: Any = None,
    becomes: Mapping[str, str] | None = None,
    selected: Sequence[str] | None = None,
    from_assets: Mapping[str, str] | None = None,
) -> None:
    run.emit(EventType.STEP_START, step.handle, msg=f'Started execution of step "{step.handle}".')
    values = {
        name: _value_of(source, run.outputs)
        for name, source in step.inputs.items()
        if not _is_nothing(step.op.ins.get(name))
    }
    for name, value in values.items():
        _check_input(run, step, name, value)
    op_config = _op_config(step)
    added = OpOutputMetadata(step.op.name, list(step.op.outs))
    if base_context is not None:
        # Inside a graph-backed asset: the asset's run, partition and resources.
        context = copy.copy(base_context)
        context.op_config = op_config
        context.step_key = step.handle
        # The op's inputs fed by the asset's inputs answer for those assets.
        fed = {n: src.name for n, src in step.inputs.items() if isinstance(src, _TopInput)}
        context.rename_for_op(fed, becomes or {}, selected, from_assets)
    else:
        context = AssetExecutionContext(
            run=RunInfo(run.run_id, run.tags, dict(run_config), run.job_name),
            step_key=step.handle,
            resources=Resources(resources),
            op_config=op_config,
            log=RunLogger(
                lambda level, message: run.emit(
                    EventType.LOG, step.handle, LogData(level, message), message
                ),
                lambda event: _record_event(run, step, event),
            ),
            instance=instance,
            op_outputs=added,
            node=_node_op(step),
        )
    returned = _call(step.op, context, values, op_config)
    produced: dict[str, Any] = {}
    # A returned (not yielded) value covers every output: in a subset run, too many.
    refuse = set(step.op.outs) - set(selected) if selected is not None else set()
    if refuse and inspect.isgenerator(returned):
        refuse = set()
    for item in iterate_results(step.op, returned):
        if getattr(item, "output_name", None) in refuse:
            where = f"{base_context.step_key.split('[')[0]}.{step.handle}"
            raise InvalidInvocationError(
                f'Core compute for op "{where}" returned an output "{item.output_name}" '
                "that is not selected.",
                advice="Yield Output(value, output_name=...) for each of "
                "context.selected_output_names instead of returning every output.",
            )
        if isinstance(item, DynamicOutput):
            bucket = produced.setdefault(item.output_name, {})
            if item.mapping_key in bucket:
                raise InvalidInvocationError(
                    f'Op "{step.op.name}" yielded DynamicOutput mapping_key '
                    f'"{item.mapping_key}" twice for output "{item.output_name}".'
                )
            _check_type(step.op, item.output_name, item.value)
            bucket[item.mapping_key] = item.value
            metadata = {**added.take(item.output_name, item.mapping_key), **item.metadata}
            _emit_output(run, step, StepOutputData(item.output_name, item.mapping_key, metadata))
        elif isinstance(item, Output):
            if item.output_name in produced:
                raise InvalidInvocationError(
                    f'Compute for op "{step.op.name}" returned an output '
                    f'"{item.output_name}" multiple times.'
                )
            _check_type(step.op, item.output_name, item.value)
            produced[item.output_name] = item.value
            metadata = {**added.take(item.output_name, None), **item.metadata}
            _emit_output(run, step, StepOutputData(item.output_name, None, metadata))
        else:
            _record_event(run, step, item)
    for name, spec in step.op.outs.items():
        # A dynamic output may produce nothing (Dagster ignores is_required there).
        if name not in produced and spec.is_required and not isinstance(spec, DynamicOut):
            raise StepOutputNotFoundError(
                f'Core compute for op "{step.op.name}" did not return an output for '
                f'non-optional output "{name}".'
            )
    run.outputs[step.handle] = produced


def _check_input(run: _Run, step: Step, name: str, value: Any) -> None:
    """Dagster's ``STEP_INPUT`` event for an input, and its type check (raised if failed)."""
    spec = step.op.ins.get(name)
    expected = type_of(spec.dagster_type if spec is not None else None)
    verdict = expected.type_check(None, value)
    data = TypeCheckData(verdict.success, name, verdict.description, verdict.metadata)
    passed = "passed" if verdict.success else "failed"
    run.emit(
        EventType.STEP_INPUT,
        step.handle,
        StepInputData(name, data),
        f'Got input "{name}" of type "{expected.display_name}". (Type check {passed}).',
    )
    if not verdict.success:
        raise TypeCheckError(
            f'Type check failed for step input "{name}" - expected type '
            f'"{expected.display_name}". Description: {verdict.description}',
            advice="Pass a value of that type (connect another output, or fix the default).",
        )


def _check_type(op: OpDefinition, output_name: str, value: Any, direct: bool = False) -> None:
    spec = op.outs.get(output_name)
    if spec is not None and spec.dagster_type is not Nothing:
        check_output(spec.dagster_type, value, output_name, op.name if direct else None)


def _emit_output(run: _Run, step: Step, data: StepOutputData) -> None:
    """An output's event, then its handling: values stay in this process's memory."""
    key = f' mapping key "{data.mapping_key}"' if data.mapping_key is not None else ""
    run.emit(EventType.STEP_OUTPUT, step.handle, data, f'Yielded output "{data.output_name}"{key}.')
    run.emit(
        EventType.HANDLED_OUTPUT,
        step.handle,
        msg=f'Handled output "{data.output_name}" in memory.',
    )


def _record_event(run: _Run, step: Step, event: Any) -> None:
    kind = {
        "AssetMaterialization": EventType.ASSET_MATERIALIZATION,
        "AssetObservation": EventType.ASSET_OBSERVATION,
        "AssetCheckEvaluation": EventType.ASSET_CHECK_EVALUATION,
        "ExpectationResult": EventType.STEP_EXPECTATION_RESULT,
    }.get(type(event).__name__)
    if kind is None:
        raise InvalidInvocationError(
            f'Compute function for op "{step.op.name}" yielded a value of type '
            f"{type(event)} rather than an instance of Output, AssetMaterialization, or "
            "ExpectationResult. Values yielded by ops must be wrapped in one of these types. "
            "If your op has a single output and yields no other events, you may want to use "
            "`return` instead of `yield` in the body of your op compute function. If you are "
            "already using `return`, and you expected to return a value of type "
            f"{type(event)}, you may be inadvertently returning a generator rather than the "
            f"value you expected. Value is {event!r:.80}"
        )
    run.emit(kind, step.handle, event)


def _is_nothing(spec: In | None) -> bool:
    return spec is not None and spec.dagster_type is Nothing


def _call(op: OpDefinition, context: Any, values: Mapping[str, Any], config: Any) -> Any:
    if not op.decorated:
        return op.compute_fn(context, dict(values))
    kwargs = dict(values)
    params = list(inspect.signature(op.compute_fn).parameters.values())
    if op.takes_context:
        params = params[1:]
    for param in params:
        if param.name in kwargs or param.kind is inspect.Parameter.VAR_KEYWORD:
            continue
        config_class = _config_class(param.annotation)
        if config_class is not None:
            from nbassets.definitions.config import validate_config

            kwargs[param.name] = validate_config(op.name, config_class, config)
        elif param.name in context.resources:
            kwargs[param.name] = getattr(context.resources, param.name)
    if op.takes_context:
        return op.compute_fn(context, **kwargs)
    return op.compute_fn(**kwargs)


def _config_class(annotation: Any) -> Any:
    import sys

    module = sys.modules.get("nbassets.definitions.config")
    if module is None or not isinstance(annotation, type):
        return None
    return annotation if issubclass(annotation, module.Config) else None


# Direct calls ---------------------------------------------------------------------------


def invoke_op_directly(op: OpDefinition, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Call ``op`` outside a graph, as a unit test does: ``my_op(context, 1, b=2)``."""
    context = None
    if args and _looks_like_context(args[0]):
        context, args = args[0], args[1:]
    elif "context" in kwargs and op.takes_context:
        context = kwargs.pop("context")
    if op.takes_context and context is None:
        context = build_op_context()
    elif not op.takes_context and context is not None and op.decorated:
        raise InvalidInvocationError(
            f"Op '{op.name}' does not take a context, but one was passed as the first "
            "argument. Call it with its inputs only."
        )
    names = list(op.ins)
    if len(args) > len(names):
        raise InvalidInvocationError(
            f"Too many input arguments were provided for op '{op.name}'. This may be because "
            f"you passed a context argument it does not take; it takes inputs {names}."
        )
    values = dict(zip(names, args, strict=False))
    for key, value in kwargs.items():
        if key in values:
            raise InvalidInvocationError(
                f"op {op.name} got multiple values for argument '{key}'",
                advice=f"Pass '{key}' once, by position or by name.",
            )
        values[key] = value
    for name, spec in op.ins.items():
        if name in values or _is_nothing(spec):
            continue
        if spec.has_default_value:
            values[name] = spec.default_value
        elif _config_class(spec.dagster_type) is None:
            raise InvalidInvocationError(
                f"No value provided for required input \"{name}\" of op '{op.name}'."
            )
    config = getattr(context, "op_config", None) if context is not None else None
    if op.config_schema is not None and context is not None:
        from nbassets.engine.run_config import check_schema_config

        config = check_schema_config(op.name, op.config_schema, config)
        if isinstance(context, AssetExecutionContext):
            context.op_config = config
    if not op.decorated:
        return op.compute_fn(context, values)
    returned = _call(op, context, values, config)
    if not isinstance(returned, Iterator):
        # The same rules as in a graph: a return that fits no output raises here too
        # (an iterator is the caller's to consume, so it is left unread).
        for item in iterate_results(op, returned):
            if isinstance(item, (Output, DynamicOutput)):
                _check_type(op, item.output_name, item.value, direct=True)
    return returned


def _looks_like_context(value: Any) -> bool:
    return hasattr(value, "log") and hasattr(value, "resources")


# Results --------------------------------------------------------------------------------


class OpGraphResult(ExecuteInProcessResult):
    """The outcome of running a graph of ops: values by node handle or graph output."""

    def __init__(
        self, run: _Run, graph: GraphDefinition, graph_outputs: Mapping[str, Any], failed: bool
    ) -> None:
        super().__init__(
            run_id=run.run_id,
            events=run.events,
            outputs=run.outputs,
            values={},
            outcomes=run.outcomes,
            reasons=run.reasons,
            tags=run.tags,
        )
        self.job_def_name = run.job_name
        self._graph = graph
        self._graph_outputs = dict(graph_outputs)
        self._failed = failed

    @property
    def success(self) -> bool:
        return not self._failed

    @property
    def job_name(self) -> str:
        return self.job_def_name

    def _source_for(self, node_str: str, output_name: str) -> Any:
        graph: GraphDefinition = self._graph
        parts = node_str.split(".")
        prefix = ""
        for depth, part in enumerate(parts):
            if part not in graph.nodes:
                raise InvalidInvocationError(
                    f"{graph.name} has no op named {node_str}." + did_you_mean(part, graph.nodes)
                )
            definition = graph.nodes[part].definition
            last = depth == len(parts) - 1
            if isinstance(definition, OpDefinition):
                if not last:
                    raise InvalidInvocationError(f"{graph.name} has no op named {node_str}.")
                return NodeOutput(prefix + part, output_name)
            prefix += part + "."
            graph = definition
        return _graph_output(graph, prefix, output_name)

    def output_for_node(self, node_str: str, output_name: str = "result") -> Any:
        """The value node ``node_str`` (``graph.op`` inside graphs) gave ``output_name``."""
        source = self._source_for(node_str, output_name)
        value = _value_of(source, self._outputs) if isinstance(source, NodeOutput) else source
        if value is _MISSING:
            raise InvalidInvocationError(
                f"No outputs found for output '{output_name}' from node '{node_str}'."
            )
        return value

    def output_value(self, output_name: str = "result") -> Any:
        """The value of the graph's own output ``output_name``."""
        if output_name not in self._graph_outputs:
            raise InvalidInvocationError(
                f"Graph '{self._graph.name}' has no output '{output_name}'; its outputs: "
                f"{sorted(self._graph_outputs)}."
            )
        source = self._graph_outputs[output_name]
        value = _value_of(source, self._outputs)
        if value is _MISSING:
            raise InvalidInvocationError(
                f"No outputs found for output '{output_name}' of graph '{self._graph.name}'."
            )
        return value

    def events_for_node(self, node_name: str) -> list[RunEvent]:
        return [
            e
            for e in self._events
            if e.step_key is not None
            and (e.step_key == node_name or e.step_key.startswith(node_name + "."))
        ]

    def get_step_success_events(self) -> list[RunEvent]:
        return self.filter_events(EventType.STEP_SUCCESS)

    def __repr__(self) -> str:
        state = "success" if self.success else "failure"
        return f"<ExecuteInProcessResult {state}: job '{self.job_def_name}'>"


def _graph_output(graph: GraphDefinition, prefix: str, output_name: str) -> Any:
    if output_name not in graph.outputs:
        raise InvalidInvocationError(
            f"Graph '{graph.name}' has no output '{output_name}'; its outputs: "
            f"{sorted(graph.outputs)}."
        )
    source = graph.outputs[output_name]
    if isinstance(source, NodeOutput):
        inner = graph.nodes[source.node].definition
        if isinstance(inner, GraphDefinition):
            return _graph_output(inner, prefix + source.node + ".", source.output)
        return NodeOutput(prefix + source.node, source.output)
    raise NbAssetsError(f"Graph '{graph.name}' output '{output_name}' maps a graph input.")


# Inside a graph-backed asset -------------------------------------------------------------


def run_graph_in_asset(
    graph: GraphDefinition,
    context: Any,
    inputs: Mapping[str, Any],
    wanted: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Run ``graph``'s ops inside an asset step; return the graph outputs it produced.

    With ``wanted`` (graph output names: a subset run), only the ops those outputs
    need run. Each op's outputs are left on ``context.node_outputs`` by handle, for
    the engine to keep under ``<asset node>.<handle>``. A failing op raises, failing
    the asset.
    """
    config = _graph_config(graph, context)
    steps, outputs = plan_steps(graph, config, inputs)
    all_outputs = dict(outputs)
    if wanted is not None and set(wanted) != set(outputs):
        steps = _needed_steps(steps, [outputs[n] for n in wanted if n in outputs])
        outputs = {n: source for n, source in outputs.items() if n in wanted}
    run = _Run(context.run_id, context.job_name, context.run.tags)
    resources = context.resources._asdict()
    subset = wanted is not None and set(wanted) != set(all_outputs)
    read = _read_outputs(steps, outputs.values()) if subset else None
    asset_outputs = {
        (source.node, source.output): name
        for name, source in all_outputs.items()
        if isinstance(source, NodeOutput)
    }
    for step in steps:
        skipped = _skip_reason(step, run.outputs)
        if skipped is not None:
            continue
        becomes = {
            source.output: name
            for name, source in outputs.items()
            if isinstance(source, NodeOutput) and source.node == step.handle
        }
        # An op's selected outputs: those read downstream in this run (all when whole).
        selected = [o for o in step.op.outs if read is None or (step.handle, o) in read]
        # An input fed by an op output that is one of the asset's outputs reads that asset.
        from_assets = {
            name: asset_outputs[(src.node, src.output)]
            for name, src in step.inputs.items()
            if isinstance(src, NodeOutput) and (src.node, src.output) in asset_outputs
        }
        _run_step(
            run,
            step,
            context.run_config,
            resources,
            context.instance,
            context,
            becomes,
            selected,
            from_assets,
        )
    context.node_outputs = {**run.outputs, **_subgraph_outputs(graph, "", run.outputs)}
    values = {}
    for name, source in outputs.items():
        value = _value_of(source, run.outputs)
        if value is not _MISSING:
            values[name] = value
    return values


def _read_outputs(steps: Sequence[Step], graph_outputs: Iterable[Any]) -> set[tuple[str, str]]:
    """Each ``(op handle, output)`` that a step of ``steps`` or a graph output reads."""
    read: set[tuple[str, str]] = set()
    pending = [*graph_outputs, *(src for step in steps for src in step.inputs.values())]
    while pending:
        source = pending.pop()
        if isinstance(source, FanIn):
            pending.extend(source.sources)
        elif isinstance(source, NodeOutput):
            read.add((source.node, source.output))
    return read


def _subgraph_outputs(
    graph: GraphDefinition, prefix: str, outputs: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Each nested graph's outputs by its handle, read from the ops that feed them."""
    found: dict[str, dict[str, Any]] = {}
    for name, node in graph.nodes.items():
        inner = node.definition
        if not isinstance(inner, GraphDefinition):
            continue
        handle = prefix + name
        values = {}
        for output_name in inner.outputs:
            source = inner.outputs[output_name]
            if not isinstance(source, NodeOutput):
                continue  # an output mapped from a graph input: no op produced it
            value = _value_of(_graph_output(inner, handle + ".", output_name), outputs)
            if value is not _MISSING:
                values[output_name] = value
        found[handle] = values
        found.update(_subgraph_outputs(inner, handle + ".", outputs))
    return found


def _needed_steps(steps: Sequence[Step], sources: Sequence[Any]) -> list[Step]:
    """The steps (in their order) that ``sources`` read from, directly or further up."""
    by_handle = {step.handle: step for step in steps}
    needed: set[str] = set()
    pending = list(sources)
    while pending:
        source = pending.pop()
        if isinstance(source, FanIn):
            pending.extend(source.sources)
        elif isinstance(source, NodeOutput) and source.node not in needed:
            needed.add(source.node)
            step = by_handle.get(source.node)
            if step is not None:
                pending.extend(step.inputs.values())
    return [step for step in steps if step.handle in needed]


def _graph_config(graph: GraphDefinition, context: Any) -> dict[str, Any]:
    """Config of the graph's ops: the asset's run config section, or the graph's own."""
    section = _section(context.run_config, context.step_key.split("[")[0])
    if isinstance(graph.config, ConfigMapping):
        return {"ops": graph.config.resolve(section.get("config"))}
    if section.get("ops"):
        return section
    own = graph.config
    if isinstance(own, Mapping):
        return dict(own) if "ops" in own else {"ops": dict(own)}
    return {}


DagsterStepOutputNotFoundError = StepOutputNotFoundError
