"""What the extension keeps per IPython shell: autorun, cell ids, sources.

Responsibilities:
- ``NotebookState``: the per-shell settings and bookkeeping the magics, the
  failure display and ``%assets`` share.
- ``state_of(shell)``: the state of a shell, created on first use.

Every notebook module may import this one; it imports none of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["NotebookState", "state_of"]


@dataclass
class NotebookState:
    """What the extension keeps per shell."""

    autorun: bool = True
    cell_id: str | None = None
    hooks: list[tuple[str, Any]] = field(default_factory=list)
    previous_custom_exc: tuple[Any, Any] | None = None
    # Cell source by code version, per asset: `%assets show` diffs what ran against what is.
    sources: dict[Any, dict[str, str]] = field(default_factory=dict)
    # Cell filename (``<asset orders>``) -> the In[N] that defined it, for tracebacks.
    cell_numbers: dict[str, int] = field(default_factory=dict)


_STATE_ATTR = "_nbassets_state"


def state_of(shell: Any) -> NotebookState:
    """The nbassets state of ``shell``, created the first time it is asked for."""
    state = getattr(shell, _STATE_ATTR, None)
    if state is None:
        state = NotebookState()
        setattr(shell, _STATE_ATTR, state)
    return state
