"""What the frontend this kernel talks to can show.

Responsibilities:
- ``renders_widgets``: whether displays may be widgets (Jupyter with a kernel)
  or must be text and pictures (a terminal IPython, nbconvert without widgets).
"""

from __future__ import annotations

__all__ = ["renders_widgets"]


def renders_widgets() -> bool:
    """Whether this kernel talks to a frontend that can render widgets (Jupyter, not a terminal)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return False
    shell = get_ipython()
    return (
        shell is not None
        and type(shell).__name__ == "ZMQInteractiveShell"
        and getattr(shell, "kernel", None) is not None
    )
