"""Where a Ctrl-C may land during a run, so a step's record always matches its status.

Responsibilities:
- ``InterruptGuard``: while a run goes on in the main thread, a SIGINT raises
  ``KeyboardInterrupt`` at once only where user code runs (an asset or check
  body, a retry's wait, the threads executor's wait); anywhere else (event
  delivery, storing a value, recording it) it is held and raised at the next
  step boundary, so a step is either not started or fully ended and recorded.
- A second SIGINT while one is held is raised at once: the escape hatch when an
  IO manager or a listener hangs.
- ``exit_failure``: ``sys.exit()`` or a stray ``GeneratorExit`` in user code
  becomes an ordinary exception that fails the step, exit code in the message.

Off the main thread (a run started from a worker thread) Python delivers no
signal, and the guard installs nothing.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

try:
    # The C functions under ``signal``: its wrappers' enum conversions cost ~10 µs
    # per call, more than the rest of a one-asset run.
    import _signal as _sig
except ImportError:  # pragma: no cover - other Pythons
    _sig = signal
_SIGINT = int(signal.SIGINT)

__all__ = ["AssetExitError", "InterruptGuard", "exit_failure"]


class AssetExitError(RuntimeError):
    """Raised in place of ``SystemExit``/``GeneratorExit`` that escaped an asset or check.

    The original exception is its ``__cause__``; ``code`` is the exit code.
    """

    def __init__(self, message: str, code: Any = None) -> None:
        super().__init__(message)
        self.code = code


def exit_failure(error: BaseException, label: str) -> AssetExitError:
    """The step failure that stands for ``error`` (``SystemExit`` or ``GeneratorExit``)."""
    if isinstance(error, SystemExit):
        message = (
            f"'{label}' called sys.exit({error.code!r}) (exit code {error.code!r}); a step cannot "
            "end the kernel, so the step failed. Raise an exception instead (argparse and "
            "click call sys.exit on bad arguments: pass them explicitly)."
        )
        failure = AssetExitError(message, error.code)
    else:
        failure = AssetExitError(f"'{label}' raised {type(error).__name__}; the step failed.", None)
    failure.__cause__ = error
    return failure


class InterruptGuard:
    """Holds SIGINT outside user code for the duration of one run (a context manager).

    ``interruptible`` is True while user code runs; the engine flips it around
    each call into user code. ``pending`` says a SIGINT is being held; the engine
    calls ``raise_pending`` at step boundaries.
    """

    __slots__ = ("_previous", "installed", "interruptible", "pending")

    def __init__(self) -> None:
        self.interruptible = False
        self.pending = False
        self._previous: Any = None
        self.installed = False

    def __enter__(self) -> InterruptGuard:
        if threading.current_thread() is not threading.main_thread():
            return self
        previous = _sig.getsignal(_SIGINT)
        if not callable(previous):
            # SIGINT ignored or left to the OS: nothing of Python's to wrap.
            return self
        self._previous = previous
        _sig.signal(_SIGINT, self._on_sigint)
        self.installed = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self.installed:
            _sig.signal(_SIGINT, self._previous)
            self.installed = False
        held, self.pending = self.pending, False
        if held and exc[0] is None:
            raise KeyboardInterrupt

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        if self.interruptible or self.pending:
            self.pending = False
            self._previous(signum, frame)
        else:
            self.pending = True

    def raise_pending(self) -> None:
        """Raise the held ``KeyboardInterrupt``, if any: call at a step boundary."""
        if self.pending:
            self.pending = False
            raise KeyboardInterrupt
