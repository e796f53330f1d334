"""Descriptions of an op's inputs and output, read from its docstring (Google style).

Dagster fills an input's description from the ``Args:`` section and a single
output's from ``Returns:`` (a leading ``type:`` is dropped), unless ``In``/``Out``
give one.
"""

from __future__ import annotations

import inspect
import re

__all__ = ["DocSections", "doc_sections"]

_ARGS = {"Args:", "Arguments:", "Parameters:", "Params:"}
_RETURNS = {"Returns:", "Return:", "Yields:", "Yield:"}
_ITEM = re.compile(r"^(\*{0,2}\w+)\s*(\([^)]*\))?\s*:\s*(.*)$")
_TYPED = re.compile(r"^[\w\[\], .|]+:\s+(.*)$")


class DocSections:
    """Each documented parameter's description, and the return value's."""

    __slots__ = ("params", "returns")

    def __init__(self, params: dict[str, str], returns: str | None) -> None:
        self.params = params
        self.returns = returns


def doc_sections(doc: str | None) -> DocSections:
    params: dict[str, str] = {}
    returns: list[str] = []
    section = None
    current: str | None = None
    for line in inspect.cleandoc(doc or "").splitlines():
        stripped = line.strip()
        if not line.startswith((" ", "\t")) and stripped.endswith(":"):
            section = "args" if stripped in _ARGS else "returns" if stripped in _RETURNS else None
            current = None
            continue
        if not stripped:
            continue
        if section == "args":
            item = _ITEM.match(stripped)
            if item is not None and len(line) - len(line.lstrip()) <= 4:
                current = item.group(1).lstrip("*")
                params[current] = item.group(3)
            elif current is not None:
                params[current] = f"{params[current]} {stripped}".strip()
        elif section == "returns":
            returns.append(stripped)
    text = " ".join(returns)
    typed = _TYPED.match(text)
    return DocSections(params, (typed.group(1) if typed else text) or None)
