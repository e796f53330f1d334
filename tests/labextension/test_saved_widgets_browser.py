"""Saved widget state without the widgets' code; restored widgets that do not look live.

JupyterLab saves each widget's state into the notebook, and anywidget's state holds
the widget's whole JavaScript and CSS. The extension rewrites the nbassets widgets'
code in that saved state to a small "not connected" module: the file stays light,
and a widget restored from it (no kernel, or a restarted one) says to re-run the cell
instead of showing buttons that do nothing.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from nbassets.widgets.themes import stylesheet
from tests.labextension.conftest import AssetsPage, LabServer, lab_url
from tests.labextension.test_panel_browser import open_cells
from tests.widgets.conftest import REPO, save_screenshot

pytestmark = pytest.mark.browser

CELLS = [
    ("load", "%load_ext nbassets"),
    ("c-raw", "%%asset\nraw = [3, 1, 2]"),
    ("c-total", "%%asset\ntotal = sum(raw)"),
    ("lineage", "%assets lineage"),
    ("show", "%assets show total"),
]


def saved_states(lab_server: LabServer, name: str) -> dict[str, dict[str, Any]]:
    """The widget states the file on disk holds, by model id."""
    notebook = json.loads((lab_server.root / name).read_text(encoding="utf-8"))
    widgets = notebook["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]
    states: dict[str, dict[str, Any]] = widgets["state"]
    return states


def test_saved_state_has_no_widget_code_and_restores_as_not_connected(
    lab_server: LabServer, lab_page: Any
) -> None:
    name = "saved_widgets.ipynb"
    assets: AssetsPage = open_cells(lab_server, lab_page, name, CELLS)
    assets.wait_rows({"total": "materialized"})
    lab_page.locator(".jp-Notebook .nba-lineage .nba-node").first.wait_for(timeout=15_000)
    lab_page.locator(".jp-Notebook .nba-asset").wait_for(timeout=15_000)
    # Lab saves widget state only when asked to (Settings > Save Widget State Automatically).
    lab_page.evaluate(
        """async () => {
          const toggle = '@jupyter-widgets/jupyterlab-manager:saveWidgetState';
          const commands = window.jupyterapp.commands;
          if (!commands.isToggled(toggle)) await commands.execute(toggle);
        }"""
    )
    lab_page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    lab_page.wait_for_function(
        "() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=10_000
    )

    states = saved_states(lab_server, name)
    ours = {
        i: s["state"] for i, s in states.items()
        if str(s["state"].get("_anywidget_id", "")).startswith("nbassets.widgets.")
    }
    kinds = sorted(s["_anywidget_id"].rsplit(".", 1)[1] for s in ours.values())
    assert {"AssetViewWidget", "LineageWidget", "RunProgress"} <= set(kinds)
    lineage_code = (REPO / "nbassets" / "widgets" / "static" / "lineage.js").read_text()
    for state in ours.values():
        # The small disconnected module, not the widget's code or stylesheet.
        assert "nba-disconnected" in state["_esm"] and len(state["_esm"]) < 2_500
        assert "applyStatuses" not in state["_esm"] and len(state["_css"]) < 500
        assert len(state["_esm"]) < len(lineage_code) / 5
        assert stylesheet("lineage.css")[:200] not in state["_css"]
    # The data the widgets showed is still saved (the disconnected view names it).
    lineage = next(s for s in ours.values() if s["_anywidget_id"].endswith("LineageWidget"))
    assert len(lineage["graph_layout"]["nodes"]) == 2

    # A new kernel (the old one is gone): the saved widgets come back from the file.
    for session in lab_server.api("GET", "/api/sessions"):
        lab_server.api("DELETE", f"/api/sessions/{session['id']}")
    lab_page.goto(lab_url(lab_server, name))
    restored = lab_page.locator(".jp-Notebook .nba-disconnected")
    restored.nth(1).wait_for(timeout=20_000)
    texts = restored.all_inner_texts()
    assert any(t.startswith("Lineage · 2 assets") for t in texts), texts
    assert any(t.startswith("Asset · total: materialized") for t in texts), texts
    assert all("re-run this cell" in t for t in texts)
    # Nothing that looks live: no graph, no buttons of a widget.
    assert lab_page.locator(".jp-Notebook .nba-lineage").count() == 0
    assert lab_page.locator(".jp-Notebook .nba-disconnected button").count() == 0
    save_screenshot(lab_page.locator(".jp-Notebook"), "labext_restored_not_connected")
