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
