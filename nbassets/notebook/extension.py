"""Loading and unloading the IPython extension.

Responsibilities:
- Register the magics, the hook that tracks which notebook cell is running
  (so a renamed ``%%asset`` cell drops the asset it defined before), the
  display of failed runs (the user's traceback, trimmed to their cells), and
  the comm target of the JupyterLab Assets panel.
- Re-attach the persistent store this notebook used before, if any.
- Undo all of it on unload, so ``%reload_ext nbassets`` starts clean.
"""

from __future__ import annotations

from typing import Any

from nbassets.errors import RunFailedError
from nbassets.notebook import panel_comm
from nbassets.notebook.failures import show_run_failure
from nbassets.notebook.magics import NbAssetsMagics
from nbassets.notebook.state import state_of

__all__ = ["load", "unload"]


def load(shell: Any) -> None:
    state = state_of(shell)
    shell.register_magics(NbAssetsMagics(shell))

    def remember_cell(info: Any) -> None:
        # ipykernel sends the notebook's cell id with each execution (None elsewhere).
        state.cell_id = getattr(info, "cell_id", None)

    if not any(name == "pre_run_cell" for name, _ in state.hooks):
        shell.events.register("pre_run_cell", remember_cell)
        state.hooks.append(("pre_run_cell", remember_cell))
        # The JupyterLab Assets panel connects through a comm (only inside a kernel).
        state.hooks.extend(panel_comm.install(shell))
    state.previous_custom_exc = (shell.custom_exceptions, shell.CustomTB)
    shell.set_custom_exc((RunFailedError,), show_run_failure)
    _reattach_store(shell)


def _reattach_store(shell: Any) -> None:
    """Attach the store this notebook used before a restart (one line says so)."""
    from nbassets.graph.registry import get_registry
    from nbassets.notebook.persist_commands import reattach

    try:
        line = reattach(shell, get_registry())
    except Exception as error:  # noqa: BLE001 - a broken store must not stop %load_ext
        print(f"nbassets: the store this notebook used could not be re-attached: {error}")
        return
    if line:
        print(line)


def unload(shell: Any) -> None:
    state = state_of(shell)
    panel_comm.uninstall(shell)
    for name, hook in state.hooks:
        try:
            shell.events.unregister(name, hook)
        except ValueError:
            continue  # already gone: nothing to undo
    state.hooks.clear()
    if state.previous_custom_exc is not None:
        exceptions, handler = state.previous_custom_exc
        shell.custom_exceptions = exceptions
        shell.CustomTB = handler
        state.previous_custom_exc = None
    magics = shell.magics_manager.magics
    for kind, names in (("cell", ("asset", "asset_check")), ("line", ("materialize", "assets"))):
        for name in names:
            magics[kind].pop(name, None)
