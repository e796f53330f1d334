"""The inner nodes of a selection tree: operators over other selections.

Responsibilities:
- Union, intersection, difference and complement of selections.
- Upstream and downstream traversals, bounded by depth or not.
- Roots and sinks of a selection.
- ``union`` and ``intersect``, the one place trees are combined, so every tree
  has one canonical shape: nested unions and intersections are flattened and
  ``x & not y`` becomes ``x - y``. The parser builds trees with the same two
  functions, which is what makes a spelled tree read back as itself.

Traversals use ``nbassets.graph.topology``, linear in what they visit. External
assets they reach are dropped (an external asset cannot be materialized, and
Dagster leaves source assets out of ``upstream()`` too); external assets the
traversal starts from stay.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from nbassets.definitions.keys import AssetKey
from nbassets.definitions.specs import AssetCheckKey
from nbassets.errors import SelectionError
from nbassets.graph.asset_graph import AssetGraph
from nbassets.graph.selection.base import (
    AND,
    ATOM,
    NOT,
    OR,
    TRAVERSAL,
    AssetSelection,
    ChecksByAsset,
)
from nbassets.graph.selection.index import materializable_keys
from nbassets.graph.topology import downstream_closure, upstream_closure

__all__ = [
    "AndSelection",
    "DifferenceSelection",
    "DownstreamSelection",
    "NotSelection",
    "OrSelection",
    "RootsSelection",
    "SinksSelection",
    "UpstreamSelection",
    "UpstreamSourcesSelection",
    "intersect",
    "union",
]


def union(items: Iterable[AssetSelection], *, grouped: bool = False) -> AssetSelection:
    """The union of ``items``, nested unions flattened; a single item is returned as is.

    A ``grouped`` union (``AssetSelection.assets("a", "b")``) stays one operand of
    a later ``|``, as Dagster's multi-key selection does: it is spelled in parentheses.
    """
    operands: list[AssetSelection] = []
    for item in items:
        if isinstance(item, OrSelection) and not item.grouped:
            operands.extend(item.operands)
        else:
            operands.append(item)
    if len(operands) == 1:
        return operands[0]
    return OrSelection(tuple(operands), grouped)


def intersect(left: AssetSelection, right: AssetSelection) -> AssetSelection:
    """``left & right``, nested intersections flattened; ``left & not x`` is ``left - x``."""
    if isinstance(right, NotSelection):
        return DifferenceSelection(left, right.operand)
    operands: list[AssetSelection] = []
    for item in (left, right):
        if isinstance(item, AndSelection):
            operands.extend(item.operands)
        else:
            operands.append(item)
    return AndSelection(tuple(operands))


@dataclass(frozen=True, slots=True)
class OrSelection(AssetSelection):
    """Assets in any operand."""

    operands: tuple[AssetSelection, ...]
    # Built by one call (assets("a", "b")): kept whole by a later `|`; not compared.
    grouped: bool = field(default=False, compare=False)

    def resolve_checks(self, graph: AssetGraph, checks: ChecksByAsset) -> set[AssetCheckKey]:
        return set().union(*(o.resolve_checks(graph, checks) for o in self.operands))

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        found: set[AssetKey] = set()
        for operand in self.operands:
            found |= operand.resolve(graph)
        return found

    def _up_and_down(self) -> tuple[UpstreamSelection, DownstreamSelection] | None:
        # `2+key:a+1` parses to upstream | downstream of one operand; spell it back so.
        if len(self.operands) != 2:
            return None
        up, down = self.operands
        if (
            isinstance(up, UpstreamSelection)
            and isinstance(down, DownstreamSelection)
            and up.operand == down.operand
            and up.include_self
            and down.include_self
        ):
            return up, down
        return None

    def precedence(self) -> int:
        return TRAVERSAL if self._up_and_down() else OR

    def needs_parentheses(self) -> bool:
        return self._up_and_down() is None

    def to_selection_str(self) -> str:
        pair = self._up_and_down()
        if pair is not None:
            up, down = pair
            return f"{up.prefix()}{up.operand.operand_str(ATOM)}{down.suffix()}"
        if not self.operands:
            raise SelectionError(
                "An empty selection has no selection-string spelling; it selects nothing."
            )
        return " or ".join(operand.operand_str(AND) for operand in self.operands)


@dataclass(frozen=True, slots=True)
class AndSelection(AssetSelection):
    """Assets in every operand."""

    operands: tuple[AssetSelection, ...]

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        # Resolve every operand, even once the result is empty, so a typo anywhere
        # is reported rather than hidden behind an empty intersection.
        results = [operand.resolve(graph) for operand in self.operands]
        return set.intersection(*results) if results else set()

    def resolve_checks(self, graph: AssetGraph, checks: ChecksByAsset) -> set[AssetCheckKey]:
        results = [operand.resolve_checks(graph, checks) for operand in self.operands]
        return set.intersection(*results) if results else set()

    def precedence(self) -> int:
        return AND

    def needs_parentheses(self) -> bool:
        return True

    def to_selection_str(self) -> str:
        return " and ".join(operand.operand_str(NOT) for operand in self.operands)


@dataclass(frozen=True, slots=True)
class DifferenceSelection(AssetSelection):
    """Assets in ``left`` and not in ``right``."""

    left: AssetSelection
    right: AssetSelection

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        return self.left.resolve(graph) - self.right.resolve(graph)

    def resolve_checks(self, graph: AssetGraph, checks: ChecksByAsset) -> set[AssetCheckKey]:
        return self.left.resolve_checks(graph, checks) - self.right.resolve_checks(graph, checks)

    def precedence(self) -> int:
        return AND

    def needs_parentheses(self) -> bool:
        return True

    def to_selection_str(self) -> str:
        return f"{self.left.operand_str(AND)} and not {self.right.operand_str(NOT)}"


@dataclass(frozen=True, slots=True)
class NotSelection(AssetSelection):
    """Materializable assets not in ``operand``."""

    operand: AssetSelection

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        return set(materializable_keys(graph) - self.operand.resolve(graph))

    def precedence(self) -> int:
        return NOT

    def to_selection_str(self) -> str:
        return f"not {self.operand.operand_str(NOT)}"


def _check_traversal(name: str, depth: int | None) -> None:
    if depth is not None and (isinstance(depth, bool) or not isinstance(depth, int) or depth < 0):
        raise SelectionError(
            f"{name}(depth={depth!r}) needs a whole number of hops, 0 or more, or None for "
            "any depth."
        )


def _no_spelling(name: str) -> SelectionError:
    return SelectionError(
        f"{name}(include_self=False) has no selection-string spelling; subtract the "
        "starting selection instead, e.g. `key:a+ and not key:a`."
    )


def _drop_reached_externals(
    graph: AssetGraph, reached: set[AssetKey], starts: set[AssetKey]
) -> set[AssetKey]:
    if len(reached) <= 64:
        # A small traversal looks at what it reached, not at the whole graph.
        node = graph.node
        return {key for key in reached if key in starts or not node(key).is_external}
    materializable = materializable_keys(graph)
    if len(materializable) == len(graph):
        return reached
    return {key for key in reached if key in materializable or key in starts}


@dataclass(frozen=True, slots=True)
class UpstreamSelection(AssetSelection):
    """``operand`` and its ancestors up to ``depth`` hops (any number when None)."""

    operand: AssetSelection
    depth: int | None = None
    include_self: bool = True

    def __post_init__(self) -> None:
        _check_traversal("upstream", self.depth)

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        starts = self.operand.resolve(graph)
        reached = upstream_closure(graph, starts, depth=self.depth, include_self=self.include_self)
        return _drop_reached_externals(graph, reached, starts)

    def prefix(self) -> str:
        return "+" if self.depth is None else f"{self.depth}+"

    def precedence(self) -> int:
        return TRAVERSAL

    def to_selection_str(self) -> str:
        if not self.include_self:
            raise _no_spelling("upstream")
        return f"{self.prefix()}{self.operand.operand_str(ATOM)}"


@dataclass(frozen=True, slots=True)
class DownstreamSelection(AssetSelection):
    """``operand`` and its descendants up to ``depth`` hops (any number when None)."""

    operand: AssetSelection
    depth: int | None = None
    include_self: bool = True

    def __post_init__(self) -> None:
        _check_traversal("downstream", self.depth)

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        starts = self.operand.resolve(graph)
        reached = downstream_closure(
            graph, starts, depth=self.depth, include_self=self.include_self
        )
        return _drop_reached_externals(graph, reached, starts)

    def suffix(self) -> str:
        return "+" if self.depth is None else f"+{self.depth}"

    def precedence(self) -> int:
        return TRAVERSAL

    def to_selection_str(self) -> str:
        if not self.include_self:
            raise _no_spelling("downstream")
        return f"{self.operand.operand_str(ATOM)}{self.suffix()}"


@dataclass(frozen=True, slots=True)
class UpstreamSourcesSelection(AssetSelection):
    """The external (source) assets upstream of ``operand``, however far up."""

    operand: AssetSelection

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        chosen = self.operand.resolve(graph)
        above = upstream_closure(graph, chosen, include_self=False)
        return {key for key in above if key not in materializable_keys(graph)}


@dataclass(frozen=True, slots=True)
class RootsSelection(AssetSelection):
    """Assets of ``operand`` with no ancestor inside ``operand``, however far up.

    As in Dagster: with ``a -> x -> b``, the roots of ``{a, b}`` are ``{a}``.
    """

    operand: AssetSelection

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        chosen = self.operand.resolve(graph)
        below = downstream_closure(
            graph, {c for key in chosen for c in graph.children(key)}, include_self=True
        )
        return chosen - below

    def to_selection_str(self) -> str:
        return f"roots({self.operand.to_selection_str()})"


@dataclass(frozen=True, slots=True)
class SinksSelection(AssetSelection):
    """Assets of ``operand`` with no descendant inside ``operand``, however far down."""

    operand: AssetSelection

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        chosen = self.operand.resolve(graph)
        above = upstream_closure(
            graph, {p for key in chosen for p in graph.parents(key)}, include_self=True
        )
        return chosen - above

    def to_selection_str(self) -> str:
        return f"sinks({self.operand.to_selection_str()})"


@dataclass(frozen=True, slots=True)
class RequiredNeighborsSelection(AssetSelection):
    """``operand`` plus the assets produced together with them by non-subsettable ops."""

    operand: AssetSelection

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        chosen = self.operand.resolve(graph)
        ops = {
            node.op
            for key in chosen
            if (node := graph.node(key)).op is not None and not node.subsettable
        }
        if not ops:
            return chosen
        return chosen | {key for key in graph.keys if graph.node(key).op in ops}

    def to_selection_str(self) -> str:
        raise SelectionError(
            "required_multi_asset_neighbors() has no selection-string spelling; select the "
            "multi-asset's keys by name instead."
        )
