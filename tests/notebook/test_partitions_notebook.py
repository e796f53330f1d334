"""notebooks/partitions.ipynb runs top to bottom in a real kernel and shows what it teaches."""

from __future__ import annotations

import ast
import copy
import random
import re
from pathlib import Path

import nbformat
import pytest

from tests.notebook.conftest import execute_notebook, text_of

pytestmark = pytest.mark.kernel

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
PARTITIONS = NOTEBOOKS / "partitions.ipynb"


def _amounts(day: str) -> list[float]:
    """The notebook's events for ``day``, regenerated here as an independent oracle."""
    rng = random.Random(day)
    n = rng.randint(20, 40)
    [rng.randint(1, 60) for _ in range(n)]
    return [round(rng.uniform(5, 120), 2) for _ in range(n)]


JANUARY = [f"2024-01-{d:02d}" for d in range(1, 32)]


@pytest.fixture(scope="module")
def executed(kernel_name):
    nb = nbformat.read(PARTITIONS, as_version=4)
    # "Run all" from the notebooks folder; no cell may raise.
    return execute_notebook(copy.deepcopy(nb), kernel_name, str(NOTEBOOKS))


def out(nb, cell_id: str) -> str:
    return text_of(next(c for c in nb.cells if c.id == cell_id))


def test_the_notebook_is_saved_without_outputs_and_with_cell_ids():
    nb = nbformat.read(PARTITIONS, as_version=4)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) >= (4, 5)
    assert all(c.get("outputs", []) == [] for c in nb.cells if c.cell_type == "code")
    assert all(c.get("id") for c in nb.cells)
    assert sum(c.cell_type == "markdown" for c in nb.cells) >= 10


def test_no_cell_fails(executed):
    for c in executed.cells:
        assert not [o for o in c.get("outputs", []) if o["output_type"] == "error"], c.source


def test_the_daily_asset_is_defined_not_run_and_one_day_runs(executed):
    assert out(executed, "setup").strip() == "(91, '2024-01-01', '2024-03-31')"
    assert "Defined daily_events (partitioned:" in out(executed, "events")
    assert "✓ daily_events [partition 2024-01-01]" in out(executed, "one")
    head = out(executed, "value-one").splitlines()
    assert head[0].split() == ["day", "user", "amount"]
    assert float(head[1].split()[-1]) == _amounts("2024-01-01")[0]


def test_the_backfill_shows_the_failing_day_and_keeps_the_others(executed):
    text = out(executed, "backfill")
    assert len(re.findall(r"^✓ daily_events \[partition 2024-01-\d\d\]", text, re.M)) == 30
    assert "✗ daily_events [partition 2024-01-10]  failed: ValueError" in text
    assert "30 materialized, 1 failed" in text
    assert "ValueError: the export for 2024-01-10 is truncated" in text
    shown = out(executed, "show-failed")
    assert "  partitions: 30/91 materialized, 1 failed" in shown
    assert "  failed partitions: 2024-01-10" in shown
    assert "✓ daily_events [partition 2024-01-10]" in out(executed, "rerun")


def test_weekly_rollup_reads_its_seven_days(executed):
    assert "Defined weekly_revenue (partitioned:" in out(executed, "weekly")
    text = out(executed, "weekly-run")
    for week in ("2024-01-07", "2024-01-14", "2024-01-21"):
        assert f"✓ weekly_revenue [partition {week}]" in text
    assert "3 materialized" in text


def test_running_total_ends_at_the_months_revenue(executed):
    text = out(executed, "running-run")
    assert "31 materialized" in text
    expected = round(sum(sum(_amounts(day)) for day in JANUARY), 2)
    assert float(text.strip().splitlines()[-1]) == pytest.approx(expected, abs=0.05)


def test_the_summary_reads_the_weeks_that_exist(executed):
    text = out(executed, "summary")
    assert "read 3 of 12 partitions of 'weekly_revenue'; 9 are not materialized" in text
    assert "revenue_summary · materialized" in text
    weeks = [
        [f"2024-01-{d:02d}" for d in range(start, start + 7)] for start in (7, 14, 21)
    ]
    totals = [round(sum(sum(_amounts(day)) for day in week), 2) for week in weeks]
    best = ("2024-01-07", "2024-01-14", "2024-01-21")[totals.index(max(totals))]
    assert "'weeks': 3" in text and f"'best_week': '{best}'" in text


def test_the_catalog_summarizes_each_partitioned_asset(executed):
    rows = {line.split()[0]: line for line in out(executed, "catalog").splitlines() if line}
    assert rows["daily_events"].rstrip().endswith("31/91 materialized")
    assert "partial" in rows["daily_events"]
    assert rows["weekly_revenue"].rstrip().endswith("3/12 materialized")
    assert rows["running_revenue"].rstrip().endswith("31/91 materialized")
    assert "materialized" in rows["revenue_summary"]


def test_static_partitions_run_by_name(executed):
    text = out(executed, "static-run")
    for channel in ("web", "mobile", "store"):
        assert f"✓ channel_sales [partition {channel}]" in text
    values = ast.literal_eval(text.strip().splitlines()[-1])
    assert set(values) == {"web", "mobile", "store"}


def test_the_single_run_backfill_is_one_step(executed):
    text = out(executed, "single-run-go")
    assert "one step for 31 days" in text
    assert re.search(r"^✓ daily_users  ", text, re.M)
    assert "[partition" not in text
    rng = random.Random("2024-01-15")
    n = rng.randint(20, 40)
    users = {rng.randint(1, 60) for _ in range(n)}
    assert text.strip().splitlines()[-1] == str(len(users))


def test_at_the_end_january_is_complete(executed):
    shown = out(executed, "final")
    assert "  status: partial" in shown
    assert "  partitions: 31/91 materialized" in shown
    assert "failed partitions" not in shown


def test_the_partition_picker_has_a_static_picture(executed):
    # nbconvert and GitHub show this picture, not "VBox(children=(<PartitionPicker ...>))".
    cell = next(c for c in executed.cells if c.id == "events")
    (shown,) = [o for o in cell.outputs if "application/vnd.jupyter.widget-view+json" in o.get(
        "data", {})]
    data = shown["data"]
    assert data["text/plain"].startswith("daily_events: 91 partitions; ")
    assert "VBox" not in data["text/plain"]
    svg = data["image/svg+xml"]
    assert svg.count("<rect") == 91
    assert ">2024-01-01</text>" in svg and ">2024-03-31</text>" in svg
