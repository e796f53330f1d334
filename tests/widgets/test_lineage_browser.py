"""LineageWidget in a real JupyterLab, driven through headless Chromium."""

from __future__ import annotations

from typing import Any

import pytest

from nbassets.widgets.statuses import STATUS_STYLES
from tests.widgets.conftest import LabNotebook, save_screenshot

pytestmark = pytest.mark.browser

# raw: a, e          sales: b, d          reports: c
#
#   a --> b --> c
#   a --> d     ^
#   e ----------+
SETUP = """
from nbassets.definitions.keys import AssetKey as K
from nbassets.graph.asset_graph import AssetGraph, AssetNode
from nbassets.widgets.lineage import LineageWidget

graph = AssetGraph([
    AssetNode(K("a"), group_name="raw"),
    AssetNode(K("e"), group_name="raw"),
    AssetNode(K("b"), (K("a"),), group_name="sales"),
    AssetNode(K("d"), (K("a"),), group_name="sales"),
    AssetNode(K("c"), (K("b"), K("e")), group_name="reports"),
])
calls, opened = [], []
w = LineageWidget(graph)
w.on_materialize(lambda keys, mode: calls.append(([k.to_user_string() for k in keys], mode)))
w.on_open(lambda key: opened.append(key.to_user_string()))
"""


DISABLED_BUTTONS = "document.querySelectorAll('.nba-btn[data-mode]:disabled').length"


def rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def node(page: Any, key: str) -> Any:
    return page.locator(f'.nba-lineage .nba-node[data-key="{key}"]')


def open_lineage(open_notebook: Any, extra: str = "") -> LabNotebook:
    notebook: LabNotebook = open_notebook([SETUP + extra, "w"])
    notebook.page.wait_for_selector(".nba-lineage .nba-node")
    return notebook


def test_graph_shows_labels_edges_and_labelled_clusters(open_notebook: Any) -> None:
    nb = open_lineage(open_notebook)
    page = nb.page
    drawn: dict[str, Any] = page.evaluate(
        """() => {
          const root = document.querySelector('.nba-lineage');
          const keyOf = {};
          const nodes = [...root.querySelectorAll('.nba-node')].map((g) => {
            keyOf[g.dataset.id] = g.querySelector('text').textContent;
            return keyOf[g.dataset.id];
          });
          const edges = [...root.querySelectorAll('.nba-edge')].map(
            (g) => [keyOf[g.dataset.source], keyOf[g.dataset.target]]);
          const clusters = [...root.querySelectorAll('.nba-cluster')].map((g) => {
            const box = g.querySelector('rect').getBoundingClientRect();
            const inside = [...root.querySelectorAll('.nba-node')].filter((n) => {
              const r = n.querySelector('.nba-box').getBoundingClientRect();
              return r.left >= box.left && r.right <= box.right
                && r.top >= box.top && r.bottom <= box.bottom;
            }).map((n) => n.dataset.key).sort();
            return [g.querySelector('text').textContent, inside];
          });
          const legend = [...root.querySelectorAll('.nba-legend-item')].map((i) => i.textContent);
          return { nodes, edges, clusters, legend };
        }"""
    )
    save_screenshot(page.locator(".nba-lineage"), "lineage_small")
    assert sorted(drawn["nodes"]) == ["a", "b", "c", "d", "e"]
    assert sorted(map(tuple, drawn["edges"])) == [("a", "b"), ("a", "d"), ("b", "c"), ("e", "c")]
    assert sorted(map(tuple, drawn["clusters"])) == [
        ("raw", ["a", "e"]),
        ("reports", ["c"]),
        ("sales", ["b", "d"]),
    ]
    assert drawn["legend"] == [
        "missing", "materialized", "stale", "running", "failed", "skipped",
        "partially partitioned",
    ]
    # Left to right: every edge goes from a box further left to one further right.
    a, b, c = (node(page, k).bounding_box() for k in "abc")
    assert a["x"] < b["x"] < c["x"]
    # With nothing selected the materialize buttons are off.
    assert page.locator(".nba-btn[data-mode]:disabled").count() == 3


def test_click_selects_and_shift_click_toggles_in_the_kernel(open_notebook: Any) -> None:
    nb = open_lineage(open_notebook)
    page = nb.page
    node(page, "b").click()
    assert nb.wait_for_output("print(w.selected)", "['b']") == "['b']"
    node(page, "d").click(modifiers=["Shift"])
    assert nb.wait_for_output("print(w.selected)", "['b', 'd']") == "['b', 'd']"
    save_screenshot(page.locator(".nba-lineage"), "lineage_selected_b_d")
    assert page.locator(".nba-node.nba-selected").evaluate_all(
        "els => els.map(e => e.dataset.key)"
    ) == ["b", "d"]
    assert page.locator(".nba-info").text_content() == "2 of 5 selected"
    node(page, "b").click(modifiers=["Shift"])
    assert nb.wait_for_output("print(w.selected)", "['d']") == "['d']"
    node(page, "a").click()
    assert nb.wait_for_output("print(w.selected_keys)", "[AssetKey(['a'])]") == (
        "[AssetKey(['a'])]"
    )
    # Selecting from Python shows in the page.
    nb.execute("w.selected = ['c', K('e')]")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.nba-node.nba-selected')]"
        ".map(e => e.dataset.key).join() === 'e,c'"
    )


def test_downstream_button_calls_the_callback_with_keys_and_mode(open_notebook: Any) -> None:
    nb = open_lineage(open_notebook)
    page = nb.page
    node(page, "a").click()
    nb.wait_for_output("print(w.selected)", "['a']")
    page.get_by_role("button", name="+ downstream").click()
    assert nb.wait_for_output("print(calls)", "[(['a'], 'downstream')]") == (
        "[(['a'], 'downstream')]"
    )
    page.get_by_role("button", name="Materialize selected").click()
    expected = "[(['a'], 'downstream'), (['a'], 'selected')]"
    assert nb.wait_for_output("print(calls)", expected) == expected
    # While a run is going the buttons are off; afterwards they are back.
    nb.execute("w.running = True")
    page.wait_for_function(f"() => {DISABLED_BUTTONS} === 3")
    save_screenshot(page.locator(".nba-lineage"), "lineage_running")
    nb.execute("w.running = False")
    page.wait_for_function(f"() => {DISABLED_BUTTONS} === 0")


def test_set_status_recolours_without_moving_or_rebuilding(open_notebook: Any) -> None:
    nb = open_lineage(open_notebook)
    page = nb.page
    box = node(page, "c").locator(".nba-box")
    before = box.bounding_box()
    fill_before = box.evaluate("el => getComputedStyle(el).fill")
    page.evaluate("() => { document.querySelector('.nba-node[data-key=\"c\"]').__mark = 1; }")
    nb.execute("w.set_status('c', 'failed'); w.set_statuses({'a': 'materialized', 'b': 'stale'})")
    page.wait_for_function(
        "() => document.querySelector('.nba-node[data-key=\"c\"]').dataset.status === 'failed'"
    )
    # Colours come from the Python status table; the fill fades over 0.2 s.
    failed = rgb(STATUS_STYLES["failed"].fill)
    page.wait_for_function(
        "([el, want]) => getComputedStyle(el).fill === want",
        arg=[box.element_handle(), failed],
        timeout=3000,
    )
    save_screenshot(page.locator(".nba-lineage"), "lineage_statuses")
    assert fill_before == rgb(STATUS_STYLES["missing"].fill)
    assert box.bounding_box() == before
    # The same element was recoloured, not a redrawn copy.
    assert page.evaluate("() => document.querySelector('.nba-node[data-key=\"c\"]').__mark") == 1
    assert node(page, "a").get_attribute("data-status") == "materialized"
    assert node(page, "b").get_attribute("data-status") == "stale"


def test_double_click_opens_and_search_finds(open_notebook: Any) -> None:
    nb = open_lineage(open_notebook)
    page = nb.page
    node(page, "d").dblclick()
    assert nb.wait_for_output("print(opened)", "['d']") == "['d']"
    page.get_by_placeholder("Search assets").fill("e")
    assert page.locator(".nba-node.nba-match").evaluate_all(
        "els => els.map(e => e.dataset.key)"
    ) == ["e"]
    assert page.locator(".nba-search-info").text_content() == "1 found"


def test_zoom_pan_and_fit_move_the_view(open_notebook: Any) -> None:
    nb = open_lineage(open_notebook)
    page = nb.page
    scene = page.locator(".nba-scene")
    fitted = scene.get_attribute("transform")
    viewport = page.locator(".nba-viewport").bounding_box()
    x, y = viewport["x"] + 20, viewport["y"] + 20
    page.mouse.move(x, y)
    page.keyboard.down("Control")
    page.mouse.wheel(0, -300)
    page.keyboard.up("Control")
    page.wait_for_function(
        "(before) => document.querySelector('.nba-scene').getAttribute('transform') !== before",
        arg=fitted,
    )
    zoomed = scene.get_attribute("transform")
    page.mouse.down()
    page.mouse.move(x + 60, y + 30, steps=5)
    page.mouse.up()
    assert scene.get_attribute("transform") != zoomed
    page.get_by_role("button", name="Fit").click()
    assert scene.get_attribute("transform") == fitted


def test_user_strings_render_as_text_and_run_nothing(open_notebook: Any) -> None:
    hostile = """
img = K('<img src=x onerror="window.__nbassets_xss = 1">')
script = K(['<script>window.__nbassets_xss = 2<', 'script>'])
graph = AssetGraph([
    AssetNode(img, group_name='<b onmouseover="window.__nbassets_xss = 3">g</b>'),
    AssetNode(script, (img,), group_name='<i>x</i>'),
])
w = LineageWidget(graph)
"""
    nb = open_lineage(open_notebook, hostile)
    page = nb.page
    page.locator(".nba-cluster text").first.hover()
    labels = page.locator(".nba-node .nba-label").all_text_contents()
    save_screenshot(page.locator(".nba-lineage"), "lineage_hostile_keys")
    assert sorted(labels) == [
        '<img src=x onerror="window.__nbassets_xss = 1">',
        "<script>window.__nbassets_xss = 2</script>",
    ]
    assert sorted(page.locator(".nba-cluster text").all_text_contents()) == [
        '<b onmouseover="window.__nbassets_xss = 3">g</b>',
        "<i>x</i>",
    ]
    assert page.locator(".nba-lineage img, .nba-lineage script, .nba-lineage b").count() == 0
    assert page.evaluate("() => window.__nbassets_xss") is None


def test_a_thousand_assets_draw_and_search_centres_the_match(open_notebook: Any) -> None:
    big = """
import random
rnd = random.Random(3)
nodes = [AssetNode(K(f"asset_{i}"), group_name=f"group_{i // 100}") for i in range(50)]
for i in range(50, 1000):
    parents = tuple(sorted({K(f"asset_{rnd.randrange(i - 50, i)}") for _ in range(2)}))
    nodes.append(AssetNode(K(f"asset_{i}"), parents, group_name=f"group_{i // 100}"))
w = LineageWidget(AssetGraph(nodes))
"""
    nb = open_lineage(open_notebook, big)
    page = nb.page
    assert page.locator(".nba-node").count() == 1000
    save_screenshot(page.locator(".nba-lineage"), "lineage_1000_fitted")
    page.get_by_placeholder("Search assets").fill("asset_777")
    assert page.locator(".nba-search-info").text_content() == "1 found"
    match = node(page, "asset_777").locator(".nba-box").bounding_box()
    viewport = page.locator(".nba-viewport").bounding_box()
    centre_x, centre_y = match["x"] + match["width"] / 2, match["y"] + match["height"] / 2
    assert abs(centre_x - (viewport["x"] + viewport["width"] / 2)) < 2
    assert abs(centre_y - (viewport["y"] + viewport["height"] / 2)) < 2
    node(page, "asset_777").click()
    assert nb.wait_for_output("print(w.selected)", "['asset_777']") == "['asset_777']"
    save_screenshot(page.locator(".nba-lineage"), "lineage_1000_search")


def test_dark_theme_keeps_the_graph_readable(open_notebook: Any) -> None:
    nb = open_lineage(open_notebook)
    page = nb.page
    nb.execute("w.set_statuses({'a': 'materialized', 'b': 'stale', 'c': 'running', 'd': 'failed'})")
    page.evaluate(
        "() => window.jupyterapp.commands.execute('apputils:change-theme',"
        " { theme: 'JupyterLab Dark' })"
    )
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'")
    box = node(page, "d").locator(".nba-box")
    page.wait_for_function(
        "([el, want]) => getComputedStyle(el).fill === want",
        arg=[box.element_handle(), rgb(STATUS_STYLES["failed"].dark_fill)],
        timeout=5000,
    )
    page.wait_for_selector("#jupyterlab-splash", state="detached")  # Lab's theme-change splash
    save_screenshot(page.locator(".nba-lineage"), "lineage_dark")
