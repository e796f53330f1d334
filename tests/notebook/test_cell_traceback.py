from __future__ import annotations

import linecache
from collections.abc import Callable
from typing import Any

import pytest

from nbassets.notebook.cell_body import analyze_cell, compile_cell
from nbassets.notebook.cell_traceback import (
    CELL_FILENAME_PREFIX,
    cell_filename,
    trim_traceback,
)


def _asset(body: str, name: str, ns: dict[str, Any] | None = None) -> Callable[..., Any]:
    # first_line=2: in Jupyter the %%asset line is line 1 of the cell.
    analysis = analyze_cell(body, cell_name=name, first_line=2)
    return compile_cell(
        analysis, inputs=[], user_ns=ns if ns is not None else {}, filename=cell_filename(name)
    )


def _engine_runs(fn: Callable[..., Any]) -> BaseException:
    """Stand-in for the engine: its frames must not show in a trimmed traceback."""
    try:
        fn()
    except Exception as exc:  # the test inspects what the engine would report
        return exc
    raise AssertionError("the asset did not fail")


def test_traceback_shows_only_cell_lines_with_cell_line_numbers() -> None:
    fn = _asset("rows = [1, 2]\ntotal = sum(rows)\nratio = total / 0\n", "ratio")
    text = trim_traceback(_engine_runs(fn), CELL_FILENAME_PREFIX)
    assert text.splitlines()[:3] == [
        "Traceback (most recent call last):",
        '  File "<asset ratio>", line 4, in ratio',
        "    ratio = total / 0",
    ]
    assert text.splitlines()[-1] == "ZeroDivisionError: division by zero"
    assert "_engine_runs" not in text
    assert __file__ not in text


def test_frames_of_functions_defined_in_the_cell_are_kept() -> None:
    body = "def parse(v):\n    return int(v)\n\nvalues = [parse(v) for v in ['1', 'x']]\n"
    text = trim_traceback(_engine_runs(_asset(body, "values")), CELL_FILENAME_PREFIX)
    assert '  File "<asset values>", line 5, in values' in text
    assert '  File "<asset values>", line 3, in parse' in text
    assert "    return int(v)" in text
    assert text.rstrip().endswith("ValueError: invalid literal for int() with base 10: 'x'")


def test_helpers_outside_the_cell_are_hidden_unless_asked_for() -> None:
    def helper() -> None:
        raise KeyError("missing")

    exc = _engine_runs(_asset("helper()\n", "uses_helper", {"helper": helper}))
    trimmed = trim_traceback(exc, CELL_FILENAME_PREFIX)
    assert "in helper" not in trimmed
    assert '"<asset uses_helper>", line 2' in trimmed
    inner = trim_traceback(exc, CELL_FILENAME_PREFIX, keep_inner=True)
    assert "in helper" in inner
    assert "_engine_runs" not in inner


def test_chained_exceptions_are_trimmed_too() -> None:
    body = "try:\n    {}['k']\nexcept KeyError as e:\n    raise ValueError('bad key') from e\n"
    text = trim_traceback(_engine_runs(_asset(body, "chained")), CELL_FILENAME_PREFIX)
    assert text.count("Traceback (most recent call last):") == 2
    assert "The above exception was the direct cause" in text
    assert '"<asset chained>", line 3' in text
    assert '"<asset chained>", line 5' in text
    assert "_engine_runs" not in text


def test_a_failure_outside_any_cell_keeps_its_full_traceback() -> None:
    def engine_bug() -> None:
        raise RuntimeError("engine bug")

    text = trim_traceback(_engine_runs(engine_bug), CELL_FILENAME_PREFIX)
    assert "in engine_bug" in text
    assert "_engine_runs" in text


def test_cell_source_is_in_linecache_at_cell_line_numbers() -> None:
    _asset("a = 1\nb = 2\n", "cached")
    assert linecache.getline("<asset cached>", 1) == "\n"
    assert linecache.getline("<asset cached>", 3) == "b = 2\n"


@pytest.mark.parametrize("first_line", [1, 5])
def test_first_line_override(first_line: int) -> None:
    analysis = analyze_cell("x = 1\n1 / 0\n")
    fn = compile_cell(
        analysis,
        inputs=[],
        user_ns={},
        filename=cell_filename("o"),
        name="o",
        first_line=first_line,
    )
    text = trim_traceback(_engine_runs(fn), CELL_FILENAME_PREFIX)
    assert f'"<asset o>", line {first_line + 1}, in o' in text
    assert "    1 / 0" in text
