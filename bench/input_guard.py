"""What the defence against inputs changed in place costs a step that reads a value.

For each kind of value, one run of ``down(up)`` (``up`` stored in memory, only
``down`` selected) with the defence, beside the same run with it switched off
and beside what the user would otherwise pay to be safe, a copy of the value.
Usage: ``python -m bench.input_guard``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.timing import fmt_ms, fmt_us, median_time
from nbassets import asset, materialize_to_memory, use_registry
from nbassets.engine import run as engine_run


def _values() -> list[tuple[str, Callable[[], Any], Callable[[Any], Any]]]:
    import numpy as np
    import pandas as pd

    rows = 100 * 1024 * 1024 // 8 // 10  # 10 float columns: 100 MB
    return [
        (
            "DataFrame 100 MB",
            lambda: pd.DataFrame({f"c{i}": np.random.rand(rows) for i in range(10)}),
            lambda v: v.copy(),
        ),
        ("ndarray 100 MB", lambda: np.random.rand(rows * 10), lambda v: v.copy()),
        ("list of 1M ints", lambda: list(range(1_000_000)), lambda v: list(v)),
        ("dict of 10 small lists", lambda: {str(i): [i] * 10 for i in range(10)}, dict),
        ("list [1, 2, 3]", lambda: [1, 2, 3], lambda v: list(v)),
    ]


def _fmt(seconds: float) -> str:
    return fmt_ms(seconds) if seconds >= 1e-3 else fmt_us(seconds)


def _off(*args: Any) -> None:
    return None


def _measure(name: str, value: Any, copy: Callable[[Any], Any]) -> None:
    watch = engine_run.watch_inputs
    with use_registry():

        @asset(name="up")
        def up() -> Any:
            return value

        @asset(name="down")
        def down(up: Any) -> int:
            return 1

        materialize_to_memory([up, down])
        repeat, number = (5, 3) if "MB" in name or "1M" in name else (9, 200)

        def one_run() -> None:
            materialize_to_memory([up, down], selection=[down])

        on = median_time(one_run, repeat=repeat, number=number)
        engine_run.watch_inputs = _off  # type: ignore[assignment]
        try:
            off = median_time(one_run, repeat=repeat, number=number)
        finally:
            engine_run.watch_inputs = watch
        copied = median_time(lambda: copy(value), repeat=repeat, number=number)
    print(
        f"{name:<24}{_fmt(off):>18}{_fmt(on):>18}{_fmt(on - off):>12}"
        f"{on / off:>7.2f}x{_fmt(copied):>15}"
    )


def main() -> None:
    print("Inputs changed in place: the defence's cost on one step reading a value")
    print(
        f"{'value':<24}{'run, defence off':>18}{'run, defence on':>18}{'added':>12}"
        f"{'ratio':>8}{'a copy of it':>15}"
    )
    for name, make, copy in _values():
        _measure(name, make(), copy)
    print("  frames reach the step as Copy-on-Write copies and arrays as read-only views")
    print("  (free); other values are checksummed (CRC-32 of their pickle) before and after.\n")


if __name__ == "__main__":
    main()
