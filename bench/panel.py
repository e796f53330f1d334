"""The JupyterLab Assets panel: what a 1,000-step run sends it, and how fast it draws.

Kernel side (always): a 1,000-asset registry materialized with a panel channel
attached to a counting comm, against the same run with no panel. Figures: the
messages and bytes the panel receives (against the run's own event count, which
an undebounced panel would have sent at least), the snapshot's size and time,
and the run's CPU time with and without the panel.

Browser side (with Chromium at /usr/bin/chromium and the extension built): a
real JupyterLab, the panel open on a 1,000-asset notebook. Figures: the panel's
render of 1,000 rows against a baseline of 1,000 plain text rows drawn in the same
page (target <= 0.5 s), and the page's main-thread task time (Chromium's
``Performance.getMetrics``) during a 1,000-step run with the panel connected
against the same run with it disconnected.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.timing import median_time
from nbassets.engine.events import RunEvent
from nbassets.engine.materialize import materialize
from nbassets.graph.registry import Registry
from nbassets.notebook.panel_comm import PanelChannel

N = 1000
REPO = Path(__file__).resolve().parents[1]

# The same layered DAG as bench/lineage.py: each asset reads up to two of the 50 before it.
DEFINE = """
import random
from nbassets import asset, get_registry
registry = get_registry()
rnd = random.Random(3)
for i in range({n}):
    deps = sorted({{f"asset_{{rnd.randrange(i - 50, i)}}" for _ in range(2)}}) if i >= 50 else []
    registry.add(asset(name=f"asset_{{i}}", group_name=f"group_{{i // 100}}", deps=deps)(
        lambda: 1))
"""


class CountingComm:
    """A comm that only counts: what the panel would receive."""

    def __init__(self) -> None:
        self.messages = 0
        self.bytes = 0

    def send(self, data: dict[str, Any]) -> None:
        self.messages += 1
        self.bytes += len(json.dumps(data, separators=(",", ":")))

    def on_msg(self, _callback: Any) -> None:
        return None

    def on_close(self, _callback: Any) -> None:
        return None


def _registry() -> Registry:
    registry = Registry()
    namespace: dict[str, Any] = {}
    source = DEFINE.format(n=N).replace("registry = get_registry()\n", "")
    exec(source, {"registry": registry, **namespace})  # noqa: S102 - our own bench code
    return registry


def kernel_side() -> None:
    print(f"Assets panel, kernel side: a {N:,}-step run")
    registry = _registry()
    events: list[Any] = []
    registry.subscribe(lambda e: events.append(e) if isinstance(e, RunEvent) else None)
    start = time.process_time()
    materialize(registry=registry, raise_on_error=False)
    without = time.process_time() - start
    run_events = len(events)

    registry = _registry()
    comm = CountingComm()
    channel = PanelChannel(comm, registry, {})
    snapshot_bytes = comm.bytes
    snapshot_time = median_time(channel.send_snapshot, repeat=5)
    comm.messages = comm.bytes = 0
    start = time.process_time()
    materialize(registry=registry, raise_on_error=False)
    channel.flush()
    with_panel = time.process_time() - start
    channel.close()
    print(
        f"  snapshot of {N:,} assets: {snapshot_bytes / 1024:.0f} KiB in "
        f"{snapshot_time * 1000:.0f} ms\n"
        f"  during the run the panel got {comm.messages} messages, "
        f"{comm.bytes / 1024:.0f} KiB (the run emitted {run_events:,} events: "
        f"{run_events / max(comm.messages, 1):.0f}x fewer messages)\n"
        f"  run CPU time {with_panel:.2f} s with the panel vs {without:.2f} s without "
        f"({with_panel / without:.2f}x)\n"
    )


class _Temp:
    """``mktemp`` for the test harness's server starter, outside pytest."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def mktemp(self, name: str) -> Path:
        path = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.root))
        return path


RENDER = """
() => {
  const panel = window.nbassets.panel;
  const samples = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    panel._render();
    document.body.offsetHeight;  // include style and layout
    samples.push(performance.now() - t0);
  }
  const base = [];
  const host = document.createElement('div');
  panel.node.append(host);
  const keys = [...panel.connection.rows.keys()];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    host.replaceChildren(...keys.map(k => { const d = document.createElement('div');
      d.textContent = k; return d; }));
    document.body.offsetHeight;
    base.push(performance.now() - t0);
  }
  host.remove();
  const median = xs => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { rows: panel.node.querySelectorAll('.nbassets-row').length,
           panel: median(samples), base: median(base) };
}
"""


def browser_side() -> None:
    print(f"Assets panel, in JupyterLab: {N:,} assets")
    chromium = os.environ.get("NBASSETS_CHROMIUM", "/usr/bin/chromium")
    build = REPO / "nbassets" / "labextension" / "package.json"
    if not os.access(chromium, os.X_OK) or not build.is_file() or shutil.which("dot") is None:
        print("  skipped: needs Chromium, graphviz and the built extension (make install)\n")
        return
    from playwright.sync_api import sync_playwright

    from tests.labextension.conftest import AssetsPage, wait_for_kernel, write_notebook
    from tests.widgets.conftest import CHROMIUM_FLAGS, LabNotebook, jupyter_server

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        extensions = root / "jupyter-path" / "labextensions"
        extensions.mkdir(parents=True)
        (extensions / "nbassets").symlink_to(build.parent, target_is_directory=True)
        servers = jupyter_server(
            _Temp(root),  # type: ignore[arg-type]
            "jupyterlab",
            "--LabApp.expose_app_in_browser=True",
            jupyter_path=root / "jupyter-path",
        )
        server = next(servers)
        playwright = sync_playwright().start()
        try:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            cells = [("load", "%load_ext nbassets"), ("define", DEFINE.format(n=N))]
            name = write_notebook(server, "bench.ipynb", cells)
            page.goto(f"{server.url}/lab/tree/{name}?token={server.token}")
            wait_for_kernel(page, name)
            assets = AssetsPage(page, LabNotebook(page, server, name))
            assets.open_panel()
            assets.notebook.run_all()
            page.wait_for_function(
                f"() => document.querySelectorAll('#nbassets-panel .nbassets-row').length === {N}",
                timeout=60_000,
            )
            render = page.evaluate(RENDER)
            verdict = "ok" if render["panel"] <= 500 else "over target"
            print(
                f"  render of {render['rows']:,} rows: {render['panel']:.0f} ms vs "
                f"{render['base']:.0f} ms for {N:,} plain text rows "
                f"({render['panel'] / max(render['base'], 0.1):.1f}x; target <= 500 ms: {verdict})"
            )
            cdp = page.context.new_cdp_session(page)
            cdp.send("Performance.enable")

            def task_time(code: str) -> float:
                before = _metric(cdp, "TaskDuration")
                assets.notebook.execute(code)
                time.sleep(1.0)  # let the last patches land and draw
                return _metric(cdp, "TaskDuration") - before

            run = (
                "import nbassets\nregistry = nbassets.get_registry()\n"
                "registry.instance.wipe(registry.keys())\n"
                "nbassets.materialize(raise_on_error=False)"
            )
            counts = (
                "from nbassets.notebook.panel_comm import channels\n"
                "print(sum(c.messages_sent for c in channels()), "
                "sum(c.bytes_sent for c in channels()))"
            )
            before = [int(x) for x in assets.notebook.execute(counts).split()]
            connected = statistics.median(task_time(run) for _ in range(3))
            after = [int(x) for x in assets.notebook.execute(counts).split()]
            sent = (after[0] - before[0]) / 3, (after[1] - before[1]) / 3
            # The sidebar collapsed: the notebook is still connected (its marks stay live).
            page.evaluate("() => window.jupyterapp.shell.collapseRight()")
            hidden = statistics.median(task_time(run) for _ in range(3))
            page.evaluate(
                "() => window.nbassets.connectionOf("
                "window.jupyterapp.shell.currentWidget).dispose()"
            )
            closed = statistics.median(task_time(run) for _ in range(3))
            print(
                f"  a {N:,}-step run: {sent[0]:.0f} messages, {sent[1] / 1024:.0f} KiB to the "
                f"panel; page main-thread time {connected * 1000:.0f} ms with the panel shown, "
                f"{hidden * 1000:.0f} ms with it collapsed, {closed * 1000:.0f} ms with no "
                f"connection ({connected / max(closed, 1e-3):.1f}x, "
                f"{hidden / max(closed, 1e-3):.1f}x)\n"
            )
            browser.close()
        finally:
            playwright.stop()
            for _ in servers:  # runs the generator's teardown (shutdown, then PIDs)
                pass


def _metric(cdp: Any, name: str) -> float:
    metrics = cdp.send("Performance.getMetrics")["metrics"]
    return float(next(m["value"] for m in metrics if m["name"] == name))


def main() -> None:
    kernel_side()
    browser_side()


if __name__ == "__main__":
    main()
