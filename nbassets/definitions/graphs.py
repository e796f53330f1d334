"""Graphs: ops (and graphs) wired together, Dagster's ``@graph`` and ``GraphDefinition``.

Responsibilities:

* Composition: a ``@graph`` body runs once, when decorated, with placeholders for its
  inputs; each op or graph call inside records a node (named after the op, then
  ``name_2``, ``name_3``... or its ``alias``) and returns placeholders for the node's
  outputs. Wiring mistakes (a plain value where an op output belongs, too many
  arguments) fail at decoration, as in Dagster.
* The explicit form: ``GraphDefinition(name, node_defs=[...], dependencies={...})``
  with ``DependencyDefinition`` / ``MultiDependencyDefinition`` / ``NodeInvocation``.
* ``GraphIn`` / ``GraphOut``, ``input_mappings`` / ``output_mappings`` and
  ``ConfigMapping`` (``@config_mapping``): a graph's interface.

Running a graph is ``nbassets.engine.op_runs``; ``to_job`` gives an op job.
"""

from __future__ import annotations

import contextvars
import inspect
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from nbassets.definitions.ops import NO_DEFAULT, In, Nothing, OpDefinition
from nbassets.errors import InvalidDefinitionError, InvalidInvocationError

__all__ = [
    "ConfigMapping",
    "DependencyDefinition",
    "GraphDefinition",
    "GraphIn",
    "GraphOut",
    "MultiDependencyDefinition",
    "NodeInvocation",
    "check_unique_definitions",
    "config_mapping",
    "graph",
]


@dataclass(frozen=True)
class GraphIn:
    """A graph input: its description and metadata (its type comes from the ops it feeds)."""

    description: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GraphOut:
    """A graph output."""

    description: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DependencyDefinition:
    """In the explicit form: an input fed by ``node``'s output ``output``."""

    node: str
    output: str = "result"
    description: str | None = None


@dataclass(frozen=True)
class MultiDependencyDefinition:
    """In the explicit form: an input fed by several outputs (a list, fan-in)."""

    dependencies: Sequence[DependencyDefinition | type[Nothing]]


@dataclass(frozen=True)
class NodeInvocation:
    """In the explicit form: a node of definition ``name``, named ``alias``."""

    name: str
    alias: str | None = None
    tags: Mapping[str, Any] | None = None
    hook_defs: frozenset[Any] | None = None
    retry_policy: Any = None


@dataclass(frozen=True)
class ConfigMapping:
    """Turns a graph's (or job's) own config into its ops' config."""

    config_fn: Callable[[Any], Any]
    config_schema: Any = None
    receive_processed_config_values: bool | None = None
    description: str | None = None

    def resolve(self, config: Any) -> Any:
        """The ops' config for ``config`` given to the graph (schema defaults filled)."""
        from nbassets.engine.run_config import check_schema_config

        if self.config_schema is not None:
            process = self.receive_processed_config_values is not False
            config = check_schema_config("config mapping", self.config_schema, config, process)
        return self.config_fn(config)


def config_mapping(
    config_fn: Callable[[Any], Any] | None = None,
    *,
    config_schema: Any = None,
    receive_processed_config_values: bool | None = None,
) -> Any:
    """Dagster's ``@config_mapping``: a function from a graph's config to its ops'."""

    def build(fn: Callable[[Any], Any]) -> ConfigMapping:
        schema = config_schema
        if schema is None:
            params = list(inspect.signature(fn).parameters.values())
            annotation = params[0].annotation if params else None
            if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
                schema = annotation
        return ConfigMapping(fn, schema, receive_processed_config_values)

    return build(config_fn) if config_fn is not None else build


# Sources of an input: another node's output, a graph input, several (fan-in). ---------


@dataclass(frozen=True)
class NodeOutput:
    node: str
    output: str = "result"


@dataclass(frozen=True)
class GraphInputRef:
    name: str


@dataclass(frozen=True)
class FanIn:
    sources: tuple[Any, ...]


@dataclass
class Node:
    """One call of an op or graph inside a graph."""

    name: str
    definition: OpDefinition | GraphDefinition
    inputs: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, Any] = field(default_factory=dict)
    hooks: frozenset[Any] = frozenset()
    retry_policy: Any = None


class InputMapping(NamedTuple):
    graph_input_name: str
    maps_to: Any


class MappedInput(NamedTuple):
    node_name: str
    input_name: str


class OutputMapping(NamedTuple):
    graph_output_name: str
    mapped_node_name: str
    mapped_node_output_name: str


# Composition --------------------------------------------------------------------------


@dataclass
class _Composition:
    graph_name: str
    nodes: dict[str, Node] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    definitions: dict[str, Any] = field(default_factory=dict)
    # Aliased or tagged ops not called (yet), by node name: warned about at the end.
    pending: dict[str, PendingInvocation] = field(default_factory=dict)


_composing: contextvars.ContextVar[_Composition | None] = contextvars.ContextVar(
    "nbassets_composing", default=None
)


def current_composition() -> _Composition | None:
    return _composing.get()


@dataclass(frozen=True)
class PendingInvocation:
    """An op or graph with an alias, tags or hooks, waiting to be called in a graph."""

    definition: Any
    alias_name: str | None = None
    tags: Mapping[str, Any] | None = None
    hooks: frozenset[Any] = frozenset()
    retry_policy: Any = None

    def __post_init__(self) -> None:
        composition = _composing.get()
        if composition is not None:
            composition.pending[self.node_name] = self

    @property
    def node_name(self) -> str:
        return self.alias_name or self.definition.name

    def alias(self, name: str) -> PendingInvocation:
        return replace(self, alias_name=check_node_name(name))

    def tag(self, tags: Mapping[str, Any]) -> PendingInvocation:
        return replace(self, tags={**(self.tags or {}), **tags})

    def with_hooks(self, hook_defs: Iterable[Any]) -> PendingInvocation:
        return replace(self, hooks=self.hooks | frozenset(hook_defs))

    def with_retry_policy(self, retry_policy: Any) -> PendingInvocation:
        return replace(self, retry_policy=retry_policy)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if current_composition() is None:
            raise InvalidInvocationError(
                f"'{self.definition.name}' with an alias, tags or hooks is only called inside "
                "a @graph or @job body."
            )
        return invoke_in_composition(self.definition, args, kwargs, pending=self)


def _warn_uninvoked(pending: PendingInvocation, graph_name: str) -> None:
    """Dagster's warning for an aliased or tagged op that the body never called."""
    kind = "op" if isinstance(pending.definition, OpDefinition) else "graph"
    message = (
        f"While in @graph context '{graph_name}', received an uninvoked {kind} "
        f"'{pending.definition.name}'.\n"
    )
    if pending.alias_name:
        message += f"'{pending.definition.name}' was aliased as '{pending.alias_name}'.\n"
    if pending.tags:
        message += f"Provided tags: {dict(pending.tags)}.\n"
    if pending.hooks:
        message += f"Provided hook definitions: {[h.name for h in pending.hooks]}.\n"
    warnings.warn(message.strip() + " Call it: add () after it.", UserWarning, stacklevel=4)


def check_node_name(name: str) -> str:
    """A node name (an alias) is letters, digits and underscores, as op names are.

    Raises:
        InvalidDefinitionError: anything else.
    """
    if not isinstance(name, str) or not name or not name.replace("_", "a").isalnum():
        raise InvalidDefinitionError(
            f"{name!r} is not a valid name for a node: use letters, digits and underscores."
        )
    return name


def _node_name(composition: _Composition, base: str, alias: str | None) -> str:
    if alias is not None:
        if alias in composition.nodes:
            raise InvalidDefinitionError(
                f"Graph '{composition.graph_name}' calls two nodes named '{alias}'. Give each "
                "alias a different name."
            )
        return alias
    count = composition.counts.get(base, 0) + 1
    name = base if count == 1 else f"{base}_{count}"
    while name in composition.nodes:
        count += 1
        name = f"{base}_{count}"
    composition.counts[base] = count
    return name


def _as_source(value: Any, node: str, input_name: str, graph_name: str) -> Any:
    if isinstance(value, (NodeOutput, GraphInputRef)):
        return value
    if isinstance(value, OutputHandle):
        return value.source
    if isinstance(value, (OpDefinition, GraphDefinition, PendingInvocation)):
        label = getattr(value, "name", None) or value.definition.name  # type: ignore[union-attr]
        raise InvalidDefinitionError(
            f"In graph '{graph_name}', input '{input_name}' of '{node}' was given '{label}' "
            "itself, not its output. Did you forget parentheses? Call it: "
            f"{label}()."
        )
    if isinstance(value, (list, tuple)) and value and not isinstance(value, OutputTuple):
        parts = []
        for item in value:
            if not isinstance(item, (OutputHandle, GraphInputRef, NodeOutput)):
                raise InvalidDefinitionError(
                    f"In graph '{graph_name}', input '{input_name}' of '{node}' got a list "
                    f"holding {item!r:.40}. Lists can only contain the output from previous op "
                    "invocations or input mappings."
                )
            parts.append(_as_source(item, node, input_name, graph_name))
        return FanIn(tuple(parts))
    raise InvalidDefinitionError(
        f"In graph '{graph_name}', input '{input_name}' of '{node}' was given {value!r:.60}, "
        "a plain value. Inside a graph, inputs come from other ops' outputs or the graph's "
        "inputs; pass a constant through config (ops.<name>.inputs) or In(default_value=)."
    )


def _named_positionally(definition: Any) -> int | None:
    """How many inputs an op taking ``**kwargs`` names as parameters (``None`` otherwise)."""
    fn = getattr(definition, "compute_fn", None)
    if not isinstance(definition, OpDefinition) or fn is None:
        return None
    params = inspect.signature(fn).parameters.values()
    if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return None
    return sum(1 for p in params if p.name in definition.input_names)


def invoke_in_composition(
    definition: Any,
    args: tuple[Any, ...],
    kwargs: Mapping[str, Any],
    pending: PendingInvocation | None = None,
) -> Any:
    """Record a call of ``definition`` in the graph being composed; return its outputs."""
    composition = _composing.get()
    assert composition is not None
    alias = pending.alias_name if pending is not None else None
    known = composition.definitions.setdefault(definition.name, definition)
    if known is not definition:
        raise InvalidDefinitionError(
            f"Detected conflicting node definitions with the same name '{definition.name}' in "
            f"graph '{composition.graph_name}'. Give each op or graph its own name."
        )
    composition.pending.pop(alias or definition.name, None)
    name = _node_name(composition, definition.name, alias)
    input_names = list(definition.input_names)
    named = _named_positionally(definition)
    if named is not None and len(args) > named and len(input_names) - named > 1:
        # Past its named parameters an op taking **kwargs has no order among the rest.
        raise InvalidDefinitionError(
            f"In graph '{composition.graph_name}', could not resolve input based on position at "
            f"index {named} for invocation {name}. Use keyword args instead, available inputs "
            f"are: {sorted(input_names)}"
        )
    if len(args) > len(input_names):
        raise InvalidDefinitionError(
            f"In graph '{composition.graph_name}', '{name}' was called with {len(args)} "
            f"positional inputs, but it takes {len(input_names)} ({input_names})."
        )
    given = dict(zip(input_names, args, strict=False))
    for key, value in kwargs.items():
        if key not in input_names:
            raise InvalidDefinitionError(
                f"In graph '{composition.graph_name}', '{name}' was given input '{key}', "
                f"but it takes {input_names}."
            )
        if key in given:
            # Dagster's class and words (Python's own TypeError for a plain function).
            raise InvalidInvocationError(
                f"op {name} got multiple values for argument '{key}'",
                advice=f"In graph '{composition.graph_name}', pass '{key}' once, by position "
                "or by name.",
            )
        given[key] = value
    inputs = {
        key: _as_source(value, name, key, composition.graph_name)
        for key, value in given.items()
        if value is not None or not _is_nothing_input(definition, key)
    }
    composition.nodes[name] = Node(
        name,
        definition,
        inputs,
        dict(pending.tags or {}) if pending else {},
        pending.hooks if pending else frozenset(),
        pending.retry_policy if pending else None,
    )
    outputs = list(_output_names(definition))
    handles = [OutputHandle(NodeOutput(name, out), name) for out in outputs]
    if not handles:
        return None
    if len(handles) == 1:
        return handles[0]
    return OutputTuple(outputs, handles)


def _is_nothing_input(definition: Any, name: str) -> bool:
    spec = getattr(definition, "ins", {}).get(name)
    return isinstance(spec, In) and spec.dagster_type is Nothing


def _output_names(definition: Any) -> list[str]:
    if isinstance(definition, OpDefinition):
        return list(definition.outs)
    return list(definition.output_names)


class OutputHandle:
    """A node's output while a graph is composed: pass it to another op's call."""

    __slots__ = ("node_name", "source")

    def __init__(self, source: NodeOutput, node_name: str) -> None:
        self.source = source
        self.node_name = node_name

    @property
    def output_name(self) -> str:
        return self.source.output

    # Dagster's class name and words, then the fix.

    def alias(self, name: str) -> Any:
        composition = current_composition()
        where = f"In graph '{composition.graph_name}', " if composition is not None else ""
        raise InvalidInvocationError(
            f"{where}attempted to call alias method for InvokedNodeOutputHandle. This object "
            "represents "
            f'the output "{self.output_name}" from the already invoked op '
            f"'{self.node_name}'. Consider checking the location of parentheses.",
            advice=f"Alias the op, then call it: {self.node_name}.alias('{name}')().",
        )

    def __getitem__(self, index: Any) -> Any:
        raise InvalidInvocationError(
            "Attempted to index in to an InvokedNodeOutputHandle. This object represents the "
            f"output \"{self.output_name}\" from the op '{self.node_name}'. Consider defining "
            "multiple Outs if you seek to pass different parts of this output to different ops.",
            advice="Declare out={'a': Out(), 'b': Out()} for several outputs.",
        )

    def map(self, fn: Callable[..., Any]) -> Any:
        raise InvalidDefinitionError(
            "Dynamic outputs (.map / .collect) are not supported in nbassets graphs."
        )

    def __iter__(self) -> Any:
        raise InvalidInvocationError(
            "Attempted to iterate over an InvokedNodeOutputHandle. This object represents the "
            f"output \"{self.output_name}\" from the op/graph '{self.node_name}'. Consider "
            "defining multiple Outs if you seek to pass different parts of this output to "
            "different op/graph.",
            advice="Declare out={'a': Out(), 'b': Out()} for several outputs.",
        )

    def __repr__(self) -> str:
        return f"<output '{self.source.output}' of '{self.node_name}'>"


class OutputTuple(tuple):  # type: ignore[type-arg]
    """A node's several outputs: unpack them, or read them by name."""

    _names: list[str]

    def __new__(cls, names: Sequence[str], handles: Sequence[OutputHandle]) -> OutputTuple:
        made = super().__new__(cls, handles)
        made._names = list(names)
        return made

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._names:
            return self[self._names.index(name)]
        raise AttributeError(f"No output '{name}'; outputs: {self._names}")

    def _asdict(self) -> dict[str, OutputHandle]:
        return dict(zip(self._names, self, strict=True))


# Graphs -------------------------------------------------------------------------------


class GraphDefinition:
    """Ops and graphs wired together: a function body recorded once, or explicit nodes."""

    def __init__(
        self,
        name: str | None = None,
        *,
        description: str | None = None,
        node_defs: Sequence[Any] | None = None,
        dependencies: Mapping[Any, Mapping[str, Any]] | None = None,
        input_mappings: Sequence[InputMapping] | None = None,
        output_mappings: Sequence[OutputMapping] | None = None,
        config: Any = None,
        tags: Mapping[str, Any] | None = None,
        ins: Mapping[str, GraphIn] | None = None,
        out: Any = None,
        fn: Callable[..., Any] | None = None,
        **ignored: Any,
    ) -> None:
        del ignored
        if callable(name) and fn is None:
            fn, name = name, None
        self.name = name or (fn.__name__ if fn is not None else "")
        if not self.name:
            raise InvalidDefinitionError("GraphDefinition needs a name.")
        self.fn = fn
        self.description = description or (inspect.getdoc(fn) if fn is not None else None)
        self.config = config
        self.tags = dict(tags or {})
        self.ins = dict(ins or {})
        self.out = out
        self.nodes: dict[str, Node] = {}
        self.outputs: dict[str, Any] = {}
        self.input_names: list[str] = []
        if fn is not None:
            self._compose(fn)
        else:
            self._build_explicit(node_defs or [], dependencies if dependencies is not None else {})
            self._map_explicitly(input_mappings or [], output_mappings or [])
        self._check_inputs_resolvable()
        if fn is not None:
            # The function's own name and docstring, as Dagster keeps them.
            self.__name__ = fn.__name__
            self.__doc__ = fn.__doc__
            self.__wrapped__ = fn

    # Building ---------------------------------------------------------------------------

    def _compose(self, fn: Callable[..., Any]) -> None:
        params = list(inspect.signature(fn).parameters.values())
        takes_kwargs = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params)
        self.input_names = [p.name for p in params if p.kind is not inspect.Parameter.VAR_KEYWORD]
        unknown = [name for name in self.ins if name not in self.input_names]
        if takes_kwargs:
            # **kwargs takes the inputs that ins= declares.
            self.input_names += unknown
        elif unknown:
            raise InvalidDefinitionError(
                f"@graph '{self.name}' decorated function does not have argument(s) "
                f"'{', '.join(unknown)}'. @graph-decorated functions should have an argument "
                "for each of their Ins. Alternatively, they can accept **kwargs.",
                advice="Add the parameters, or drop them from ins.",
            )
        composition = _Composition(self.name)
        token = _composing.set(composition)
        try:
            returned = fn(**{name: GraphInputRef(name) for name in self.input_names})
        finally:
            _composing.reset(token)
        for pending in composition.pending.values():
            _warn_uninvoked(pending, self.name)
        self.nodes = composition.nodes
        self.outputs = self._outputs_from(returned)
        self._require_mapped_inputs()

    def _require_mapped_inputs(self) -> None:
        """Each graph input must feed some node (or a graph output), as in Dagster."""
        used = {ref.name for ref in self.outputs.values() if isinstance(ref, GraphInputRef)}
        for node in self.nodes.values():
            for source in node.inputs.values():
                parts = source.sources if isinstance(source, FanIn) else (source,)
                used.update(p.name for p in parts if isinstance(p, GraphInputRef))
        for name in self.input_names:
            if name not in used:
                raise InvalidDefinitionError(
                    f"@graph '{self.name}' has unmapped input '{name}'. Remove it or pass it "
                    "to the appropriate op/graph invocation.",
                    advice=f"Pass '{name}' to an op inside the graph, or drop the parameter.",
                )

    def _outputs_from(self, returned: Any) -> dict[str, Any]:
        declared = list(self.out) if isinstance(self.out, Mapping) else None
        if returned is None:
            if declared:
                raise InvalidDefinitionError(
                    f"Graph '{self.name}' declares outputs {declared} but returns nothing. "
                    "Return the op outputs that feed them."
                )
            return {}
        if isinstance(returned, OutputTuple) and declared is None:
            raise InvalidDefinitionError(
                f"Graph '{self.name}' returns an op's several outputs; declare them with "
                "out={'a': GraphOut(), ...} and return a dict or tuple of them."
            )
        if isinstance(returned, Mapping):
            items = dict(returned)
            if declared is not None and set(items) != set(declared):
                raise InvalidDefinitionError(
                    f"Graph '{self.name}' returns outputs {sorted(items)} but declares "
                    f"{sorted(declared)}."
                )
        elif isinstance(returned, tuple) and declared is not None and len(declared) > 1:
            if len(returned) != len(declared):
                raise InvalidDefinitionError(
                    f"Graph '{self.name}' declares {len(declared)} outputs but returns "
                    f"{len(returned)}."
                )
            items = dict(zip(declared, returned, strict=True))
        else:
            if declared is not None and len(declared) != 1:
                raise InvalidDefinitionError(
                    f"Graph '{self.name}' declares outputs {declared} but returns one value. "
                    "Return a dict of them."
                )
            items = {declared[0] if declared else "result": returned}
        outputs: dict[str, Any] = {}
        for name, value in items.items():
            if isinstance(value, OutputHandle):
                outputs[name] = value.source
            elif isinstance(value, GraphInputRef):
                outputs[name] = value
            else:
                raise InvalidDefinitionError(
                    f"Graph '{self.name}' returns {value!r:.60} for output '{name}'; a graph "
                    "returns outputs of the ops it calls."
                )
        return outputs

    def _build_explicit(
        self, node_defs: Sequence[Any], dependencies: Mapping[Any, Mapping[str, Any]]
    ) -> None:
        by_name: dict[str, Any] = {}
        for definition in node_defs:
            if callable(definition) and not isinstance(definition, (OpDefinition, GraphDefinition)):
                label = getattr(definition, "__name__", repr(definition))
                raise InvalidDefinitionError(
                    f"Invalid item in node list: {definition!r:.60}. You have passed a lambda or "
                    f"function {label} where an op or graph belongs: decorate it with @op."
                )
            if not isinstance(definition, (OpDefinition, GraphDefinition)):
                raise InvalidDefinitionError(
                    f"Invalid item in node list: {definition!r:.60}. Graph '{self.name}' takes "
                    "ops and graphs in node_defs."
                )
            if definition.name in by_name and by_name[definition.name] is not definition:
                raise InvalidDefinitionError(
                    f"Graph '{self.name}' has two different definitions named "
                    f"'{definition.name}'. Give them different names."
                )
            by_name[definition.name] = definition
        if not isinstance(dependencies, Mapping):
            raise InvalidDefinitionError(
                'The expected type for "dependencies" is Union[Mapping[str, Mapping[str, '
                "DependencyDefinition]], Mapping[NodeInvocation, Mapping[str, "
                f"DependencyDefinition]]]; got {type(dependencies).__name__} in graph "
                f"'{self.name}'."
            )
        for key, deps in dependencies.items():
            label = key.alias or key.name if isinstance(key, NodeInvocation) else key
            if isinstance(deps, (DependencyDefinition, MultiDependencyDefinition)):
                raise InvalidDefinitionError(
                    f"Received a IDependencyDefinition one layer too high under key {label}. "
                    "Dependencies map each node to {input name: DependencyDefinition}."
                )
            if not isinstance(deps, Mapping):
                raise InvalidDefinitionError(
                    f'Expected a dict of input name to DependencyDefinition for node "{label}"; '
                    f"got {deps!r:.60}."
                )
        invocations: dict[str, tuple[str, NodeInvocation | None]] = {}
        for key in dependencies:
            if isinstance(key, NodeInvocation):
                invocations[key.alias or key.name] = (key.name, key)
            else:
                invocations[str(key)] = (str(key), None)
        used = {definition for definition, _ in invocations.values()}
        for definition_name in by_name:
            if definition_name not in used and definition_name not in invocations:
                invocations[definition_name] = (definition_name, None)
        for node_name, (definition_name, invocation) in invocations.items():
            if definition_name not in by_name:
                # Dagster's exact words: code compares the whole message.
                aliased = (
                    f' (aliased by "{node_name}" in dependency dictionary)'
                    if node_name != definition_name
                    else " in dependency dictionary"
                )
                raise InvalidDefinitionError(
                    f'Invalid dependencies: node "{definition_name}"{aliased} not found in node '
                    "list"
                )
            self.nodes[node_name] = Node(
                node_name,
                by_name[definition_name],
                tags=dict((invocation.tags if invocation else None) or {}),
                hooks=frozenset((invocation.hook_defs if invocation else None) or ()),
            )
        for key, deps in dependencies.items():
            node_name = key.alias or key.name if isinstance(key, NodeInvocation) else str(key)
            node = self.nodes[node_name]
            for input_name, dep in deps.items():
                if input_name not in node.definition.input_names:
                    kind = "op" if isinstance(node.definition, OpDefinition) else "graph"
                    raise InvalidDefinitionError(
                        f'Invalid dependencies: {kind} "{node_name}" does not have input '
                        f'"{input_name}". Available inputs: {list(node.definition.input_names)}'
                    )
                node.inputs[input_name] = self._explicit_source(node_name, input_name, dep)
        self.nodes = _in_dependency_order(self.name, self.nodes)

    def _explicit_source(self, node_name: str, input_name: str, dep: Any) -> Any:
        if isinstance(dep, MultiDependencyDefinition):
            return FanIn(
                tuple(
                    self._explicit_source(node_name, input_name, d)
                    for d in dep.dependencies
                    if isinstance(d, DependencyDefinition)
                )
            )
        if not isinstance(dep, DependencyDefinition):
            raise InvalidDefinitionError(
                f'Expected IDependencyDefinition for node "{node_name}" input "{input_name}" '
                f"in graph '{self.name}'; got {dep!r:.60}."
            )
        if dep.node == node_name:
            raise InvalidDefinitionError(
                f"Graph '{self.name}': node '{node_name}' depends on itself, a circular reference."
            )
        if dep.node not in self.nodes:
            raise InvalidDefinitionError(
                f"node \"{dep.node}\" not found in node list of graph '{self.name}' (node "
                f'"{node_name}" depends on it); its nodes: {sorted(self.nodes)}.'
            )
        outputs = _output_names(self.nodes[dep.node].definition)
        if dep.output not in outputs:
            raise InvalidDefinitionError(
                f'node "{dep.node}" does not have output "{dep.output}" (node "{node_name}" '
                f"depends on it); its outputs: {outputs}."
            )
        return NodeOutput(dep.node, dep.output)

    def _map_explicitly(
        self, input_mappings: Sequence[InputMapping], output_mappings: Sequence[OutputMapping]
    ) -> None:
        for mapping in input_mappings:
            target = mapping.maps_to
            self.nodes[target.node_name].inputs[target.input_name] = GraphInputRef(
                mapping.graph_input_name
            )
            if mapping.graph_input_name not in self.input_names:
                self.input_names.append(mapping.graph_input_name)
        for out_mapping in output_mappings:
            self.outputs[out_mapping.graph_output_name] = NodeOutput(
                out_mapping.mapped_node_name, out_mapping.mapped_node_output_name
            )

    def _check_inputs_resolvable(self) -> None:
        """Nothing to check at definition: unconnected inputs may come from run config."""

    # Introspection -----------------------------------------------------------------------

    @property
    def output_names(self) -> list[str]:
        return list(self.outputs)

    @property
    def node_names(self) -> list[str]:
        return list(self.nodes)

    @property
    def node_defs(self) -> list[Any]:
        seen: dict[str, Any] = {}
        for node in self.nodes.values():
            seen.setdefault(node.definition.name, node.definition)
        return list(seen.values())

    @property
    def nodes_in_topological_order(self) -> list[Node]:
        return list(self.nodes.values())

    def has_node(self, name: str) -> bool:
        return name in self.nodes

    def node_named(self, name: str) -> Node:
        return self.nodes[name]

    @property
    def input_mappings(self) -> list[InputMapping]:
        """Each graph input's mappings, in the order of the graph's inputs (as Dagster)."""
        found = []
        for node in self.nodes.values():
            for input_name, source in node.inputs.items():
                if isinstance(source, GraphInputRef):
                    found.append(InputMapping(source.name, MappedInput(node.name, input_name)))
        order = {name: i for i, name in enumerate(self.input_names)}
        return sorted(found, key=lambda m: order.get(m.graph_input_name, len(order)))

    @property
    def output_mappings(self) -> list[OutputMapping]:
        return [
            OutputMapping(name, source.node, source.output)
            for name, source in self.outputs.items()
            if isinstance(source, NodeOutput)
        ]

    @property
    def input_defs(self) -> list[Any]:
        from nbassets.definitions.op_view import InputDefinition

        return [InputDefinition(name) for name in self.input_names]

    @property
    def required_resource_keys(self) -> frozenset[str]:
        keys: set[str] = set()
        for node in self.nodes.values():
            keys |= node.definition.required_resource_keys
        return frozenset(keys)

    @property
    def takes_context(self) -> bool:
        return True

    def input_sources(self, name: str) -> list[tuple[str, str]]:
        """The (node, input) pairs graph input ``name`` feeds."""
        return [
            (m.maps_to.node_name, m.maps_to.input_name)
            for m in self.input_mappings
            if m.graph_input_name == name
        ]

    # Configured calls, running -------------------------------------------------------------

    def alias(self, name: str) -> PendingInvocation:
        return PendingInvocation(self, alias_name=check_node_name(name))

    def tag(self, tags: Mapping[str, Any]) -> PendingInvocation:
        return PendingInvocation(self, tags=tags)

    def with_hooks(self, hook_defs: Iterable[Any]) -> PendingInvocation:
        return PendingInvocation(self, hooks=frozenset(hook_defs))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if current_composition() is None:
            raise InvalidInvocationError(
                f"Graph '{self.name}' is not called directly outside a graph: run it with "
                f"{self.name}.execute_in_process(), or call its ops directly to test them."
            )
        return invoke_in_composition(self, args, kwargs)

    def execute_in_process(
        self,
        run_config: Any = None,
        instance: Any = None,
        resources: Mapping[str, Any] | None = None,
        raise_on_error: bool = True,
        op_selection: Sequence[str] | None = None,
        run_id: str | None = None,
        input_values: Mapping[str, Any] | None = None,
        tags: Mapping[str, Any] | None = None,
        **ignored: Any,
    ) -> Any:
        """Run the graph's ops in order, in this process, as a job named after the graph."""
        return self.to_job(resource_defs=resources).execute_in_process(
            run_config=run_config,
            instance=instance,
            raise_on_error=raise_on_error,
            op_selection=op_selection,
            run_id=run_id,
            input_values=input_values,
            tags=tags,
        )

    def to_job(
        self,
        name: str | None = None,
        description: str | None = None,
        resource_defs: Mapping[str, Any] | None = None,
        config: Any = None,
        tags: Mapping[str, Any] | None = None,
        **ignored: Any,
    ) -> Any:
        """This graph as an op job (``@job``'s result)."""
        from nbassets.engine.op_jobs import OpJob

        return OpJob(
            self,
            name=name,
            description=description,
            resource_defs=resource_defs,
            config=config if config is not None else self.config,
            tags=tags,
        )

    def __repr__(self) -> str:
        return f"<GraphDefinition {self.name}>"


def check_unique_definitions(graph: GraphDefinition) -> None:
    """Every op and graph in ``graph``'s tree has a name of its own, as a job needs.

    Raises:
        InvalidDefinitionError: two different definitions share a name (Dagster's words).
    """
    seen: dict[str, Any] = {}
    pending = [graph]
    while pending:
        current = pending.pop()
        for node in current.nodes.values():
            definition = node.definition
            known = seen.setdefault(definition.name, definition)
            if known is not definition:
                raise InvalidDefinitionError(
                    f'Detected conflicting node definitions with the same name "{definition.name}"'
                    f" (in graph '{current.name}'). Give each op or graph its own name."
                )
            if isinstance(definition, GraphDefinition):
                pending.append(definition)


def _in_dependency_order(graph_name: str, nodes: dict[str, Node]) -> dict[str, Node]:
    ordered: dict[str, Node] = {}
    visiting: list[str] = []

    def upstream(node: Node) -> list[str]:
        names = []
        for source in node.inputs.values():
            parts = source.sources if isinstance(source, FanIn) else (source,)
            names += [p.node for p in parts if isinstance(p, NodeOutput)]
        return names

    def visit(name: str) -> None:
        if name in ordered:
            return
        if name in visiting:
            cycle = visiting[visiting.index(name) :]
            items = ", ".join(
                f"{member}:{ {up for up in upstream(nodes[member]) if up in cycle} }"
                for member in cycle
            )
            raise InvalidDefinitionError(
                f"Circular dependencies exist among these items: {{{items}}} (in graph "
                f"'{graph_name}'). Remove one of these dependencies."
            )
        visiting.append(name)
        for up in upstream(nodes[name]):
            visit(up)
        visiting.pop()
        ordered[name] = nodes[name]

    for name in nodes:
        visit(name)
    return ordered


def graph(
    compose_fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    ins: Mapping[str, GraphIn] | None = None,
    out: Any = None,
    config: Any = None,
    tags: Mapping[str, Any] | None = None,
    **ignored: Any,
) -> Any:
    """Define a graph of ops from a composition function, as Dagster's ``@graph``."""

    def build(fn: Callable[..., Any]) -> GraphDefinition:
        return GraphDefinition(
            name, fn=fn, description=description, ins=ins, out=out, config=config, tags=tags
        )

    return build(compose_fn) if compose_fn is not None else build


def default_of(spec: In | None, fallback: Any = NO_DEFAULT) -> Any:
    """The default value of an input, or ``NO_DEFAULT``."""
    if spec is not None and spec.has_default_value:
        return spec.default_value
    return fallback
