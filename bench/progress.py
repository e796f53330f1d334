"""Run progress: bytes the progress widget sends the page against the size of what it shows.

A backfill of N partition steps of 2 ms each, watched by ``RunProgress`` as
``%materialize`` shows it. Messages are serialized as a kernel would
(``bench.comms``). The baseline, measured in the same run, is the JSON size of
every row at the end (what a widget re-sending all its rows holds at the end).

Target (issue 10): bytes sent grow linearly with the steps, <= 3x the final rows.
"""

from __future__ import annotations

import json
import time

from bench.comms import counting_comms
from nbassets import DailyPartitionsDefinition, asset, use_registry
from nbassets.engine import execute
from nbassets.engine.prepare import prepare_run
from nbassets.widgets.progress import RunProgress

STEP_S = 0.002


def _backfill(n: int) -> tuple[int, int, int]:
    """Bytes sent, bytes of every final row, bytes of the page's final state."""
    days = DailyPartitionsDefinition(start_date="2000-01-01")
    keys = days.get_partition_keys()[:n]

    @asset(partitions_def=days)
    def events(context):  # type: ignore[no-untyped-def]
        time.sleep(STEP_S)
        context.add_output_metadata({"rows": len(context.partition_key)})
        return context.partition_key

    with use_registry(), counting_comms() as sent:
        prepared = prepare_run([events], partition_keys=keys)
        steps = [(s.key, s.label, s.partition_key, s.kind) for s in prepared.plan.steps]
        view = RunProgress(steps)
        execute(prepared, [view])
        view.finish()
        every_row = len(json.dumps([view._copy(r) for r in view._rows.values()]))
        state = len(json.dumps(view.get_state()))
        return sent["bytes"], every_row, state


def main() -> None:
    print(f"Run progress: a backfill of N partition steps of {STEP_S * 1000:.0f} ms each")
    print(f"  {'steps':>6}{'sent':>12}{'every row':>12}{'ratio':>8}{'page state':>12}")
    for n in (250, 500, 1000, 2000):
        sent, every_row, state = _backfill(n)
        print(
            f"  {n:>6}{sent / 1024:>10.0f} KiB{every_row / 1024:>8.0f} KiB{sent / every_row:>7.2f}x"
            f"{state / 1024:>8.0f} KiB"
        )
    print("  target: sent <= 3x every row, linear in steps (before: 66x at 2,000 steps)\n")


if __name__ == "__main__":
    main()
