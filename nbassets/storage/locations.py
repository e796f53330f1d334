"""Where a notebook's store lives by default.

Responsibilities:
- Find the running notebook's path from the kernel's session: ``__session__``
  (set by ipykernel in the user namespace) or ``JPY_SESSION_NAME`` (set by
  jupyter_server in the kernel's environment).
- ``default_store``: ``.nbassets/<notebook stem>/`` beside the notebook; with no
  notebook path, ``.nbassets/<name>/`` in the working directory, saying so.
- A pointer file, ``.nbassets/<stem>.store``, remembers a store put elsewhere
  (``%assets persist DIR``) so the next kernel finds it again.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DefaultStore", "default_store", "notebook_path", "remembered_store"]

STORE_FOLDER = ".nbassets"
FALLBACK_NAME = "kernel"


@dataclass(frozen=True)
class DefaultStore:
    """A default store location and how it was found."""

    path: Path
    notebook: Path | None

    def explanation(self) -> str:
        if self.notebook is not None:
            return f"beside {self.notebook.name}"
        return (
            "in the working directory: this kernel did not say which notebook it runs "
            "(no __session__ or JPY_SESSION_NAME)"
        )


def notebook_path(user_ns: dict[str, object] | None = None) -> Path | None:
    """The notebook this kernel runs, when the kernel's session says."""
    namespace = user_ns if user_ns is not None else vars(sys.modules["__main__"])
    for candidate in (namespace.get("__session__"), os.environ.get("JPY_SESSION_NAME")):
        if isinstance(candidate, str) and candidate.endswith(".ipynb"):
            return Path(candidate).expanduser().resolve()
    return None


def _safe_stem(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).lstrip(".") or FALLBACK_NAME


def default_store(user_ns: dict[str, object] | None = None) -> DefaultStore:
    notebook = notebook_path(user_ns)
    if notebook is not None:
        return DefaultStore(notebook.parent / STORE_FOLDER / _safe_stem(notebook.stem), notebook)
    return DefaultStore(Path.cwd() / STORE_FOLDER / FALLBACK_NAME, None)


def pointer_file(location: DefaultStore) -> Path:
    return location.path.parent / f"{location.path.name}.store"


def remember_store(location: DefaultStore, directory: Path) -> None:
    """Note where this notebook's store is, when it is not the default place."""
    pointer = pointer_file(location)
    if directory.resolve() == location.path.resolve():
        pointer.unlink(missing_ok=True)
        return
    pointer.parent.mkdir(parents=True, exist_ok=True)
    pointer.write_text(str(directory.resolve()) + "\n")


def remembered_store(location: DefaultStore) -> Path | None:
    """The store this notebook used before, if any (a pointer, or the default folder)."""
    pointer = pointer_file(location)
    if pointer.is_file():
        target = Path(pointer.read_text().strip())
        if (target / "history.sqlite").is_file():
            return target
    if (location.path / "history.sqlite").is_file():
        return location.path
    return None
