"""The run progress widget in a real JupyterLab: checks counted apart, long runs kept light.

- A failed check is a red ✗ row with its description and metadata, counted as a
  check, never as "materialized".
- A backfill of hundreds of partition steps reaches the page as row patches and
  draws only the rows worth reading, with the full count in the header.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.widgets.conftest import LabNotebook, save_screenshot

pytestmark = pytest.mark.browser

CHECKS = '''\
from nbassets import AssetCheckResult, asset_check

@asset_check(asset="orders")
def no_negatives(orders):
    bad = sum(x < 0 for x in orders)
    return AssetCheckResult(passed=bad == 0, description=f"{bad} negative amounts",
                            metadata={"negative rows": bad})

@asset_check(asset="orders")
def not_empty(orders):
    return len(orders) > 0
'''


def test_a_failed_check_shows_as_a_failure_with_its_description(open_notebook: Any) -> None:
    nb: LabNotebook = open_notebook([
        "%load_ext nbassets\n%assets config autorun=off",
        "%%asset\norders = [5, -1, -2]",
        CHECKS,
        "%materialize orders",
    ])
    page = nb.page
    box = page.locator(".nba-progress").last
    page.wait_for_function(
        "() => [...document.querySelectorAll('.nba-progress')].some("
        "p => p.classList.contains('nba-finished'))"
    )
    failed = box.locator(".nba-row[data-status='failed']")
    assert failed.count() == 1
    assert failed.locator(".nba-step").text_content() == "orders:no_negatives"
    assert failed.locator(".nba-mark").text_content() == "✗"
    failed.locator("summary").click()
    assert "2 negative amounts" in failed.locator(".nba-error").text_content()
    assert "negative rows: 2" in failed.locator(".nba-traceback").text_content()
    passed = box.locator(".nba-row[data-status='passed']")
    assert passed.locator(".nba-step").text_content() == "orders:not_empty"
    summary = box.locator(".nba-progress-summary").text_content()
    assert summary.startswith("3/3 · 1 materialized, checks: 1 passed, 1 failed in ")
    save_screenshot(box, "progress_failed_check")


BACKFILL = '''\
import time
from nbassets import DailyPartitionsDefinition, asset

days = DailyPartitionsDefinition(start_date="2024-01-01")

@asset(partitions_def=days)
def events(context):
    time.sleep(0.002)
    if context.partition_key == "2024-02-10":
        raise ValueError("no data on " + context.partition_key)
    return 1
'''


def test_a_long_backfill_arrives_as_patches_and_stays_light(open_notebook: Any) -> None:
    nb: LabNotebook = open_notebook([
        "%load_ext nbassets\n%assets config autorun=off",
        BACKFILL,
        # One day fails; the cell catches it so the rest of the notebook runs on.
        "try:\n"
        "    %materialize events --partitions 2024-01-01...2024-12-31\n"
        "except Exception as error:\n"
        "    print(type(error).__name__)",
    ])
    page = nb.page
    box = page.locator(".nba-progress").last
    page.wait_for_function(
        "() => [...document.querySelectorAll('.nba-progress')].some("
        "p => p.classList.contains('nba-finished'))"
    )
    summary = box.locator(".nba-progress-summary").text_content()
    assert summary.startswith("366/366 · 365 materialized, 1 failed in ")
    rows = box.locator(".nba-row")
    # Tens of rows on the page, not 366: the failure and the last 30 that finished.
    assert rows.count() == 31
    assert box.locator(".nba-row[data-status='failed'] .nba-step").text_content() == (
        "events [2024-02-10]"
    )
    assert "366 steps: showing failures" in box.locator(".nba-progress-note").text_content()
    # The saved state keeps those rows only, not every step.
    state_rows = nb.execute(
        "from nbassets.widgets.progress import RunProgress\n"
        "import gc\n"
        "print(max(len(v.rows) for v in gc.get_objects() if isinstance(v, RunProgress)))"
    )
    assert state_rows.strip() == "31"
    save_screenshot(box, "progress_long_backfill")


def test_a_dask_run_links_to_the_dask_dashboard(open_notebook: Any) -> None:
    nb: LabNotebook = open_notebook([
        "%load_ext nbassets\n%assets config autorun=off",
        "%%asset\norders = [5, -1, -2]",
        "%materialize orders --executor dask",
    ])
    page = nb.page
    page.wait_for_function(
        "() => [...document.querySelectorAll('.nba-progress')].some("
        "p => p.classList.contains('nba-finished'))",
        timeout=120_000,
    )
    box = page.locator(".nba-progress").last
    assert box.locator(".nba-row[data-status='success'] .nba-step").text_content() == "orders"
    link = box.locator("a.nba-dashboard")
    assert link.text_content() == "Dask dashboard"
    href = link.get_attribute("href") or ""
    assert href.startswith("http://") and href.endswith("/status")
    # The kernel's LocalCluster serves its dashboard there.
    assert page.request.get(href).ok
    save_screenshot(box, "progress_dask_dashboard")
