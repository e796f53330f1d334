"""Live lineage views in a real JupyterLab: every status change reaches them, and they cost
nothing once replaced.

- A ``--no-run`` redefinition recolours the graph the way ``%assets`` reports it (stale).
- Re-running the cell that showed a view closes the old one: it stops following.
- A loop of definitions in one cell is drawn with one layout, after the cell.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.widgets.conftest import FIND_PANEL, LabNotebook, save_screenshot
from tests.widgets.test_notebook_widgets_browser import drawn_graph, wait_status

pytestmark = pytest.mark.browser

# How many lineage views in the kernel still follow the registry (closed ones may be gone).
FOLLOWING = (
    "import gc\nprint(sum(o.follower._unsubscribe is not None for o in gc.get_objects() "
    "if type(o).__name__ == 'LineageView'))"
)


def run_cell(nb: LabNotebook, index: int) -> None:
    """Run cell ``index`` again through Lab's own command, as a user pressing Shift+Enter."""
    before = nb.page.evaluate(
        FIND_PANEL
        + """
        ([path, index]) => {
          const panel = findPanel(path);
          panel.content.activeCellIndex = index;
          const count = panel.content.model.cells.get(index).executionCount;
          window.jupyterapp.commands.execute('notebook:run-cell');
          return count;
        }""",
        [nb.path, index],
    )
    nb.page.wait_for_function(
        FIND_PANEL
        + """
        ([path, index, before]) => {
          const panel = findPanel(path);
          const count = panel.content.model.cells.get(index).executionCount;
          return count !== null && count !== before
            && panel.sessionContext.session.kernel.status === 'idle';
        }""",
        arg=[nb.path, index, before],
    )


def test_no_run_redefinition_recolours_and_replaced_views_stop_following(
    open_notebook: Any,
) -> None:
    nb: LabNotebook = open_notebook([
        "%load_ext nbassets",
        "%%asset\norders = [1, 2, 3]",
        "%%asset\nrevenue = sum(orders)",
        "%assets lineage",
    ])
    page = nb.page
    page.wait_for_selector(".nba-lineage .nba-node")
    wait_status(page, "revenue", "materialized")
    # Redefine `orders` without running it: both it and what reads it are stale now.
    nb.execute("get_ipython().run_cell_magic('asset', 'orders --no-run', 'orders = [1, 2]')")
    assert "stale" in nb.execute("%assets")
    wait_status(page, "orders", "stale")
    wait_status(page, "revenue", "stale")
    save_screenshot(page.locator(".nba-lineage").last, "live_no_run_redefinition_stale")

    # Re-run the lineage cell twice: each run replaces its output; old views must let go.
    run_cell(nb, 3)
    run_cell(nb, 3)
    assert nb.wait_for_output(FOLLOWING, "1") == "1"
    assert page.locator(".nba-lineage").count() == 1


def test_a_loop_of_definitions_is_one_layout_after_the_cell(open_notebook: Any) -> None:
    nb: LabNotebook = open_notebook([
        "%load_ext nbassets\n%assets config autorun=off",
        "%%asset\nseed = 1",
        "import nbassets\nview = nbassets.lineage()\nview",
        "import nbassets\n"
        "for i in range(40):\n"
        "    exec(f'@nbassets.asset\\ndef step_{i}(seed):\\n    return seed + {i}')",
    ])
    page = nb.page
    page.wait_for_function(
        "() => document.querySelectorAll('.nba-lineage .nba-node').length === 41",
        timeout=15_000,
    )
    graph = drawn_graph(page, ".nba-lineage >> nth=-1")
    assert ("seed", "step_39") in map(tuple, graph["edges"])
    assert nb.execute("print(view.follower.layouts)").strip() == "1"
    save_screenshot(page.locator(".nba-lineage").last, "live_loop_one_layout")


def test_the_asset_view_opened_from_the_graph_shows_the_code_diff(open_notebook: Any) -> None:
    nb: LabNotebook = open_notebook([
        "%load_ext nbassets",
        "%%asset\norders = [1, 2, 3]",
        "%%asset\nrevenue = sum(orders)",
        "%assets lineage",
    ])
    page = nb.page
    page.wait_for_selector(".nba-lineage .nba-node")
    nb.execute("get_ipython().run_cell_magic('asset', 'orders --no-run', 'orders = [1, 2]\\n')")
    wait_status(page, "orders", "stale")
    page.locator('.nba-lineage .nba-node[data-key="orders"]').last.dblclick()
    view = page.locator(".nba-asset").last
    view.locator(".nba-diff").wait_for()
    assert "its code changed" in view.locator(".nba-stale").text_content()
    assert view.locator(".nba-diff-del").all_text_contents() == ["-orders = [1, 2, 3]\n"]
    assert view.locator(".nba-diff-add").all_text_contents() == ["+orders = [1, 2]\n"]
    save_screenshot(view, "asset_view_code_diff")
    # Its downstream is a link: a click shows that asset in the same view.
    view.locator('.nba-downstream .nba-link[data-key="revenue"]').click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.nba-asset .nba-asset-key')]"
        ".some((k) => k.textContent === 'revenue')"
    )
    assert view.locator(".nba-upstream .nba-link").all_text_contents() == ["orders"]
    assert "upstream 'orders'" in view.locator(".nba-stale").text_content()
