"""Partitions: a year of daily partitions in one run, and how it scales.

Target (DESIGN section 10): <= 20 ms of overhead for all 365 daily partitions of
one asset (Dagster 1.13 here: 20 s as 365 runs, 0.7 s as one backfill run). The
baseline, measured in the same run, calls the same function once per partition.
"""

from __future__ import annotations

from typing import Any

from bench.timing import fmt_ms, fmt_us, median_time
from nbassets import (
    BackfillPolicy,
    DailyPartitionsDefinition,
    HourlyPartitionsDefinition,
    asset,
    materialize_to_memory,
    use_registry,
)


def _partitioned(partitions_def, policy=None):  # type: ignore[no-untyped-def]
    @asset(partitions_def=partitions_def, backfill_policy=policy)
    def measure(context):  # type: ignore[no-untyped-def]
        return len(context.partition_key)

    return measure


def _run(label: str, partitions_def, first: str, last: str, count: int) -> float:  # type: ignore[no-untyped-def]
    with use_registry():
        measure = _partitioned(partitions_def)
        keys = partitions_def.get_partition_keys()
        fn = measure.fn

        class _Context:
            partition_key = ""

        context = _Context()

        def plain() -> None:
            for key in keys[:count]:
                context.partition_key = key
                fn(context)

        def engine() -> None:
            materialize_to_memory([measure], partition_key_range=(first, last))

        engine()
        repeat = 5 if count > 1000 else 9
        took = median_time(engine, repeat=repeat)
        base = median_time(plain, repeat=repeat, number=10)
    overhead = took - base
    print(
        f"  {label:<34}{fmt_ms(base):>11}{fmt_ms(took):>12}{fmt_ms(overhead):>12}"
        f"{fmt_us(overhead / count):>12}"
    )
    return overhead


def main() -> None:
    print("Partitions: one run over a range of partitions of one asset (a step per partition)")
    print(f"  {'':<34}{'plain loop':>11}{'nbassets':>12}{'overhead':>12}{'per key':>12}")
    daily = DailyPartitionsDefinition(start_date="2023-01-01", end_date="2024-01-01")
    _run("365 daily partitions", daily, "2023-01-01", "2023-12-31", 365)
    hourly = HourlyPartitionsDefinition(start_date="2024-01-01-00:00", end_date="2024-02-12-16:00")
    _run("1,000 hourly partitions", hourly, "2024-01-01-00:00", "2024-02-11-15:00", 1000)
    hourly = HourlyPartitionsDefinition(start_date="2024-01-01-00:00", end_date="2025-02-21-16:00")
    _run("10,000 hourly partitions", hourly, "2024-01-01-00:00", "2025-02-20-15:00", 10000)
    print("  target: <= 20 ms for 365 daily partitions, linear growth (Dagster 1.13 here: 0.7 s)")
    with use_registry():

        @asset(partitions_def=daily, backfill_policy=BackfillPolicy.single_run())
        def year(context):  # type: ignore[no-untyped-def]
            return {key: len(key) for key in context.partition_keys}

        took = median_time(
            lambda: materialize_to_memory([year], partition_key_range=("2023-01-01", "2023-12-31")),
            repeat=9,
        )
    print(f"  365 daily partitions as one single-run backfill step: {fmt_ms(took)}\n")
    summaries()


def _summary_time(partitions_def: Any, runs: list[str]) -> tuple[float, str]:
    with use_registry() as registry:
        measure = _partitioned(partitions_def)
        registry.add(measure)
        for key in runs:
            materialize_to_memory(selection=[measure], partition_key=key)

        def summarize() -> str:
            registry.judge.invalidate()  # as after any run or definition
            return str(registry.partition_summary(measure.key))

        return median_time(summarize, repeat=9, number=20), summarize()


def summaries() -> None:
    """What `%assets` pays per partitioned asset: a status summary of its partitions."""
    runs = ["2023-01-05-00:00", "2023-01-06-00:00"]
    centuries = HourlyPartitionsDefinition(start_date="1900-01-01-00:00")
    small = HourlyPartitionsDefinition(start_date="2023-01-01-00:00", end_date="2023-01-31-00:00")
    big, text = _summary_time(centuries, runs)
    base, base_text = _summary_time(small, runs)
    print("Partition summary (`%assets`, statuses) with 2 partitions materialized")
    print(f"  hourly since 1900 ({text}): {fmt_us(big)}")
    print(f"  hourly over 30 days ({base_text}): {fmt_us(base)}: {big / base:.2f}x")
    print("  counted from the windows, not by listing keys (it was 8-19 s and 538 MB)\n")


if __name__ == "__main__":
    main()
