"""Synthetic DAGs of trivial assets for the benchmarks.

Each shape is built twice from the same generated functions: as nbassets
definitions, and as a plain list of (function, argument names) that a bare loop
can call in the same order, which is the baseline.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nbassets import AssetsDefinition, asset

Shape = list[tuple[str, list[str]]]


def chain(n: int) -> Shape:
    return [(f"a{i}", [f"a{i - 1}"] if i else []) for i in range(n)]


def fan_out(n: int) -> Shape:
    return [("root", [])] + [(f"leaf{i}", ["root"]) for i in range(n - 1)]


def layered(n: int, width: int = 10) -> Shape:
    """Layers of ``width`` assets; each depends on two assets of the layer before."""
    shape: Shape = []
    for i in range(n):
        layer, pos = divmod(i, width)
        if layer == 0:
            shape.append((f"n{i}", []))
        else:
            prev = (layer - 1) * width
            parents = {f"n{prev + pos}", f"n{prev + (pos + 1) % width}"}
            shape.append((f"n{i}", sorted(parents)))
    return shape


def _function(name: str, params: list[str]) -> Callable[..., Any]:
    # A trivial body: the benchmark measures the engine around the call, not the call.
    source = f"def {name}({', '.join(params)}):\n    return 1\n"
    namespace: dict[str, Any] = {}
    exec(source, namespace)
    return namespace[name]  # type: ignore[no-any-return]


def build(
    shape: Shape,
) -> tuple[list[AssetsDefinition], list[tuple[Callable[..., Any], list[str], str]]]:
    definitions = []
    plain = []
    for name, params in shape:
        fn = _function(name, params)
        definitions.append(asset(fn))
        plain.append((fn, params, name))
    return definitions, plain


def run_plain(plain: list[tuple[Callable[..., Any], list[str], str]]) -> dict[str, Any]:
    """The baseline: call each function in order, passing upstream values from a dict."""
    values: dict[str, Any] = {}
    for fn, params, name in plain:
        values[name] = fn(*[values[p] for p in params])
    return values
