"""Ops and graphs, enough to run assets that Dagster code builds from them.

Responsibilities:

* ``@op`` (with ``In``, ``Out`` and ``Nothing``): a function, callable directly as in
  a unit test, or composed inside a ``@graph`` body.
* ``@graph``: a function whose body wires ops together. Its body runs once, when it
  is first needed, with placeholders for inputs: each op call records a node and
  returns a placeholder for its output. Running the graph then calls the recorded
  ops in order with real values, in process.
* ``graph_asset`` / ``graph_multi_asset`` and ``AssetsDefinition(node_def=graph)``:
  an asset whose function runs such a graph.

nbassets stays an asset tool: there are no op-level events, retries or IO managers
between ops; a graph-backed asset is one step, and its ops run inside it.
"""

from __future__ import annotations

import contextvars
import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from nbassets.definitions.op_view import InputDefinition, OpHandle, OutputDefinition
from nbassets.errors import InvalidDefinitionError, InvalidInvocationError

__all__ = [
    "GraphDefinition",
    "In",
    "Nothing",
    "OpDefinition",
    "Out",
    "graph",
    "graph_asset",
    "graph_multi_asset",
    "job",
    "op",
]


class Nothing:
    """The type of an input that orders an op after another without passing a value."""


@dataclass(frozen=True)
class In:
    """An op input: its type, description and metadata."""

    dagster_type: Any = None
    description: str | None = None
    default_value: Any = inspect.Parameter.empty
    metadata: Mapping[str, Any] = field(default_factory=dict)
    asset_key: Any = None


@dataclass(frozen=True)
class Out:
    """An op output: its type, description and metadata."""

    dagster_type: Any = None
    description: str | None = None
    is_required: bool = True
    io_manager_key: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    code_version: str | None = None


@dataclass(frozen=True)
class _Pending:
    """A value an op will produce when the graph runs: node number and output name."""

    node: int
    output: str


@dataclass
class _Node:
    op: OpDefinition
    args: dict[str, Any]


@dataclass
class _Composition:
    nodes: list[_Node] = field(default_factory=list)


_composing: contextvars.ContextVar[_Composition | None] = contextvars.ContextVar(
    "nbassets_composing", default=None
)


def _takes_context(fn: Callable[..., Any]) -> bool:
    params = list(inspect.signature(fn).parameters)
    return bool(params) and params[0] in ("context", "_context", "_")


class OpDefinition:
    """A function with named inputs and outputs, run inside a graph or called directly."""

    def __init__(
        self,
        fn: Callable[..., Any],
        *,
        name: str | None = None,
        ins: Mapping[str, In] | None = None,
        out: Out | Mapping[str, Out] | None = None,
        description: str | None = None,
        tags: Mapping[str, Any] | None = None,
        required_resource_keys: Iterable[str] | None = None,
        config_schema: Any = None,
        retry_policy: Any = None,
        code_version: str | None = None,
        pool: str | None = None,
    ) -> None:
        self.fn = fn
        self.name = name or fn.__name__
        self.ins = dict(ins or {})
        self.outs: dict[str, Out] = (
            dict(out) if isinstance(out, Mapping) else {"result": out or Out()}
        )
        self.description = description or inspect.getdoc(fn)
        self.tags = dict(tags or {})
        self.required_resource_keys = frozenset(required_resource_keys or ())
        self.config_schema = config_schema
        self.retry_policy = retry_policy
        self.version = code_version
        self.pool = pool
        self.takes_context = _takes_context(fn)
        params = list(inspect.signature(fn).parameters)[1 if self.takes_context else 0 :]
        self.input_names = [p for p in params if p not in self.ins] + list(self.ins)
        self.__name__ = self.name
        self.__wrapped__ = fn

    @property
    def op(self) -> OpHandle:
        return OpHandle(
            self.name,
            self.tags,
            description=self.description,
            version=self.version,
            retry_policy=self.retry_policy,
            pool=self.pool,
            required_resource_keys=self.required_resource_keys,
            input_defs=tuple(InputDefinition(n) for n in self.input_names),
            output_defs=tuple(
                OutputDefinition(n, description=o.description, is_required=o.is_required)
                for n, o in self.outs.items()
            ),
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        composition = _composing.get()
        if composition is None:
            return self._invoke(args, kwargs)
        names = [n for n in self.input_names]
        if len(args) > len(names):
            raise InvalidDefinitionError(
                f"Op '{self.name}' takes {len(names)} inputs ({names}); got {len(args)}."
            )
        bound = dict(zip(names, args, strict=False))
        bound.update(kwargs)
        composition.nodes.append(_Node(self, bound))
        node = len(composition.nodes) - 1
        pending = tuple(_Pending(node, name) for name in self.outs)
        return pending[0] if len(pending) == 1 else pending

    def _invoke(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        given = (args and _looks_like_context(args[0])) or "context" in kwargs
        if self.takes_context and not given:
            from nbassets.engine.context import build_asset_context

            args = (build_asset_context(), *args)
        return self.fn(*args, **kwargs)

    def run(self, context: Any, values: Mapping[str, Any], config: Any = None) -> Any:
        """Call the op inside a running graph, with its input values and the graph's config."""
        kwargs = {
            name: value for name, value in values.items() if not _is_nothing(self.ins.get(name))
        }
        for param in inspect.signature(self.fn).parameters.values():
            annotation = param.annotation
            if isinstance(annotation, type) and param.name not in kwargs:
                from_config = _config_from(annotation, config, self.name)
                if from_config is not None:
                    kwargs[param.name] = from_config
        if self.takes_context:
            return self.fn(context, **kwargs)
        return self.fn(**kwargs)

    def __repr__(self) -> str:
        return f"<OpDefinition {self.name}>"


def _config_from(annotation: type, config: Any, op_name: str) -> Any:
    import sys

    module = sys.modules.get("nbassets.definitions.config")
    if module is None or not issubclass(annotation, module.Config):
        return None
    values = config.get(op_name, {}).get("config", {}) if isinstance(config, Mapping) else {}
    return annotation(**values)


def _is_nothing(spec: In | None) -> bool:
    return spec is not None and spec.dagster_type is Nothing


def _looks_like_context(value: Any) -> bool:
    return hasattr(value, "log") and hasattr(value, "resources")


def op(
    compute_fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    ins: Mapping[str, In] | None = None,
    out: Out | Mapping[str, Out] | None = None,
    config_schema: Any = None,
    required_resource_keys: Iterable[str] | None = None,
    tags: Mapping[str, Any] | None = None,
    retry_policy: Any = None,
    code_version: str | None = None,
    pool: str | None = None,
) -> Any:
    """Define an op from a function, as Dagster's ``@op``."""

    def build(fn: Callable[..., Any]) -> OpDefinition:
        return OpDefinition(
            fn,
            name=name,
            ins=ins,
            out=out,
            description=description,
            tags=tags,
            required_resource_keys=required_resource_keys,
            config_schema=config_schema,
            retry_policy=retry_policy,
            code_version=code_version,
            pool=pool,
        )

    return build(compute_fn) if compute_fn is not None else build


class GraphDefinition:
    """Ops wired together by a function body, recorded once and run in order."""

    def __init__(
        self,
        fn: Callable[..., Any],
        *,
        name: str | None = None,
        description: str | None = None,
        ins: Mapping[str, Any] | None = None,
        out: Any = None,
        config: Any = None,
        tags: Mapping[str, Any] | None = None,
    ) -> None:
        self.fn = fn
        self.name = name or fn.__name__
        self.description = description or inspect.getdoc(fn)
        self.config = config
        self.tags = dict(tags or {})
        self.input_names = list(inspect.signature(fn).parameters)
        self.ins = dict(ins or {})
        self._recorded: tuple[list[_Node], Any] | None = None
        self.__name__ = self.name
        self.__wrapped__ = fn

    def _record(self) -> tuple[list[_Node], Any]:
        if self._recorded is None:
            composition = _Composition()
            token = _composing.set(composition)
            try:
                inputs = {name: _Pending(-1, name) for name in self.input_names}
                returned = self.fn(**inputs)
            finally:
                _composing.reset(token)
            self._recorded = (composition.nodes, returned)
        return self._recorded

    @property
    def output_names(self) -> list[str]:
        _, returned = self._record()
        if isinstance(returned, Mapping):
            return list(returned)
        return ["result"]

    @property
    def node_names(self) -> list[str]:
        return [node.op.name for node in self._record()[0]]

    @property
    def required_resource_keys(self) -> frozenset[str]:
        keys: set[str] = set()
        for node in self._record()[0]:
            keys |= node.op.required_resource_keys
        return frozenset(keys)

    @property
    def takes_context(self) -> bool:
        return True

    def run(self, context: Any, inputs: Mapping[str, Any]) -> Any:
        """Run the recorded ops with ``inputs``; return what the body returned, resolved."""
        return self.run_nodes(context, inputs)[0]

    def node_names_in_order(self) -> list[str]:
        """Each recorded op call's node name: the op's name, then ``name_2``, ``name_3``..."""
        seen: dict[str, int] = {}
        names = []
        for node in self._record()[0]:
            seen[node.op.name] = seen.get(node.op.name, 0) + 1
            count = seen[node.op.name]
            names.append(node.op.name if count == 1 else f"{node.op.name}_{count}")
        return names

    def run_nodes(self, context: Any, inputs: Mapping[str, Any]) -> tuple[Any, dict[str, Any]]:
        """Run the recorded ops; return the resolved result and each node's output."""
        nodes, returned = self._record()
        results: list[Any] = []
        config = self.config if self.config is not None else getattr(context, "op_config", None)

        def resolve(value: Any) -> Any:
            if isinstance(value, _Pending):
                if value.node == -1:
                    return inputs[value.output]
                produced = results[value.node]
                names = list(nodes[value.node].op.outs)
                if len(names) == 1:
                    return produced
                return produced[names.index(value.output)]
            if isinstance(value, tuple):
                return tuple(resolve(v) for v in value)
            if isinstance(value, Mapping):
                return {k: resolve(v) for k, v in value.items()}
            return value

        for node in nodes:
            values = {name: resolve(arg) for name, arg in node.args.items()}
            results.append(node.op.run(context, values, config))
        return resolve(returned), dict(zip(self.node_names_in_order(), results, strict=True))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        composition = _composing.get()
        if composition is None:
            raise InvalidInvocationError(
                f"Graph '{self.name}' runs as an asset (graph_asset) or a job; it is not "
                "called directly. Call its ops directly to test them."
            )
        # A graph inside a graph: inline its ops into the outer composition.
        bound = dict(zip(self.input_names, args, strict=False))
        bound.update(kwargs)
        nodes, returned = self._record()
        offset = len(composition.nodes)

        def shift(value: Any) -> Any:
            if isinstance(value, _Pending):
                return (
                    bound[value.output]
                    if value.node == -1
                    else _Pending(value.node + offset, value.output)
                )
            if isinstance(value, tuple):
                return tuple(shift(v) for v in value)
            if isinstance(value, Mapping):
                return {k: shift(v) for k, v in value.items()}
            return value

        for node in nodes:
            composition.nodes.append(_Node(node.op, {k: shift(v) for k, v in node.args.items()}))
        return shift(returned)

    def __repr__(self) -> str:
        return f"<GraphDefinition {self.name}>"


def graph(
    compose_fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    ins: Mapping[str, Any] | None = None,
    out: Any = None,
    config: Any = None,
    tags: Mapping[str, Any] | None = None,
) -> Any:
    """Define a graph of ops from a composition function, as Dagster's ``@graph``."""

    def build(fn: Callable[..., Any]) -> GraphDefinition:
        return GraphDefinition(
            fn, name=name, description=description, ins=ins, out=out, config=config, tags=tags
        )

    return build(compose_fn) if compose_fn is not None else build


def _graph_function(graph_def: GraphDefinition, outputs: Sequence[str] | None) -> Any:
    """A function of ``(context, *inputs)`` running the graph, for an asset to wrap."""

    def run_graph(context: Any, **inputs: Any) -> Any:
        returned = graph_def.run(context, inputs)
        if outputs is None:
            return returned
        if isinstance(returned, Mapping):
            return tuple(returned[name] for name in outputs)
        return returned

    params = [inspect.Parameter("context", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    params += [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY) for name in graph_def.input_names
    ]
    run_graph.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    run_graph.__name__ = graph_def.name
    run_graph.__doc__ = graph_def.description
    run_graph.__module__ = getattr(graph_def.fn, "__module__", __name__)
    return run_graph


def graph_asset(compose_fn: Callable[..., Any] | None = None, **kwargs: Any) -> Any:
    """Define an asset computed by a graph of ops, as Dagster's ``@graph_asset``.

    Takes ``@asset``'s arguments that describe the asset (``name``, ``key_prefix``,
    ``ins``, ``group_name``, ``partitions_def``, ``metadata``, ``tags``, ``owners``,
    ``kinds``, ``code_version``, ``check_specs``, ...); ``config`` is the run config
    of the graph's ops.
    """
    from nbassets.definitions.decorators import asset

    config = kwargs.pop("config", None)
    for unused in ("automation_condition", "auto_materialize_policy", "freshness_policy"):
        kwargs.pop(unused, None)

    def build(fn: Callable[..., Any]) -> Any:
        graph_def = GraphDefinition(fn, name=kwargs.get("name"), config=config)
        definition = asset(_graph_function(graph_def, None), **kwargs)
        return definition

    return build(compose_fn) if compose_fn is not None else build


def graph_multi_asset(**kwargs: Any) -> Any:
    """Define several assets computed by one graph, as Dagster's ``@graph_multi_asset``."""
    from nbassets.definitions.decorators import multi_asset

    config = kwargs.pop("config", None)
    for unused in ("automation_condition", "auto_materialize_policy", "freshness_policy"):
        kwargs.pop(unused, None)

    def build(fn: Callable[..., Any]) -> Any:
        graph_def = GraphDefinition(fn, name=kwargs.get("name"), config=config)
        outs = kwargs.get("outs") or {}
        definition = multi_asset(**kwargs)(_graph_function(graph_def, list(outs)))
        return definition

    return build


def assets_from_graph(
    graph_def: GraphDefinition,
    keys_by_input_name: Mapping[str, Any] | None,
    keys_by_output_name: Mapping[str, Any] | None,
) -> Any:
    """The ``AssetsDefinition(node_def=graph, ...)`` form: a graph-backed asset by keys."""
    from nbassets.definitions.decorators import multi_asset
    from nbassets.definitions.keys import coerce_key
    from nbassets.definitions.specs import AssetIn, AssetOut

    ins = {name: AssetIn(key=coerce_key(key)) for name, key in (keys_by_input_name or {}).items()}
    outs = {
        name: AssetOut(key=coerce_key(key)) for name, key in (keys_by_output_name or {}).items()
    }
    names = list(outs) if len(outs) > 1 else None
    definition = multi_asset(outs=outs, ins=ins, name=graph_def.name)(
        _graph_function(graph_def, names)
    )
    return definition


def graph_of_op(op_def: OpDefinition) -> GraphDefinition:
    """A graph of one op, so an op can back an asset as a graph does."""

    def compose(**inputs: Any) -> Any:
        return op_def(**inputs)

    compose.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY) for n in op_def.input_names]
    )
    return GraphDefinition(compose, name=op_def.name)


class OpJobResult:
    """The outcome of running an op job in process."""

    def __init__(self, run_id: str, outputs: Mapping[str, Any], error: BaseException | None):
        self.run_id = run_id
        self._outputs = dict(outputs)
        self.error = error

    @property
    def success(self) -> bool:
        return self.error is None

    def output_for_node(self, node_str: str, output_name: str = "result") -> Any:
        """The value op ``node_str`` produced (``output_name`` for ops with several outs)."""
        if node_str not in self._outputs:
            from nbassets.errors import did_you_mean

            raise InvalidInvocationError(
                f"No node {node_str!r} in this run." + did_you_mean(node_str, self._outputs)
            )
        return self._outputs[node_str]


class OpJob:
    """A graph of ops run as a job, in process: Dagster's ``@job``."""

    def __init__(
        self,
        graph_def: GraphDefinition,
        *,
        config: Any = None,
        tags: Mapping[str, Any] | None = None,
        resource_defs: Mapping[str, Any] | None = None,
        description: str | None = None,
    ) -> None:
        self.graph_def = graph_def
        self.name = graph_def.name
        self.config = config
        self.tags = dict(tags or {})
        self.resource_defs = dict(resource_defs or {})
        self.description = description or graph_def.description

    def execute_in_process(
        self,
        run_config: Mapping[str, Any] | None = None,
        instance: Any = None,
        resources: Mapping[str, Any] | None = None,
        raise_on_error: bool = True,
        op_selection: Sequence[str] | None = None,
        tags: Mapping[str, Any] | None = None,
    ) -> OpJobResult:
        """Run every op once, in order, in this process.

        Raises:
            InvalidInvocationError: ``op_selection`` is given (op jobs run whole).
        """
        import uuid

        from nbassets.definitions.resources import resolve_resources
        from nbassets.engine.context import build_op_context

        del instance, tags
        if op_selection is not None:
            raise InvalidInvocationError(
                f"op_selection is supported for asset jobs; job '{self.name}' is a graph of "
                "ops and runs whole in nbassets."
            )
        config = run_config if run_config is not None else self.config
        ops_config = (config or {}).get("ops") if isinstance(config, Mapping) else None
        built = resolve_resources({**self.resource_defs, **(resources or {})})
        context = build_op_context(resources=built, op_config=ops_config)
        run_id = str(uuid.uuid4())
        try:
            _, outputs = self.graph_def.run_nodes(context, {})
        except Exception as exc:
            if raise_on_error:
                raise
            return OpJobResult(run_id, {}, exc)
        return OpJobResult(run_id, outputs, None)

    def __repr__(self) -> str:
        return f"<OpJob {self.name}>"


def job(
    compose_fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    config: Any = None,
    tags: Mapping[str, Any] | None = None,
    resource_defs: Mapping[str, Any] | None = None,
    **ignored: Any,
) -> Any:
    """Define a job from a composition of ops, as Dagster's ``@job``, run in process."""
    del ignored

    def build(fn: Callable[..., Any]) -> OpJob:
        graph_def = GraphDefinition(fn, name=name, description=description)
        return OpJob(
            graph_def, config=config, tags=tags, resource_defs=resource_defs, description=None
        )

    return build(compose_fn) if compose_fn is not None else build
