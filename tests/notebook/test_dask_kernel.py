"""``%materialize --executor dask`` in a real kernel: cell-defined functions run on workers."""

from __future__ import annotations

import pytest

from tests.notebook.conftest import execute_notebook, text_of
from tests.notebook.test_kernel_end_to_end import notebook

pytestmark = pytest.mark.kernel

DEFINE = """\
import os
from nbassets import AssetExecutionContext, asset

factor = 3

@asset
def numbers(context: AssetExecutionContext) -> list:
    context.log.info("numbers made by process %s", os.getpid())
    return [1, 2, 3]

@asset
def scaled(numbers: list) -> tuple:
    return [n * factor for n in numbers], os.getpid()
"""

PROBE = """\
import nbassets.engine.dask_executor as dask_executor
values, pid = scaled
client = dask_executor.dask_client()
print("values", values)
print("ran on a worker", pid != os.getpid(), pid in client.run(os.getpid).values())
print("clients", len(dask_executor._clients), "workers", len(client.run(os.getpid)))
"""


def test_cell_defined_assets_run_on_the_kernels_local_cluster(kernel_name, tmp_path):
    nb = notebook(
        ("load", "%load_ext nbassets"),
        ("define", DEFINE),
        ("run", "%materialize --executor dask"),
        ("again", "factor = 10\n%materialize scaled --executor dask"),
        ("probe", PROBE),
    )
    execute_notebook(nb, kernel_name, str(tmp_path), timeout=300)
    run, again, probe = (text_of(cell) for cell in nb.cells[2:])
    assert "✓ numbers" in run and "✓ scaled" in run, run
    # The log line written on the worker is in the step's row, with the worker's pid.
    assert "numbers made by process" in run
    progress = nb.cells[2].outputs[0]["data"]
    assert "Dask dashboard</a>" in progress["text/html"]
    assert "✓ scaled" in again
    # The function travelled by value: the worker saw the cell's new global.
    assert "values [10, 20, 30]" in probe
    assert "ran on a worker True True" in probe
    # One LocalCluster for the kernel, reused by the second run, one worker per core.
    assert f"clients 1 workers {__import__('os').cpu_count()}" in probe
