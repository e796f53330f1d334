"""The graph of nodes an asset job runs: Dagster's ``job.graph``, read-only.

Responsibilities:

* ``asset_job_graph``: the nodes of a resolved asset job (one per asset
  definition, or per piece of a multi-asset split to break a cycle; one per
  separate asset check) and, for each, the inputs other nodes feed, in Dagster's
  ``{NodeInvocation: {input: DependencyDefinition}}`` form. An input a piece
  reads from an earlier piece of its own multi-asset is Dagster's
  ``__subset_input__<asset>``.

The view is for introspection; the plan (``engine.plan``) is what runs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from nbassets.definitions.assets import AssetsDefinition
from nbassets.definitions.checks import AssetChecksDefinition
from nbassets.definitions.graphs import DependencyDefinition, NodeInvocation
from nbassets.definitions.keys import AssetKey
from nbassets.engine.plan import owned_steps
from nbassets.engine.prepare import select_run
from nbassets.engine.subset_cycles import Piece, has_step_cycle, split_pieces

__all__ = ["AssetJobGraph", "asset_job_graph"]


@dataclass(frozen=True)
class JobNode:
    """One node of an asset job: a definition (or a piece of one) under its name."""

    name: str
    definition: AssetsDefinition | AssetChecksDefinition

    @property
    def node_def(self) -> Any:
        return self.definition.node_def


class AssetJobGraph:
    """The nodes of an asset job and what feeds each one."""

    def __init__(
        self,
        name: str,
        nodes: list[JobNode],
        dependencies: Mapping[NodeInvocation, Mapping[str, DependencyDefinition]],
    ) -> None:
        self.name = name
        self.nodes = nodes
        self.dependencies = dict(dependencies)

    @property
    def node_names(self) -> list[str]:
        return [node.name for node in self.nodes]

    def has_node(self, name: str) -> bool:
        return any(node.name == name for node in self.nodes)

    def iterate_op_defs(self) -> Iterator[Any]:
        """The op of each node, once per node (a split multi-asset's op once per piece)."""
        for node in self.nodes:
            yield node.node_def

    @property
    def node_defs(self) -> list[Any]:
        return list(self.iterate_op_defs())

    def __repr__(self) -> str:
        return f"<GraphDefinition {self.name} ({len(self.nodes)} nodes)>"


def asset_job_graph(name: str, selection: Any, definitions: list[Any]) -> AssetJobGraph:
    """The graph of the job ``name`` running ``selection`` among ``definitions``."""
    chosen = select_run(selection, definitions)
    owner = chosen.definitions.owner
    owned = owned_steps(chosen.definitions.graph, owner, chosen.keys)
    pieces = (
        split_pieces(owned)
        if has_step_cycle(owned)
        else [Piece(entry, keys, entry.node_name) for entry, keys in owned]
    )
    producer: dict[AssetKey, tuple[str, str]] = {}
    for piece in pieces:
        for key in piece.keys:
            producer[key] = (piece.name, piece.entry.output_by_key[key].name)
    nodes: list[JobNode] = []
    dependencies: dict[NodeInvocation, dict[str, DependencyDefinition]] = {}
    for piece in pieces:
        entry = piece.entry
        nodes.append(JobNode(piece.name, entry))
        alias = piece.name if piece.name != entry.node_name else None
        feeds: dict[str, DependencyDefinition] = {}
        for input_name, key in entry.keys_by_input_name.items():
            if key in producer and (piece.parents is None or key in piece.parents):
                feeds[input_name] = DependencyDefinition(*producer[key])
        for key in sorted(piece.parents or ()):
            if key in entry.keys and key in producer:
                feeds[f"__subset_input__{entry.output_by_key[key].name}"] = DependencyDefinition(
                    *producer[key]
                )
        dependencies[NodeInvocation(entry.node_name, alias)] = feeds
    for check in chosen.checks:
        nodes.append(JobNode(check.name, check))
        dependencies[NodeInvocation(check.name)] = {
            input_name: DependencyDefinition(*producer[key])
            for input_name, key in check.keys_by_input_name.items()
            if key in producer
        }
    return AssetJobGraph(name, nodes, dependencies)
