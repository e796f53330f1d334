"""The Dask executor: a run's steps as futures on a Dask cluster.

Responsibilities:
- ``DaskExecutor``: submit each step's compute with ``distributed.Client.submit``
  (its upstream steps' futures as arguments, so values pass worker to worker),
  one task per step; take each step's summary and log lines from the run's inbox
  as the step sends them, and record each step in the kernel in dependency
  order: the same events, skips, retries and checks as in-process.
- Which client: the one given, the one ``use_dask`` registered, a scheduler
  address (one client per address), or a ``LocalCluster`` started once per kernel
  with one worker process per core.
- Before the run starts, refuse a step that cannot be pickled (``check``).
- ``KeyboardInterrupt``: cancel what is outstanding, end the started steps as
  failed, keep what was recorded.

Dask is imported only when a Dask run starts or a client is made.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nbassets.engine.compute import Computed
from nbassets.engine.dask_channel import close_inbox, open_inbox, unpacked
from nbassets.engine.executors import Executor
from nbassets.engine.run import Run
from nbassets.engine.shipping import check_shippable, compute_shipped, landed, ship, summarize
from nbassets.engine.steps import Step
from nbassets.errors import InvalidInvocationError

__all__ = ["DaskExecutor", "dask_client", "registered_client", "spawnable_main", "use_client"]

_lock = threading.Lock()
_clients: dict[str, Any] = {}
_registered: list[Any] = []


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError as error:
        raise InvalidInvocationError(
            "The dask executor needs Dask's distributed scheduler, which is not installed. "
            "Install it with: pip install 'nbassets[dask]'"
        ) from error
    return distributed


def spawnable_main() -> None:
    """Let worker processes be spawned from an IPython shell run outside a kernel.

    ``multiprocessing`` reads ``__main__.__spec__`` to start a worker; the module
    IPython's ``InteractiveShell`` installs as ``__main__`` (``nbassets run``) has none.
    """
    main = sys.modules.get("__main__")
    if main is not None and not hasattr(main, "__spec__"):
        main.__spec__ = None


def use_client(client: Any) -> None:
    """Make ``client`` the one ``executor="dask"`` uses (``None`` forgets it)."""
    _registered[:] = [client] if client is not None else []


def registered_client() -> Any:
    """The client ``use_dask`` registered, or ``None``."""
    return _registered[0] if _registered else None


def dask_client(address: str | None = None) -> Any:
    """The kernel's client for ``address``, or for its own ``LocalCluster`` when ``None``.

    Each is made once and reused; a client whose scheduler went away is replaced.
    """
    distributed = _import_distributed()
    name = address or "local"
    with _lock:
        client = _clients.get(name)
        if client is not None and client.status == "running":
            return client
        if address is None:
            spawnable_main()
            cores = os.cpu_count() or 1
            cluster = distributed.LocalCluster(
                n_workers=cores, threads_per_worker=1, processes=True, dashboard_address=":0"
            )
            client = distributed.Client(cluster, set_as_default=False)
        else:
            try:
                client = distributed.Client(address, set_as_default=False, timeout="10s")
            except OSError as error:
                raise InvalidInvocationError(
                    f"Cannot reach a Dask scheduler at '{address}' ({error}). Start one "
                    "(dask scheduler; dask worker ADDRESS), or check the address, e.g. "
                    "--executor dask:tcp://127.0.0.1:8786."
                ) from error
        _clients[name] = client
        return client


@dataclass
class DaskExecutor(Executor):
    """Runs steps on a Dask cluster.

    Args:
        client: A ``distributed.Client``. Without it: the client ``use_dask``
            registered, else a client of ``address``, else the kernel's own
            ``LocalCluster`` (one worker process per core, started on first use).
        address: A scheduler address, e.g. ``tcp://127.0.0.1:8786``.
        live_logs: Send log lines and retry notices to the kernel while the step
            runs (Dask events, batched at most every 0.1 s), so the step's log
            shows them as they come. ``False`` sends them with the step's answer.
    """

    client: Any = None
    address: str | None = None
    live_logs: bool = True
    name = "dask"

    def resolve_client(self) -> Any:
        """The client this executor runs on (connecting or starting a cluster if needed)."""
        if self.client is not None:
            return self.client
        if self.address is None and registered_client() is not None:
            return registered_client()
        return dask_client(self.address)

    @property
    def dashboard_link(self) -> str | None:
        """The Dask dashboard of the cluster (``None`` when it has none)."""
        try:
            link = self.resolve_client().dashboard_link
        except Exception:  # noqa: BLE001 - a view without the link is still a view
            return None
        return str(link) if link else None

    def open(self) -> None:
        self.resolve_client()

    def check(self, steps: list[Step], resources: Mapping[str, Any]) -> None:
        self._pickled = check_shippable(steps, resources)

    def execute(self, run: Run) -> None:
        dask_run = _DaskRun(run, self.resolve_client(), getattr(self, "_pickled", {}))
        dask_run.live_logs = self.live_logs
        dask_run.go()


class _DaskRun:
    """One run's bookkeeping: which steps are submitted, started, answered, recorded.

    Each step is one task. The kernel learns of it through the run's inbox: the
    summary and live log lines the step sends (``dask_channel``), and its future
    once it ends (a task that failed outside the step's code, e.g. its worker died,
    or a summary that did not arrive, which is then read with a task).
    """

    def __init__(self, run: Run, client: Any, pickled: Mapping[int, tuple[Any, bytes]]) -> None:
        self.run = run
        self.pickled = pickled
        self.client = client
        steps = run.plan.steps
        self.steps = steps
        self.dependants: dict[str, list[Step]] = {s.key: [] for s in steps}
        for step in steps:
            for up in step.upstream:
                self.dependants[up.key].append(step)
        self.waiting = {s.key: len(s.upstream) for s in steps}
        # Steps whose inputs the kernel loads through an IO manager after the upstream
        # step recorded its value there: submitted when they start, not before.
        self.in_kernel = {s.key for s in steps if self._loads_in_kernel(s)}
        self.producer: dict[tuple[Any, str | None], Any] = {}
        self.futures: dict[str, Any] = {}  # step key -> future of its StepResult
        self.tasks: dict[str, Step] = {}  # task key -> step
        self.answered: set[str] = set()
        self.answers: dict[str, Any] = {}  # step key -> Computed, before the step started
        self.live: dict[str, dict[int, Any]] = {}  # step key -> notices not shown yet
        self.shown: dict[str, int] = {}  # step key -> how many of its notices were shown
        self.started: dict[str, float] = {}
        self.recorded: set[str] = set()
        self.token = run.run_id
        self.live_logs = True
        self.readings: list[Any] = []  # tasks reading a summary that did not arrive
        self.inbox, self.channel = open_inbox(client, self.token)

    def _loads_in_kernel(self, step: Step) -> bool:
        memory = self.run.memory_managers
        return any(
            item.partitions is not None or (item.from_run and item.io_manager_key not in memory)
            for item in step.inputs
        )

    # Submitting --------------------------------------------------------------------------

    def submit(self, step: Step) -> None:
        """Submit ``step``; a failure to prepare it is its answer."""
        ups = step.upstream
        try:
            entry = self.pickled.get(id(step.definition))
            fn = entry[1] if entry is not None and entry[0] is step.definition else None
            shipped, values, remote = ship(self.run, step, self.producer, fn)
        except Exception as error:  # noqa: BLE001 - fails this step, as in-process
            self.answer(step, Computed(error=error))
            return
        task_key = f"{step.key}-{self.token[:8]}"
        shipped.channel = self.channel
        shipped.task_key = task_key
        shipped.live_notices = self.live_logs
        after = tuple(self.futures[u.key] for u in ups if u.key in self.futures)
        future = self.client.submit(
            compute_shipped, shipped, values, remote, after, key=task_key, pure=False
        )
        self.futures[step.key] = future
        self.tasks[task_key] = step
        if step.kind == "asset":  # a check step names its asset, and produces no value of it
            for key in step.asset_keys:
                for partition in step.partition_keys or (step.partition_key,):
                    self.producer[(key, partition)] = future
        future.add_done_callback(self.inbox.future_ended)

    def submittable(self, step: Step) -> bool:
        if step.key in self.futures or step.key in self.answered or step.key in self.recorded:
            return False
        if step.key in self.in_kernel:
            return step.key in self.started
        outcomes = self.run.outcomes
        for up in step.upstream:
            if up.key in self.futures:
                continue
            if outcomes.get(up.key) != "success":
                return False  # not submitted, or ended badly: this step will be skipped
        return True

    def submit_ready(self, candidates: list[Step]) -> None:
        for step in candidates:
            if self.submittable(step):
                self.submit(step)
                self.submit_ready(self.dependants[step.key])

    # Recording ---------------------------------------------------------------------------

    def start(self, step: Step) -> None:
        """Every upstream step is recorded: start ``step`` or skip it, as in-process."""
        run = self.run
        if not run.begin(step):
            self.recorded.add(step.key)
            future = self.futures.get(step.key)
            if future is not None:
                future.cancel()
            self.finished(step)
            return
        self.started[step.key] = time.perf_counter()
        self.show_live(step)
        if step.key in self.in_kernel:
            self.submit_ready([step])
        answer = self.answers.pop(step.key, None)
        if answer is not None:
            self.record(step, answer)

    def answer(self, step: Step, computed: Any) -> None:
        self.answered.add(step.key)
        if step.key in self.started:
            self.record(step, computed)
        else:
            self.answers[step.key] = computed

    def record(self, step: Step, computed: Any) -> None:
        shown = self.shown.pop(step.key, 0)
        self.live.pop(step.key, None)
        if shown:
            computed.notices = computed.notices[shown:]
        self.run.conclude(step, self.started[step.key], computed)
        self.recorded.add(step.key)
        self.finished(step)

    def finished(self, step: Step) -> None:
        dependants = self.dependants[step.key]
        for child in dependants:
            self.waiting[child.key] -= 1
            if self.waiting[child.key] == 0:
                self.start(child)
        self.submit_ready(dependants)

    def show_live(self, step: Step) -> None:
        """Emit the started ``step``'s notices that arrived, in order, without gaps."""
        pending = self.live.get(step.key)
        if not pending:
            return
        shown = self.shown.get(step.key, 0)
        ready = []
        while shown in pending:
            ready.append(pending.pop(shown))
            shown += 1
        self.run.emit_notices(step, ready)
        self.shown[step.key] = shown

    # The loop ----------------------------------------------------------------------------

    def go(self) -> None:
        run = self.run
        guard = run.guard
        try:
            self.submit_ready(self.steps)
            for step in self.steps:
                if not step.upstream:
                    self.start(step)
            while len(self.recorded) < len(self.steps):
                if guard is not None:
                    guard.interruptible = True  # only the wait may be interrupted at once
                try:
                    item = self.inbox.get()
                finally:
                    if guard is not None:
                        guard.interruptible = False
                self.take(item)
                if guard is not None:
                    guard.raise_pending()
        except KeyboardInterrupt:
            self.cancel()
            raise
        finally:
            close_inbox(self.token)

    def take(self, item: tuple[Any, ...]) -> None:
        """Act on one message of the inbox."""
        kind, task_key = item[0], item[1]
        step = self.tasks.get(task_key)
        if step is None or step.key in self.recorded:
            return  # skipped (its future cancelled), or a late duplicate
        if kind == "notices":
            pending = self.live.setdefault(step.key, {})
            for index, notice in enumerate(unpacked(item[3]), item[2]):
                pending[index] = notice
            if step.key in self.started:
                self.show_live(step)
        elif step.key in self.answered:
            return
        elif kind == "summary":
            self.answer(step, landed(unpacked(item[2]), step, self.futures[step.key]))
        elif kind == "done":
            self.ended(step, item[2])
        else:  # "read": the summary read by a task of its own
            self.answer(step, self._read(item[2], step))

    def ended(self, step: Step, future: Any) -> None:
        """``step``'s task ended and its summary has not arrived."""
        if future.status == "finished":
            # Published summaries come before the task's end; read this one with a task.
            reading = self.client.submit(summarize, future, pure=False)
            self.readings.append(reading)
            reading.add_done_callback(lambda f: self.inbox.put(("read", future.key, f)))
        else:
            self.answer(step, self._failed(future))

    def _read(self, reading: Any, step: Any) -> Any:
        if reading.status == "finished":
            return landed(reading.result(), step, self.futures[step.key])
        return self._failed(reading)

    def _failed(self, future: Any) -> Computed:
        if future.status == "error":
            # The task itself failed (a worker died, the function could not be unpickled).
            return Computed(error=future.exception())
        return Computed(error=RuntimeError(f"its Dask task ended as {future.status}"))

    def cancel(self) -> None:
        outstanding = [f for k, f in self.futures.items() if k not in self.recorded]
        outstanding.extend(self.readings)
        if outstanding:
            self.client.cancel(outstanding)
        started = [s for s in self.steps if s.key in self.started and s.key not in self.recorded]
        self.run.cancel(started)
