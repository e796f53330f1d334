"""Cells run out of order: a free name that becomes an asset later becomes an edge then.

    orders --> revenue      (the revenue cell runs first, before orders is an asset)
"""

from __future__ import annotations

import pytest

from nbassets import AssetKey
from nbassets.notebook.failures import RunFailedError

K = AssetKey


def test_revenue_before_orders_fails_with_the_cell_to_run_then_gets_its_edge(shell, capsys):
    result = shell.run("%%asset\nrevenue = sum(orders)", cell_id="revenue-cell")
    assert isinstance(result.error_in_exec, RunFailedError)
    message = str(result.error_in_exec)
    assert "NameError: name 'orders' is not defined" in message
    assert "`orders` is not an asset yet: run the cell that defines it." in message
    assert shell.registry.graph.parents(K("revenue")) == ()

    shell.ok("%%asset\norders = [1, 2, 3]", cell_id="orders-cell")
    out = capsys.readouterr().out
    assert "revenue now depends on orders (defined after it)" in out
    assert shell.registry.graph.parents(K("revenue")) == (K("orders"),)

    shell.ok("%materialize revenue")
    assert shell.ns["revenue"] == 6
    # Redefine orders: revenue follows it now, stale until it runs again.
    shell.ok("%%asset --no-run\norders = [1, 2]", cell_id="orders-cell")
    assert shell.registry.status(K("revenue")) == "stale"
    shell.ok("%materialize orders+")
    assert shell.ns["revenue"] == 3


def test_a_notebook_variable_that_becomes_an_asset_becomes_an_edge(shell, capsys):
    shell.ok("threshold = 10")
    shell.ok("%%asset\nbig = [x for x in range(20) if x > threshold]", cell_id="big-cell")
    assert shell.registry.graph.parents(K("big")) == ()
    shell.ok("%%asset\nthreshold = 15", cell_id="threshold-cell")
    assert shell.registry.graph.parents(K("big")) == (K("threshold"),)
    assert shell.registry.status(K("big")) == "stale"
    shell.ok("%materialize big")
    assert shell.ns["big"] == [16, 17, 18, 19]


def test_a_chain_defined_backwards_is_connected_link_by_link(shell):
    # a --> b --> c, cells run c, b, a
    for name, body in (("c", "c = b + 1"), ("b", "b = a + 1")):
        shell.run(f"%%asset --no-run\n{body}", cell_id=f"{name}-cell")
    shell.ok("%%asset --no-run\na = 1", cell_id="a-cell")
    graph = shell.registry.graph
    assert (graph.parents(K("b")), graph.parents(K("c"))) == ((K("a"),), (K("b"),))
    shell.ok("%materialize a*")
    assert shell.ns["c"] == 3


def test_the_summary_names_the_notebook_variables_it_does_not_track(shell, capsys):
    shell.ok("import math\nthreshold = 10\ndef helper(x):\n    return x")
    shell.ok("%%asset\nbig = [helper(x) for x in range(20) if x > threshold + math.pi]")
    line = capsys.readouterr().out.strip().splitlines()[-2]
    assert line.endswith(
        "· reads notebook variable(s) threshold: not tracked, changing them does not make it stale"
    )


@pytest.mark.kernel
def test_out_of_order_in_a_real_kernel(kernel_name, tmp_path):
    from nbformat.v4 import new_code_cell, new_notebook

    from tests.notebook.conftest import execute_notebook, text_of

    cells = [
        ("load", "%load_ext nbassets"),
        ("revenue", "%%asset\nrevenue = sum(orders)"),
        ("orders", "%%asset\norders = [1, 2, 3]"),
        ("run", "%materialize revenue\nprint(revenue)"),
        ("edit", "%%asset --no-run orders\norders = [1, 2]"),
        ("status", "%assets"),
    ]
    nb = new_notebook(cells=[new_code_cell(source, id=cid) for cid, source in cells])
    nb.nbformat, nb.nbformat_minor = 4, 5
    nb.cells[1].metadata["tags"] = ["raises-exception"]  # the first failure is expected
    execute_notebook(nb, kernel_name, str(tmp_path))
    out = {cell.id: text_of(cell) for cell in nb.cells}
    assert "`orders` is not an asset yet: run the cell that defines it." in out["revenue"]
    assert "revenue now depends on orders (defined after it)" in out["orders"]
    assert out["run"].rstrip().endswith("6")
    catalog = nb.cells[5].outputs[0]["data"]["text/plain"]
    revenue_line = next(line for line in catalog.splitlines() if "revenue" in line)
    assert "stale" in revenue_line


def test_a_loop_defining_assets_in_one_cell_keeps_them_all(shell):
    loop = (
        "for i in range({n}):\n"
        "    get_ipython().run_cell_magic('asset', f'step_{{i}} --no-run', f'step_{{i}} = {{i}}')"
    )
    shell.ok(loop.format(n=4), cell_id="loop-cell")
    assert [k.to_user_string() for k in shell.registry.keys()] == [f"step_{i}" for i in range(4)]
    # Run again with a shorter loop: what it no longer defines goes.
    shell.ok(loop.format(n=2), cell_id="loop-cell")
    assert [k.to_user_string() for k in shell.registry.keys()] == ["step_0", "step_1"]
    # A renamed single-asset cell still drops its old asset.
    shell.ok("%%asset --no-run\nalpha = 1", cell_id="named")
    shell.ok("%%asset --no-run\nbeta = 1", cell_id="named")
    assert "alpha" not in shell.registry and "beta" in shell.registry


def test_a_missing_partition_value_says_how_to_materialize_that_partition(shell):
    from IPython.core.error import UsageError

    shell.ok("%%asset --partitions daily:2024-01-01:2024-01-31 --no-run\nevents = 1")
    error = shell.error("%assets value events --partition 2024-01-26")
    assert isinstance(error, UsageError)
    assert str(error).endswith("Materialize it first: %materialize events --partition 2024-01-26")
