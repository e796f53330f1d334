"""``%assets persist|wipe|history|value --version`` in a real shell; a restart is a new
registry plus ``%reload_ext``, as a new kernel would see it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from IPython.core.error import UsageError

import nbassets
from nbassets.graph.registry import Registry


@pytest.fixture
def persisted(shell: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> Any:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "demo.ipynb"))
    shell.ok("%assets persist")
    shell.ok("%%asset\norders = [3, 4, 5]")
    shell.ok("%%asset\nrevenue = sum(orders)")
    capsys.readouterr()
    return shell


def restart(shell: Any) -> Registry:
    """A new kernel: empty namespace, empty registry, the extension loaded again."""
    shell.ip.run_line_magic("unload_ext", "nbassets")
    shell.ip.reset(new_session=False)
    registry = Registry()
    nbassets.graph.registry._registry = registry
    shell.registry = registry
    shell.ip.run_line_magic("load_ext", "nbassets")
    return registry


def test_persist_says_where_and_writes_what_is_in_memory(
    shell: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "demo.ipynb"))
    shell.ok("%%asset\norders = [3, 4, 5]")
    capsys.readouterr()
    shell.ok("%assets persist --keep 2")
    out = capsys.readouterr().out
    assert f"persisting to {tmp_path / '.nbassets' / 'demo'}" in out
    assert "1 value(s) in memory written" in out and "beside demo.ipynb" in out
    assert "keeping 2 version(s)" in out


def test_a_restart_restores_instead_of_recomputing(persisted: Any, capsys: Any) -> None:
    saved = nbassets.graph.registry._registry
    try:
        restart(persisted)
        loaded = capsys.readouterr().out
        assert "re-attached the store at" in loaded and "2 asset(s) restorable" in loaded
        assert "orders" not in persisted.ns
        persisted.ok("%%asset\norders = [3, 4, 5]")
        assert persisted.ns["orders"] == [3, 4, 5]
        assert "orders · materialized (restored from " in capsys.readouterr().out
        # Changed code: stale, with the diff against the stored source.
        persisted.ok("%%asset --no-run\nrevenue = sum(orders) * 2")
        show = repr(persisted.ok("%assets show revenue"))
        assert "status: stale" in show
        assert "-revenue = sum(orders)" in show and "+revenue = sum(orders) * 2" in show
        catalog = repr(persisted.ok("%assets"))
        assert "restored from disk" in catalog and "on disk" in catalog
        from nbassets.widgets.asset_view import asset_payload

        header = asset_payload(persisted.registry, nbassets.AssetKey("orders"))["header"]
        assert header["value_from"].startswith("restored from disk (")
        assert header["value_from"].endswith("loaded)") and header["on_disk"].endswith(" B")
    finally:
        nbassets.graph.registry._registry = saved


def test_history_value_version_and_wipe(persisted: Any, capsys: Any) -> None:
    persisted.ok("%%asset\norders = [3, 4, 6]")
    history = persisted.ok("%assets history orders")
    assert "2 stored version(s)" in repr(history)
    oldest = history.rows[-1][1]
    assert persisted.ok(f"%assets value orders --version {oldest}") == [3, 4, 5]
    error = persisted.error("%assets value orders --version 999")
    assert isinstance(error, UsageError) and "%assets history orders" in str(error)
    capsys.readouterr()
    persisted.ok("%assets wipe orders")
    assert "Wiped 2 stored value(s) of orders:" in capsys.readouterr().out
    persisted.ok("%assets wipe")
    assert "Wiped 1 stored value(s) of every asset" in capsys.readouterr().out  # revenue


def test_persist_off_stops_writing_and_is_not_reattached(persisted: Any, capsys: Any) -> None:
    persisted.ok("%assets persist off")
    assert "Stopped writing to" in capsys.readouterr().out
    persisted.ok("%%asset\norders = [1]")
    store_rows = len(list(Path(".nbassets/demo/values").rglob("*.pickle")))
    assert store_rows == 2
    saved = nbassets.graph.registry._registry
    try:
        restart(persisted)
        assert "re-attached" not in capsys.readouterr().out
    finally:
        nbassets.graph.registry._registry = saved


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("%assets persist --keep 0", "1 or more"),
        ("%assets persist --keep", "how many"),
        ("%assets persist a b", "one folder"),
        ("%assets persist --fast", "unknown option '--fast'"),
    ],
)
def test_persist_refuses_bad_lines(shell: Any, line: str, message: str) -> None:
    error = shell.error(line)
    assert isinstance(error, UsageError) and message in str(error)


def test_wipe_without_a_store_says_how_to_start_one(shell: Any) -> None:
    error = shell.error("%assets wipe")
    assert isinstance(error, UsageError) and "%assets persist [DIR]" in str(error)


def test_an_unstorable_value_fails_the_cell_and_stays_in_memory(persisted: Any) -> None:
    error = persisted.error("%%asset\nimport threading\nlock = threading.Lock()")
    assert "Cannot store the value of 'lock'" in str(error)
    assert persisted.registry.instance.io_manager.values[(nbassets.AssetKey("lock"), None)]


def test_a_corrupt_stored_value_is_recomputed_with_a_warning(persisted: Any, capsys: Any) -> None:
    record = persisted.registry.instance.latest(nbassets.AssetKey("orders"))
    path = Path(".nbassets/demo/values") / record.stored.file
    path.write_bytes(b"not a pickle")
    saved = nbassets.graph.registry._registry
    try:
        restart(persisted)
        capsys.readouterr()
        with pytest.warns(RuntimeWarning, match=path.name):
            persisted.ok("%%asset\norders = [3, 4, 5]")
        out = capsys.readouterr().out
        assert "restored" not in out and "orders · materialized in" in out
        assert persisted.ns["orders"] == [3, 4, 5]
    finally:
        nbassets.graph.registry._registry = saved
