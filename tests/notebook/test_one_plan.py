"""%materialize prepares one run: the selection is resolved and planned once."""

from __future__ import annotations

from typing import Any

import pytest

import nbassets.engine.prepare as prepare_module
import nbassets.graph.selection as selection_module
from nbassets.notebook.runs import run_in_notebook

from .conftest import Shell

CELLS = """
%%asset --no-run
{name} = {body}
"""


def _define(shell: Shell) -> None:
    # a --> b --> c
    for name, body in (("a", "1"), ("b", "a + 1"), ("c", "b * 10")):
        shell.ok(CELLS.format(name=name, body=body))


def _count(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[int]:
    calls: list[int] = []
    original = getattr(module, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


@pytest.mark.parametrize("config", ["", " --config '{\"ops\": {}}'"])
def test_materialize_resolves_and_plans_once(
    shell: Shell, monkeypatch: pytest.MonkeyPatch, config: str
) -> None:
    _define(shell)
    resolved = _count(monkeypatch, selection_module, "resolve_selection")
    planned = _count(monkeypatch, prepare_module, "build_plan")
    shell.ok(f"%materialize a*{config}")
    assert (len(resolved), len(planned)) == (1, 1)
    assert shell.ns["c"] == 20


def test_the_progress_widget_draws_the_plan_that_runs(
    shell: Shell, monkeypatch: pytest.MonkeyPatch
) -> None:
    _define(shell)
    planned = _count(monkeypatch, prepare_module, "build_plan")
    shown: list[Any] = []
    monkeypatch.setattr("IPython.display.display", lambda view, **_: shown.append(view))
    run_in_notebook(shell.registry, shell.ns, selection="a*", progress="widget")
    assert len(planned) == 1
    (view,) = shown
    assert [row["label"] for row in view.rows] == ["a", "b", "c"]
    assert [row["status"] for row in view.rows] == ["success"] * 3
