"""The classic op-selection grammar of Dagster: ``a``, ``a+``, ``++a``, ``*a*``.

Responsibilities:
- Scan clauses separated by commas or whitespace; each clause is an optional
  upstream mark (``*`` for any depth, or one ``+`` per hop), an asset name
  (``orders`` or ``sales/orders``) and an optional downstream mark.
- Build the selection tree of their union.
- Report a syntax error at the first character that cannot continue a clause.

Note ``+c`` is one hop here, as in Dagster's op selection; in the query grammar
a bare ``+`` means any depth.
"""

from __future__ import annotations

import re

from nbassets.definitions.keys import AssetKey
from nbassets.errors import InvalidDefinitionError
from nbassets.graph.selection.base import AssetSelection
from nbassets.graph.selection.leaves import KeySelection
from nbassets.graph.selection.ops import DownstreamSelection, UpstreamSelection, union
from nbassets.graph.selection.syntax import syntax_error

__all__ = ["parse_classic"]

_NAME = re.compile(r"[\w.\-/]+")
_SPACE = re.compile(r"\s*")


def parse_classic(text: str) -> AssetSelection:
    """Parse an op-selection string such as ``"orders+, *daily_revenue"``.

    Raises:
        SelectionSyntaxError: the text is not a list of clauses.
    """
    clauses: list[AssetSelection] = []
    size = len(text)
    i = _skip_space(text, 0)
    while True:
        clause, i, after = _clause(text, i)
        clauses.append(clause)
        j = _skip_space(text, i)
        if j == size:
            break
        if text[j] == ",":
            i = _skip_space(text, j + 1)
            continue
        if j > i and (text[j] in "+*" or _NAME.match(text, j)):
            i = j
            continue
        if j == i and _NAME.match(text, j):
            raise syntax_error(text, j, "',' or a space before the next name")
        raise syntax_error(text, j, after)
    return union(clauses)


def _skip_space(text: str, i: int) -> int:
    match = _SPACE.match(text, i)
    return match.end() if match else i


def _marks(text: str, i: int) -> tuple[bool, int | None, int]:
    """Read ``*`` (any depth), ``+``... (one hop each) or nothing.

    Returns whether there was a mark, its depth (None for any) and where it ends.
    """
    if i < len(text) and text[i] == "*":
        return True, None, i + 1
    count = 0
    while i < len(text) and text[i] == "+":
        count += 1
        i += 1
    return count > 0, count, i


def _clause(text: str, start: int) -> tuple[AssetSelection, int, str]:
    """Parse one clause at ``start``; return it, where it ends, and what may follow."""
    has_up, up, i = _marks(text, start)
    match = _NAME.match(text, i)
    if match is None:
        if not has_up:
            expected = "a name, '+' or '*'"
        else:
            expected = "a name" if up is None else "a name or '+'"
        raise syntax_error(text, i, expected)
    name = match.group()
    try:
        key = AssetKey.from_user_string(name)
    except InvalidDefinitionError:
        raise syntax_error(
            text,
            i,
            "names joined by single '/', e.g. sales/orders",
            problem=f"{name!r} at position {i + 1} is not an asset key",
        ) from None
    has_down, down, i = _marks(text, match.end())
    tree: AssetSelection = KeySelection(key, text)
    if has_up and has_down:
        tree = union((UpstreamSelection(tree, up), DownstreamSelection(tree, down)))
    elif has_up:
        tree = UpstreamSelection(tree, up)
    elif has_down:
        tree = DownstreamSelection(tree, down)
    if not has_down:
        after = "'+', '*', ',' or end of input"
    elif down is None:
        after = "a name, ',' or end of input"
    else:
        after = "'+', ',' or end of input"
    return tree, i, after
