"""Executors: the order and concurrency in which a run's steps execute.

Responsibilities:
- ``in_process``: one step after another in plan order (deterministic; default).
- ``threads``: up to ``max_concurrent`` steps at once, each as soon as the
  steps it waits on are done; events still arrive in a consistent order per step.
- ``Executor.check``: refuse, before a run starts, what the executor cannot run.

The Dask executor is in ``nbassets.engine.dask_executor``; the spellings
(``in_process``, ``threads[:N]``, ``dask[:ADDRESS]``) in ``nbassets.engine.executor_spec``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nbassets.engine.run import Run
from nbassets.engine.steps import Step

__all__ = ["Executor", "InProcessExecutor", "ThreadsExecutor"]


class Executor:
    """Runs every step of ``run.plan``; a ``KeyboardInterrupt`` propagates."""

    name = "executor"

    def check(self, steps: list[Step], resources: Mapping[str, Any]) -> None:
        """Raise an ``NbAssetsError`` before the run starts if a step cannot run here."""

    def open(self) -> None:
        """Make ready to run (connect to a cluster); called before the run starts."""

    def execute(self, run: Run) -> None:
        raise NotImplementedError


class InProcessExecutor(Executor):
    name = "in_process"

    def execute(self, run: Run) -> None:
        execute_step = run.execute_step
        guard = run.guard
        for step in run.plan.steps:
            if guard is not None and guard.pending:
                guard.raise_pending()  # a Ctrl-C held during the last step's bookkeeping
            execute_step(step)


@dataclass
class ThreadsExecutor(Executor):
    """Runs independent steps in parallel threads (useful for IO-bound assets)."""

    max_concurrent: int | None = None
    name = "threads"

    def execute(self, run: Run) -> None:
        import concurrent.futures as futures

        run.use_lock()
        steps = run.plan.steps
        waits_on: dict[int, set[int]] = {id(s): {id(u) for u in s.upstream} for s in steps}
        by_id = {id(s): s for s in steps}
        done: set[int] = set()
        pending = list(steps)
        workers = self.max_concurrent or min(32, (os.cpu_count() or 1) + 4)
        pool = futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="nbassets")
        running: dict[Any, Step] = {}
        guard = run.guard
        if guard is not None:
            # The main thread only schedules and waits: a Ctrl-C may land anywhere here.
            guard.interruptible = True
        try:
            while pending or running:
                ready = [s for s in pending if waits_on[id(s)] <= done]
                for step in ready:
                    pending.remove(step)
                    running[pool.submit(run.execute_step_in_worker, step)] = step
                if not running:
                    raise RuntimeError(f"Steps cannot start: {[by_id[i].key for i in waits_on]}")
                # Short waits: a SIGINT the OS hands to a worker thread only reaches
                # Python's handler when the main thread next runs bytecode.
                finished: set[Any] = set()
                while not finished:
                    finished, _ = futures.wait(
                        running, timeout=0.05, return_when=futures.FIRST_COMPLETED
                    )
                for future in finished:
                    step = running.pop(future)
                    future.result()  # re-raises KeyboardInterrupt from the step
                    done.add(id(step))
        except KeyboardInterrupt:
            if guard is not None:
                guard.interruptible = False
            # Steps still running end now, as cancelled; when their user code returns,
            # what it produced is discarded (nothing stored, recorded or emitted).
            run.cancel(list(running.values()))
            raise
        finally:
            if guard is not None:
                guard.interruptible = False
            # Queued steps are dropped; running ones are not waited for.
            pool.shutdown(wait=not running, cancel_futures=True)
