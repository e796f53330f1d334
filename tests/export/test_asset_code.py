"""A cell body becomes a function body that returns what nbassets would have stored."""

from __future__ import annotations

import pytest

from nbassets.export.asset_code import _returning, literal
from nbassets.export.source_text import indent
from nbassets.notebook.cell_body import analyze_cell, compile_cell

BODIES = [
    "x = 1\nx + 1",
    "value = 3",
    "value: int = 4",
    "total = 1\ntotal += 5",
    "text = '''a\nb\n    c'''\ntext",  # a multi-line string keeps its inside as written
    "'''doc'''\nitems = [1, 2]\nlen(items)",
    "a = 2; a * 10",
    "x = 5  # trailing comment\nx * 2  # the value",
    "(\n    1\n    + 2\n)",
    "if True:\n    y = 1\nelse:\n    y = 2\ny",
    "def helper(n):\n    return n * 3\n\nhelper(4)",
    "result = [i for i in range(3)]\nresult",
    "import math\nmath.floor(2.5)",
]


@pytest.mark.parametrize("body", BODIES)
def test_the_exported_function_returns_the_cells_value(body):
    analysis = analyze_cell(body)
    namespace: dict = {}
    expected = compile_cell(analysis, inputs=[], user_ns=namespace, filename="<cell>", name="f")()
    source = "def exported():\n" + indent(_returning(body))
    scope: dict = {}
    exec(compile(source, "<exported>", "exec"), scope)
    assert scope["exported"]() == expected


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("a", '"a"'),
        ('say "hi"', '"say \\"hi\\""'),
        (["sales", "raw"], '["sales", "raw"]'),
        ({"team": "data"}, '{"team": "data"}'),
        ({"b", "a"}, '{"a", "b"}'),
        (3, "3"),
        ("é\n", '"é\\n"'),
    ],
)
def test_literals_are_python_that_reads_back(value, text):
    assert literal(value) == text
    assert eval(text) == value
