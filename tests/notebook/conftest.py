"""A real IPython shell with nbassets loaded and a fresh kernel registry per test."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest
from IPython.core.interactiveshell import ExecutionResult, InteractiveShell

import nbassets
from nbassets.graph.registry import Registry


class Shell:
    """The shell plus the registry the magics see, with a `run` that mimics a frontend."""

    def __init__(self, ip: InteractiveShell, registry: Registry) -> None:
        self.ip = ip
        self.registry = registry

    @property
    def ns(self) -> dict[str, Any]:
        return self.ip.user_ns

    def run(self, source: str, cell_id: str | None = None) -> ExecutionResult:
        """Run one cell as Jupyter would (history stored; a cell id if given)."""
        return self.ip.run_cell(source, store_history=True, cell_id=cell_id)

    def ok(self, source: str, cell_id: str | None = None) -> Any:
        """Run a cell that must succeed; return its displayed value."""
        result = self.run(source, cell_id)
        error = result.error_before_exec or result.error_in_exec
        assert error is None, f"cell failed: {error!r}"
        return result.result

    def shown(self, source: str, cell_id: str | None = None) -> Any:
        """Run an ``%%asset`` cell that must succeed; return the value it displayed.

        The value is displayed, not returned, so IPython's Out[N] does not keep it.
        """
        from nbassets.notebook import magics

        displayed: list[Any] = []
        original = magics.display
        magics.display = lambda value, **kw: displayed.append(value)  # type: ignore[assignment]
        try:
            assert self.ok(source, cell_id) is None
        finally:
            magics.display = original  # type: ignore[assignment]
        return displayed[-1] if displayed else None

    def error(self, source: str, cell_id: str | None = None) -> BaseException:
        """Run a cell that must fail; return the exception it raised."""
        result = self.run(source, cell_id)
        error = result.error_before_exec or result.error_in_exec
        assert error is not None, "the cell was expected to fail"
        return error


# Keep the shell's history and profile out of the user's ~/.ipython.
os.environ.setdefault("IPYTHONDIR", tempfile.mkdtemp(prefix="nbassets-ipython-"))


@pytest.fixture(scope="session")
def _ipython() -> InteractiveShell:
    # The plain singleton, which other tests in this folder share.
    return InteractiveShell.instance()


@pytest.fixture
def shell(_ipython: InteractiveShell) -> Iterator[Shell]:
    ip = _ipython
    ip.reset(new_session=False)
    with nbassets.use_registry() as registry:
        ip.run_line_magic("load_ext", "nbassets")
        try:
            yield Shell(ip, registry)
        finally:
            ip.run_line_magic("unload_ext", "nbassets")
            # The extension keeps per-shell state (autorun, sources): start each test clean.
            if hasattr(ip, "_nbassets_state"):
                del ip._nbassets_state


@pytest.fixture
def sales(shell: Shell, capsys: pytest.CaptureFixture[str]) -> Shell:
    """A shell with three materialized assets: orders --> revenue --> report."""
    shell.ok("%%asset --group sales --kinds pandas\norders = [3, 4, 5]")
    shell.ok("%%asset --group sales\nrevenue = sum(orders)")
    shell.ok("%%asset\nreport = f'revenue {revenue}'")
    capsys.readouterr()
    return shell


# Real kernels (nbclient) ---------------------------------------------------------------------

KERNEL_NAME = "nbassets-test"


@pytest.fixture(scope="session")
def kernel_name(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A kernel spec for this venv's python, installed into a temporary prefix."""
    import subprocess
    import sys

    root = tmp_path_factory.mktemp("jupyter")
    subprocess.run(
        [sys.executable, "-m", "ipykernel", "install", "--prefix", str(root), "--name",
         KERNEL_NAME],
        check=True,
        capture_output=True,
    )
    patch = pytest.MonkeyPatch()
    # The kernel finds the spec here, and keeps its IPython profile and runtime files apart.
    patch.setenv("JUPYTER_PATH", str(root / "share" / "jupyter"))
    patch.setenv("JUPYTER_RUNTIME_DIR", str(root / "runtime"))
    patch.setenv("IPYTHONDIR", str(root / "ipython"))
    try:
        yield KERNEL_NAME
    finally:
        patch.undo()


def notebook_client(nb: Any, kernel_name: str, cwd: str, timeout: int = 120) -> Any:
    """An nbclient client that sends each cell's id the way JupyterLab does.

    JupyterLab puts ``cellId`` in the execute request's metadata and ipykernel
    hands it to ``pre_run_cell``; nbclient sends no id, so this adds it.
    """
    from nbclient import NotebookClient

    class CellIdClient(NotebookClient):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.on_cell_execute = self._send_id_of

        def _send_id_of(self, cell: Any, cell_index: int) -> None:
            kc = self.kc
            if not hasattr(kc, "_nbassets_plain_execute"):
                kc._nbassets_plain_execute = kc.execute
            cell_id = cell.get("id")

            def execute(
                code: str,
                silent: bool = False,
                store_history: bool = True,
                user_expressions: Any = None,
                allow_stdin: Any = None,
                stop_on_error: bool = True,
            ) -> str:
                content = {
                    "code": code,
                    "silent": silent,
                    "store_history": store_history,
                    "user_expressions": user_expressions or {},
                    "allow_stdin": kc.allow_stdin if allow_stdin is None else allow_stdin,
                    "stop_on_error": stop_on_error,
                }
                msg = kc.session.msg("execute_request", content, metadata={"cellId": cell_id})
                kc.shell_channel.send(msg)
                return str(msg["header"]["msg_id"])

            kc.execute = execute

    return CellIdClient(
        nb, kernel_name=kernel_name, timeout=timeout, resources={"metadata": {"path": cwd}}
    )


def execute_notebook(nb: Any, kernel_name: str, cwd: str, timeout: int = 120) -> Any:
    """Run every cell of ``nb`` in a fresh kernel started in ``cwd``; return the notebook."""
    notebook_client(nb, kernel_name, cwd, timeout).execute()
    return nb


def text_of(cell: Any) -> str:
    """Everything a cell printed and displayed as text, in order (errors included)."""
    parts = []
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            parts.append(output["text"])
        elif output["output_type"] in ("execute_result", "display_data"):
            parts.append(output["data"].get("text/plain", ""))
        elif output["output_type"] == "error":
            parts.append("\n".join([output["ename"], output["evalue"], *output["traceback"]]))
    return "".join(p if p.endswith("\n") else p + "\n" for p in parts)
