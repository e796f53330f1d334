"""The widgets as the magics show them, in a real JupyterLab driven through headless Chromium.

Each test writes a notebook, runs it with Lab's own "run all", then clicks what a
user clicks and checks both the page and the kernel. Console errors fail a test
(the ``lab_page`` fixture); screenshots land in ``test-artifacts/``.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import nbformat
import pytest

from tests.widgets.conftest import LabNotebook, save_screenshot

pytestmark = pytest.mark.browser

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
SHOW_LINEAGE = "from nbassets.notebook.lineage_view import lineage\nview = lineage()\nview"
STATUS_OF = "document.querySelector('.nba-lineage .nba-node[data-key=\"{}\"]')?.dataset.status"


def node(page: Any, key: str) -> Any:
    return page.locator(f'.nba-lineage .nba-node[data-key="{key}"]').last


def wait_status(page: Any, key: str, status: str, timeout: int = 15_000) -> None:
    page.wait_for_function(
        f"() => {STATUS_OF.format(key)} === {status!r}", timeout=timeout
    )


def drawn_graph(page: Any, root: str) -> dict[str, Any]:
    graph: dict[str, Any] = page.locator(root).evaluate(
        """(root) => {
          const keyOf = {};
          const nodes = [...root.querySelectorAll('.nba-node')].map((g) => {
            keyOf[g.dataset.id] = g.dataset.key;
            return g.dataset.key;
          });
          const edges = [...root.querySelectorAll('.nba-edge')].map(
            (g) => [keyOf[g.dataset.source], keyOf[g.dataset.target]]);
          return { nodes, edges };
        }"""
    )
    return graph


@pytest.fixture
def open_notebook_with(open_notebook: Any, lab_server: Any) -> Any:
    def _open(cells: list[str], files: dict[str, Path] | None = None) -> LabNotebook:
        for name, source in (files or {}).items():
            target = lab_server.root / name
            if not target.exists():
                shutil.copytree(source, target)
        notebook: LabNotebook = open_notebook(cells)
        return notebook

    return _open


def test_quickstart_runs_with_progress_and_a_live_lineage(open_notebook_with: Any) -> None:
    quickstart = nbformat.read(NOTEBOOKS / "quickstart.ipynb", as_version=4)
    cells = [c.source for c in quickstart.cells if c.cell_type == "code"]
    # The notebook reads data/orders.csv next to it.
    nb = open_notebook_with(cells + [SHOW_LINEAGE], {"data": NOTEBOOKS / "data"})
    page = nb.page
    page.wait_for_selector(".nba-lineage .nba-node")
    # %materialize and autorun show the progress widget, one row per step.
    progress = page.locator(".nba-progress")
    assert progress.count() >= 5
    basket = page.locator(".nba-progress .nba-row[data-status='failed']").first
    assert "basket_size" in basket.locator(".nba-step").text_content()
    basket.locator("summary").click()
    trace = basket.locator(".nba-traceback")
    assert "AttributeError" in trace.text_content()
    assert "nbassets/" not in trace.text_content()
    save_screenshot(basket.locator("xpath=ancestor::div[contains(@class,'nba-progress')]"),
                    "progress_failed_row_expanded")
    graph = drawn_graph(page, ".nba-lineage >> nth=-1")
    assert sorted(graph["nodes"]) == ["basket_size", "daily_revenue", "orders", "top_customers"]
    assert sorted(map(tuple, graph["edges"])) == [
        ("orders", "basket_size"), ("orders", "daily_revenue"), ("orders", "top_customers"),
    ]
    assert {node(page, k).get_attribute("data-status") for k in graph["nodes"]} == {
        "materialized"
    }
    save_screenshot(page.locator(".nba-lineage").last, "quickstart_lineage")
    node(page, "daily_revenue").click()
    assert nb.wait_for_output("print(view.selected)", "['daily_revenue']") == (
        "['daily_revenue']"
    )


AUTORUN_OFF = "%load_ext nbassets\n%assets config autorun=off"


def test_the_button_materializes_and_colours_change_while_it_runs(open_notebook: Any) -> None:
    nb: LabNotebook = open_notebook([
        AUTORUN_OFF,
        "%%asset\nimport time\ntime.sleep(2)\nslow = 1",
        "%%asset\nafter = slow + 1",
        SHOW_LINEAGE,
    ])
    page = nb.page
    page.wait_for_selector(".nba-lineage .nba-node")
    assert node(page, "slow").get_attribute("data-status") == "missing"
    page.evaluate("() => { document.querySelector('.nba-node[data-key=\"slow\"]').__mark = 1; }")
    node(page, "slow").click()
    nb.wait_for_output("print(view.selected)", "['slow']")
    page.get_by_role("button", name="+ downstream").click()
    wait_status(page, "slow", "running", timeout=5_000)
    # Buttons are off and the progress rows are live while the run goes on.
    assert page.locator(".nba-btn[data-mode]:disabled").count() == 3
    page.wait_for_selector(".nba-progress .nba-row[data-status='running']")
    save_screenshot(page.locator(".jp-Cell").last, "lineage_button_running")
    wait_status(page, "slow", "materialized")
    wait_status(page, "after", "materialized")
    save_screenshot(page.locator(".jp-Cell").last, "lineage_button_done")
    # Recoloured in place: the same element, never a re-layout.
    assert page.evaluate("() => document.querySelector('.nba-node[data-key=\"slow\"]').__mark") == 1
    assert page.locator(".nba-progress .nba-row[data-status='success']").count() == 2
    wait_message(page, "2 step(s) materialized")
    # The run went through run_in_notebook: the values are bound in the notebook.
    assert nb.execute("print(slow, after)").strip() == "1 2"


def wait_message(page: Any, text: str) -> None:
    """Wait until the lineage widget's message line says ``text``."""
    page.wait_for_function(
        "(t) => [...document.querySelectorAll('.nba-message')].some("
        "e => e.textContent.includes(t))",
        arg=text,
        timeout=20_000,
    )


def test_a_failing_asset_shows_failed_and_its_downstream_skipped(open_notebook: Any) -> None:
    nb: LabNotebook = open_notebook([
        AUTORUN_OFF,
        "%%asset\nok = 1",
        "%%asset\nboom = ok / 0",
        "%%asset\nafter = boom + 1",
        SHOW_LINEAGE,
    ])
    page = nb.page
    page.wait_for_selector(".nba-lineage .nba-node")
    node(page, "ok").click()
    nb.wait_for_output("print(view.selected)", "['ok']")
    page.get_by_role("button", name="+ downstream").click()
    wait_status(page, "boom", "failed")
    wait_status(page, "after", "skipped")
    assert node(page, "ok").get_attribute("data-status") == "materialized"
    # Colours change as steps end; the summary line follows when the run ends.
    wait_message(page, "boom failed: ZeroDivisionError: division by zero")
    failed = page.locator(".nba-progress .nba-row[data-status='failed']")
    failed.locator("summary").click()
    trace = failed.locator(".nba-traceback").text_content()
    assert "boom = ok / 0" in trace and "ZeroDivisionError" in trace
    assert "skipped: upstream 'boom' failed" in page.locator(
        ".nba-progress .nba-row[data-status='skipped'] .nba-meta"
    ).text_content()
    save_screenshot(page.locator(".jp-Cell").last, "lineage_failed_and_skipped")
    # Double-click opens the asset view under the graph.
    node(page, "boom").dblclick()
    page.wait_for_selector(".nba-asset .nba-asset-key")
    assert page.locator(".nba-asset .nba-asset-key").text_content() == "boom"
    assert page.locator(".nba-asset .nba-badge").text_content() == "failed"
    save_screenshot(page.locator(".jp-Cell").last, "lineage_opens_asset_view")


def test_the_partition_picker_materializes_a_range(open_notebook: Any) -> None:
    nb: LabNotebook = open_notebook([
        "%load_ext nbassets",
        "%%asset --partitions daily:2020-01-01:2025-12-31\n"
        "def events(context):\n    return int(context.partition_key[-2:])",
    ])
    page = nb.page
    picker = page.locator(".nba-picker")
    picker.wait_for()
    assert picker.locator(".nba-picker-title").text_content() == "events: 2192 partitions"
    assert picker.locator(".nba-legend-item").all_text_contents() == ["2192 missing"]
    # The axis names the first and the last day, with days between them.
    ticks = picker.locator(".nba-axis .nba-tick").all_text_contents()
    assert ticks[0] == "2020-01-01" and ticks[-1] == "2025-12-31" and len(ticks) >= 3
    assert ticks == sorted(ticks)
    # Drag across the strip selects a range.
    strip = picker.locator(".nba-strip").bounding_box()
    y = strip["y"] + strip["height"] / 2
    page.mouse.move(strip["x"] + 10, y)
    page.mouse.down()
    page.mouse.move(strip["x"] + 60, y, steps=5)
    page.mouse.up()
    assert "partitions: 2020-01" in picker.locator(".nba-chosen").text_content()
    # Date inputs choose a time window.
    picker.locator(".nba-start").fill("2024-01-03")
    picker.locator(".nba-start").dispatch_event("change")
    picker.locator(".nba-end").fill("2024-01-05")
    picker.locator(".nba-end").dispatch_event("change")
    chosen = "3 partitions: 2024-01-03 … 2024-01-05"
    page.wait_for_function(
        "(want) => document.querySelector('.nba-picker .nba-chosen').textContent === want",
        arg=chosen,
    )
    assert nb.wait_for_output("print(_.picker.selected)", "['2024-01-03', '2024-01-05']") == (
        "['2024-01-03', '2024-01-05']"
    )
    picker.get_by_role("button", name="Materialize selection").click()
    page.wait_for_function(
        "() => document.querySelector('.nba-picker .nba-picker-legend').textContent"
        ".includes('3 materialized')",
        timeout=15_000,
    )
    # Counts in one order: materialized, failed, stale, missing.
    assert picker.locator(".nba-legend-item").all_text_contents() == [
        "3 materialized", "2189 missing",
    ]
    summary = nb.execute(
        "import nbassets\nprint(nbassets.get_registry().partition_summary('events'))"
    )
    assert summary.startswith("3/2192 materialized")
    assert page.locator(".nba-progress .nba-row[data-status='success']").count() == 3
    # One partition: its value in the preview.
    picker.locator(".nba-start").fill("2024-01-04")
    picker.locator(".nba-start").dispatch_event("change")
    picker.locator(".nba-end").fill("2024-01-04")
    picker.locator(".nba-end").dispatch_event("change")
    picker.get_by_role("button", name="Preview").click()
    page.wait_for_selector(".nba-picker .nba-preview pre")
    assert picker.locator(".nba-preview pre").text_content() == "4"
    save_screenshot(page.locator(".jp-Cell").last, "partition_picker")


def test_after_a_picker_run_the_asset_view_and_the_strip_agree(open_notebook: Any) -> None:
    nb: LabNotebook = open_notebook([
        "%load_ext nbassets",
        "%%asset --partitions daily:2024-01-01:2024-01-31 --no-run\n"
        "def events(context):\n    return int(context.partition_key[-2:])",
        "%materialize events --partitions 2024-01-01...2024-01-10;",
        "%assets lineage",
        "%assets show events",
    ])
    page = nb.page
    cell = page.locator(".jp-Cell").last  # the %%asset cell above shows a picker too
    view = cell.locator(".nba-asset")
    picker = cell.locator(".nba-picker")
    picker.wait_for()

    def header_partitions() -> str:
        facts = view.locator(".nba-fact").all_text_contents()
        return next(f for f in facts if f.startswith("partitions"))

    assert header_partitions() == "partitions 10/31 materialized"
    count = page.locator('.nba-lineage .nba-node[data-key="events"] .nba-count')
    assert count.text_content() == "10/31"  # the lineage node carries the count too
    assert picker.locator(".nba-legend-item").all_text_contents() == [
        "10 materialized", "21 missing",
    ]
    assert view.locator(".nba-value-partition").text_content() == (
        "Value of partition 2024-01-10 (materialized last)"
    )
    picker.locator(".nba-start").fill("2024-01-11")
    picker.locator(".nba-start").dispatch_event("change")
    picker.locator(".nba-end").fill("2024-01-19")
    picker.locator(".nba-end").dispatch_event("change")
    picker.get_by_role("button", name="Materialize selection").click()
    # The header above follows the run the picker started: both say 19 of 31.
    page.wait_for_function(
        "(cell) => [...cell.querySelectorAll('.nba-asset .nba-fact')]"
        ".some((f) => f.textContent === 'partitions 19/31 materialized')",
        arg=cell.element_handle(),
        timeout=15_000,
    )
    assert picker.locator(".nba-legend-item").all_text_contents() == [
        "19 materialized", "12 missing",
    ]
    page.wait_for_function(
        """() => document.querySelector('.nba-lineage .nba-node[data-key="events"] .nba-count')
             .textContent === '19/31'"""
    )
    save_screenshot(page.locator(".nba-lineage"), "lineage_partition_count")
    assert view.locator(".nba-value-partition").text_content() == (
        "Value of partition 2024-01-19 (materialized last)"
    )
    assert "9 step(s) materialized" in picker.locator(".nba-picker-message").text_content()
    # A new selection: the old run's message goes.
    picker.locator(".nba-start").fill("2024-01-25")
    picker.locator(".nba-start").dispatch_event("change")
    page.wait_for_function(
        "(cell) => cell.querySelector('.nba-picker-message').textContent === ''",
        arg=cell.element_handle(),
    )
    save_screenshot(cell, "asset_view_and_picker_agree")


HOSTILE = [
    AUTORUN_OFF + "\nfrom nbassets import MetadataValue",
    '%%asset\ndef evil(context):\n'
    '    """<img src=x onerror="window.__nbassets_xss=1"><script>window.__nbassets_xss=2'
    '</script>"""\n'
    "    context.log.info('<img src=x onerror=\"window.__nbassets_xss=3\">')\n"
    "    context.add_output_metadata({\n"
    "        'note': MetadataValue.md('<img src=x onerror=\"window.__nbassets_xss=4\"> **b**'),\n"
    "        'text': '<script>window.__nbassets_xss=5</script>',\n"
    "        'rows': 3,\n"
    "    })\n"
    "    return '<img src=x onerror=\"window.__nbassets_xss=6\">'",
    "%%asset\ndef bad(evil):\n"
    "    raise ValueError('<img src=x onerror=\"window.__nbassets_xss=7\">')",
    "%materialize evil+ --no-raise",
    "%materialize evil",
    "%assets show evil",
]


def test_user_strings_in_progress_and_asset_view_run_nothing(open_notebook: Any) -> None:
    nb: LabNotebook = open_notebook(HOSTILE)
    page = nb.page
    view = page.locator(".nba-asset").last
    view.wait_for()
    failed = page.locator(".nba-progress .nba-row[data-status='failed']").first
    failed.locator("summary").click()
    assert '<img src=x onerror="window.__nbassets_xss=7">' in failed.text_content()
    assert view.locator(".nba-description").text_content().startswith(
        '<img src=x onerror="window.__nbassets_xss=1">'
    )
    assert view.locator(".nba-panel pre").text_content() == (
        "'<img src=x onerror=\"window.__nbassets_xss=6\">'"
    )
    view.get_by_role("tab", name="Metadata").click()
    note = view.locator(".nba-meta-row[data-type='md'] .nba-meta-value").text_content()
    assert note == '<img src=x onerror="window.__nbassets_xss=4"> **b**'
    # Numeric metadata across the two runs is drawn as a small chart.
    assert "rows: 3" in view.locator(".nba-chart-title").text_content()
    save_screenshot(view, "asset_view_metadata_payloads")
    view.get_by_role("tab", name="Logs").click()
    assert 'info: <img src=x onerror="window.__nbassets_xss=3">' in view.locator(
        ".nba-panel pre"
    ).text_content()
    save_screenshot(view, "asset_view_logs_payloads")
    view.get_by_role("tab", name="Definition").click()
    assert "def evil(context):" in view.locator(".nba-source").text_content()
    view.get_by_role("tab", name="History").click()
    assert view.locator(".nba-panel tbody tr").count() == 2
    save_screenshot(view, "asset_view_history")
    page.wait_for_timeout(300)  # give any injected handler the chance to fire
    assert page.locator(".nba-asset img, .nba-progress img, .nba-asset script").count() == 0
    assert page.evaluate("() => window.__nbassets_xss") is None
