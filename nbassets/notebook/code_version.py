"""The default code version of an ``%%asset`` cell.

Responsibilities:
- A short, stable hex digest of what the cell computes: its body normalized
  through the AST, plus the options that change the value it produces.

What counts as a code change:

- The body's syntax tree, without positions. Comments, blank lines, spacing,
  line breaks and quote style are not code changes.
- Not the docstring (the leading string of a statements body, or the function's
  docstring): it is the asset's description, and editing a description must not
  make the asset stale.
- These options, which change what the body sees or produces: ``config`` (which
  Config class shapes ``config``), ``resources`` (which resources it is given),
  ``ins`` (which keys feed which locals), ``deps`` (ordering-only upstreams are
  still data the body may read out of band, such as a table it queries) and
  ``partitions`` (which slices it computes).
- Not the options that describe, place or schedule the asset without changing
  its data: ``name``, ``key_prefix`` (a new key starts a new history anyway),
  ``group``, ``description``, ``tags``, ``metadata``, ``kinds``, ``owners``,
  ``io_manager`` (where the value is stored, not what it is), ``retries``,
  ``retry_delay`` and ``no_run``.
- An explicit ``code_version`` option wins and is returned unchanged.

The digest depends on ``ast.dump``, which may change between Python feature
releases; after such an upgrade, cells read as changed once.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import json
from collections.abc import Mapping

from nbassets.notebook.cell_body import CellAnalysis, analyze_cell

__all__ = ["VERSIONED_OPTIONS", "code_version"]

VERSIONED_OPTIONS = ("config", "deps", "ins", "partitions", "resources")
"""Option names (``AssetCellOptions`` field names) that are part of the code version."""

# Options whose values are sets in meaning: their order on the line is not a change.
_UNORDERED = frozenset({"deps", "resources"})

_DIGEST_LENGTH = 16


def code_version(analysis_or_source: CellAnalysis | str, options: Mapping[str, object]) -> str:
    """Return the cell's code version: a 16-digit hex digest, or the explicit one.

    Args:
        analysis_or_source: An analyzed body, or body source to analyze.
        options: The cell's options by field name (``AssetCellOptions.to_dict()``);
            keys that do not change the value are ignored, missing ones count as unset.

    Raises:
        InvalidDefinitionError: ``analysis_or_source`` is source that does not parse.
    """
    explicit = options.get("code_version")
    if explicit is not None and explicit != "":
        return str(explicit)
    analysis = (
        analyze_cell(analysis_or_source)
        if isinstance(analysis_or_source, str)
        else analysis_or_source
    )
    payload = {
        "body": normalized_body(analysis),
        "options": {k: _canonical(k, options.get(k)) for k in VERSIONED_OPTIONS},
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:_DIGEST_LENGTH]


def normalized_body(analysis: CellAnalysis) -> str:
    """Return the body's syntax tree as text, without positions or docstring."""
    body = list(analysis.tree.body)
    if analysis.form == "function":
        # A shallow copy with its own body list: the analysis' tree stays untouched.
        fn = copy.copy(body[0])
        assert isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
        if ast.get_docstring(fn, clean=False) is not None:
            fn.body = fn.body[1:] or [ast.Pass()]
        body = [fn]
    elif analysis.docstring is not None:
        body = body[1:]
    return ast.dump(ast.Module(body=body, type_ignores=[]), annotate_fields=False)


def _canonical(name: str, value: object) -> object:
    """Make equal meanings equal in JSON: no value, empty value and order don't matter."""
    if value is None or value == "" or value == () or value == [] or value == {}:
        return None
    if isinstance(value, Mapping):
        return sorted((str(k), str(v)) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [str(v) for v in value]
        return sorted(items) if name in _UNORDERED or isinstance(value, (set, frozenset)) else items
    return str(value)
