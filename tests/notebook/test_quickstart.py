"""notebooks/quickstart.ipynb runs top to bottom in a real kernel and shows what it promises."""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import pytest

from tests.notebook.conftest import execute_notebook, text_of

pytestmark = pytest.mark.kernel

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
QUICKSTART = NOTEBOOKS / "quickstart.ipynb"


@pytest.fixture(scope="module")
def executed(kernel_name):
    nb = nbformat.read(QUICKSTART, as_version=4)
    # "Run all" from the notebooks folder, as `make lab` opens it; no cell may raise.
    return execute_notebook(copy.deepcopy(nb), kernel_name, str(NOTEBOOKS))


def cell(nb, cell_id):
    return next(c for c in nb.cells if c.id == cell_id)


def test_the_notebook_is_saved_without_outputs_and_with_cell_ids():
    nb = nbformat.read(QUICKSTART, as_version=4)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) >= (4, 5)
    assert all(c.get("outputs", []) == [] for c in nb.cells if c.cell_type == "code")
    assert (NOTEBOOKS / "data" / "orders.csv").exists()


def test_no_cell_fails(executed):
    for c in executed.cells:
        assert not [o for o in c.get("outputs", []) if o["output_type"] == "error"], c.source


def test_orders_is_shown_as_a_table(executed):
    outputs = cell(executed, "orders").outputs
    lines = text_of(cell(executed, "orders")).splitlines()
    assert lines[0].startswith("✓ orders")
    assert lines[1].startswith("orders · materialized in ") and "DataFrame 32x6" in lines[1]
    # Displayed, not the cell's result: Out[N] would keep every run's value alive.
    assert outputs[-1]["output_type"] == "display_data"
    assert "<table" in outputs[-1]["data"]["text/html"]


def test_values(executed):
    revenue = text_of(cell(executed, "daily-revenue"))
    assert "upstream: orders" in revenue and "2024-03-01    328.8" in revenue
    top = text_of(cell(executed, "top-customers"))
    assert top.splitlines()[-3].split()[-3:] == ["Dune", "Pizzeria", "593.3"]
    assert "Check orders:prices_positive passed." in text_of(cell(executed, "check"))


def test_the_failure_shows_the_trimmed_traceback_and_run_all_goes_on(executed):
    out = text_of(cell(executed, "basket-fail"))
    assert "✗ basket_size  failed: AttributeError" in out
    assert "Cell In[5] %%asset basket_size, line 2, in basket_size" in out
    assert 'basket_size = orders.groupby("customer").qty.mean()' in out
    assert "nbassets/" not in out and "pandas/" not in out
    assert out.strip().endswith("False")
    assert "basket_size · materialized" in text_of(cell(executed, "basket-fixed"))


def test_selection_and_dry_run(executed):
    plan = text_of(cell(executed, "dry-run"))
    assert plan.startswith("Plan: 5 step(s)")
    selected = text_of(cell(executed, "select"))
    assert "✓ orders" in selected and "✓ top_customers" in selected
    assert "daily_revenue" not in selected


def test_the_redefinition_makes_downstream_stale_and_says_why(executed):
    out = text_of(cell(executed, "orders-v2"))
    assert "DataFrame 30x6" in out
    assert (
        "Now stale downstream: daily_revenue, top_customers, basket_size. "
        "Run %materialize to bring them up to date."
    ) in out
    show = text_of(cell(executed, "show"))
    assert "status: stale" in show
    assert "stale because: upstream 'orders' was materialized after it" in show
    update = text_of(cell(executed, "update"))
    assert "3 materialized" in update
    assert "2024-03-03    333.1" in text_of(cell(executed, "revenue-after"))


def test_catalog_and_lineage(executed):
    catalog = cell(executed, "catalog").outputs[-1]["data"]
    assert "<table>" in catalog["text/html"]
    assert catalog["text/plain"].count("materialized") == 4
    lineage = cell(executed, "lineage").outputs[-1]["data"]
    assert "basket_size [materialized]  <- orders" in lineage["text/plain"]
