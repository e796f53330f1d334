"""Loading, unloading and reloading the extension in a real shell."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

import nbassets
from nbassets.notebook.failures import RunFailedError


def test_load_registers_the_four_magics(shell):
    magics = shell.ip.magics_manager.magics
    assert {"asset", "asset_check"} <= set(magics["cell"])
    assert {"materialize", "assets"} <= set(magics["line"])


def test_unload_removes_the_magics_and_the_failure_handler(shell):
    nbassets.unload_ipython_extension(shell.ip)
    magics = shell.ip.magics_manager.magics
    assert "asset" not in magics["cell"] and "materialize" not in magics["line"]
    assert RunFailedError not in shell.ip.custom_exceptions
    error = shell.error("%materialize")
    assert isinstance(error, UsageError)
    assert "Line magic function `%materialize` not found" in str(error)
    nbassets.load_ipython_extension(shell.ip)


def test_reload_ext_keeps_working_and_keeps_the_registry(shell, capsys):
    shell.ok("%%asset\na = 1")
    shell.ok("%reload_ext nbassets")
    shell.ok("%reload_ext nbassets")
    shell.ok("%%asset\nb = a + 1")
    assert shell.ns["b"] == 2
    out = capsys.readouterr().out
    # One pre_run_cell hook after two reloads, so the cell-id is still tracked once.
    hooks = [h for h in shell.ip.events.callbacks["pre_run_cell"] if "remember_cell" in repr(h)]
    assert len(hooks) == 1
    assert "b · materialized" in out
    assert shell.registry.keys() == [nbassets.AssetKey("a"), nbassets.AssetKey("b")]


def test_the_cell_id_reaches_the_registry(shell, capsys):
    shell.ok("%%asset\na = 1", cell_id="cell-1")
    shell.ok("%%asset\nb = 1", cell_id="cell-1")
    assert shell.registry.keys() == [nbassets.AssetKey("b")]


def test_help_shows_the_argparse_usage(shell, capsys):
    shell.ok("%%asset?")
    shell.ok("%materialize?")
    out = capsys.readouterr().out
    assert "%%asset [-g GROUP]" in out and "--no-run" in out
    assert "%materialize [SELECTION]" in out


@pytest.mark.parametrize("line", ["%assets", "%materialize --dry-run"])
def test_magics_work_before_any_asset_exists(shell, capsys, line):
    shell.ok(line)
    out = capsys.readouterr().out
    assert "No assets defined yet" in out or "Everything is up to date" in out
