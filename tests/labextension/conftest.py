"""JupyterLab and Notebook 7 with the nbassets labextension built from this checkout.

Fixtures:
- ``lab_server`` (session): the widget tests' JupyterLab server, plus an extra
  ``JUPYTER_PATH`` folder whose ``labextensions/nbassets`` links to the build
  output (``nbassets/labextension``, made by ``make`` or ``pip install``).
- ``notebook7_server`` (session): the same for Jupyter Notebook 7.
- ``open_notebook`` / ``lab_page`` / ``browser`` / ``page_errors`` /
  ``notebook7_page``: the widget tests' own, re-exported here so they use these
  servers.
- ``AssetsPage``: drives the Assets panel and reads rows and cell marks.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from tests.browser_env import must_run_browser_tests
from tests.widgets.conftest import (  # noqa: F401 - fixtures used by name
    FIND_PANEL,
    REPO,
    RUN_TIMEOUT_MS,
    LabNotebook,
    LabServer,
    browser,
    jupyter_server,
    lab_page,
    open_notebook,
    page_errors,
    wait_for_kernel,
)
from tests.widgets.test_notebook7_browser import notebook7_page  # noqa: F401 - fixture

BUILD = REPO / "nbassets" / "labextension"


@pytest.fixture(scope="session")
def labextension_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (BUILD / "package.json").is_file():
        message = (
            f"The JupyterLab extension is not built ({BUILD} is missing). Build it once with "
            "`make install` (needs Node 20.19+ and npm) or `cd labextension && npm ci && "
            "npm run build`."
        )
        # As with a missing Chromium: skipped on a workstation, a failure under CI.
        if must_run_browser_tests():
            pytest.fail(message)
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("jupyter-path")
    (folder / "labextensions").mkdir()
    (folder / "labextensions" / "nbassets").symlink_to(BUILD, target_is_directory=True)
    return folder


@pytest.fixture(scope="session")
def lab_server(
    tmp_path_factory: pytest.TempPathFactory, labextension_path: Path
) -> Iterator[LabServer]:
    yield from jupyter_server(
        tmp_path_factory,
        "jupyterlab",
        "--LabApp.expose_app_in_browser=True",
        jupyter_path=labextension_path,
    )


@pytest.fixture(scope="session")
def notebook7_server(
    tmp_path_factory: pytest.TempPathFactory, labextension_path: Path
) -> Iterator[LabServer]:
    pytest.importorskip("notebook", minversion="7.2")
    yield from jupyter_server(
        tmp_path_factory,
        "notebook",
        "--JupyterNotebookApp.expose_app_in_browser=True",
        jupyter_path=labextension_path,
    )


@pytest.fixture(autouse=True)
def _end_kernels(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test, end the kernels it started, so none pile up on the 2 cores."""
    yield
    for name in ("lab_server", "notebook7_server"):
        if name in request.fixturenames:
            server: LabServer = request.getfixturevalue(name)
            for session in server.api("GET", "/api/sessions"):
                server.api("DELETE", f"/api/sessions/{session['id']}")


def lab_url(server: LabServer, name: str) -> str:
    """Open ``name`` in a workspace of its own: no tabs restored from earlier tests."""
    workspace = Path(name).stem.replace(".", "-")
    return f"{server.url}/lab/workspaces/{workspace}/tree/{name}?token={server.token}"


def write_notebook(server: LabServer, name: str, cells: list[tuple[str, str]]) -> str:
    """Write ``(cell id, source)`` code cells as ``name`` into the server's root."""
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(source, id=cell_id) for cell_id, source in cells],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    nbformat.write(notebook, server.root / name)
    return name


class AssetsPage:
    """The Assets panel and the cell marks of the notebook open in ``page``."""

    def __init__(self, page: Any, notebook: LabNotebook) -> None:
        self.page = page
        self.notebook = notebook

    def open_panel(self) -> Any:
        self.page.evaluate("() => window.jupyterapp.commands.execute('nbassets:show-panel')")
        panel = self.page.locator("#nbassets-panel")
        panel.wait_for(state="visible", timeout=10_000)
        return panel

    @property
    def panel(self) -> Any:
        return self.page.locator("#nbassets-panel")

    def rows(self) -> dict[str, str]:
        """Asset key -> status, as the panel shows them now."""
        found: dict[str, str] = self.page.evaluate(
            """() => Object.fromEntries([...document.querySelectorAll(
                 '#nbassets-panel .nbassets-row')].map(r => [r.dataset.key, r.dataset.status]))"""
        )
        return found

    def cell_marks(self, status: str) -> Any:
        """The mark dots of this notebook's cells that show ``status``."""
        panel_id = self.page.evaluate(FIND_PANEL + "(path) => findPanel(path).id",
                                      self.notebook.path)
        return self.page.locator(
            f'#{panel_id} .jp-Cell[data-nbassets-status="{status}"] .nbassets-cell-mark'
        )

    def marks(self) -> dict[str, str]:
        """Cell id -> the status its mark shows, for every marked cell."""
        found: dict[str, str] = self.page.evaluate(
            FIND_PANEL
            + """
            (path) => {
              const out = {};
              for (const cell of findPanel(path).content.widgets) {
                const status = cell.node.dataset.nbassetsStatus;
                if (status) out[cell.model.id] = status;
              }
              return out;
            }""",
            self.notebook.path,
        )
        return found

    def wait_rows(self, expected: dict[str, str], timeout_s: float = 15.0) -> dict[str, str]:
        """Wait until the panel shows (at least) ``expected``; return what it shows."""
        return self._wait(self.rows, expected, timeout_s)

    def wait_marks(self, expected: dict[str, str], timeout_s: float = 15.0) -> dict[str, str]:
        return self._wait(self.marks, expected, timeout_s)

    @staticmethod
    def _wait(read: Any, expected: dict[str, str], timeout_s: float) -> dict[str, str]:
        deadline = time.monotonic() + timeout_s
        while True:
            seen: dict[str, str] = read()
            if all(seen.get(k) == v for k, v in expected.items()):
                return seen
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {expected}, the page shows {seen}")
            time.sleep(0.1)

    def advice(self) -> str:
        text: str = self.panel.locator(".nbassets-advice").inner_text()
        return text

    def run_cell(self, cell_id: str, source: str | None = None) -> None:
        """Replace a cell's source (if given) and run it as Shift+Enter would."""
        self.page.evaluate(
            FIND_PANEL
            + """
            async ([path, cellId, source]) => {
              const panel = findPanel(path);
              const notebook = panel.content;
              const index = notebook.widgets.findIndex(c => c.model.id === cellId);
              if (source !== null) notebook.widgets[index].model.sharedModel.setSource(source);
              notebook.activeCellIndex = index;
              await window.jupyterapp.commands.execute('notebook:run-cell');
            }""",
            [self.notebook.path, cell_id, source],
        )
        self.wait_idle()

    def wait_idle(self) -> None:
        # A request may still be on its way: give the kernel a moment to turn busy.
        time.sleep(0.2)
        wait_for_kernel(self.page, self.notebook.path)
