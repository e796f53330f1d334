"""Persistence through real kernels: execute, restart (a new kernel), execute again."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from tests.notebook.conftest import execute_notebook, text_of

pytestmark = pytest.mark.kernel

# orders --> revenue --> report; each body appends its name to calls.log when it runs.
CELLS = [
    ("load", "%load_ext nbassets"),
    ("persist", "%assets persist --keep 3"),
    (
        "orders",
        "%%asset\nimport pandas as pd\nopen('calls.log', 'a').write('orders\\n')\n"
        "orders = pd.DataFrame({'day': ['mon', 'tue'], 'amount': [2.5, 4.0]})",
    ),
    (
        "revenue",
        "%%asset\nopen('calls.log', 'a').write('revenue\\n')\nrevenue = float(orders.amount.sum())",
    ),
    (
        "report",
        "%%asset\nopen('calls.log', 'a').write('report\\n')\nreport = {'total': revenue}",
    ),
    ("use", "print('value:', report['total'] * 2, type(orders).__name__)"),
    ("catalog", "%assets"),
    ("history", "%assets history revenue"),
]


def notebook() -> nbformat.NotebookNode:
    nb = new_notebook(cells=[new_code_cell(source, id=cid) for cid, source in CELLS])
    nb.nbformat, nb.nbformat_minor = 4, 5
    return nb


def run(kernel_name: str, folder: Path) -> dict[str, str]:
    nb = notebook()
    execute_notebook(nb, kernel_name, str(folder))
    return {cell.id: text_of(cell) for cell in nb.cells}


def test_restart_and_run_all_recomputes_nothing(
    kernel_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notebook_path = tmp_path / "sales analysis.ipynb"
    monkeypatch.setenv("JPY_SESSION_NAME", str(notebook_path))
    first = run(kernel_name, tmp_path)
    store = tmp_path / ".nbassets" / "sales_analysis"
    assert f"persisting to {store}" in first["persist"]
    assert "beside sales analysis.ipynb" in first["persist"]
    assert (store / ".gitignore").is_file() and (store / "history.sqlite").is_file()
    assert (tmp_path / "calls.log").read_text().split() == ["orders", "revenue", "report"]
    assert "value: 13.0 DataFrame" in first["use"]

    second = run(kernel_name, tmp_path)  # a new kernel: the restart
    assert f"re-attached the store at {store}; 3 asset(s) restorable" in second["load"]
    assert (tmp_path / "calls.log").read_text().split() == ["orders", "revenue", "report"]
    for name in ("orders", "revenue", "report"):
        assert f"{name} · materialized (restored from " in second[name], second[name]
    assert "value: 13.0 DataFrame" in second["use"]
    catalog = second["catalog"]
    assert "value from" in catalog and "restored from disk" in catalog
    assert "materialized" in catalog and "stale" not in catalog
    assert "1 stored version(s)" in second["history"]


def test_a_kernel_without_a_session_path_stores_in_the_working_directory(
    kernel_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    first = run(kernel_name, tmp_path)
    store = tmp_path / ".nbassets" / "kernel"
    assert f"persisting to {store} (in the working directory" in first["persist"]
    second = run(kernel_name, tmp_path)
    assert "re-attached the store" in second["load"]
    assert (tmp_path / "calls.log").read_text().split() == ["orders", "revenue", "report"]
