"""Dagster's test instances, as nbassets has them: a fresh in-memory ``Instance``.

``instance_for_test()`` and ``DagsterInstance.ephemeral()`` give code written for
Dagster an instance to pass as ``materialize(..., instance=...)``; nothing is written
to disk, so ``temp_dir`` and ``overrides`` are accepted and not used.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from nbassets.storage.instance import Instance

__all__ = ["DagsterInstance", "instance_for_test"]


class DagsterInstance(Instance):
    """Dagster's name for the instance; ``ephemeral()`` and ``get()`` build one."""

    @classmethod
    def ephemeral(cls, tempdir: str | None = None, settings: Any = None) -> DagsterInstance:
        """A fresh in-memory instance (``tempdir`` and ``settings`` are not used)."""
        del tempdir, settings
        return cls()

    @classmethod
    def get(cls) -> DagsterInstance:
        """A fresh in-memory instance: a notebook has no ``$DAGSTER_HOME``."""
        return cls()


@contextmanager
def instance_for_test(
    overrides: Mapping[str, Any] | None = None,
    set_dagster_home: bool = True,
    temp_dir: str | None = None,
    synchronous_run_coordinator: bool = False,
) -> Iterator[DagsterInstance]:
    """Yield a fresh in-memory instance for the length of a ``with`` block."""
    del overrides, set_dagster_home, temp_dir, synchronous_run_coordinator
    yield DagsterInstance()
