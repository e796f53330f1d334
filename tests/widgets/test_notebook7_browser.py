"""The widgets in Jupyter Notebook 7 (the ``notebook`` package), driven through headless Chromium.

Responsibilities:
- Start a Notebook 7 server the way ``conftest.lab_server`` starts Lab: loopback, a
  free port, a random token, its own config/runtime/settings/IPython dirs, a kernel
  that imports this checkout; stop it through the API, then by PID.
- Open a notebook at ``/notebooks/<name>.ipynb`` (Notebook 7's single-document page),
  run every cell, and check what a user sees: the ``%materialize`` progress rows, the
  ``%assets lineage`` graph, and a click on a node reaching the kernel, read back by
  typing a new cell and running it with Shift+Enter. Console and page errors fail the
  test (the ``lab_page`` fixture), except one known error that Notebook 7 itself
  throws on every page.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import nbformat
import pytest
from playwright.sync_api import expect

from tests.widgets.conftest import (
    LabNotebook,
    LabServer,
    PageErrors,
    jupyter_server,
    save_screenshot,
    wait_for_kernel,
)

pytestmark = pytest.mark.browser

CELLS = [
    "%load_ext nbassets\n%assets config autorun=off",
    "%%asset\nraw = [1, 2, 3]",
    "%%asset\ntotal = sum(raw)",
    "%%asset\ndef doubled(raw):\n    return [x * 2 for x in raw]",
    "%materialize",
    "view = %assets lineage\nview",
]

# Notebook 7.6's own shortcuts plugin throws this while its settings load, on every page
# (the file browser at /tree too), with every third-party labextension disabled. It is not
# ours; it is forgiven only when the stack is in Notebook's own bundle.
UPSTREAM_ERROR = "Cannot read properties of undefined (reading 'schema')"
UPSTREAM_BUNDLE = "/static/notebook/notebook_core."

@pytest.fixture(scope="module")
def notebook7_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """A Jupyter Notebook 7 server with the same isolation as ``lab_server``."""
    pytest.importorskip("notebook", minversion="7.2")
    # Notebook 7 reads the same Lab settings dir: no news prompt, every cell rendered.
    yield from jupyter_server(
        tmp_path_factory, "notebook", "--JupyterNotebookApp.expose_app_in_browser=True"
    )


def open_in_notebook7(server: LabServer, page: Any, name: str, cells: list[str]) -> LabNotebook:
    """Write ``cells`` as ``name`` into the server's root, open it, run all and wait."""
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(source) for source in cells],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    nbformat.write(notebook, server.root / name)
    page.goto(f"{server.url}/notebooks/{name}?token={server.token}")
    wait_for_kernel(page, name)
    # The server exposes the app as Lab's fixture does; LabNotebook drives Lab's notebook
    # panel through it, and Notebook 7 shows the same panel, so no menu clicking is needed.
    assert page.evaluate("() => window.jupyterapp?.name") == "Jupyter Notebook"
    opened = LabNotebook(page, server, name)
    opened.run_all()  # Lab's 'notebook:run-all-cells'; fails on any cell error
    return opened


def run_new_cell(page: Any, code: str) -> str:
    """Add a cell under the last one as a user does (B, Enter, type, Shift+Enter); its text."""
    cells = page.locator(".jp-Notebook .jp-Cell")
    before = cells.count()
    cells.last.locator(".jp-InputPrompt").click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    page.keyboard.press("Enter")
    page.keyboard.type(code)
    page.keyboard.press("Shift+Enter")
    new_cell = cells.nth(before)
    output = new_cell.locator(".jp-OutputArea-output")
    output.wait_for(timeout=10_000)
    text: str = output.inner_text()
    return text.strip()


@pytest.fixture
def notebook7_page(lab_page: Any, page_errors: PageErrors) -> Iterator[Any]:
    """``lab_page``, minus Notebook 7's own known startup error (see ``UPSTREAM_ERROR``)."""
    forgiven: list[str] = []

    def seen(error: Any) -> None:
        if error.message == UPSTREAM_ERROR and UPSTREAM_BUNDLE in (error.stack or ""):
            forgiven.append(f"pageerror: {UPSTREAM_ERROR}")

    lab_page.on("pageerror", seen)
    yield lab_page
    # Runs before lab_page's teardown, which then fails on any error left.
    for message in forgiven:
        page_errors.messages.remove(message)


def test_progress_lineage_and_a_click_work_in_notebook7(
    notebook7_server: LabServer, notebook7_page: Any
) -> None:
    page = notebook7_page
    open_in_notebook7(notebook7_server, page, "notebook7_widgets.ipynb", CELLS)
    # %materialize: one progress row per step, each a success.
    page.wait_for_selector(".nba-progress .nba-row")
    rows = page.locator(".nba-progress .nba-row")
    steps = sorted(rows.nth(i).locator(".nba-step").inner_text() for i in range(rows.count()))
    assert steps == ["doubled", "raw", "total"]
    assert page.locator(".nba-progress .nba-row[data-status='success']").count() == 3
    # %assets lineage: the graph with the three assets and their two edges.
    lineage = page.locator(".nba-lineage").last
    lineage.locator(".nba-node").first.wait_for()
    nodes = lineage.locator(".nba-node")
    keys = sorted(nodes.nth(i).get_attribute("data-key") for i in range(nodes.count()))
    assert keys == ["doubled", "raw", "total"]
    assert lineage.locator(".nba-edge").count() == 2
    statuses = {nodes.nth(i).get_attribute("data-status") for i in range(nodes.count())}
    assert statuses == {"materialized"}
    lineage.locator('.nba-node[data-key="total"]').click()
    expect(lineage.locator(".nba-info")).to_have_text("1 of 3 selected")
    # The click reaches the kernel: a new cell typed into the page prints the selection.
    deadline = time.monotonic() + 10
    while (printed := run_new_cell(page, "print(view.selected)")) != "['total']":
        if time.monotonic() > deadline:
            break
    assert printed == "['total']"
    save_screenshot(page, "notebook7_progress_and_lineage")
