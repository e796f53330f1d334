"""Plain cells as a module's setup code: nbassets swapped for dagster, notebook-only parts out."""

from __future__ import annotations

import pytest

from nbassets.export.problems import ExportError, Problems
from nbassets.export.setup_code import setup_blocks

pytest.importorskip("dagster")


def blocks(*sources):
    problems = Problems()
    found = setup_blocks([(f"cell {i}", s, float(i)) for i, s in enumerate(sources)], problems)
    return [b.code for b in found], problems.found


@pytest.mark.parametrize(
    ("source", "code"),
    [
        ("from nbassets import asset, AssetIn\nx = 1",
         "from dagster import asset, AssetIn\nx = 1\n"),
        ("from nbassets import (\n    Config,\n)\n", "from dagster import (\n    Config,\n)\n"),
        ("import nbassets\np = nbassets.DailyPartitionsDefinition(start_date='2024-01-01')",
         "p = dg.DailyPartitionsDefinition(start_date='2024-01-01')\n"),
        ("import nbassets as nba\nk = nba.AssetKey('a')", "k = dg.AssetKey('a')\n"),
        ("import nbassets\nregistry = nbassets.get_registry()\nregistry.resources['db'] = 1\nz = 2",
         "z = 2\n"),
        ("%matplotlib inline\nimport math", "import math\n"),
        ("%materialize\n%assets lineage", None),
        ("x = 1\nx", "x = 1\n"),
        ("from nbassets.export import to_dagster\ndefs = to_dagster()\ny = 1", "y = 1\n"),
        ("from nbassets import get_registry\nr = get_registry()\nr.resources['a'] = 1", None),
    ],
)
def test_rewrites(source, code):
    codes, problems = blocks(source)
    assert problems == []
    assert codes == ([code] if code is not None else [])


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("import os\n!pip install pandas\nx = 1", "`!pip install pandas` is IPython syntax"),
        ("%time y = 2", "`%time y = 2` is IPython syntax"),
        ("from nbassets import use_registry", "nbassets.use_registry has no Dagster counterpart"),
        ("import nbassets, os", "import nbassets on its own line"),
        ("x = (", "does not parse"),
        ("from nbassets import asset, lineage", "import lineage on its own line"),
    ],
)
def test_problems_name_the_cell_and_line(source, reason):
    _, problems = blocks("a = 1", source)
    assert len(problems) == 1
    where, why = problems[0]
    assert where.startswith("cell 1")
    assert reason in why


def test_every_problem_is_listed_in_the_error():
    problems = Problems()
    problems.add("cell 1, line 2", "first")
    problems.add("cell 4", "second")
    expected = r"nothing was written\):\n- cell 1, line 2: first\n- cell 4: second"
    with pytest.raises(ExportError, match=expected):
        problems.raise_if_any()
