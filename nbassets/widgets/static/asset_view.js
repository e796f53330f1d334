// Asset view for nbassets.widgets.asset_view.AssetViewWidget.
//
// Every string from the kernel (keys, descriptions, metadata, logs, errors, source)
// is inserted with textContent. Markdown metadata is shown as its source text:
// nothing here ever parses HTML.

/**
 * @typedef {{
 *   get(name: "data"): any,
 *   get(name: "tab"): string,
 *   set(name: string, value: unknown): void,
 *   save_changes(): void,
 *   send(content: object): void,
 *   on(event: string, cb: () => void): void,
 *   off(event: string, cb: () => void): void,
 * }} Model
 */

const SVG_NS = "http://www.w3.org/2000/svg";
const TABS = [
  ["value", "Value"], ["metadata", "Metadata"], ["logs", "Logs"],
  ["definition", "Definition"], ["history", "History"],
];

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

/**
 * @param {string[]} headers
 * @param {string[][]} rows
 * @param {string[]} [align] "left" or "right" per column (header and cells alike)
 */
function table(headers, rows, align = []) {
  const t = html("table", "nba-table");
  const side = (/** @type {number} */ i) => (align[i] === "right" ? "nba-right" : "nba-left");
  const head = t.createTHead().insertRow();
  headers.forEach((h, i) => head.append(html("th", side(i), h)));
  const body = t.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    row.forEach((cell, i) => tr.append(html("td", side(i), String(cell))));
  }
  return t;
}

/** A small line chart of one numeric metadata entry over history.
 * @param {{name: string, values: number[]}} s
 */
function chart(s) {
  const w = 220;
  const h = 48;
  const box = html("div", "nba-chart");
  const min = Math.min(...s.values);
  const max = Math.max(...s.values);
  const span = max - min || 1;
  const pts = s.values.map((v, i) => {
    const x = 4 + (i * (w - 8)) / Math.max(1, s.values.length - 1);
    const y = h - 4 - ((v - min) * (h - 8)) / span;
    return `${x.toFixed(1)},${y.toFixed(1)}`;
  });
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("width", String(w));
  svg.setAttribute("height", String(h));
  svg.setAttribute("class", "nba-spark");
  const line = document.createElementNS(SVG_NS, "polyline");
  line.setAttribute("points", pts.join(" "));
  svg.append(line);
  for (const p of pts) {
    const [cx, cy] = p.split(",");
    const dot = document.createElementNS(SVG_NS, "circle");
    dot.setAttribute("cx", cx);
    dot.setAttribute("cy", cy);
    dot.setAttribute("r", "2");
    svg.append(dot);
  }
  const last = s.values[s.values.length - 1];
  box.append(html("div", "nba-chart-title", `${s.name}: ${last} (min ${min}, max ${max}, ${s.values.length} runs)`), svg);
  return box;
}

/**
 * The unified diff of the asset's code since it last ran, one line per element
 * (added and removed lines marked by a class), as text.
 * @param {string} diff
 * @returns {HTMLElement}
 */
function diffBlock(diff) {
  const block = html("details", "nba-diff");
  block.open = true;
  block.append(html("summary", "", "Code changed since it last ran"));
  const pre = html("pre", "nba-pre nba-diff-lines");
  for (const line of diff.replace(/\n$/, "").split("\n")) {
    const kind = line.startsWith("+++") || line.startsWith("---") ? "file"
      : line.startsWith("+") ? "add" : line.startsWith("-") ? "del"
        : line.startsWith("@@") ? "hunk" : "same";
    pre.append(html("span", `nba-diff-${kind}`, `${line}\n`));
  }
  block.append(pre);
  return block;
}

/** @param {{ model: Model, el: HTMLElement }} ctx */
function render({ model, el }) {
  const root = html("div", "nba-asset");
  el.replaceChildren(root);

  function draw() {
    const data = model.get("data");
    const h = data.header ?? {};
    root.replaceChildren();
    const header = html("div", "nba-asset-header");
    const title = html("span", "nba-asset-key", h.key ?? "");
    const status = html("span", `nba-badge nba-badge-${String(h.status).replace(/[^a-z]/g, "")}`, h.status ?? "");
    header.append(title, status);
    const facts = html("div", "nba-asset-facts");
    for (const [name, value] of [
      ["group", h.group], ["kinds", (h.kinds ?? []).join(", ")],
      ["code version", h.code_version], ["partitions", h.partitions],
      ["value from", h.value_from], ["on disk", h.on_disk],
    ]) {
      if (!value) continue;
      const item = html("span", "nba-fact");
      item.append(html("b", "", `${name} `), html("span", "", value));
      facts.append(item);
    }
    root.append(header, facts);
    const d = data.definition ?? {};
    if (d.upstream?.length || d.downstream?.length) {
      // Neighbours as links: a click opens that asset in this view.
      const links = html("div", "nba-links");
      for (const [name, keys] of [["upstream", d.upstream ?? []], ["downstream", d.downstream ?? []]]) {
        if (!keys.length) continue;
        const group = html("span", `nba-link-group nba-${name}`);
        group.append(html("b", "", `${name} `));
        for (const key of keys) {
          const link = /** @type {HTMLButtonElement} */ (html("button", "nba-link", key));
          link.type = "button";
          link.dataset.key = key;
          link.addEventListener("click", () => model.send({ action: "open", key }));
          group.append(link);
        }
        links.append(group);
      }
      root.append(links);
    }
    if (data.gone) root.append(html("div", "nba-gone", data.gone));
    if (h.description) root.append(html("div", "nba-description", h.description));
    if (h.stale?.length) {
      const stale = html("div", "nba-stale");
      stale.append(html("b", "", "Stale because: "), html("span", "", h.stale.join("; ")));
      root.append(stale);
    }
    if (data.definition?.diff) root.append(diffBlock(data.definition.diff));
    if (data.outcome) {
      root.append(html("pre", "nba-outcome", `${data.outcome.status}: ${data.outcome.message}`));
    }
    const bar = html("div", "nba-tabs");
    bar.setAttribute("role", "tablist");
    const panel = html("div", "nba-panel");
    const current = model.get("tab");
    for (const [name, label] of TABS) {
      const b = /** @type {HTMLButtonElement} */ (html("button", "nba-tab", label));
      b.type = "button";
      b.setAttribute("role", "tab");
      b.dataset.tab = name;
      b.setAttribute("aria-selected", String(name === current));
      b.addEventListener("click", () => {
        model.set("tab", name);
        model.save_changes();
        draw();
      });
      bar.append(b);
    }
    root.append(bar, panel);
    drawPanel(panel, current, data);
  }

  /**
   * @param {HTMLElement} panel
   * @param {string} tab
   * @param {any} data
   */
  function drawPanel(panel, tab, data) {
    panel.dataset.tab = tab;
    if (tab === "value") {
      const v = data.value ?? { kind: "none", text: "" };
      if (v.partition) {
        panel.append(html("div", "nba-note nba-value-partition", `Value of partition ${v.partition} (materialized last)`));
      }
      if (v.kind === "table") {
        panel.append(html("div", "nba-note", `${v.label ?? `DataFrame ${v.shape}`}${v.truncated ? " (first rows)" : ""}`));
        panel.append(table(v.columns, v.rows, v.align));
      } else if (v.kind === "image" && v.mime === "image/png" && /^[A-Za-z0-9+/=]+$/.test(v.data)) {
        const img = /** @type {HTMLImageElement} */ (html("img", "nba-image"));
        img.alt = "value";
        img.src = `data:image/png;base64,${v.data}`;
        panel.append(img);
      } else {
        if (v.type) panel.append(html("div", "nba-note", v.type));
        panel.append(html("pre", "nba-pre", v.text ?? ""));
      }
    } else if (tab === "metadata") {
      if (!data.metadata?.length) panel.append(html("div", "nba-note", "No metadata."));
      for (const m of data.metadata ?? []) {
        const row = html("div", "nba-meta-row");
        row.dataset.type = m.type;
        row.append(html("span", "nba-meta-name", m.name), html("span", "nba-meta-type", m.type));
        // Markdown and JSON keep their source text; nothing is parsed as HTML.
        const multi = m.type === "md" || m.type === "json" || m.type === "table";
        row.append(html(multi ? "pre" : "span", "nba-meta-value", m.text));
        panel.append(row);
      }
      for (const s of data.series ?? []) panel.append(chart(s));
    } else if (tab === "logs") {
      panel.append(data.logs?.length ? html("pre", "nba-pre", data.logs.join("\n")) : html("div", "nba-note", "No log lines from runs in this kernel."));
    } else if (tab === "definition") {
      const d = data.definition ?? {};
      const deps = html("div", "nba-deps");
      deps.append(html("b", "", "upstream "), html("span", "", (d.upstream ?? []).join(", ") || "none"));
      deps.append(html("b", "", "  downstream "), html("span", "", (d.downstream ?? []).join(", ") || "none"));
      if (d.checks?.length) deps.append(html("b", "", "  checks "), html("span", "", d.checks.join(", ")));
      panel.append(deps, html("pre", "nba-pre nba-source", d.source || "(no source)"));
    } else {
      const rows = data.history ?? [];
      panel.append(rows.length
        ? table(["when", "run", "partition", "duration", "code", "metadata"], rows)
        : html("div", "nba-note", "Never materialized."));
    }
  }

  model.on("change:data", draw);
  draw();
  return () => model.off("change:data", draw);
}

export default { render };
