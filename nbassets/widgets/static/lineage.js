// Lineage graph view for nbassets.widgets.lineage.LineageWidget.
//
// Draws the layout graphviz computed in the kernel; never lays anything out here.
// Statuses and selection only toggle classes on existing elements, so a run can
// recolour a 1,000-node graph many times a second. Every user-controlled string
// (asset keys, group names) goes into the page as text, never as markup.

/**
 * @typedef {{id: string, key: string, x: number, y: number, width: number,
 *   height: number, group: string, external: boolean}} LayoutNode
 * @typedef {{source: string, target: string, d: string, arrow: string}} LayoutEdge
 * @typedef {{id: string, label: string, x: number, y: number, width: number,
 *   height: number, label_x: number, label_y: number}} LayoutCluster
 * @typedef {{width: number, height: number, nodes: LayoutNode[], edges: LayoutEdge[],
 *   clusters: LayoutCluster[]}} GraphLayout
 * @typedef {{name: string, label: string, fill: string, stroke: string,
 *   dark_fill: string, dark_stroke: string}} StatusStyle
 * @typedef {{
 *   get(name: "graph_layout"): GraphLayout,
 *   get(name: "statuses"): Record<string, string>,
 *   get(name: "counts"): Record<string, string> | undefined,
 *   get(name: "selected"): string[],
 *   get(name: "running"): boolean,
 *   get(name: "status_styles"): StatusStyle[],
 *   get(name: "height"): number,
 *   get(name: "message"): string,
 *   set(name: string, value: unknown): void,
 *   save_changes(): void,
 *   send(content: object): void,
 *   on(event: string, cb: (...args: any[]) => void): void,
 *   off(event: string, cb: (...args: any[]) => void): void,
 * }} Model
 */

const SVG_NS = "http://www.w3.org/2000/svg";
const MAX_AUTO_HEIGHT = 520;
const MIN_HEIGHT = 140;
const DRAG_THRESHOLD = 3;

/**
 * @param {string} tag
 * @param {Record<string, string | number>} [attrs]
 * @returns {SVGElement}
 */
function svg(tag, attrs = {}) {
  const node = /** @type {SVGElement} */ (document.createElementNS(SVG_NS, tag));
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return node;
}

/**
 * @param {string} tag
 * @param {string} className
 * @param {string} [text] inserted with textContent, never parsed
 * @returns {HTMLElement}
 */
function html(tag, className, text) {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Status names and colours come from Python; keep only what is safe in a stylesheet.
 * @param {StatusStyle[]} styles
 * @returns {string}
 */
function statusStylesheet(styles) {
  const ok = (/** @type {string} */ c) => /^#[0-9a-fA-F]{3,8}$/.test(c);
  const rules = [];
  for (const s of styles) {
    if (!/^[a-z_-]+$/.test(s.name) || ![s.fill, s.stroke, s.dark_fill, s.dark_stroke].every(ok)) {
      continue;
    }
    const cls = `.nba-status-${s.name}`;
    const dark = `body[data-jp-theme-light="false"] .nba-lineage, body.vscode-dark .nba-lineage`;
    rules.push(
      `.nba-lineage ${cls} > rect.nba-box, .nba-lineage .nba-swatch${cls}` +
        ` { fill: ${s.fill}; background: ${s.fill}; stroke: ${s.stroke}; border-color: ${s.stroke}; }`,
      dark
        .split(", ")
        .map((p) => `${p} ${cls} > rect.nba-box, ${p} .nba-swatch${cls}`)
        .join(", ") +
        ` { fill: ${s.dark_fill}; background: ${s.dark_fill}; stroke: ${s.dark_stroke};` +
        ` border-color: ${s.dark_stroke}; }`,
    );
  }
  return rules.join("\n");
}

/** @param {{ model: Model, el: HTMLElement }} ctx */
function render({ model, el }) {
  const root = html("div", "nba-lineage");
  const style = document.createElement("style");
  const toolbar = html("div", "nba-toolbar");
  /** @type {Record<string, HTMLButtonElement>} */
  const buttons = {};
  for (const [mode, label, title] of [
    ["selected", "Materialize selected", "Materialize the selected assets"],
    ["downstream", "+ downstream", "Materialize the selected assets and everything downstream"],
    ["upstream", "+ upstream", "Materialize the selected assets and everything upstream"],
  ]) {
    const button = /** @type {HTMLButtonElement} */ (html("button", "nba-btn", label));
    button.type = "button";
    button.title = title;
    button.dataset.mode = mode;
    button.addEventListener("click", () => {
      const keys = model.get("selected");
      if (keys.length && !model.get("running")) model.send({ action: "materialize", mode, keys });
    });
    buttons[mode] = button;
    toolbar.append(button);
  }
  const fitButton = /** @type {HTMLButtonElement} */ (html("button", "nba-btn nba-fit", "Fit"));
  fitButton.type = "button";
  fitButton.title = "Fit the whole graph in view";
  const search = /** @type {HTMLInputElement} */ (html("input", "nba-search"));
  search.type = "search";
  search.placeholder = "Search assets";
  search.setAttribute("aria-label", "Search assets");
  const searchInfo = html("span", "nba-search-info");
  const info = html("span", "nba-info");
  toolbar.append(fitButton, search, searchInfo, info);

  const legend = html("div", "nba-legend");
  const message = html("div", "nba-message");
  message.setAttribute("role", "status");
  const viewport = html("div", "nba-viewport");
  viewport.tabIndex = 0;
  const hint = html("div", "nba-hint", "Click the graph or hold Ctrl to zoom with the wheel");
  const canvas = /** @type {SVGSVGElement} */ (svg("svg", { class: "nba-canvas" }));
  const scene = svg("g", { class: "nba-scene" });
  canvas.append(scene);
  viewport.append(canvas, hint);
  root.append(style, toolbar, message, legend, viewport);
  el.replaceChildren(root);

  /** @type {Map<string, SVGElement>} */
  let nodeEls = new Map();
  /** @type {Map<string, string>} node id -> key */
  let keyOf = new Map();
  /** @type {Map<string, string>} key -> node id */
  let idOf = new Map();
  /** @type {{el: SVGElement, source: string, target: string}[]} */
  let edgeEls = [];
  /** @type {Map<string, string>} node id -> status class currently set */
  const shownStatus = new Map();
  /** @type {Map<string, SVGElement>} node id -> the count drawn on it */
  const countEls = new Map();
  let view = { k: 1, x: 0, y: 0 };
  let userMoved = false;
  let active = false;
  /** @type {string[]} */
  let matches = [];
  let matchIndex = 0;

  function drawLegend() {
    const styles = model.get("status_styles");
    style.textContent = statusStylesheet(styles);
    legend.replaceChildren();
    for (const s of styles) {
      const item = html("span", "nba-legend-item");
      item.append(html("span", `nba-swatch nba-status-${s.name}`), html("span", "", s.label));
      legend.append(item);
    }
  }

  function showMessage() {
    const text = model.get("message");
    message.textContent = text;
    message.hidden = !text;
  }

  function viewportHeight() {
    const fixed = model.get("height");
    if (fixed > 0) return fixed;
    const h = model.get("graph_layout").height + 16;
    return Math.max(MIN_HEIGHT, Math.min(MAX_AUTO_HEIGHT, h));
  }

  function build() {
    const layout = model.get("graph_layout");
    viewport.style.height = `${viewportHeight()}px`;
    scene.replaceChildren();
    nodeEls = new Map();
    keyOf = new Map();
    idOf = new Map();
    edgeEls = [];
    shownStatus.clear();
    countEls.clear();
    const clusters = svg("g", { class: "nba-clusters" });
    for (const c of layout.clusters) {
      const g = svg("g", { class: "nba-cluster", "data-id": c.id });
      const label = svg("text", { x: c.label_x, y: c.label_y, "text-anchor": "middle" });
      label.textContent = c.label;
      g.append(svg("rect", { x: c.x, y: c.y, width: c.width, height: c.height, rx: 6 }), label);
      clusters.append(g);
    }
    const edges = svg("g", { class: "nba-edges" });
    for (const e of layout.edges) {
      const g = svg("g", { class: "nba-edge", "data-source": e.source, "data-target": e.target });
      g.append(svg("path", { d: e.d }));
      if (e.arrow) g.append(svg("polygon", { points: e.arrow }));
      edges.append(g);
      edgeEls.push({ el: g, source: e.source, target: e.target });
    }
    const nodes = svg("g", { class: "nba-nodes" });
    for (const n of layout.nodes) {
      const g = svg("g", { class: "nba-node", "data-id": n.id });
      g.setAttribute("data-key", n.key);
      if (n.external) g.classList.add("nba-external");
      const title = svg("title");
      const pad = 3;
      const halo = svg("rect", {
        class: "nba-halo", x: n.x - pad, y: n.y - pad,
        width: n.width + 2 * pad, height: n.height + 2 * pad, rx: 6,
      });
      const box = svg("rect", {
        class: "nba-box", x: n.x, y: n.y, width: n.width, height: n.height, rx: 4,
      });
      const label = svg("text", {
        class: "nba-label", x: n.x + n.width / 2, y: n.y + n.height / 2,
        "text-anchor": "middle", "dominant-baseline": "central",
      });
      label.textContent = n.key;
      // A count on the node's top edge (partitions materialized), empty when none.
      const count = svg("text", {
        class: "nba-count", x: n.x + n.width - 4, y: n.y, "text-anchor": "end",
        "dominant-baseline": "central",
      });
      g.append(title, halo, box, label, count);
      countEls.set(n.id, count);
      nodes.append(g);
      nodeEls.set(n.id, g);
      keyOf.set(n.id, n.key);
      idOf.set(n.key, n.id);
    }
    scene.append(clusters, edges, nodes);
    applyCounts();
    applyStatuses();
    applySelection();
    runSearch(false);
    fit();
  }

  function applyStatuses() {
    const statuses = model.get("statuses");
    for (const [id, g] of nodeEls) {
      const status = statuses[id] ?? "missing";
      if (shownStatus.get(id) === status) continue;
      const old = shownStatus.get(id);
      if (old) g.classList.remove(`nba-status-${old}`);
      g.classList.add(`nba-status-${status}`);
      g.setAttribute("data-status", status);
      shownStatus.set(id, status);
      const title = g.querySelector("title");
      if (title) title.textContent = `${keyOf.get(id)} (${status})`;
    }
  }

  function applyCounts() {
    const counts = model.get("counts") ?? {};
    for (const [id, el] of countEls) {
      const text = counts[id] ?? "";
      if (el.textContent !== text) el.textContent = text;
    }
  }

  function applySelection() {
    const selected = new Set(model.get("selected"));
    for (const [id, g] of nodeEls) g.classList.toggle("nba-selected", selected.has(keyOf.get(id) ?? ""));
    const ids = new Set([...selected].map((k) => idOf.get(k)));
    for (const e of edgeEls) e.el.classList.toggle("nba-edge-active", ids.has(e.source) || ids.has(e.target));
    const total = nodeEls.size;
    info.textContent = selected.size ? `${selected.size} of ${total} selected` : `${total} assets`;
    applyRunning();
  }

  function applyRunning() {
    const running = model.get("running");
    const none = model.get("selected").length === 0;
    root.classList.toggle("nba-running", running);
    for (const b of Object.values(buttons)) b.disabled = none || running;
    if (running) {
      info.textContent = "running…";
    } else {
      const count = model.get("selected").length;
      info.textContent = count ? `${count} of ${nodeEls.size} selected` : `${nodeEls.size} assets`;
    }
  }

  /** @param {string[]} keys */
  function select(keys) {
    model.set("selected", keys);
    model.save_changes();
    applySelection();
  }

  function applyView() {
    scene.setAttribute("transform", `translate(${view.x},${view.y}) scale(${view.k})`);
  }

  function fit() {
    const layout = model.get("graph_layout");
    const w = viewport.clientWidth;
    const h = viewport.clientHeight;
    if (!w || !h) return;
    const k = Math.min((w - 16) / layout.width, (h - 16) / layout.height, 1);
    view = { k, x: (w - layout.width * k) / 2, y: (h - layout.height * k) / 2 };
    applyView();
  }

  /** @param {string} id */
  function centreOn(id) {
    const n = model.get("graph_layout").nodes.find((node) => node.id === id);
    if (!n) return;
    const k = Math.max(view.k, 0.8);
    view = {
      k,
      x: viewport.clientWidth / 2 - (n.x + n.width / 2) * k,
      y: viewport.clientHeight / 2 - (n.y + n.height / 2) * k,
    };
    userMoved = true;
    applyView();
  }

  /** @param {boolean} move whether to centre on the first match */
  function runSearch(move) {
    const query = search.value.trim().toLowerCase();
    matches = [];
    for (const [id, key] of keyOf) if (query && key.toLowerCase().includes(query)) matches.push(id);
    const hits = new Set(matches);
    root.classList.toggle("nba-searching", query !== "");
    for (const [id, g] of nodeEls) g.classList.toggle("nba-match", hits.has(id));
    searchInfo.textContent = !query ? "" : matches.length ? `${matches.length} found` : "none found";
    matchIndex = 0;
    if (move && matches.length) centreOn(matches[0]);
  }

  /** @param {Event} event */
  function nodeIdAt(event) {
    const target = /** @type {Element | null} */ (event.target);
    const g = target?.closest?.(".nba-node");
    return g ? g.getAttribute("data-id") : null;
  }

  let drag = /** @type {{x: number, y: number, vx: number, vy: number, moved: boolean, id: number} | null} */ (null);
  let suppressClick = false;

  /** @param {PointerEvent} event */
  function onPointerDown(event) {
    if (event.button !== 0) return;
    active = true;
    root.classList.add("nba-active");
    drag = { x: event.clientX, y: event.clientY, vx: view.x, vy: view.y, moved: false, id: event.pointerId };
  }

  /** @param {PointerEvent} event */
  function onPointerMove(event) {
    if (!drag || drag.id !== event.pointerId) return;
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < DRAG_THRESHOLD) return;
    if (!drag.moved) {
      drag.moved = true;
      viewport.setPointerCapture(event.pointerId);
      root.classList.add("nba-panning");
    }
    view = { ...view, x: drag.vx + dx, y: drag.vy + dy };
    userMoved = true;
    applyView();
  }

  /** @param {PointerEvent} event */
  function onPointerUp(event) {
    if (!drag || drag.id !== event.pointerId) return;
    suppressClick = drag.moved;
    if (drag.moved) viewport.releasePointerCapture(event.pointerId);
    root.classList.remove("nba-panning");
    drag = null;
  }

  /** @param {MouseEvent} event */
  function onClick(event) {
    if (suppressClick) {
      suppressClick = false;
      return;
    }
    const id = nodeIdAt(event);
    const key = id ? keyOf.get(id) : undefined;
    const current = model.get("selected");
    if (!key) {
      if (!event.shiftKey && current.length) select([]);
      return;
    }
    if (event.shiftKey) {
      select(current.includes(key) ? current.filter((k) => k !== key) : [...current, key]);
    } else {
      select([key]);
    }
  }

  /** @param {MouseEvent} event */
  function onDoubleClick(event) {
    const id = nodeIdAt(event);
    const key = id ? keyOf.get(id) : undefined;
    if (key) model.send({ action: "open", key });
  }

  /** @param {WheelEvent} event */
  function onWheel(event) {
    // Plain scrolling keeps scrolling the notebook until the user engages the graph.
    if (!active && !event.ctrlKey && !event.metaKey) {
      root.classList.add("nba-show-hint");
      window.setTimeout(() => root.classList.remove("nba-show-hint"), 1200);
      return;
    }
    event.preventDefault();
    const rect = viewport.getBoundingClientRect();
    const px = event.clientX - rect.left;
    const py = event.clientY - rect.top;
    const factor = Math.exp(-event.deltaY * (event.deltaMode === 1 ? 0.05 : 0.002));
    const k = Math.min(4, Math.max(0.05, view.k * factor));
    view = { k, x: px - ((px - view.x) * k) / view.k, y: py - ((py - view.y) * k) / view.k };
    userMoved = true;
    applyView();
  }

  function onLeave() {
    active = false;
    root.classList.remove("nba-active");
  }

  /** @param {KeyboardEvent} event */
  function onSearchKey(event) {
    if (event.key === "Enter" && matches.length) {
      matchIndex = (matchIndex + (event.shiftKey ? matches.length - 1 : 1)) % matches.length;
      centreOn(matches[matchIndex]);
    } else if (event.key === "Escape") {
      search.value = "";
      runSearch(false);
    }
  }

  const onSearchInput = () => runSearch(true);
  const onFit = () => {
    userMoved = false;
    fit();
  };
  viewport.addEventListener("pointerdown", onPointerDown);
  viewport.addEventListener("pointermove", onPointerMove);
  viewport.addEventListener("pointerup", onPointerUp);
  viewport.addEventListener("pointercancel", onPointerUp);
  viewport.addEventListener("pointerleave", onLeave);
  viewport.addEventListener("click", onClick);
  viewport.addEventListener("dblclick", onDoubleClick);
  viewport.addEventListener("wheel", onWheel, { passive: false });
  search.addEventListener("input", onSearchInput);
  search.addEventListener("keydown", onSearchKey);
  fitButton.addEventListener("click", onFit);

  // The view is often rendered before it is attached; fit once it has a size,
  // and again on resizes until the user has zoomed or panned.
  const observer = new ResizeObserver(() => {
    if (!userMoved) fit();
  });
  observer.observe(viewport);

  const onLayout = () => {
    userMoved = false;
    build();
  };
  model.on("change:graph_layout", onLayout);
  model.on("change:statuses", applyStatuses);
  model.on("change:counts", applyCounts);
  model.on("change:selected", applySelection);
  model.on("change:running", applyRunning);
  model.on("change:status_styles", drawLegend);
  model.on("change:height", onLayout);
  model.on("change:message", showMessage);
  showMessage();
  drawLegend();
  build();

  return () => {
    observer.disconnect();
    model.off("change:graph_layout", onLayout);
    model.off("change:statuses", applyStatuses);
    model.off("change:counts", applyCounts);
    model.off("change:selected", applySelection);
    model.off("change:running", applyRunning);
    model.off("change:status_styles", drawLegend);
    model.off("change:height", onLayout);
    model.off("change:message", showMessage);
  };
}

/**
 * Once per model, before and apart from any view: merge the kernel's status patches
 * ({type: "statuses", statuses: {id: status}}) into the model, so a view drawn later
 * (Lab renders off-screen outputs lazily) and the saved notebook see every colour.
 * @param {{ model: Model }} ctx
 */
function initialize({ model }) {
  /** @param {any} msg */
  function onMessage(msg) {
    // Patches of a mapping trait: {type: "statuses", statuses: {...}} or the same for "counts".
    if (!msg || (msg.type !== "statuses" && msg.type !== "counts")) return;
    model.set(msg.type, { ...(model.get(msg.type) ?? {}), ...msg[msg.type] });
  }
  model.on("msg:custom", onMessage);
  return () => model.off("msg:custom", onMessage);
}

export default { initialize, render };
