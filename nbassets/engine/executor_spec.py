"""How a run names its executor, and the kernel's default.

Responsibilities:
- ``parse_executor``: ``None`` (the kernel's default), ``"in_process"``,
  ``"threads"``/``"threads:N"``, ``"dask"``/``"dask:ADDRESS"``, or an ``Executor``.
- ``use_dask``: make Dask (a given client) the kernel's default executor.
"""

from __future__ import annotations

from typing import Any

from nbassets.engine.dask_executor import DaskExecutor, use_client
from nbassets.engine.executors import Executor, InProcessExecutor, ThreadsExecutor
from nbassets.errors import InvalidInvocationError, did_you_mean

__all__ = ["parse_executor", "use_dask"]

_KINDS = ("in_process", "threads", "dask")
_default: list[Executor] = []


def use_dask(client: Any = None) -> DaskExecutor | None:
    """Run this kernel's materializations on Dask from now on.

    Args:
        client: A ``distributed.Client``; ``None`` stops: runs go back in-process
            (the client is not closed).

    Returns:
        The executor runs without ``executor=`` now use (``None`` after stopping).
    """
    use_client(client)
    if client is None:
        _default.clear()
        return None
    executor = DaskExecutor(client=client)
    _default[:] = [executor]
    return executor


def parse_executor(spec: str | Executor | None) -> Executor:
    """An executor from its spelling; ``None`` is the kernel's default (in-process)."""
    if spec is None:
        return _default[0] if _default else InProcessExecutor()
    if isinstance(spec, Executor):
        return spec
    kind, _, arg = spec.partition(":")
    if kind == "in_process" and not arg:
        return InProcessExecutor()
    if kind == "threads":
        if not arg:
            return ThreadsExecutor()
        if arg.isdigit() and int(arg) > 0:
            return ThreadsExecutor(int(arg))
        raise InvalidInvocationError(
            f"Executor '{spec}': the number after 'threads:' must be a positive integer, "
            "e.g. threads:4."
        )
    if kind == "dask":
        if not arg:
            return DaskExecutor()
        if "://" not in arg and ":" not in arg:
            raise InvalidInvocationError(
                f"Executor '{spec}': after 'dask:' give a scheduler address with its port, "
                "e.g. dask:tcp://127.0.0.1:8786."
            )
        return DaskExecutor(address=arg)
    raise InvalidInvocationError(
        f"Unknown executor '{spec}'.{did_you_mean(kind, _KINDS)} Choose in_process, "
        "threads[:N] or dask[:ADDRESS]."
    )
