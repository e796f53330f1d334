"""Breaking step cycles by running a subsettable multi-asset in several pieces.

A multi-asset with ``can_subset=True`` may produce an asset that another step
reads, and another asset that reads that step's result: run whole, the two steps
would wait on each other. Dagster resolves this by coloring the asset graph and
running the multi-asset once per color; so does nbassets.

Responsibilities:

* ``has_step_cycle``: whether the definitions of a run wait on each other.
* ``split_pieces``: the pieces of each definition, by color. An asset's color is
  the largest number of definition boundaries on a path from a root to it, so an
  asset downstream of its own definition through another one always has a larger
  color than what it depends on. A definition with several colors that can subset
  runs once per color; its pieces are named ``name``, ``name_2``, ``name_3``, ...
  (Dagster's node aliases). Checks declared with ``check_specs=`` are colored too
  (their asset and ``additional_deps`` are their parents) and run with their piece.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nbassets.definitions.assets import AssetsDefinition
from nbassets.definitions.keys import AssetKey, coerce_key
from nbassets.definitions.specs import AssetCheckKey
from nbassets.errors import ConfigError

__all__ = ["Piece", "has_step_cycle", "split_pieces"]

Entity = AssetKey | AssetCheckKey


@dataclass(frozen=True, slots=True)
class Piece:
    """One step's share of a definition: some of its assets (and checks), under a name."""

    entry: AssetsDefinition
    keys: tuple[AssetKey, ...]
    name: str
    # The check_specs= checks this piece evaluates; None when the definition runs as one.
    check_keys: tuple[AssetCheckKey, ...] | None = None
    # The asset keys this piece's assets depend on; None when it runs as one.
    parents: frozenset[AssetKey] | None = None


def has_step_cycle(owned: Sequence[tuple[AssetsDefinition, tuple[AssetKey, ...]]]) -> bool:
    """Whether some definitions of ``owned`` wait on each other (through their upstreams)."""
    producer = {key: i for i, (_, keys) in enumerate(owned) for key in keys}
    waits = {
        i: {j for k in entry.upstream_keys if (j := producer.get(k, i)) != i}
        for i, (entry, _) in enumerate(owned)
    }
    state: dict[int, int] = {}
    for start in waits:
        if start in state:
            continue
        stack = [(start, iter(waits[start]))]
        state[start] = 1
        while stack:
            node, remaining = stack[-1]
            child = next(remaining, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                return True
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(waits[child])))
    return False


def split_pieces(
    owned: Sequence[tuple[AssetsDefinition, tuple[AssetKey, ...]]],
    embedded_checks: Collection[AssetCheckKey] | None = None,
) -> list[Piece]:
    """``owned`` with each subsettable definition of several colors split by color."""
    definition_of: dict[Entity, int] = {}
    parents: dict[Entity, list[Entity]] = {}
    for i, (entry, keys) in enumerate(owned):
        for key in keys:
            definition_of[key] = i
            parents[key] = list(entry.parents_of(key))
        for spec in entry.check_specs:
            if spec.asset_key not in keys or (
                embedded_checks is not None and spec.key not in embedded_checks
            ):
                continue
            definition_of[spec.key] = i
            parents[spec.key] = [spec.asset_key, *(_dep_key(d) for d in spec.additional_deps)]
    colors = _colors(parents, definition_of)
    pieces: list[Piece] = []
    for i, (entry, keys) in enumerate(owned):
        by_color: dict[int, list[Entity]] = {}
        for entity, owner in definition_of.items():
            if owner == i:
                by_color.setdefault(colors[entity], []).append(entity)
        if len(by_color) <= 1 or not entry.can_subset:
            pieces.append(Piece(entry, keys, entry.node_name))
            continue
        for n, color in enumerate(sorted(by_color), 1):
            members = set(by_color[color])
            piece_keys = tuple(k for k in keys if k in members)
            checks = tuple(s.key for s in entry.check_specs if s.key in members)
            ups = frozenset(
                p
                for k in piece_keys
                for p in parents[k]
                if isinstance(p, AssetKey) and p not in piece_keys
            ) | frozenset(
                p
                for c in checks
                for p in parents[c]
                if isinstance(p, AssetKey) and p not in piece_keys
            )
            name = entry.node_name if n == 1 else f"{entry.node_name}_{n}"
            pieces.append(Piece(entry, piece_keys, name, checks, ups))
    return pieces


def _dep_key(dep: Any) -> AssetKey:
    key = getattr(dep, "asset_key", None)
    return key if isinstance(key, AssetKey) else coerce_key(dep)


def _colors(
    parents: Mapping[Entity, Sequence[Entity]], definition_of: Mapping[Entity, int]
) -> dict[Entity, int]:
    """Each entity's color: the most definition boundaries crossed on a path to it.

    Parents outside the run (sources, unselected assets) count as roots of color 0
    whose children keep their color, as Dagster treats external assets.
    """
    colors: dict[Entity, int] = {}
    expanded: set[Entity] = set()
    pending = list(parents)
    while pending:
        entity = pending[-1]
        if entity in colors:
            pending.pop()
            continue
        waiting = [p for p in parents[entity] if p in definition_of and p not in colors]
        if waiting:
            if entity in expanded:
                raise ConfigError(
                    f"'{entity.to_user_string()}' depends on itself through the checks or "
                    "assets of its multi-asset; remove one of those dependencies."
                )
            expanded.add(entity)
            pending.extend(waiting)
            continue
        pending.pop()
        own = definition_of[entity]
        colors[entity] = max(
            (
                colors[p] + (0 if definition_of[p] == own else 1)
                for p in parents[entity]
                if p in definition_of
            ),
            default=0,
        )
    return colors
