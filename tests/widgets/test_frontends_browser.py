"""The widgets where ipywidgets work: several views, late renders, themes without JupyterLab's.

In a real JupyterLab through headless Chromium:
- two views of one lineage widget stay in step (selection from a click, statuses
  from the kernel) and each draws the graph;
- a view created late (after a reload, for a model the kernel kept) in a windowed
  notebook, scrolled to, draws and fits;
- with every ``--jp-*`` variable removed the widgets stay readable (their own
  fallbacks), and a page dressed as VS Code's dark theme (``body.vscode-dark``,
  ``--vscode-*`` variables, no JupyterLab theme) gets dark widgets from them.
Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from nbassets.widgets.statuses import STATUS_STYLES
from tests.widgets.conftest import FIND_PANEL, save_screenshot
from tests.widgets.test_lineage_browser import SETUP, rgb

pytestmark = pytest.mark.browser

TRACKER = "@jupyterlab/notebook-extension:tracker"


def test_two_views_of_one_widget_stay_in_step(open_notebook: Any) -> None:
    nb = open_notebook([SETUP, "display(w)\ndisplay(w)"])
    page = nb.page
    page.wait_for_function(
        "() => document.querySelectorAll('.nba-lineage .nba-node').length === 10"
    )
    views = page.locator(".nba-lineage")
    assert views.count() == 2
    views.nth(0).locator('.nba-node[data-key="b"]').click()
    for i in range(2):
        page.wait_for_function(
            "(el) => el.querySelector('.nba-node[data-key=\"b\"]')"
            ".classList.contains('nba-selected')",
            arg=views.nth(i).element_handle(),
        )
    assert nb.wait_for_output("print(w.selected)", "['b']") == "['b']"
    nb.execute("w.set_statuses({'d': 'failed'})")
    want = rgb(STATUS_STYLES["failed"].fill)
    for i in range(2):
        box = views.nth(i).locator('.nba-node[data-key="d"] .nba-box')
        page.wait_for_function(
            "([el, want]) => getComputedStyle(el).fill === want",
            arg=[box.element_handle(), want],
        )
    save_screenshot(page.locator(".jp-Cell").last, "lineage_two_views")


def test_a_view_rendered_late_after_scrolling_in_windowed_mode(
    open_notebook: Any, lab_server: Any
) -> None:
    filler = "print('\\n'.join(f'line {i}' for i in range(40)))"
    lab_server.api(
        "PUT", f"/lab/api/settings/{TRACKER}", {"raw": json.dumps({"windowingMode": "full"})}
    )
    try:
        nb = open_notebook([SETUP] + [filler] * 25 + ["w"])
        page = nb.page
        scroll_to = (
            FIND_PANEL
            + """
            async ([path, where]) => {
              const notebook = findPanel(path).content;
              const index = where === 'last' ? notebook.widgets.length - 1 : 0;
              notebook.activeCellIndex = index;
              await notebook.scrollToItem(index, 'start');
            }"""
        )
        # Save, then reload: the notebook reopens with the kernel (and the widget's
        # model) alive, and the view is created anew, after the model, in a windowed
        # notebook that renders far cells lazily, then scrolled to. (Lab 4.6 also
        # renders far cells in idle time, so whether the view was first drawn
        # off-screen or on arrival is not something this test can force.)
        page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
        page.wait_for_function(
            FIND_PANEL + "(path) => !findPanel(path).context.model.dirty", arg=nb.path
        )
        page.reload()
        page.wait_for_function(
            FIND_PANEL
            + """(path) => {
              const kernel = findPanel(path)?.sessionContext?.session?.kernel;
              return kernel && kernel.status === 'idle';
            }""",
            arg=nb.path,
            timeout=60_000,
        )
        page.evaluate(scroll_to, [nb.path, "last"])
        page.wait_for_selector(".nba-lineage .nba-node", timeout=20_000)
        viewport = page.locator(".nba-lineage .nba-viewport").bounding_box()
        assert viewport["width"] > 200 and viewport["height"] > 80
        # Fitted once it had a size: every node lies inside the visible drawing.
        page.wait_for_function(
            """() => {
              const v = document.querySelector('.nba-lineage .nba-viewport')
                .getBoundingClientRect();
              const boxes = [...document.querySelectorAll('.nba-lineage .nba-box')]
                .map((b) => b.getBoundingClientRect());
              return boxes.length === 5 && boxes.every((r) => r.width > 10
                && r.left >= v.left - 1 && r.right <= v.right + 1
                && r.top >= v.top - 1 && r.bottom <= v.bottom + 1);
            }""",
            timeout=10_000,
        )
        save_screenshot(page.locator(".nba-lineage"), "lineage_late_render_windowed")
        # The saved widget outputs would be restored (without their kernel) by the
        # next test's page from the workspace: clear them and close the notebook.
        page.evaluate(
            """async () => {
              const commands = window.jupyterapp.commands;
              await commands.execute('notebook:clear-all-cell-outputs');
              await commands.execute('docmanager:save');
              await commands.execute('application:close-all');
            }"""
        )
    finally:
        lab_server.api(
            "PUT", f"/lab/api/settings/{TRACKER}", {"raw": json.dumps({"windowingMode": "none"})}
        )


WIDGETS = [
    "%load_ext nbassets",
    "%%asset\nnumbers = [3, 1, 2]",
    "%%asset\ndef total(numbers):\n    return sum(numbers)",
    SETUP + "\nw.set_statuses({'a': 'materialized', 'b': 'stale', 'd': 'failed'})\nw",
]

STRIP_JP_VARIABLES = """() => {
  let removed = 0;
  const strip = (style) => {
    for (const name of [...style]) {
      if (name.startsWith('--jp-')) { style.removeProperty(name); removed += 1; }
    }
  };
  const walk = (rules) => {
    for (const rule of rules) {
      // Only the page's own variables: the widgets' theme.css defines --jp-* on
      // the widget roots for pages without them, which is what is under test.
      if (rule.style && !(rule.selectorText || '').includes('.nba-')) strip(rule.style);
      if (rule.cssRules) walk(rule.cssRules);
    }
  };
  for (const sheet of document.styleSheets) {
    try { walk(sheet.cssRules); } catch (e) { /* another origin's sheet */ }
  }
  strip(document.documentElement.style);
  strip(document.body.style);
  return removed;
}"""

STYLE_OF = """(selector) => {
  const el = document.querySelector(selector);
  const s = getComputedStyle(el);
  return { color: s.color, background: s.backgroundColor };
}"""


def test_without_jp_variables_the_widgets_use_their_own_fallbacks(open_notebook: Any) -> None:
    nb = open_notebook(WIDGETS)
    page = nb.page
    page.wait_for_selector(".nba-lineage .nba-node")
    page.wait_for_selector(".nba-progress")
    assert page.evaluate(STRIP_JP_VARIABLES) > 100
    ui = page.evaluate(
        "() => getComputedStyle(document.body).getPropertyValue('--jp-ui-font-color1')"
    )
    assert ui.strip() == ""
    lineage = page.evaluate(STYLE_OF, ".nba-lineage")
    progress = page.evaluate(STYLE_OF, ".nba-progress")
    assert lineage == {"color": rgb("#1f2937"), "background": rgb("#ffffff")}
    assert progress["color"] == rgb("#1f2937")
    stale = page.locator('.nba-lineage .nba-node[data-key="b"] .nba-box')
    assert page.evaluate("(el) => getComputedStyle(el).fill", stale.element_handle()) == rgb(
        STATUS_STYLES["stale"].fill
    )
    save_screenshot(page.locator(".nba-progress:visible").first, "progress_without_jp_variables")
    save_screenshot(page.locator(".nba-lineage:visible").first, "lineage_without_jp_variables")


DRESS_AS_VSCODE_DARK = """() => {
  const body = document.body;
  delete body.dataset.jpThemeName;
  delete body.dataset.jpThemeLight;
  body.classList.add('vscode-dark');
  body.style.setProperty('--vscode-editor-foreground', '#d4d4d4');
  body.style.setProperty('--vscode-editor-background', '#1e1e1e');
  body.style.setProperty('--vscode-editorWidget-border', '#454545');
  body.style.background = '#1e1e1e';
  for (const area of document.querySelectorAll('.jp-OutputArea-output')) {
    area.style.background = '#1e1e1e';
  }
}"""


def test_vscode_dark_page_gets_dark_widgets_from_vscode_variables(open_notebook: Any) -> None:
    nb = open_notebook(WIDGETS)
    page = nb.page
    page.wait_for_selector(".nba-lineage .nba-node")
    page.wait_for_selector(".nba-progress")
    page.evaluate(STRIP_JP_VARIABLES)
    page.evaluate(DRESS_AS_VSCODE_DARK)
    lineage = page.evaluate(STYLE_OF, ".nba-lineage")
    assert lineage == {"color": rgb("#d4d4d4"), "background": rgb("#1e1e1e")}
    assert page.evaluate(STYLE_OF, ".nba-progress")["color"] == rgb("#d4d4d4")
    failed = page.locator('.nba-lineage .nba-node[data-key="d"] .nba-box').first
    page.wait_for_function(  # the fill eases to its dark value (a CSS transition)
        "([el, want]) => getComputedStyle(el).fill === want",
        arg=[failed.element_handle(), rgb(STATUS_STYLES["failed"].dark_fill)],
        timeout=5000,
    )
    save_screenshot(page.locator(".nba-progress:visible").first, "progress_vscode_dark")
    save_screenshot(page.locator(".nba-lineage:visible").first, "lineage_vscode_dark")
