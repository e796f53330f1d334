"""Lookup tables and messages that selections resolve against.

Responsibilities:
- Build, once per ``AssetGraph``, the tables a selection needs: materializable
  keys, and (only when asked) keys by group, tag, kind and owner, and each
  key's slash-separated spelling (for wildcards).
- Build the errors for a value that no asset has, with "did you mean".
- Spell names and values for the query grammar, quoting them when needed.

An ``AssetGraph`` never changes once built, so its tables are cached by graph
identity; the cache is small because a registry rebuilds its graph on change.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import get_args

from nbassets.definitions.keys import AssetKey
from nbassets.errors import SelectionError, did_you_mean
from nbassets.graph.asset_graph import AssetGraph, AssetStatus

__all__ = [
    "STATUSES",
    "GraphIndex",
    "graph_index",
    "in_selection",
    "materializable_keys",
    "quote_value",
    "unknown_value",
    "wildcard_regex",
]

STATUSES: tuple[str, ...] = tuple(sorted(get_args(AssetStatus)))

# Characters a value may contain without quotes; the query lexer reads words of
# exactly these characters plus `*` (see nbassets.graph.selection.parser).


@functools.lru_cache(maxsize=16)
def materializable_keys(graph: AssetGraph) -> frozenset[AssetKey]:
    """Keys of ``graph`` that are not external (cached; graphs are immutable)."""
    node = graph.node
    return frozenset(key for key in graph.keys if not node(key).is_external)


@dataclass(frozen=True, slots=True)
class GraphIndex:
    """The attribute tables of one graph, built in one pass over its nodes."""

    externals: frozenset[AssetKey]
    spellings: tuple[tuple[AssetKey, str], ...]
    groups: Mapping[str, tuple[AssetKey, ...]]
    tags: Mapping[str, Mapping[str, tuple[AssetKey, ...]]]
    kinds: Mapping[str, tuple[AssetKey, ...]]
    owners: Mapping[str, tuple[AssetKey, ...]]


@functools.lru_cache(maxsize=16)
def graph_index(graph: AssetGraph) -> GraphIndex:
    """Return the attribute tables of ``graph`` (cached; graphs are immutable).

    Built only when a selection looks up an attribute or a pattern, so selecting
    by key and traversing never pays for it.
    """
    externals: list[AssetKey] = []
    spellings: list[tuple[AssetKey, str]] = []
    groups: dict[str, list[AssetKey]] = {}
    tags: dict[str, dict[str, list[AssetKey]]] = {}
    kinds: dict[str, list[AssetKey]] = {}
    owners: dict[str, list[AssetKey]] = {}
    for key in graph.keys:
        node = graph.node(key)
        if node.is_external:
            externals.append(key)
        spellings.append((key, key.to_user_string()))
        groups.setdefault(node.group_name, []).append(key)
        for tag_key, tag_value in node.tags.items():
            tags.setdefault(tag_key, {}).setdefault(tag_value, []).append(key)
        for kind in node.kinds:
            kinds.setdefault(kind, []).append(key)
        for owner in node.owners:
            owners.setdefault(owner, []).append(key)
    return GraphIndex(
        externals=frozenset(externals),
        spellings=tuple(spellings),
        groups={name: tuple(keys) for name, keys in groups.items()},
        tags={k: {v: tuple(keys) for v, keys in vs.items()} for k, vs in tags.items()},
        kinds={name: tuple(keys) for name, keys in kinds.items()},
        owners={name: tuple(keys) for name, keys in owners.items()},
    )


@functools.lru_cache(maxsize=256)
def wildcard_regex(pattern: str) -> re.Pattern[str]:
    """Compile a key pattern where ``*`` stands for any run of characters, ``/`` included."""
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")))


def in_selection(source: str) -> str:
    """The ``context`` phrase for errors: ``selection 'a+'``, or nothing without a source."""
    return f"selection '{source}'" if source else ""


def unknown_value(
    what: str,
    value: str,
    known: Iterable[str],
    source: str,
    *,
    plural: str | None = None,
    suffix: str = "",
) -> SelectionError:
    """Build the error for a group, tag, kind, owner or pattern that matches no asset.

    Args:
        what: What the value names, as the message should say it ("group").
        value: The value the user wrote.
        known: The values that would have matched something.
        source: The selection text the value came from, or ``""``.
        plural: The plural of ``what`` when adding "s" is wrong.
        suffix: Words after the value (`` for tag 'team'``).
    """
    where = f" in {in_selection(source)}" if source else ""
    names = sorted(set(known))
    hint = did_you_mean(value, names)
    if not hint:
        many = plural or f"{what}s"
        if names:
            shown = ", ".join(f"'{name}'" for name in names[:10])
            hint = f" Known {many}: {shown}{', …' if len(names) > 10 else ''}."
        else:
            hint = f" No asset has any {many} yet."
    return SelectionError(f"Unknown {what} '{value}'{suffix}{where}.{hint}")


def quote_value(value: str) -> str:
    r"""Spell ``value`` double-quoted, as Dagster's ``str(AssetSelection)`` does.

    ``\\`` and ``"`` are escaped; the lexer reads it back as one value (a ``*``
    inside the quotes stays a wildcard, as in Dagster's grammar).
    """
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
