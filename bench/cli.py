"""``nbassets run`` of the quickstart against ``jupyter nbconvert --execute`` of the same notebook.

Both are whole processes started from a shell, as cron or CI would, so the figure
is wall-clock time (median of interleaved repeats), on a copy of notebooks/.
``nbassets run`` defines the cells in this process and runs what is missing;
``--kernel`` runs the same cells in a Jupyter kernel; nbconvert runs every cell,
views included, in a kernel.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _wall(command: list[str], cwd: Path) -> float:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main(repeat: int = 3) -> None:
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory(prefix="nbassets-bench-") as scratch:
        notebooks = Path(scratch) / "notebooks"
        shutil.copytree(ROOT / "notebooks", notebooks)
        commands = {
            "nbassets run": [sys.executable, "-m", "nbassets", "run", "quickstart.ipynb"],
            "nbassets run --kernel": [
                sys.executable, "-m", "nbassets", "run", "quickstart.ipynb", "--kernel",
            ],
            "jupyter nbconvert --execute": [
                str(bin_dir / "jupyter"), "nbconvert", "--to", "notebook", "--execute",
                "quickstart.ipynb", "--output", str(Path(scratch) / "executed.ipynb"),
            ],
        }
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(repeat):
            for name, command in commands.items():
                samples[name].append(_wall(command, notebooks))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    baseline = medians["jupyter nbconvert --execute"]
    print("nbassets run of notebooks/quickstart.ipynb (wall clock, whole process)")
    for name, seconds in medians.items():
        print(f"  {name:<28} {seconds:6.2f} s   {seconds / baseline:5.2f}x nbconvert")
    print()


if __name__ == "__main__":
    main()
