"""`nbassets run --executor dask:ADDRESS` against a scheduler and worker this test starts."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.helpers import environment, nbassets, write_notebook

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(*args: str) -> subprocess.Popen[bytes]:
    # Its own process group: the teardown ends the process and any child it made.
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("dask")), *args],
        env=environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)


@pytest.fixture
def scheduler() -> Iterator[str]:
    """A `dask scheduler` and one `dask worker` process on free ports; their address."""
    import distributed

    address = f"tcp://127.0.0.1:{_free_port()}"
    started = [
        _start(
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            address.rsplit(":", 1)[1],
            "--dashboard-address",
            f"127.0.0.1:{_free_port()}",
        ),
    ]
    try:
        started.append(
            _start("worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard")
        )
        with distributed.Client(address, timeout="60s", set_as_default=False) as client:
            client.wait_for_workers(1, timeout=60)
        yield address
    finally:
        for process in reversed(started):
            _stop(process)


def test_run_on_an_external_scheduler(scheduler: str, tmp_path: Path) -> None:
    import distributed

    made_by = tmp_path / "made_by.txt"
    notebook = write_notebook(
        tmp_path / "pipeline.ipynb",
        "%load_ext nbassets\nimport os",
        ("base", "%%asset\nbase = [1, 2, 3]"),
        (
            "total",
            f"%%asset\nopen({str(made_by)!r}, 'w').write(str(os.getpid()))\ntotal = sum(base) * 10",
        ),
    )
    done = nbassets("run", notebook, "--executor", f"dask:{scheduler}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "✓ base" in done.stderr and "✓ total" in done.stderr, done.stderr
    # Before the steps, a line names the scheduler's dashboard.
    lines = done.stderr.splitlines()
    [dashboard] = [i for i, line in enumerate(lines) if line.startswith("Running on Dask")]
    shown = lines[dashboard]
    assert re.fullmatch(r"Running on Dask; dashboard: http://127\.0\.0\.1:\d+/status", shown)
    assert dashboard < lines.index(next(line for line in lines if line.startswith("✓ base")))
    with distributed.Client(scheduler, set_as_default=False) as client:
        worker_pids = set(client.run(os.getpid).values())
    # The step ran in the worker process the test started, not in the command's.
    assert int(made_by.read_text()) in worker_pids


def test_an_unreachable_scheduler_is_a_usage_error(tmp_path: Path) -> None:
    notebook = write_notebook(tmp_path / "one.ipynb", "%load_ext nbassets", ("a", "%%asset\na = 1"))
    address = f"tcp://127.0.0.1:{_free_port()}"
    done = nbassets("run", notebook, "--executor", f"dask:{address}", cwd=tmp_path, timeout=120)
    assert done.returncode == 2  # a usage error, before the run starts
    assert f"Cannot reach a Dask scheduler at '{address}'" in done.stderr, done.stderr


def test_run_on_a_local_cluster_started_by_the_command(tmp_path: Path) -> None:
    made_by = tmp_path / "made_by.txt"
    notebook = write_notebook(
        tmp_path / "local.ipynb",
        "%load_ext nbassets\nimport os",
        ("a", f"%%asset\nopen({str(made_by)!r}, 'w').write(str(os.getpid()))\na = 1"),
    )
    done = nbassets("run", notebook, "--executor", "dask", cwd=tmp_path, timeout=180)
    assert done.returncode == 0, done.stderr
    assert "✓ a" in done.stderr
    assert "Running on Dask; dashboard: http://" in done.stderr
    assert made_by.exists()  # written by a worker process the command spawned and ended
