"""How a Dask step can tell the kernel its summary while its value stays on the worker.

Each option runs the same 100 trivial steps in 10 layers (each step reads two steps of
the layer before) on a 2-worker LocalCluster, and is timed against bare
``client.submit`` + one ``gather`` in the same run, alternating, so the ratios hold
under the machine's load. Every option but the last keeps the values on the workers
and hands the kernel each step's summary as the step finishes:

- two tasks: the step, and a task reading its summary (what the executor did first);
- event: the step publishes its summary with ``Worker.log_event`` on a topic the
  client subscribed to; the kernel waits for the step's future without its result;
(``distributed.Pub``/``Sub`` would be the other side channel; the installed
distributed no longer has them.)
- whole result: ``as_completed(with_results=True)`` on the steps (a reference: the
  values travel to the kernel, which the executor must not do).

Run: ``python -m bench.dask_channels``.
"""

from __future__ import annotations

import os
import pickle
import queue
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.dags import layered

WIDTH, DEPTH = 10, 10
EVENT_TOPIC = "bench-summaries"


class Result:
    """A step's answer on the worker: the summary the kernel wants, and the value."""

    def __init__(self, summary: dict[str, Any], value: int) -> None:
        self.summary = summary
        self.value = value


def _compute(name: str, ups: tuple[Result, ...]) -> Result:
    value = sum(up.value for up in ups) + 1
    return Result({"name": name, "status": "ok", "notices": []}, value)


def step(name: str, *ups: Result) -> Result:
    return _compute(name, ups)


def step_event(name: str, *ups: Result) -> Result:
    from distributed import get_worker

    result = _compute(name, ups)
    get_worker().log_event(EVENT_TOPIC, pickle.dumps(result.summary))
    return result


def summary_of(result: Result) -> dict[str, Any]:
    return result.summary


def _submit_all(client: Any, fn: Callable[..., Any], run: int) -> dict[str, Any]:
    futures: dict[str, Any] = {}
    for name, parents in layered(WIDTH * DEPTH, width=WIDTH):  # in dependency order
        futures[name] = client.submit(
            fn, name, *(futures[p] for p in parents), key=f"{name}-{run}", pure=False
        )
    return futures


def bare(client: Any, run: int) -> None:
    futures = _submit_all(client, step, run)
    client.gather(list(futures.values()))


def two_tasks(client: Any, run: int) -> None:
    from distributed import as_completed

    futures = _submit_all(client, step, run)
    summaries = [client.submit(summary_of, f, key=f"sum-{k}-{run}") for k, f in futures.items()]
    got = [summary for _, summary in as_completed(summaries, with_results=True)]
    assert len(got) == len(futures)


class Inbox:
    """Summaries the client's event loop hands over, read by the kernel's thread."""

    def __init__(self) -> None:
        self.items: queue.SimpleQueue[bytes] = queue.SimpleQueue()

    def __call__(self, event: tuple[float, bytes]) -> None:
        self.items.put(event[1])


def event(client: Any, run: int, inbox: Inbox) -> None:
    from distributed import as_completed

    futures = _submit_all(client, step_event, run)
    done = 0
    for _ in as_completed(list(futures.values())):
        pickle.loads(inbox.items.get(timeout=10))
        done += 1
    assert done == len(futures)


def whole_result(client: Any, run: int) -> None:
    from distributed import as_completed

    futures = _submit_all(client, step, run)
    got = [r.summary for _, r in as_completed(list(futures.values()), with_results=True)]
    assert len(got) == len(futures)


def main(rounds: int = 9) -> None:
    import distributed

    # Workers import this module by name when it is not __main__ (python -m bench).
    root = str(Path(__file__).resolve().parent.parent)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))

    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        inbox = Inbox()
        client.subscribe_topic(EVENT_TOPIC, inbox)
        options: dict[str, Callable[[int], None]] = {
            "bare submit + gather": lambda run: bare(client, run),
            "two tasks": lambda run: two_tasks(client, run),
            "event (log_event)": lambda run: event(client, run, inbox),
            "whole result (values travel)": lambda run: whole_result(client, run),
        }
        times: dict[str, list[float]] = {name: [] for name in options}
        run = 0
        for attempt in range(rounds + 1):
            for name, option in options.items():
                run += 1
                start = time.perf_counter()
                option(run)
                if attempt:  # the first round warms up
                    times[name].append(time.perf_counter() - start)
        steps = WIDTH * DEPTH
        base = statistics.median(times["bare submit + gather"])
        print(f"{steps} trivial steps, {DEPTH} layers, 2 worker processes; median of {rounds}")
        for name, samples in times.items():
            median = statistics.median(samples)
            print(
                f"  {name:30} {median * 1e3 / steps:6.2f} ms/step  {median / base:5.2f}x bare "
                f"(range {min(samples) / base:.2f}-{max(samples) / base:.2f})"
            )


if __name__ == "__main__":
    main()
