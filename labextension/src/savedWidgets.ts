// Saved widget state without the widgets' code, and restored widgets that do not look live.
//
// When a notebook is saved, the widget manager writes every widget's state into the
// notebook's metadata, and anywidget's state includes the widget's whole JavaScript
// and CSS (`_esm`, `_css`: 8-27 KB per nbassets widget, repeated for each). Whenever
// that metadata is written, the state of each nbassets widget is rewritten here: its
// code becomes a small module that shows what the widget was, greyed, with "not
// connected to a kernel: re-run this cell". A widget restored from the saved file
// (no kernel, or a restarted one) shows that instead of a live-looking widget whose
// buttons do nothing; a live kernel's widgets come from the kernel, with their code.

import { INotebookModel, NotebookPanel } from '@jupyterlab/notebook';

const STATE = 'application/vnd.jupyter.widget-state+json';
// anywidget names each widget class by its Python module and class name.
const OURS = /^nbassets\.widgets\.[a-z_]+\.[A-Za-z]+$/;

/** What a restored nbassets widget draws: its kind, what it showed, and what to do. */
export const DISCONNECTED_ESM = `
const KINDS = {
  LineageWidget: "Lineage", AssetViewWidget: "Asset", RunProgress: "Run progress",
  PartitionPicker: "Partitions",
};
function shown(kind, model) {
  try {
    if (kind === "LineageWidget") return \`\${(model.get("graph_layout")?.nodes ?? []).length} assets\`;
    if (kind === "AssetViewWidget") {
      const h = model.get("data")?.header ?? {};
      return [h.key, h.status].filter(Boolean).join(": ");
    }
    if (kind === "RunProgress") return model.get("summary") ?? "";
    if (kind === "PartitionPicker") return \`\${model.get("asset")}: \${(model.get("partitions") ?? []).length} partitions\`;
  } catch (error) {
    return "";
  }
  return "";
}
export default {
  render({ model, el }) {
    const kind = String(model.get("_anywidget_id") ?? "").split(".").pop();
    const box = document.createElement("div");
    box.className = "nba-disconnected";
    box.dataset.kind = kind;
    const title = document.createElement("b");
    title.textContent = \`\${KINDS[kind] ?? "nbassets"}\${shown(kind, model) ? " · " + shown(kind, model) : ""}\`;
    const note = document.createElement("div");
    note.textContent = "Not connected to a kernel (saved with the notebook): re-run this cell to see it live.";
    box.append(title, note);
    el.replaceChildren(box);
  },
};
`;

export const DISCONNECTED_CSS = `
.nba-disconnected {
  font-family: var(--jp-ui-font-family, system-ui, sans-serif);
  font-size: var(--jp-ui-font-size1, 13px);
  color: var(--jp-ui-font-color2, #6b7280);
  background: var(--jp-layout-color2, #f3f4f6);
  border: 1px dashed var(--jp-border-color1, #9ca3af);
  border-radius: 4px;
  padding: 6px 8px;
}
`;

/**
 * The widget state with every nbassets widget's code replaced by the disconnected
 * module, or null when there is nothing to change.
 */
export function lightenWidgetState(widgets: any): any | null {
  const states = widgets?.[STATE]?.state;
  if (!states || typeof states !== 'object') {
    return null;
  }
  let changed = false;
  const next: Record<string, any> = {};
  for (const [id, entry] of Object.entries<any>(states)) {
    const state = entry?.state;
    if (
      state &&
      OURS.test(String(state._anywidget_id ?? '')) &&
      (state._esm !== DISCONNECTED_ESM || state._css !== DISCONNECTED_CSS)
    ) {
      next[id] = { ...entry, state: { ...state, _esm: DISCONNECTED_ESM, _css: DISCONNECTED_CSS } };
      changed = true;
    } else {
      next[id] = entry;
    }
  }
  if (!changed) {
    return null;
  }
  return { ...widgets, [STATE]: { ...widgets[STATE], state: next } };
}

/**
 * Rewrite the notebook's saved widget state each time it is written (the widget
 * manager writes it when a save starts; this runs within that write, whatever the
 * order in which the extensions started).
 */
export function keepSavedWidgetsLight(panel: NotebookPanel): void {
  const connect = (model: INotebookModel | null): void => {
    model?.metadataChanged.connect((sender, change) => {
      if (change.key !== 'widgets') {
        return;
      }
      const light = lightenWidgetState(sender.getMetadata('widgets'));
      if (light !== null) {
        sender.setMetadata('widgets', light); // changes nothing the second time round
      }
    });
  };
  connect(panel.context.model);
}
