"""`nbassets lineage NOTEBOOK -o FILE` writes the picture in the format the suffix names."""

from __future__ import annotations

import shutil

import pytest

from tests.cli.helpers import nbassets, write_notebook

CELLS = [
    "%load_ext nbassets",
    "%%asset --group sales\norders = [1, 2]",
    "%%asset --group sales\nrevenue = sum(orders)",
    "%%asset\nreport = f'{revenue} & <more>'",
]


@pytest.fixture
def notebook(tmp_path):
    return write_notebook(tmp_path / "nb.ipynb", *CELLS)


def test_dot_is_the_graph_with_groups_and_edges(notebook, tmp_path):
    done = nbassets("lineage", notebook, "-o", tmp_path / "g.dot")
    assert done.returncode == 0, done.stderr
    dot = (tmp_path / "g.dot").read_text()
    assert 'subgraph cluster_0 { label="sales";' in dot
    assert 'n0 [label="orders"' in dot and "n0 -> n1;" in dot and "n1 -> n2;" in dot
    assert "n0 -> n2" not in dot


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs graphviz's dot")
def test_svg_and_png(notebook, tmp_path):
    assert nbassets("lineage", notebook, "-o", tmp_path / "g.svg").returncode == 0
    svg = (tmp_path / "g.svg").read_text()
    assert svg.lstrip().startswith("<svg") and "orders" in svg and "revenue" in svg
    assert "&lt;more&gt;" not in svg  # the value is not drawn; the key is
    assert nbassets("lineage", notebook, "-o", tmp_path / "g.png").returncode == 0
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_an_unknown_format_exits_2(notebook, tmp_path):
    done = nbassets("lineage", notebook, "-o", tmp_path / "g.jpg")
    assert done.returncode == 2
    assert "name the file .svg, .png or .dot" in done.stderr
    assert not (tmp_path / "g.jpg").exists()
