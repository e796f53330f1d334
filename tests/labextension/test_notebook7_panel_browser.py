"""The Assets panel and cell marks in Jupyter Notebook 7, driven through headless Chromium.

Notebook 7 shows one notebook per page with its own right sidebar; the same
extension build loads there. Its known startup error (see the widget tests'
``UPSTREAM_ERROR``) is forgiven; any other console error fails the test.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.labextension.conftest import AssetsPage, wait_for_kernel, write_notebook
from tests.labextension.test_panel_browser import CHAIN
from tests.widgets.conftest import LabNotebook, LabServer, save_screenshot

pytestmark = pytest.mark.browser


def test_panel_and_marks_in_notebook7(notebook7_server: LabServer, notebook7_page: Any) -> None:
    page = notebook7_page
    name = write_notebook(notebook7_server, "nb7_chain.ipynb", CHAIN)
    page.goto(f"{notebook7_server.url}/notebooks/{name}?token={notebook7_server.token}")
    wait_for_kernel(page, name)
    assert page.evaluate("() => window.jupyterapp?.name") == "Jupyter Notebook"
    assets = AssetsPage(page, LabNotebook(page, notebook7_server, name))
    assets.open_panel()
    assert "%load_ext nbassets" in assets.advice()
    assets.notebook.run_all()
    assets.wait_rows({"raw": "materialized", "sorted_raw": "materialized", "total": "materialized"})
    assets.wait_marks({"c-raw": "materialized", "c-sorted": "materialized",
                       "c-total": "materialized"})
    # Live: a changed upstream turns the downstream marks stale, the panel's button fixes them.
    assets.run_cell("c-raw", "%%asset --group sales\nraw = [7]")
    assets.wait_marks({"c-sorted": "stale", "c-total": "stale"})
    save_screenshot(page, "labext_notebook7_stale")
    assets.panel.get_by_role("button", name="All stale").click()
    assets.wait_marks({"c-sorted": "materialized", "c-total": "materialized"})
    assets.wait_rows({"total": "materialized"})
    assets.panel.locator('.nbassets-row[data-key="raw"]').click()
    page.wait_for_selector(".jp-Cell.nbassets-flash", timeout=5_000)
    save_screenshot(page, "labext_notebook7_panel")
