"""Editing Python source as text, so exported code keeps the user's own layout.

Responsibilities:
- ``indent``: indent code into a function body without touching the inside of
  multi-line strings.
- ``blank_lines``: remove whole statements by line range.
"""

from __future__ import annotations

import io
import tokenize
from collections.abc import Iterable

__all__ = ["blank_lines", "indent"]


def _string_continuation_lines(source: str) -> set[int]:
    """Line numbers (from 1) that start inside a multi-line string literal."""
    inside: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.STRING and token.end[0] > token.start[0]:
                inside.update(range(token.start[0] + 1, token.end[0] + 1))
    except (tokenize.TokenError, SyntaxError):
        return inside
    return inside


def indent(source: str, prefix: str = "    ") -> str:
    """Indent every line of ``source`` except blank ones and multi-line string insides."""
    keep = _string_continuation_lines(source)
    lines = source.splitlines(keepends=True)
    return "".join(
        line if number in keep or not line.strip() else prefix + line
        for number, line in enumerate(lines, start=1)
    )


def blank_lines(source: str, ranges: Iterable[tuple[int, int]]) -> str:
    """``source`` with each inclusive line range (from 1) removed."""
    lines = source.splitlines(keepends=True)
    for first, last in ranges:
        for number in range(first, last + 1):
            if 0 < number <= len(lines):
                lines[number - 1] = ""
    return "".join(lines)
