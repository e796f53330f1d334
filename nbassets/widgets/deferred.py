"""Run view updates later, once, when the kernel is idle: coalescing for live views.

Responsibilities:
- ``Deferred``: collect callbacks asked for while a cell runs and run each once,
  ``DELAY_S`` after the last request, from the kernel's own event loop (the main
  thread, between cells), so a loop that defines 300 assets costs one layout, and
  the cell that defines them does not wait for it.
- Where no kernel event loop exists (plain IPython, scripts), run them after the
  cell (``post_execute``); with no shell at all, at once.
- ``flush()`` runs what is due now (a run's end, tests, benchmarks).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["DELAY_S", "Deferred", "deferred"]

# Long enough to coalesce a burst of cells run together (Run All), short enough to feel live.
DELAY_S = 0.05

Later = Callable[[Callable[[], None]], None]


class Deferred:
    """Callbacks due to run once, later; requesting one already due is free."""

    def __init__(self, later: Later | None = None) -> None:
        """Make an empty queue.

        Args:
            later: How to run ``flush`` later; found from the running kernel when ``None``.
        """
        self._later = later
        self._due: dict[int, Callable[[], None]] = {}
        self._armed = False

    def request(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once, later (once however often it is requested before then)."""
        self._due[id(callback)] = callback
        if self._armed:
            return
        later = self._later if self._later is not None else _kernel_later()
        if later is None:
            self.flush()
            return
        self._armed = True
        later(self.flush)

    def cancel(self, callback: Callable[[], None]) -> None:
        """Forget ``callback`` if it is due (its view closed)."""
        self._due.pop(id(callback), None)

    def flush(self) -> None:
        """Run every due callback now, in the order they were first requested."""
        self._armed = False
        due, self._due = self._due, {}
        for callback in due.values():
            callback()

    @property
    def pending(self) -> int:
        return len(self._due)


def _kernel_later() -> Later | None:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return None
    shell = get_ipython()
    if shell is None:
        return None
    loop = getattr(getattr(shell, "kernel", None), "io_loop", None)
    if loop is not None:
        # The kernel's loop runs on the main thread and is blocked while a cell runs:
        # the callback fires after the cell, never in the middle of user code.
        # add_callback wakes the loop: a bare call_later made while a widget's message
        # is handled (a button's run) would wait for the next message to the kernel.
        return lambda flush: loop.add_callback(loop.call_later, DELAY_S, flush)
    return lambda flush: _after_cell(shell, flush)


def _after_cell(shell: Any, flush: Callable[[], None]) -> None:
    def once() -> None:
        shell.events.unregister("post_execute", once)
        flush()

    shell.events.register("post_execute", once)


_deferred = Deferred()


def deferred() -> Deferred:
    """The process's ``Deferred`` (one kernel, one queue of view updates)."""
    return _deferred
