"""The Dask executor on a 2-worker LocalCluster, against baselines measured in the same run.

Goals (issue 13):
- 8 CPU-bound assets of ~0.5 s each: >= 1.7x faster than in-process on 2 cores.
- Per-step overhead against bare ``client.submit`` of the same functions with the
  same dependencies: <= 1.5x.
- 365 daily partitions of a 50 ms asset: wall time against in-process.
- Log lines sent live (an event each) against sent with the step's answer.

Wall-clock time (the work runs in other processes); the machine is shared, so the
figures move with its load: each line prints the ratio of two timings taken
back to back in the same run.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.dags import Shape, layered
from nbassets import DailyPartitionsDefinition, DaskExecutor, asset, materialize, use_registry

ROOT = Path(__file__).resolve().parent.parent


def burn(seconds_of_work: int) -> int:
    """CPU-bound work: a pure-Python loop of ``seconds_of_work`` iterations."""
    total = 0
    for i in range(seconds_of_work):
        total += i * i % 7
    return total


def _iterations_for(seconds: float) -> int:
    """How many ``burn`` iterations take ``seconds`` here (the fastest of 5 timings).

    The fastest, not the median: on a loaded machine a slow sample would make the
    work too short.
    """
    n = 200_000
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        burn(n)
        samples.append(time.perf_counter() - start)
    return int(n * seconds / min(samples))


def _wall(fn: Callable[[], Any], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _cpu_assets(count: int, iterations: int) -> list[Any]:
    def make(i: int) -> Any:
        @asset(name=f"model_{i}")
        def model() -> int:
            return burn(iterations)

        return model

    return [make(i) for i in range(count)]


def cpu_bound(client: Any) -> None:
    iterations = _iterations_for(0.5)
    with use_registry():
        assets = _cpu_assets(8, iterations)
        materialize(assets, executor=DaskExecutor(client=client))  # warm: imports on workers
        local = _wall(lambda: materialize(assets), repeat=3)
        on_dask = _wall(lambda: materialize(assets, executor=DaskExecutor(client=client)), 3)
    print("8 CPU-bound assets of ~0.5 s each (2 worker processes vs in-process)")
    print(
        f"  in-process {local:.2f} s, dask {on_dask:.2f} s: {local / on_dask:.2f}x faster"
        "  (goal >= 1.7x)\n"
    )


def add(*values: int) -> int:
    return sum(values) + 1


def _dag_assets(shape: Shape) -> list[Any]:
    from nbassets import AssetIn

    made = []
    for name, parents in shape:
        ins = {f"p{i}": AssetIn(parent) for i, parent in enumerate(parents)}
        scope: dict[str, Any] = {"add": add, "__name__": __name__}
        params = ", ".join(ins)
        exec(f"def {name}({params}):\n    return add({params})", scope)
        made.append(asset(name=name, ins=ins)(scope[name]))
    return made


def overhead(client: Any, rounds: int = 11) -> None:
    """Bare submits and nbassets runs alternate, so both see the same load.

    A first run of the assets in a fresh registry, and a run again over the values
    of the one before (each replaced value is then hashed on its worker for its
    data version: one more task per step).
    """
    shape = layered(100, width=10)  # in dependency order
    steps = len(shape)

    def bare() -> None:
        futures: dict[str, Any] = {}
        for name, parents in shape:
            futures[name] = client.submit(add, *(futures[p] for p in parents), pure=False)
        client.gather(list(futures.values()))

    assets = _dag_assets(shape)
    executor = DaskExecutor(client=client)

    def first_run() -> None:
        with use_registry():
            materialize(assets, executor=executor)

    with use_registry():
        materialize(assets, executor=executor)
        again = {"bare": [], "first run": [], "run again": []}
        for _ in range(rounds):
            again["bare"].append(_wall(bare, repeat=1))
            again["first run"].append(_wall(first_run, repeat=1))
            again["run again"].append(
                _wall(lambda: materialize(assets, executor=executor), repeat=1)
            )
    print(f"Per-step overhead: {steps} trivial steps, 10 layers (bare client.submit vs nbassets)")
    base = statistics.median(again["bare"])
    print(f"  bare submit {base * 1e3 / steps:.2f} ms/step (median of {rounds})")
    for name in ("first run", "run again"):
        # Each run against the bare run just before it: the load changes between rounds.
        ratios = sorted(t / b for t, b in zip(again[name], again["bare"], strict=True))
        median = statistics.median(again[name])
        print(
            f"  nbassets dask, {name}: {median * 1e3 / steps:.2f} ms/step; per pair median "
            f"{statistics.median(ratios):.2f}x, middle half {ratios[len(ratios) // 4]:.2f}-"
            f"{ratios[-1 - len(ratios) // 4]:.2f}x  (goal <= 1.5x)"
        )
    print()


def _talking_assets(count: int, lines: int) -> list[Any]:
    def make(i: int) -> Any:
        @asset(name=f"talks_{i}")
        def talks(context: Any) -> int:
            for n in range(lines):
                context.log.info(f"line {n}")
            return i

        return talks

    return [make(i) for i in range(count)]


def live_logs(client: Any, rounds: int = 9) -> None:
    """Log lines sent as they are written (one event each) against sent with the answer."""
    assets = _talking_assets(50, 10)
    live = DaskExecutor(client=client)
    batched = DaskExecutor(client=client, live_logs=False)
    times: dict[bool, list[float]] = {True: [], False: []}
    with use_registry():
        materialize(assets, executor=live)
        for _ in range(rounds):
            for executor in (batched, live):
                times[executor.live_logs].append(
                    _wall(lambda e=executor: materialize(assets, executor=e), repeat=1)
                )
    ratios = sorted(a / b for a, b in zip(times[True], times[False], strict=True))
    on, off = statistics.median(times[True]), statistics.median(times[False])
    print("Live log lines: 50 steps logging 10 lines each (500 lines)")
    print(
        f"  sent with the answer {off:.2f} s, sent as written {on:.2f} s; per pair median "
        f"{statistics.median(ratios):.2f}x, middle half {ratios[len(ratios) // 4]:.2f}-"
        f"{ratios[-1 - len(ratios) // 4]:.2f}x\n"
    )


DAYS = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2025-01-01")


def backfill(client: Any) -> None:
    iterations = _iterations_for(0.05)

    @asset(partitions_def=DAYS)
    def daily(context: Any) -> int:
        return burn(iterations)

    year = ("2024-01-01", "2024-12-30")
    with use_registry():
        materialize([daily], executor=DaskExecutor(client=client), partition_key="2024-01-01")
        local = _wall(lambda: materialize([daily], partition_key_range=year), repeat=1)
        on_dask = _wall(
            lambda: materialize(
                [daily], executor=DaskExecutor(client=client), partition_key_range=year
            ),
            repeat=1,
        )
    print("365 daily partitions of a ~50 ms asset (one run each way)")
    print(f"  in-process {local:.2f} s, dask {on_dask:.2f} s: {local / on_dask:.2f}x faster\n")


def main() -> None:
    import distributed

    # Workers import this module by name (its functions travel by reference).
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
    )
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        cpu_bound(client)
        overhead(client)
        live_logs(client)
        backfill(client)


if __name__ == "__main__":
    main()
