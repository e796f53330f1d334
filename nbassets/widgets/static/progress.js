// Run progress view for nbassets.widgets.progress.RunProgress.
//
// Rows are keyed by step id and updated in place, so a failed row the user
// opened stays open while the run goes on. Every string from the kernel
// (labels, metadata, errors, logs) is inserted with textContent.
//
// The kernel sends changed rows as custom messages ({type: "rows", rows}); the
// `rows` trait is the snapshot a view starts from (set again when the run ends).
// Runs longer than `light_rows` steps draw only the rows worth reading: failed,
// skipped, running, and the last RECENT finished ones.

/**
 * @typedef {{id: string, label: string, partition: string, kind: string, status: string,
 *   duration: number | null, metadata: string, retries: number, error: string,
 *   traceback: string, logs: string[]}} Row
 * @typedef {{
 *   get(name: "rows"): Row[],
 *   get(name: "total"): number,
 *   get(name: "done"): number,
 *   get(name: "light_rows"): number,
 *   get(name: "summary"): string,
 *   get(name: "finished"): boolean,
 *   get(name: "uid"): string,
 *   on(event: string, cb: (...args: any[]) => void): void,
 *   off(event: string, cb: (...args: any[]) => void): void,
 * }} Model
 */

const MARKS = {
  pending: "·", running: "◌", success: "✓", failed: "✗", skipped: "↷", canceled: "■",
  passed: "✓", warning: "!",
};
const RECENT = 30;
const FINISHED = new Set(["success", "passed"]);

/**
 * @param {string} tag
 * @param {string} className
 * @param {string} [text]
 * @returns {HTMLElement}
 */
function html(tag, className, text) {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** @param {{ model: Model, el: HTMLElement }} ctx */
function render({ model, el }) {
  const root = html("div", "nba-progress");
  const head = html("div", "nba-progress-head");
  const bar = html("div", "nba-bar");
  const fill = html("div", "nba-bar-fill");
  bar.setAttribute("role", "progressbar");
  bar.setAttribute("aria-valuemin", "0");
  bar.append(fill);
  const summary = html("span", "nba-progress-summary");
  head.append(bar, summary);
  const dashboard = model.get("dashboard");
  if (dashboard) {
    // The run executes on a Dask cluster: its own dashboard shows workers and tasks.
    const link = html("a", "nba-dashboard", "Dask dashboard");
    link.href = dashboard;
    link.target = "_blank";
    link.rel = "noopener";
    head.append(link);
  }
  const list = html("div", "nba-rows");
  root.append(head, list);
  el.replaceChildren(root);

  /** @type {Map<string, {row: HTMLElement, mark: HTMLElement, label: HTMLElement,
   *   time: HTMLElement, meta: HTMLElement, retries: HTMLElement, details: HTMLElement,
   *   trace: HTMLElement, logs: HTMLElement, sig: string}>} */
  const shown = new Map();

  /** @param {Row} r */
  function build(r) {
    const row = html("div", "nba-row");
    row.dataset.id = r.id;
    const line = html("div", "nba-row-line");
    const mark = html("span", "nba-mark");
    const label = html("span", "nba-step");
    const time = html("span", "nba-time");
    const meta = html("span", "nba-meta");
    const retries = html("span", "nba-retries");
    line.append(mark, label, time, retries, meta);
    const details = html("details", "nba-details");
    const what = html("summary", "nba-error");
    const trace = html("pre", "nba-traceback");
    details.append(what, trace);
    const logs = html("pre", "nba-logs");
    row.append(line, details, logs);
    list.append(row);
    const parts = { row, mark, label, time, meta, retries, details, trace, logs, sig: "" };
    shown.set(r.id, parts);
    return parts;
  }

  const store = storeOf(model);
  const data = store.data;
  const note = html("div", "nba-progress-note");
  root.append(note);

  /** @param {Row[]} all @param {boolean} long */
  function visibleRows(all, long) {
    if (!long) return all;
    const recent = new Set(all.filter((r) => FINISHED.has(r.status)).slice(-RECENT));
    return all.filter((r) => recent.has(r) || (r.status !== "pending" && !FINISHED.has(r.status)));
  }

  function update() {
    const all = [...data.values()];
    const total = Math.max(model.get("total"), all.length);
    const long = total > model.get("light_rows");
    const rows = visibleRows(all, long);
    const order = [];
    for (const r of rows) {
      const parts = shown.get(r.id) ?? build(r);
      order.push(parts.row);
      const sig = JSON.stringify(r);
      if (parts.sig === sig) continue;
      parts.sig = sig;
      parts.row.dataset.status = r.status;
      parts.row.dataset.kind = r.kind;
      parts.mark.textContent = MARKS[/** @type {keyof MARKS} */ (r.status)] ?? "?";
      parts.label.textContent = r.partition ? `${r.label} [${r.partition}]` : r.label;
      parts.time.textContent = r.duration === null ? "" : `${r.duration.toFixed(3)}s`;
      parts.meta.textContent = r.status === "skipped" ? `skipped: ${r.error}` : r.metadata;
      parts.retries.textContent = r.retries ? `${r.retries} retr${r.retries === 1 ? "y" : "ies"}` : "";
      const failed = r.status === "failed" || r.status === "warning";
      parts.details.hidden = !failed;
      if (failed) {
        const what = /** @type {HTMLElement} */ (parts.details.firstChild);
        what.textContent = r.error;
        parts.trace.textContent = r.traceback;
      }
      parts.logs.hidden = r.logs.length === 0;
      parts.logs.textContent = r.logs.join("\n");
    }
    if (long) {
      // Only the visible rows stay in the page: thousands of steps, tens of elements.
      const keep = new Set(rows.map((r) => r.id));
      for (const [id, parts] of shown) {
        if (!keep.has(id)) {
          parts.row.remove();
          shown.delete(id);
        }
      }
      list.replaceChildren(...order);
    }
    const done = Math.max(model.get("done"), 0);
    note.hidden = !long;
    note.textContent = long
      ? `${total} steps: showing failures, skips, running steps and the last ${RECENT} finished`
      : "";
    const pct = total ? Math.round((100 * done) / total) : 100;
    fill.style.width = `${pct}%`;
    bar.setAttribute("aria-valuemax", String(total));
    bar.setAttribute("aria-valuenow", String(done));
    root.classList.toggle("nba-finished", model.get("finished"));
    root.classList.toggle("nba-has-failure", all.some((r) => r.status === "failed"));
    summary.textContent = `${done}/${total} · ${model.get("summary")}`;
  }

  store.views.add(update);
  model.on("change:summary", update);
  model.on("change:finished", update);
  update();
  return () => {
    store.views.delete(update);
    model.off("change:summary", update);
    model.off("change:finished", update);
  };
}

/**
 * Rows live per widget model, not per view: the kernel's row messages are applied as
 * they arrive, so a view rendered after a run began (an output drawn late, a second
 * view) still shows every step's latest state.
 * @type {Map<string, {data: Map<string, Row>, views: Set<() => void>}>}
 */
const STORES = new Map();

/** @param {Model} model */
function storeOf(model) {
  const uid = model.get("uid");
  let store = STORES.get(uid);
  if (!store) {
    store = { data: new Map(), views: new Set() };
    STORES.set(uid, store);
  }
  return store;
}

/** @param {{ model: Model }} ctx */
function initialize({ model }) {
  const store = storeOf(model);
  const redraw = () => store.views.forEach((update) => update());
  function reload() {
    store.data.clear();
    for (const r of model.get("rows")) store.data.set(r.id, r);
    redraw();
  }
  /** @param {any} msg */
  function onMessage(msg) {
    if (!msg || msg.type !== "rows") return;
    for (const r of msg.rows) store.data.set(r.id, r);
    redraw();
  }
  reload();
  model.on("change:rows", reload);
  model.on("msg:custom", onMessage);
  return () => {
    model.off("change:rows", reload);
    model.off("msg:custom", onMessage);
    STORES.delete(model.get("uid"));
  };
}

export default { initialize, render };
