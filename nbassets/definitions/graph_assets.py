"""Assets computed by a graph of ops.

``graph_asset``, ``graph_multi_asset`` and ``AssetsDefinition(node_def=graph_or_op,
keys_by_input_name=..., keys_by_output_name=...)``. The asset is one step; its ops
run inside it (``nbassets.engine.op_runs``) and each op's outputs are kept under
``<asset node>.<op handle>``, so ``result.output_for_node("my_graph.my_op")`` answers
as in Dagster.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from nbassets.definitions.automation import condition_of
from nbassets.definitions.check_specs import check_output_name
from nbassets.definitions.graphs import GraphDefinition
from nbassets.definitions.keys import AssetKey, coerce_key
from nbassets.definitions.ops import OpDefinition
from nbassets.definitions.specs import AssetCheckSpec
from nbassets.errors import InvalidDefinitionError

__all__ = [
    "assets_from_graph",
    "assets_from_node",
    "graph_asset",
    "graph_multi_asset",
    "graph_of_op",
]


def _graph_function(
    graph_def: GraphDefinition,
    outputs: Sequence[str] | None,
    nothing: Iterable[str] = (),
    checks: Mapping[str, AssetCheckSpec] | None = None,
) -> Any:
    """A function of ``(context, *inputs)`` running the graph, for an asset to wrap.

    With several outputs it yields an ``Output`` for each the graph produced, so an
    optional output (or one outside a subset) may be left out. ``checks`` are the graph
    outputs that carry an ``AssetCheckResult`` (Dagster names them
    ``<asset>_<check>``), by output name; each is yielded as that check's result.
    Only the ops the selected outputs and checks need run.
    """
    checks = dict(checks or {})

    def run_graph(context: Any, **inputs: Any) -> Any:
        from nbassets.definitions.results import Output
        from nbassets.engine.op_runs import run_graph_in_asset

        wanted = None
        if outputs is not None:
            selected = context.selected_asset_check_keys
            wanted = [n for n in outputs if n in context.selected_output_names]
            wanted += [n for n, spec in checks.items() if spec.key in selected]
        values = run_graph_in_asset(graph_def, context, inputs, wanted)
        if outputs is None:
            if not graph_def.output_names:
                return None
            name = graph_def.output_names[0]
            if name not in values:
                from nbassets.engine.op_runs import StepOutputNotFoundError

                raise StepOutputNotFoundError(
                    f"Graph '{graph_def.name}' finished without a value for its output '{name}'."
                )
            return values[name]
        produced: list[Any] = [Output(values[n], output_name=n) for n in outputs if n in values]
        produced += [_as_result(values[n], spec) for n, spec in checks.items() if n in values]
        return _yield_outputs(produced)

    params = [inspect.Parameter("context", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    params += [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY)
        for name in graph_def.input_names
        if name not in set(nothing)
    ]
    run_graph.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    run_graph.__name__ = graph_def.name
    run_graph.__doc__ = graph_def.description
    run_graph.__module__ = getattr(graph_def.fn, "__module__", __name__)
    return run_graph


def _yield_outputs(items: list[Any]) -> Iterator[Any]:
    yield from items


def _as_result(value: Any, spec: AssetCheckSpec) -> Any:
    """The check result a graph's check output carries, named for its spec."""
    from nbassets.definitions.results import AssetCheckResult

    if not isinstance(value, AssetCheckResult):
        raise InvalidDefinitionError(
            f"Graph output '{check_output_name(spec)}' gave {type(value).__name__}, but it "
            f"reports check '{spec.name}': the op behind it must return an "
            "AssetCheckResult(passed=...)."
        )
    return replace(value, asset_key=spec.asset_key, check_name=spec.name)


def _graph_ins(ins: Mapping[str, Any] | None) -> dict[str, Any]:
    """The graph's inputs for an asset's ``ins``: each must be a parameter (or **kwargs)."""
    from nbassets.definitions.graphs import GraphIn

    return {name: GraphIn() for name in ins or {}}


def _mapped_config_schema(config: Any) -> dict[str, Any]:
    """With a ``ConfigMapping``, the asset takes the mapping's config (its schema)."""
    from nbassets.definitions.graphs import ConfigMapping

    if not isinstance(config, ConfigMapping):
        return {}
    # No schema: any config, handed to the mapping as given.
    return {"config_schema": config.config_schema if config.config_schema is not None else object}


def _nothing_ins(ins: Mapping[str, Any] | None, nothing: Iterable[str]) -> dict[str, Any]:
    """``ins`` with each input that only orders ops typed ``Nothing`` (no value is loaded)."""
    from nbassets.definitions.ops import Nothing
    from nbassets.definitions.specs import AssetIn

    made = dict(ins or {})
    for name in nothing:
        made[name] = replace(made.get(name) or AssetIn(), dagster_type=Nothing)
    return made


def _check_outputs(specs: Iterable[AssetCheckSpec] | None) -> dict[str, AssetCheckSpec]:
    return {check_output_name(spec): spec for spec in specs or ()}


# Accepted and not kept: nothing in a notebook evaluates freshness, hooks are per op.
_UNUSED = ("freshness_policy", "legacy_freshness_policy", "hooks")


def graph_asset(compose_fn: Callable[..., Any] | None = None, **kwargs: Any) -> Any:
    """Define an asset computed by a graph of ops, as Dagster's ``@graph_asset``.

    Takes ``@asset``'s arguments that describe the asset (``name``, ``key_prefix``,
    ``ins``, ``group_name``, ``partitions_def``, ``metadata``, ``tags``, ``owners``,
    ``kinds``, ``code_version``, ``check_specs``, ...); ``config`` is the run config
    of the graph's ops (or a ``ConfigMapping``).
    """
    from nbassets.definitions.decorators import asset

    config = kwargs.pop("config", None)
    for unused in _UNUSED:
        kwargs.pop(unused, None)
    kwargs.update(_mapped_config_schema(config))
    condition = condition_of(
        kwargs.pop("automation_condition", None), kwargs.pop("auto_materialize_policy", None)
    )
    if condition is not None:
        kwargs["automation_condition"] = condition

    def build(fn: Callable[..., Any]) -> Any:
        if kwargs.get("key") is not None and (
            kwargs.get("name") is not None or kwargs.get("key_prefix") is not None
        ):
            raise InvalidDefinitionError(
                "Cannot specify a name or key prefix for @graph_asset when the key argument is "
                f"provided (on '{fn.__name__}'); key is the whole key, so pass only key=[...]."
            )
        if not kwargs.get("check_specs"):
            graph_def = GraphDefinition(
                kwargs.get("name"), fn=fn, config=config, ins=_graph_ins(kwargs.get("ins"))
            )
            nothing = _nothing_inputs(graph_def)
            options = {**kwargs, "ins": _nothing_ins(kwargs.get("ins"), nothing)}
            return asset(_graph_function(graph_def, None, nothing), **options)
        key = kwargs.get("key")
        asset_key = (
            coerce_key(key)
            if key is not None
            else AssetKey([*_prefix(kwargs.get("key_prefix")), kwargs.get("name") or fn.__name__])
        )
        specs = [
            s if s.asset is not None else s.with_asset(asset_key) for s in kwargs["check_specs"]
        ]
        checks = _check_outputs(specs)
        graph_def = GraphDefinition(
            kwargs.get("name"),
            fn=fn,
            config=config,
            out={"result": None, **dict.fromkeys(checks)},
            ins=_graph_ins(kwargs.get("ins")),
        )
        return asset(
            _graph_function(graph_def, ["result"], (), checks), **{**kwargs, "check_specs": specs}
        )

    return build(compose_fn) if compose_fn is not None else build


def graph_multi_asset(**kwargs: Any) -> Any:
    """Define several assets computed by one graph, as Dagster's ``@graph_multi_asset``."""
    from nbassets.definitions.decorators import multi_asset

    config = kwargs.pop("config", None)
    for unused in _UNUSED:
        kwargs.pop(unused, None)
    kwargs.update(_mapped_config_schema(config))

    def build(fn: Callable[..., Any]) -> Any:
        outs = kwargs.get("outs") or {}
        checks = _check_outputs(kwargs.get("check_specs"))
        graph_def = GraphDefinition(
            kwargs.get("name"),
            fn=fn,
            config=config,
            out=dict.fromkeys([*outs, *checks]),
            ins=_graph_ins(kwargs.get("ins")),
        )
        return multi_asset(**kwargs)(_graph_function(graph_def, list(outs), (), checks))

    return build


def assets_from_graph(
    graph_def: GraphDefinition,
    keys_by_input_name: Mapping[str, Any] | None,
    keys_by_output_name: Mapping[str, Any] | None,
) -> Any:
    """The ``AssetsDefinition(node_def=graph, ...)`` form: a graph-backed asset by keys."""
    return assets_from_node(
        graph_def, keys_by_input_name=keys_by_input_name, keys_by_output_name=keys_by_output_name
    )


def _prefix(key_prefix: Any) -> list[str]:
    if key_prefix is None:
        return []
    return [key_prefix] if isinstance(key_prefix, str) else list(key_prefix)


def _graph_output_spec(graph_def: GraphDefinition, output_name: str) -> Any:
    """The op ``Out`` behind a graph output (``None`` when a graph input feeds it)."""
    from nbassets.definitions.graphs import NodeOutput

    source = graph_def.outputs.get(output_name)
    while isinstance(source, NodeOutput):
        definition = graph_def.nodes[source.node].definition
        if isinstance(definition, OpDefinition):
            return definition.outs.get(source.output)
        graph_def, source = definition, definition.outputs.get(source.output)
    return None


def _nothing_inputs(graph_def: GraphDefinition) -> set[str]:
    """Graph inputs that feed only ``Nothing`` op inputs: dependencies without a value."""
    from nbassets.definitions.ops import Nothing

    found = set()
    for name in graph_def.input_names:
        targets = [(graph_def.nodes[n].definition, i) for n, i in graph_def.input_sources(name)]
        if targets and all(
            isinstance(d, OpDefinition) and d.ins[i].dagster_type is Nothing for d, i in targets
        ):
            found.add(name)
    return found


def assets_from_node(
    node_def: Any,
    *,
    keys_by_input_name: Mapping[str, Any] | None = None,
    keys_by_output_name: Mapping[str, Any] | None = None,
    key_prefix: Any = None,
    internal_asset_deps: Mapping[str, Any] | None = None,
    asset_deps: Mapping[Any, Any] | None = None,
    partitions_def: Any = None,
    group_name: str | None = None,
    group_names_by_output_name: Mapping[str, str] | None = None,
    group_names_by_key: Mapping[Any, str] | None = None,
    resource_defs: Mapping[str, Any] | None = None,
    can_subset: bool = False,
    metadata_by_output_name: Mapping[str, Any] | None = None,
    descriptions_by_output_name: Mapping[str, str] | None = None,
    code_versions_by_output_name: Mapping[str, str] | None = None,
    tags_by_output_name: Mapping[str, Any] | None = None,
    owners_by_output_name: Mapping[str, Any] | None = None,
    automation_conditions_by_output_name: Mapping[str, Any] | None = None,
    auto_materialize_policies_by_output_name: Mapping[str, Any] | None = None,
    backfill_policy: Any = None,
    check_specs: Any = None,
    **ignored: Any,
) -> Any:
    """Dagster's ``AssetsDefinition.from_graph`` / ``from_op`` and the constructor form.

    Keys default as in Dagster: an input's key is its name; an output's key is its name,
    or the graph's name for a graph with the one output ``result``; ``key_prefix``
    prefixes every output key.
    """
    from nbassets.definitions.decorators import multi_asset
    from nbassets.definitions.specs import AssetIn, AssetOut

    del ignored
    graph_def = graph_of_op(node_def) if isinstance(node_def, OpDefinition) else node_def
    prefix = _prefix(key_prefix)
    given_in = dict(keys_by_input_name or {})
    in_keys = {
        name: coerce_key(given_in.get(name, AssetKey([name]))) for name in graph_def.input_names
    }
    given_out = dict(keys_by_output_name or {})
    checks = {n: s for n, s in _check_outputs(check_specs).items() if n in graph_def.output_names}
    names = [n for n in graph_def.output_names if n not in checks]
    out_keys = {}
    for name in names:
        if name in given_out:
            base = coerce_key(given_out[name])
        else:
            only = len(names) == 1 and name == "result"
            base = AssetKey([graph_def.name if only else name])
        out_keys[name] = AssetKey([*prefix, *base.path]) if prefix else base
    name_by_key = {key: name for name, key in out_keys.items()}
    for name in internal_asset_deps or {}:
        if name not in names:
            raise InvalidDefinitionError(
                f"output_name {name} specified in internal_asset_deps does not exist in the "
                f"decorated function. Output names: {names}."
            )
    if not names and not checks:
        raise InvalidDefinitionError(
            f"All leaf nodes within graph '{graph_def.name}' must generate outputs which are "
            "mapped to outputs of the graph, and produce assets. The following leaf node(s) "
            f"are non-asset producing ops: {set(_leaf_nodes(graph_def))}. Return their outputs "
            "from the graph."
        )
    internal = {name: list(keys) for name, keys in (internal_asset_deps or {}).items()}
    for key, keys in (asset_deps or {}).items():
        name = name_by_key.get(coerce_key(key))
        if name is not None:
            internal[name] = [k for k in keys if coerce_key(k) != coerce_key(key)]
    groups = dict(group_names_by_output_name or {})
    for key, group in (group_names_by_key or {}).items():
        if coerce_key(key) in name_by_key:
            groups[name_by_key[coerce_key(key)]] = group
    outs = {}
    for name in names:
        spec = _graph_output_spec(graph_def, name)
        outs[name] = AssetOut(
            key=out_keys[name],
            group_name=groups.get(name) or group_name,
            metadata=(metadata_by_output_name or {}).get(name),
            description=(descriptions_by_output_name or {}).get(name),
            code_version=(code_versions_by_output_name or {}).get(name),
            tags=(tags_by_output_name or {}).get(name),
            owners=(owners_by_output_name or {}).get(name),
            automation_condition=(automation_conditions_by_output_name or {}).get(name),
            auto_materialize_policy=(auto_materialize_policies_by_output_name or {}).get(name),
            is_required=not can_subset and (spec is None or spec.is_required),
        )
    nothing = _nothing_inputs(graph_def)
    ins = {name: AssetIn(key=key) for name, key in in_keys.items() if name not in nothing}
    deps = [key for name, key in in_keys.items() if name in nothing]
    fn = _graph_function(graph_def, names if len(names) > 1 or checks else None, nothing, checks)
    return multi_asset(
        outs=outs,
        ins=ins,
        deps=deps or None,
        name=graph_def.name,
        partitions_def=partitions_def,
        can_subset=can_subset,
        resource_defs=resource_defs,
        backfill_policy=backfill_policy,
        check_specs=check_specs,
        internal_asset_deps=internal or None,
        required_resource_keys=graph_def.required_resource_keys,
    )(fn)


def _leaf_nodes(graph_def: GraphDefinition) -> list[str]:
    """The nodes no other node of ``graph_def`` reads from."""
    read: set[str] = set()
    for node in graph_def.nodes.values():
        for source in node.inputs.values():
            for part in getattr(source, "sources", (source,)):
                if hasattr(part, "node"):
                    read.add(part.node)
    return [name for name in graph_def.nodes if name not in read]


def graph_of_op(op_def: OpDefinition) -> GraphDefinition:
    """A graph of one op, so an op can back an asset as a graph does."""

    def compose(**inputs: Any) -> Any:
        returned = op_def(**inputs)
        if isinstance(returned, tuple):
            return dict(zip(op_def.outs, returned, strict=True))
        return returned

    compose.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY) for n in op_def.ins]
    )
    compose.__name__ = op_def.name
    outs = {name: None for name in op_def.outs} if len(op_def.outs) > 1 else None
    return GraphDefinition(op_def.name, fn=compose, out=outs)
