// Run progress view for nbassets.widgets.progress.RunProgress.
//
// Rows are keyed by step id and updated in place, so a failed row the user
// opened stays open while the run goes on. Every string from the kernel
// (labels, metadata, errors, logs) is inserted with textContent.

/**
 * @typedef {{id: string, label: string, partition: string, kind: string, status: string,
 *   duration: number | null, metadata: string, retries: number, error: string,
 *   traceback: string, logs: string[]}} Row
 * @typedef {{
 *   get(name: "rows"): Row[],
 *   get(name: "total"): number,
 *   get(name: "summary"): string,
 *   get(name: "finished"): boolean,
 *   on(event: string, cb: () => void): void,
 *   off(event: string, cb: () => void): void,
 * }} Model
 */

const MARKS = {
  pending: "·", running: "◌", success: "✓", failed: "✗", skipped: "↷", canceled: "■",
};

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

  function update() {
    const rows = model.get("rows");
    let done = 0;
    for (const r of rows) {
      if (r.status !== "pending" && r.status !== "running") done += 1;
      const parts = shown.get(r.id) ?? build(r);
      const sig = JSON.stringify(r);
      if (parts.sig === sig) continue;
      parts.sig = sig;
      parts.row.dataset.status = r.status;
      parts.mark.textContent = MARKS[/** @type {keyof MARKS} */ (r.status)] ?? "?";
      parts.label.textContent = r.partition ? `${r.label} [${r.partition}]` : r.label;
      parts.time.textContent = r.duration === null ? "" : `${r.duration.toFixed(3)}s`;
      parts.meta.textContent = r.status === "skipped" ? `skipped: ${r.error}` : r.metadata;
      parts.retries.textContent = r.retries ? `${r.retries} retr${r.retries === 1 ? "y" : "ies"}` : "";
      const failed = r.status === "failed";
      parts.details.hidden = !failed;
      if (failed) {
        const what = /** @type {HTMLElement} */ (parts.details.firstChild);
        what.textContent = r.error;
        parts.trace.textContent = r.traceback;
      }
      parts.logs.hidden = r.logs.length === 0;
      parts.logs.textContent = r.logs.join("\n");
    }
    const total = Math.max(model.get("total"), rows.length);
    const pct = total ? Math.round((100 * done) / total) : 100;
    fill.style.width = `${pct}%`;
    bar.setAttribute("aria-valuemax", String(total));
    bar.setAttribute("aria-valuenow", String(done));
    root.classList.toggle("nba-finished", model.get("finished"));
    root.classList.toggle("nba-has-failure", rows.some((r) => r.status === "failed"));
    summary.textContent = `${done}/${total} · ${model.get("summary")}`;
  }

  model.on("change:rows", update);
  model.on("change:summary", update);
  model.on("change:finished", update);
  update();
  return () => {
    model.off("change:rows", update);
    model.off("change:summary", update);
    model.off("change:finished", update);
  };
}

export default { render };
