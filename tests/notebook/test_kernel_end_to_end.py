"""The magics end to end in a real Jupyter kernel, driven by nbclient as a frontend would."""

from __future__ import annotations

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError
from nbformat.v4 import new_code_cell, new_notebook

from tests.notebook.conftest import execute_notebook, notebook_client, text_of

pytestmark = pytest.mark.kernel


def notebook(*cells: tuple[str, str]) -> nbformat.NotebookNode:
    """An nbformat 4.5 notebook, so the kernel receives each cell's id."""
    nb = new_notebook(cells=[new_code_cell(source, id=cid) for cid, source in cells])
    nb.nbformat, nb.nbformat_minor = 4, 5
    return nb


def outputs_by_id(nb: nbformat.NotebookNode) -> dict[str, str]:
    return {cell.id: text_of(cell) for cell in nb.cells}


def test_a_session_in_a_kernel(kernel_name, tmp_path):
    (tmp_path / "prices.csv").write_text("item,price\napple,2\npear,3\n")
    nb = notebook(
        ("load", "%load_ext nbassets"),
        ("prices", '%%asset\nimport pandas as pd\nprices = pd.read_csv("prices.csv")'),
        ("total", "%%asset\ndef total(prices):\n    return int(prices.price.sum())"),
        ("check", "%%asset_check prices\nbool(len(prices) == 2)"),
        ("show", "%assets"),
        ("lineage", "%assets lineage"),
        ("value", "total * 10"),
    )
    execute_notebook(nb, kernel_name, str(tmp_path))
    out = outputs_by_id(nb)
    prices = nb.cells[1].outputs
    # In a kernel the run's progress is the RunProgress widget; its plain-text fallback
    # (what nbconvert and terminals keep) holds the same lines as text progress.
    progress = prices[0]
    assert progress["output_type"] == "display_data"
    assert "application/vnd.jupyter.widget-view+json" in progress["data"]
    assert progress["data"]["text/plain"].startswith("✓ prices")
    assert "prices · materialized in " in text_of(nb.cells[1])
    # The DataFrame is displayed (not the cell's result, which Out[N] would keep alive),
    # so Jupyter shows it as its usual HTML table.
    html = prices[-1]["data"]["text/html"]
    assert prices[-1]["output_type"] == "display_data" and "<table" in html
    assert "total · materialized in " in out["total"] and "upstream: prices" in out["total"]
    assert "Check prices:check_prices passed." in out["check"]
    catalog = nb.cells[4].outputs[0]["data"]
    assert "<table>" in catalog["text/html"] and "materialized" in catalog["text/plain"]
    lineage = nb.cells[5].outputs[0]["data"]
    # The live widget, with a static picture and text for exports and terminals.
    widget_view = "application/vnd.jupyter.widget-view+json"
    assert set(lineage) >= {"text/plain", "image/svg+xml", widget_view}
    assert "total [materialized]  <- prices" in lineage["text/plain"]
    assert out["value"].strip() == "50"


def test_a_renamed_cell_drops_its_old_asset_by_cell_id(kernel_name, tmp_path):
    nb = notebook(
        ("load", "%load_ext nbassets"),
        ("same-cell", "%%asset\nfirst = 1"),
    )
    client = notebook_client(nb, kernel_name, str(tmp_path))
    with client.setup_kernel():
        client.execute_cell(nb.cells[0], 0)
        client.execute_cell(nb.cells[1], 1)
        nb.cells[1].source = "%%asset\nsecond = 2"
        client.execute_cell(nb.cells[1], 1)
        assert "Removed first: this cell defined it before" in text_of(nb.cells[1])
        probe = new_code_cell("import nbassets\nprint([k.to_user_string() for k in "
                              "nbassets.get_registry().keys()], 'first' in dir())", id="probe")
        nb.cells.append(probe)
        client.execute_cell(probe, 2)
    assert text_of(probe).strip() == "['second'] False"


def test_a_failure_shows_the_users_trimmed_traceback(kernel_name, tmp_path):
    nb = notebook(
        ("load", "%load_ext nbassets"),
        ("helper", "def ratio(a, b):\n    return a / b"),
        ("base", "%%asset\nbase = 0"),
        ("broken", "%%asset\n# divide\nbroken = ratio(1, base)"),
        ("after", "print('not reached')"),
    )
    with pytest.raises(CellExecutionError, match="RunFailedError"):
        execute_notebook(nb, kernel_name, str(tmp_path))
    error = next(o for o in nb.cells[3].outputs if o["output_type"] == "error")
    assert error["ename"] == "RunFailedError"
    trace = "\n".join(error["traceback"])
    assert "Cell In[4] %%asset broken, line 3, in broken" in trace
    assert "broken = ratio(1, base)" in trace
    assert "Cell In[2], line 2, in ratio" in trace
    assert "nbassets/" not in trace and "site-packages" not in trace
    assert nb.cells[4].outputs == []  # "Run all" stops at the failed cell


def test_usage_errors_are_short(kernel_name, tmp_path):
    nb = notebook(
        ("load", "%load_ext nbassets"),
        ("bad", "%materialize ordres+"),
    )
    with pytest.raises(CellExecutionError):
        execute_notebook(nb, kernel_name, str(tmp_path))
    # One short line on stderr, no traceback; the cell still counts as failed.
    assert nb.cells[1].outputs == [
        {
            "output_type": "stream",
            "name": "stderr",
            "text": "UsageError: Unknown asset 'ordres' in selection 'ordres+'. "
            "No asset is defined yet: write an %%asset cell, or define @asset functions "
            "and pass them to materialize().\n",
        }
    ]


def test_reload_ext_and_debug_in_a_kernel(kernel_name, tmp_path):
    nb = notebook(
        ("load", "%load_ext nbassets"),
        ("a", "%%asset\na = 2"),
        ("b", "%%asset\nb = a * 3"),
        ("reload", "%reload_ext nbassets"),
        ("debug", "del a\n%assets debug b"),
        ("after", "a, b"),
    )
    execute_notebook(nb, kernel_name, str(tmp_path))
    out = outputs_by_id(nb)
    assert "Bound the inputs of b: a." in out["debug"]
    assert out["after"].strip() == "(2, 6)"
