"""A notebook file read as definitions: which lines of a plain cell run headless."""

from __future__ import annotations

import json

import pytest

from nbassets.notebook.notebook_file import NotebookFileError, definition_code, read_notebook


@pytest.mark.parametrize(
    ("source", "kept"),
    [
        # A cell's displayed value is a look, not a definition.
        ("x = 1\nx + 1", "x = 1\n"),
        (
            "import pandas as pd\ndf = pd.DataFrame()\ndf.head()",
            "import pandas as pd\ndf = pd.DataFrame()\n",
        ),
        # %materialize / %assets never fire, nor what reads what they returned.
        ("result = %materialize orders --no-raise\nresult.success", ""),
        ("r = %materialize\nok = r.success\nprint(ok)\ny = 2", "y = 2"),
        ("%assets show orders\n%assets", ""),
        ("%load_ext nbassets", ""),
        ("%reload_ext nbassets\nz = 3", "z = 3"),
        # A side effect before a %materialize line is kept: it is not the last expression.
        ("BROKEN.clear()\n%materialize daily --partition 2024-01-10", "BROKEN.clear()\n"),
        # IPython syntax that is not nbassets' stays, even last.
        ("!echo hi", "!echo hi"),
        ("%matplotlib inline\nimport math", "%matplotlib inline\nimport math"),
        # Definitions are kept whole, multi-line ones included.
        ("def f(a):\n    return a\n\nf(1)", "def f(a):\n    return a\n\n"),
        ("x = (\n    1,\n    2,\n)", "x = (\n    1,\n    2,\n)"),
        # A cell that does not parse is left for the shell to report.
        ("x = (", "x = ("),
        ("", ""),
    ],
)
def test_definition_code(source, kept):
    assert definition_code(source) == kept


def _write(path, cells, **top):
    path.write_text(json.dumps({"cells": cells, "nbformat": 4, "nbformat_minor": 5, **top}))
    return path


def test_read_notebook_keeps_index_ids_and_kinds(tmp_path):
    path = _write(
        tmp_path / "n.ipynb",
        [
            {"cell_type": "markdown", "source": "# title", "id": "m"},
            {"cell_type": "code", "source": ["%%asset\n", "a = 1"], "id": "one"},
            {"cell_type": "code", "source": "%%asset_check a\na > 0"},
            {"cell_type": "raw", "source": "x"},
            {"cell_type": "code", "source": "  %%asset_x\n", "id": 7},
            {"cell_type": "code", "source": "import os", "id": "plain"},
        ],
    )
    cells = read_notebook(path)
    assert [(c.index, c.cell_id, c.kind) for c in cells] == [
        (1, "one", "asset"),
        (2, None, "check"),
        (4, None, "code"),
        (5, "plain", "code"),
    ]
    assert cells[0].source == "%%asset\na = 1"
    assert cells[0].label == "cell 1 (id one)" and cells[1].label == "cell 2"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{nope", "is not a readable notebook"),
        ("[1, 2]", "has no 'cells' list"),
        ('{"cells": 3}', "has no 'cells' list"),
    ],
)
def test_unreadable_notebooks_say_why(tmp_path, text, message):
    path = tmp_path / "bad.ipynb"
    path.write_text(text)
    with pytest.raises(NotebookFileError, match=message):
        read_notebook(path)


def test_a_missing_file(tmp_path):
    with pytest.raises(NotebookFileError, match="No notebook at"):
        read_notebook(tmp_path / "absent.ipynb")
