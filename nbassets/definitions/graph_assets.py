"""Assets computed by a graph of ops.

``graph_asset``, ``graph_multi_asset`` and ``AssetsDefinition(node_def=graph_or_op,
keys_by_input_name=..., keys_by_output_name=...)``. The asset is one step; its ops
run inside it (``nbassets.engine.op_runs``) and each op's outputs are kept under
``<asset node>.<op handle>``, so ``result.output_for_node("my_graph.my_op")`` answers
as in Dagster.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from nbassets.definitions.graphs import GraphDefinition
from nbassets.definitions.ops import OpDefinition

__all__ = ["assets_from_graph", "graph_asset", "graph_multi_asset", "graph_of_op"]


def _graph_function(graph_def: GraphDefinition, outputs: Sequence[str] | None) -> Any:
    """A function of ``(context, *inputs)`` running the graph, for an asset to wrap."""

    def run_graph(context: Any, **inputs: Any) -> Any:
        from nbassets.engine.op_runs import run_graph_in_asset

        values = run_graph_in_asset(graph_def, context, inputs)
        if outputs is None:
            return values[graph_def.output_names[0]] if graph_def.output_names else None
        return tuple(values[name] for name in outputs)

    params = [inspect.Parameter("context", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    params += [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY) for name in graph_def.input_names
    ]
    run_graph.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    run_graph.__name__ = graph_def.name
    run_graph.__doc__ = graph_def.description
    run_graph.__module__ = getattr(graph_def.fn, "__module__", __name__)
    return run_graph


_UNUSED = ("automation_condition", "auto_materialize_policy", "freshness_policy", "hooks")


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

    def build(fn: Callable[..., Any]) -> Any:
        graph_def = GraphDefinition(kwargs.get("name"), fn=fn, config=config)
        return asset(_graph_function(graph_def, None), **kwargs)

    return build(compose_fn) if compose_fn is not None else build


def graph_multi_asset(**kwargs: Any) -> Any:
    """Define several assets computed by one graph, as Dagster's ``@graph_multi_asset``."""
    from nbassets.definitions.decorators import multi_asset

    config = kwargs.pop("config", None)
    for unused in _UNUSED:
        kwargs.pop(unused, None)

    def build(fn: Callable[..., Any]) -> Any:
        outs = kwargs.get("outs") or {}
        graph_def = GraphDefinition(
            kwargs.get("name"), fn=fn, config=config, out={name: None for name in outs}
        )
        return multi_asset(**kwargs)(_graph_function(graph_def, list(outs)))

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
    return multi_asset(outs=outs, ins=ins, name=graph_def.name)(_graph_function(graph_def, names))


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
