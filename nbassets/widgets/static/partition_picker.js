// Partition picker for nbassets.widgets.partition_picker.PartitionPicker.
//
// One canvas draws every partition's state (one letter each, synced as a string), so
// thousands of partitions cost one pass of fillRect. Click or drag selects a key or a
// range; for date-like keys two date inputs select a window. Keys and values are
// inserted as text only.

/**
 * @typedef {{
 *   get(name: "asset"): string,
 *   get(name: "partitions"): string[],
 *   get(name: "states"): string,
 *   get(name: "letters"): Record<string, string>,
 *   get(name: "counts"): [string, number][],
 *   get(name: "selected"): string[],
 *   get(name: "dates"): boolean,
 *   get(name: "preview"): any,
 *   get(name: "message"): string,
 *   get(name: "running"): boolean,
 *   set(name: string, value: unknown): void,
 *   save_changes(): void,
 *   send(content: object): void,
 *   on(event: string, cb: () => void): void,
 *   off(event: string, cb: () => void): void,
 * }} Model
 */

const STRIP_HEIGHT = 26;
// One axis label per this many pixels at most (the first and last always shown).
const LABEL_SPACING = 110;

/**
 * Evenly spread tick indices over `count` partitions, both ends included
 * (as partition_picker.axis_ticks does for the static picture).
 * @param {number} count @param {number} most
 * @returns {number[]}
 */
function axisTicks(count, most) {
  if (count <= 0) return [];
  if (count <= most) return [...Array(count).keys()];
  if (most < 2) return [0];
  const out = new Set();
  for (let k = 0; k < most; k++) out.add(Math.round((k * (count - 1)) / (most - 1)));
  return [...out].sort((a, b) => a - b);
}

/** A daily key's date alone; other keys whole. @param {string} key */
function axisLabel(key) {
  const date = /^\d{4}-\d{2}-\d{2}/.test(key);
  return date && (key.length === 10 || key.slice(10) === "-00:00") ? key.slice(0, 10) : key;
}

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
  const root = html("div", "nba-picker");
  const title = html("div", "nba-picker-title");
  const legend = html("div", "nba-picker-legend");
  const canvas = /** @type {HTMLCanvasElement} */ (html("canvas", "nba-strip"));
  canvas.height = STRIP_HEIGHT;
  const axis = html("div", "nba-axis");
  const hover = html("div", "nba-hover");
  const controls = html("div", "nba-picker-controls");
  const start = /** @type {HTMLInputElement} */ (html("input", "nba-start"));
  const end = /** @type {HTMLInputElement} */ (html("input", "nba-end"));
  start.setAttribute("aria-label", "First partition");
  end.setAttribute("aria-label", "Last partition");
  const chosen = html("span", "nba-chosen");
  const run = /** @type {HTMLButtonElement} */ (html("button", "nba-btn nba-materialize", "Materialize selection"));
  const look = /** @type {HTMLButtonElement} */ (html("button", "nba-btn nba-preview-btn", "Preview"));
  run.type = "button";
  look.type = "button";
  controls.append(start, html("span", "", "to"), end, chosen, run, look);
  const message = html("div", "nba-picker-message");
  const preview = html("div", "nba-preview");
  root.append(title, legend, canvas, axis, hover, controls, message, preview);
  el.replaceChildren(root);

  /** @type {Map<string, number>} */
  let index = new Map();
  /** @type {[number, number] | null} */
  let drag = null;

  function reindex() {
    index = new Map(model.get("partitions").map((k, i) => [k, i]));
  }

  /** @returns {[number, number] | null} */
  function range() {
    const sel = model.get("selected");
    if (sel.length !== 2) return null;
    const a = index.get(sel[0]);
    const b = index.get(sel[1]);
    if (a === undefined || b === undefined) return null;
    return [Math.min(a, b), Math.max(a, b)];
  }

  /** The status colours, generated from nbassets/widgets/statuses.py as CSS variables. */
  function colours() {
    const style = getComputedStyle(root);
    /** @type {Record<string, string>} */
    const out = {};
    for (const [letter, name] of Object.entries(model.get("letters"))) {
      out[letter] = style.getPropertyValue(`--nba-status-${name}-stroke`).trim() || "#9ca3af";
    }
    return out;
  }

  /** @param {string} letter */
  function nameOf(letter) {
    return model.get("letters")[letter] ?? "missing";
  }

  function drawLegend() {
    const n = model.get("partitions").length;
    title.textContent = `${model.get("asset")}: ${n} partition${n === 1 ? "" : "s"}`;
    legend.replaceChildren();
    for (const [name, count] of model.get("counts")) {
      const item = html("span", "nba-legend-item");
      item.dataset.status = name;
      const safe = name.replace(/[^a-z]/g, "");
      const swatch = html("span", `nba-swatch nba-status-${safe}`);
      swatch.style.background = `var(--nba-status-${safe}-stroke)`; // the strip's colour
      item.append(swatch, html("span", "", `${count} ${name}`));
      legend.append(item);
    }
  }

  /** @param {number} width */
  function drawAxis(width) {
    const keys = model.get("partitions");
    axis.replaceChildren();
    const ticks = axisTicks(keys.length, Math.max(2, Math.floor(width / LABEL_SPACING)));
    const w = width / Math.max(1, keys.length);
    for (const i of ticks) {
      const label = html("span", "nba-tick", axisLabel(keys[i]));
      label.title = keys[i];
      const x = (i + 0.5) * w;
      if (i === ticks[0]) label.style.left = "0";
      else if (i === ticks[ticks.length - 1]) label.style.right = "0";
      else {
        label.style.left = `${x}px`;
        label.style.transform = "translateX(-50%)";
      }
      const mark = html("span", "nba-tick-mark");
      mark.style.left = `${x}px`;
      axis.append(mark, label);
    }
  }

  function draw() {
    const keys = model.get("partitions");
    const states = model.get("states");
    const width = Math.max(100, root.clientWidth || 600);
    if (canvas.width !== width) canvas.width = width;
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    const colour = colours();
    ctx.clearRect(0, 0, width, STRIP_HEIGHT);
    const n = keys.length;
    const w = width / Math.max(1, n);
    for (let i = 0; i < n; i++) {
      ctx.fillStyle = colour[states[i]] ?? colour._;
      ctx.fillRect(Math.floor(i * w), 4, Math.max(1, Math.ceil(w) - (w > 3 ? 1 : 0)), STRIP_HEIGHT - 8);
    }
    const r = drag ? [Math.min(...drag), Math.max(...drag)] : range();
    if (r) {
      ctx.strokeStyle = getComputedStyle(root).color || "#111827";
      ctx.lineWidth = 2;
      ctx.strokeRect(Math.floor(r[0] * w) + 1, 1, Math.max(2, (r[1] - r[0] + 1) * w) - 2, STRIP_HEIGHT - 2);
    }
    drawLegend();
    drawAxis(canvas.clientWidth || width);
  }

  function showSelection() {
    const r = range();
    const keys = model.get("partitions");
    const dates = model.get("dates");
    start.type = dates ? "date" : "text";
    end.type = dates ? "date" : "text";
    if (r) {
      start.value = dates ? keys[r[0]].slice(0, 10) : keys[r[0]];
      end.value = dates ? keys[r[1]].slice(0, 10) : keys[r[1]];
      chosen.textContent = r[0] === r[1] ? `1 partition: ${keys[r[0]]}` : `${r[1] - r[0] + 1} partitions: ${keys[r[0]]} … ${keys[r[1]]}`;
    } else {
      chosen.textContent = "Click or drag on the strip to choose partitions";
    }
    run.disabled = !r || model.get("running");
    look.disabled = !r || r[0] !== r[1];
    draw();
  }

  /** @param {number} a @param {number} b */
  function select(a, b) {
    const keys = model.get("partitions");
    model.set("selected", [keys[Math.min(a, b)], keys[Math.max(a, b)]]);
    model.save_changes();
    showSelection();
  }

  /** @param {PointerEvent} event */
  function at(event) {
    const rect = canvas.getBoundingClientRect();
    const n = model.get("partitions").length;
    const i = Math.floor(((event.clientX - rect.left) / rect.width) * n);
    return Math.max(0, Math.min(n - 1, i));
  }

  canvas.addEventListener("pointerdown", (event) => {
    if (!model.get("partitions").length) return;
    const i = at(event);
    drag = [i, i];
    canvas.setPointerCapture(event.pointerId);
    draw();
  });
  canvas.addEventListener("pointermove", (event) => {
    const keys = model.get("partitions");
    if (!keys.length) return;
    const i = at(event);
    const state = model.get("states")[i];
    hover.textContent = `${keys[i]}: ${nameOf(state)}`;
    if (drag) {
      drag[1] = i;
      draw();
    }
  });
  canvas.addEventListener("pointerup", (event) => {
    if (!drag) return;
    const [a, b] = drag;
    drag = null;
    canvas.releasePointerCapture(event.pointerId);
    select(a, at(event) ?? b);
  });
  canvas.addEventListener("pointerleave", () => {
    hover.textContent = "";
  });

  /** @param {string} value @param {boolean} last */
  function find(value, last) {
    const keys = model.get("partitions");
    if (!value) return -1;
    if (index.has(value)) return /** @type {number} */ (index.get(value));
    // A date picks the first (or last) partition of that day.
    let found = -1;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i].startsWith(value)) {
        found = i;
        if (!last) break;
      }
    }
    return found;
  }

  /** A changed bound moves the other one along when they would cross.
   * @param {boolean} isStart
   */
  const onInput = (isStart) => {
    const a = find(start.value, false);
    const b = find(end.value, true);
    const changed = isStart ? a : b;
    if (changed < 0) {
      message.textContent = "No partition matches that input.";
      return;
    }
    message.textContent = "";
    if (isStart) select(a, b >= a ? b : a);
    else select(a >= 0 && a <= b ? a : b, b);
  };
  start.addEventListener("change", () => onInput(true));
  end.addEventListener("change", () => onInput(false));
  run.addEventListener("click", () => {
    if (range() && !model.get("running")) model.send({ action: "materialize" });
  });
  look.addEventListener("click", () => {
    const r = range();
    if (r) model.send({ action: "preview", partition: model.get("partitions")[r[0]] });
  });

  function showPreview() {
    const p = model.get("preview");
    preview.replaceChildren();
    if (!p || !p.kind) return;
    preview.append(html("div", "nba-preview-title", `Value of partition ${p.partition}`));
    if (p.kind === "table") {
      const t = html("table", "nba-table");
      const head = t.createTHead().insertRow();
      const align = p.align ?? [];
      const side = (/** @type {number} */ i) => (align[i] === "right" ? "nba-right" : "nba-left");
      p.columns.forEach((/** @type {string} */ c, /** @type {number} */ i) => head.append(html("th", side(i), c)));
      const body = t.createTBody();
      for (const row of p.rows) {
        const tr = body.insertRow();
        row.forEach((/** @type {unknown} */ cell, /** @type {number} */ i) => tr.append(html("td", side(i), String(cell))));
      }
      preview.append(t);
    } else {
      preview.append(html("pre", "nba-pre", p.text ?? ""));
    }
  }

  const onMessage = () => {
    message.textContent = model.get("message");
  };
  const onPartitions = () => {
    reindex();
    showSelection();
  };
  model.on("change:partitions", onPartitions);
  model.on("change:states", draw);
  model.on("change:counts", draw);
  model.on("change:selected", showSelection);
  model.on("change:running", showSelection);
  model.on("change:preview", showPreview);
  model.on("change:message", onMessage);
  const observer = new ResizeObserver(draw);
  observer.observe(root);
  reindex();
  showSelection();
  showPreview();
  onMessage();
  return () => {
    observer.disconnect();
    model.off("change:partitions", onPartitions);
    model.off("change:states", draw);
    model.off("change:counts", draw);
    model.off("change:selected", showSelection);
    model.off("change:running", showSelection);
    model.off("change:preview", showPreview);
    model.off("change:message", onMessage);
  };
}

export default { render };
