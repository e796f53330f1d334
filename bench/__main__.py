"""Run every benchmark and print figures beside baselines measured in the same run.

Usage: ``python -m bench`` (``make bench``). Figures are medians of repeated runs.
"""

from __future__ import annotations

import sys

from bench import (
    cli,
    dask_channels,
    dask_runs,
    engine,
    input_guard,
    lineage,
    live_views,
    notebook,
    panel,
    partitions,
    persist,
    progress,
    wasm_lineage,
)


def main() -> int:
    print(f"nbassets benchmarks (python {sys.version.split()[0]})\n")
    engine.main()
    input_guard.main()
    partitions.main()
    dask_runs.main()
    dask_channels.main()
    notebook.main()
    lineage.main()
    wasm_lineage.main()
    live_views.main()
    progress.main()
    cli.main()
    panel.main()
    persist.main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
