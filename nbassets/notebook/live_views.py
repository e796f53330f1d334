"""Live views that follow the registry, closed when the cell that showed them runs again.

Responsibilities:
- Remember which notebook cell created each live view (``remember``).
- When that cell runs again its old output is replaced: close the views it
  made, so they stop following the registry and cost nothing afterwards.

Cells are known by the id Jupyter sends with each execution; without ids
(terminals, old frontends) views stay live until closed or the kernel ends.
"""

from __future__ import annotations

import weakref
from typing import Any

__all__ = ["LiveViews", "live_views", "remember"]

_ATTR = "_nbassets_live_views"


class LiveViews:
    """The live views of one shell, by the cell id that created them."""

    def __init__(self) -> None:
        self.by_cell: dict[str, list[weakref.ref[Any]]] = {}

    def add(self, cell_id: str, view: Any) -> None:
        self.by_cell.setdefault(cell_id, []).append(weakref.ref(view))

    def close_cell(self, cell_id: str | None) -> int:
        """Close the views ``cell_id`` created; returns how many were still open."""
        if not cell_id:
            return 0
        closed = 0
        for ref in self.by_cell.pop(cell_id, []):
            view = ref()
            if view is not None and getattr(view, "comm", None) is not None:
                view.close()
                closed += 1
        return closed

    def count(self) -> int:
        """How many remembered views are still open."""
        return sum(
            1
            for refs in self.by_cell.values()
            for ref in refs
            if (view := ref()) is not None and getattr(view, "comm", None) is not None
        )


def live_views(shell: Any) -> LiveViews:
    """The shell's ``LiveViews``, hooked to close a cell's views when it runs again."""
    views: LiveViews | None = getattr(shell, _ATTR, None)
    if views is None:
        views = LiveViews()
        setattr(shell, _ATTR, views)
        tracked = views

        def close_replaced(info: Any) -> None:
            tracked.close_cell(getattr(info, "cell_id", None))

        shell.events.register("pre_run_cell", close_replaced)
    return views


def remember(view: Any) -> None:
    """Remember that the running cell created ``view`` (a widget with ``close()``)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return
    shell = get_ipython()
    if shell is None:
        return
    from nbassets.notebook.state import state_of

    cell_id = state_of(shell).cell_id
    if cell_id:
        live_views(shell).add(cell_id, view)
