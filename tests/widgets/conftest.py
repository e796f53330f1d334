"""Real-browser harness for widget tests: JupyterLab on loopback, Debian's Chromium, Playwright.

Fixtures (reuse them in any widget test marked ``@pytest.mark.browser``):
- ``lab_server`` (session): a JupyterLab server with its own config, runtime,
  settings, workspaces and IPython dirs; its kernel imports nbassets from this repo.
- ``browser`` (session): headless Chromium driven by Playwright's sync API.
- ``lab_page``: a fresh page; console errors and page errors are collected and the
  test fails at teardown if there were any.
- ``open_notebook``: ``open_notebook(cells)`` writes a notebook into the server's
  root, opens it, runs every cell and returns a ``LabNotebook`` to drive it.
- ``save_screenshot(target, name)``: save a PNG under ``test-artifacts/``; look at it.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import pytest

from nbassets.widgets.graphviz_engine import INSTALL_HINT, graphviz_engine
from tests.browser_env import NO_CHROMIUM, chromium_path, must_run_browser_tests

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT_S = 60.0
RUN_TIMEOUT_MS = 60_000

# JavaScript run in the page: find the notebook panel showing `path` in Lab's main area.
FIND_PANEL = """
const findPanel = (path) => {
  const app = window.jupyterapp;
  if (!app) return null;
  for (const w of app.shell.widgets('main')) {
    if (w.context && w.context.path === path) return w;
  }
  return null;
};
"""


@dataclass
class LabServer:
    """A running JupyterLab server: where it listens, its token and its root folder."""

    url: str
    token: str
    root: Path
    process: subprocess.Popen[bytes]
    log_path: Path

    def api(self, method: str, path: str, body: Any = None) -> Any:
        """Call the server's REST API; return the decoded JSON answer (or None)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.url}{path}",
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            raw = answer.read()
        return json.loads(raw) if raw else None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _write_settings(settings_dir: Path) -> None:
    files = {
        # No news fetch and no "would you like news?" prompt over the page.
        "@jupyterlab/apputils-extension/notification": {
            "fetchNews": "false",
            "checkForUpdates": False,
        },
        # Render every cell, so outputs below the fold are in the DOM for the tests.
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    }
    for name, values in files.items():
        path = settings_dir / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def _stop_server(server: LabServer) -> None:
    import psutil

    try:
        kernels = psutil.Process(server.process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        kernels = []
    # The server may already be gone; the PID-based fallback below still runs.
    with contextlib.suppress(urllib.error.URLError, OSError):
        server.api("POST", "/api/shutdown")
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)
    for child in kernels:
        if child.is_running():
            child.terminate()
    psutil.wait_procs([c for c in kernels if c.is_running()], timeout=5)


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    yield from jupyter_server(tmp_path_factory, "jupyterlab", "--LabApp.expose_app_in_browser=True")


def jupyter_server(
    tmp_path_factory: pytest.TempPathFactory,
    module: str,
    expose_app: str,
    jupyter_path: Path | None = None,
) -> Iterator[LabServer]:
    """Start ``python -m <module>`` (JupyterLab or Notebook 7) isolated in a temp dir.

    Loopback, a free port, a random token, its own config, runtime, data,
    settings, workspaces and IPython dirs; ``expose_app`` makes ``window.jupyterapp``
    available to the tests. ``jupyter_path`` (a folder holding
    ``labextensions/<name>``) loads a prebuilt extension under test. Stopped through
    the API, then by PID.
    """
    if graphviz_engine() is None:
        pytest.skip(INSTALL_HINT)
    base = tmp_path_factory.mktemp(module)
    root = base / "root"
    dirs = {
        name: base / name
        for name in ("config", "runtime", "settings", "workspaces", "ipython", "data")
    }
    root.mkdir()
    for path in dirs.values():
        path.mkdir()
    _write_settings(dirs["settings"])
    if jupyter_path is None:
        # Widget tests look for the widgets in cell outputs; the Assets panel (installed
        # with the package) draws the same lineage classes in the sidebar, so it is
        # turned off here and tested with its own servers in tests/labextension.
        labconfig = dirs["config"] / "labconfig"
        labconfig.mkdir()
        (labconfig / "page_config.json").write_text(
            json.dumps({"disabledExtensions": {"nbassets": True}}), encoding="utf-8"
        )
    token = secrets.token_hex(16)
    port = _free_port()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(dirs["config"]),
        "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
        "JUPYTER_DATA_DIR": str(dirs["data"]),
        "JUPYTERLAB_SETTINGS_DIR": str(dirs["settings"]),
        "JUPYTERLAB_WORKSPACES_DIR": str(dirs["workspaces"]),
        "IPYTHONDIR": str(dirs["ipython"]),
        # The kernel must import the nbassets of this checkout, even without `pip install -e`.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    }
    if jupyter_path is not None:
        env["JUPYTER_PATH"] = os.pathsep.join(
            filter(None, [str(jupyter_path), os.environ.get("JUPYTER_PATH")])
        )
    log_path = base / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable, "-m", module, "--no-browser", "--allow-root",
                "--ServerApp.ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
                expose_app,
            ],
            env=env,
            cwd=root,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = LabServer(f"http://127.0.0.1:{port}", token, root, process, log_path)
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while True:
        try:
            server.api("GET", "/api/status")
            break
        except (urllib.error.URLError, OSError):
            if process.poll() is not None or time.monotonic() > deadline:
                _stop_server(server)
                pytest.fail(f"{module} did not start; its log:\n{server.log()}")
            time.sleep(0.1)
    try:
        yield server
    finally:
        _stop_server(server)


_SHARED_BROWSER: list[Any] = []


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    chromium = chromium_path()
    if chromium is None:
        if must_run_browser_tests():
            pytest.fail(NO_CHROMIUM.replace("did not run", "cannot run under CI"))
        pytest.skip(NO_CHROMIUM)
    if _SHARED_BROWSER:
        # Another folder's conftest re-exports this fixture (tests/labextension): one
        # Playwright per process, since a second sync Playwright refuses to start.
        yield _SHARED_BROWSER[0]
        return
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=chromium, args=CHROMIUM_FLAGS, headless=True
        )
        _SHARED_BROWSER.append(chromium)
        try:
            yield chromium
        finally:
            _SHARED_BROWSER.clear()
            chromium.close()
    finally:
        playwright.stop()


@dataclass
class PageErrors:
    """Console errors and uncaught page errors seen while a test ran."""

    messages: list[str] = field(default_factory=list)
    tolerated: dict[str, str] = field(default_factory=dict)

    def tolerate(self, fragment: str, why: str) -> None:
        """Let messages containing ``fragment`` pass; ``why`` says whose error it is."""
        self.tolerated[fragment] = why

    def assert_none(self) -> None:
        unexpected = [
            message
            for message in self.messages
            if not any(fragment in message for fragment in self.tolerated)
        ]
        assert not unexpected, "errors in the browser:\n" + "\n".join(unexpected)


@pytest.fixture
def page_errors() -> PageErrors:
    return PageErrors()


@pytest.fixture
def lab_page(browser: Any, page_errors: PageErrors) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on(
        "console",
        lambda msg: page_errors.messages.append(f"console: {msg.text}")
        if msg.type == "error"
        else None,
    )
    page.on("pageerror", lambda exc: page_errors.messages.append(f"pageerror: {exc}"))
    try:
        yield page
    finally:
        context.close()
    page_errors.assert_none()


def save_screenshot(target: Any, name: str) -> Path:
    """Save a screenshot of a Playwright page or locator as ``test-artifacts/<name>.png``."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    target.screenshot(path=str(path))
    return path


@dataclass
class LabNotebook:
    """A notebook open in JupyterLab, with its kernel running."""

    page: Any
    server: LabServer
    path: str

    def run_all(self, timeout_ms: int = RUN_TIMEOUT_MS) -> None:
        """Run every cell through Lab's own command and wait until all have run."""
        self.page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        self.page.wait_for_function(
            FIND_PANEL
            + """
            (path) => {
              const panel = findPanel(path);
              const kernel = panel?.sessionContext?.session?.kernel;
              if (!kernel || kernel.status !== 'idle') return false;
              for (const cell of panel.content.model.cells) {
                if (cell.type === 'code' && cell.executionCount === null) return false;
              }
              return true;
            }""",
            arg=self.path,
            timeout=timeout_ms,
        )
        errors = self.outputs(output_type="error")
        if errors:
            raise AssertionError(f"a cell raised: {errors}")

    def outputs(self, output_type: str | None = None) -> list[dict[str, Any]]:
        """Every cell output, as nbformat JSON, read from Lab's model (not the DOM)."""
        outputs: list[dict[str, Any]] = self.page.evaluate(
            FIND_PANEL
            + """
            (path) => {
              const out = [];
              for (const cell of findPanel(path).content.model.cells) {
                if (cell.type !== 'code') continue;
                for (let i = 0; i < cell.outputs.length; i++) {
                  out.push(cell.outputs.get(i).toJSON());
                }
              }
              return out;
            }""",
            self.path,
        )
        return [o for o in outputs if output_type in (None, o.get("output_type"))]

    def execute(self, code: str) -> str:
        """Run ``code`` in the notebook's kernel (no new cell); return its printed text.

        The text is stdout plus the ``text/plain`` of any result; a Python error fails the test.
        """
        result: dict[str, str] = self.page.evaluate(
            FIND_PANEL
            + """
            async ([path, code]) => {
              const kernel = findPanel(path).sessionContext.session.kernel;
              const future = kernel.requestExecute({ code, store_history: false });
              let text = '';
              let error = '';
              future.onIOPub = (msg) => {
                const c = msg.content;
                if (msg.header.msg_type === 'stream') text += c.text;
                else if (msg.header.msg_type === 'execute_result') text += c.data['text/plain'];
                else if (msg.header.msg_type === 'error') error = `${c.ename}: ${c.evalue}`;
              };
              await future.done;
              return { text, error };
            }""",
            [self.path, code],
        )
        if result["error"]:
            raise AssertionError(f"kernel raised running {code!r}: {result['error']}")
        return result["text"]

    def wait_for_output(
        self, code: str, expected: str, timeout_s: float = 10.0
    ) -> str:
        """Run ``code`` until its printed text (stripped) equals ``expected``; return the last."""
        deadline = time.monotonic() + timeout_s
        while True:
            text = self.execute(code).strip()
            if text == expected or time.monotonic() > deadline:
                return text
            time.sleep(0.1)


@pytest.fixture
def open_notebook(
    lab_server: LabServer, lab_page: Any, request: pytest.FixtureRequest
) -> Iterator[Callable[[list[str]], LabNotebook]]:
    opened: list[str] = []

    def _open(cells: list[str]) -> LabNotebook:
        name = f"{request.node.name.replace('[', '_').replace(']', '')}_{len(opened)}.ipynb"
        notebook = nbformat.v4.new_notebook(
            cells=[nbformat.v4.new_code_cell(source) for source in cells],
            metadata={
                "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
            },
        )
        nbformat.write(notebook, lab_server.root / name)
        opened.append(name)
        lab_page.goto(f"{lab_server.url}/lab/tree/{name}?token={lab_server.token}")
        wait_for_kernel(lab_page, name)
        opened_notebook = LabNotebook(lab_page, lab_server, name)
        opened_notebook.run_all()
        return opened_notebook

    yield _open
    # End this test's kernels so the next test starts clean and none pile up.
    for session in lab_server.api("GET", "/api/sessions"):
        if session.get("path") in opened:
            lab_server.api("DELETE", f"/api/sessions/{session['id']}")


def wait_for_kernel(page: Any, path: str) -> None:
    """Wait until the notebook at ``path`` has a kernel and that kernel is idle."""
    page.wait_for_function(
        FIND_PANEL
        + """
        (path) => {
          const kernel = findPanel(path)?.sessionContext?.session?.kernel;
          return kernel && kernel.status === 'idle';
        }""",
        arg=path,
        timeout=RUN_TIMEOUT_MS,
    )
