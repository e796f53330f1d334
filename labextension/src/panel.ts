// The Assets panel (right sidebar): the active notebook's assets by group, with
// status, why, last run and partitions; a filter in selection syntax; buttons
// that run assets; a compact lineage. Every kernel string is inserted as text.

import { Notification } from '@jupyterlab/apputils';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { AssetsConnection, IChange } from './connection';
import { LocalModel, renderLineage } from './lineage';
import { IAssetRow, IReply, MaterializeMode, Request, safeColour } from './protocol';

const FILTER_DELAY_MS = 250;
const LINEAGE_DELAY_MS = 300;
// 0: as tall as the graph needs, between the lineage view's own bounds.
const LINEAGE_HEIGHT = 0;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

function when(seconds: number | null): string {
  return seconds === null ? '' : new Date(seconds * 1000).toLocaleTimeString();
}

function took(seconds: number | null): string {
  if (seconds === null) {
    return '';
  }
  return seconds < 1 ? `${Math.round(seconds * 1000)} ms` : `${seconds.toFixed(2)} s`;
}

/** The tooltip of a row or a cell mark: status, why, last run. Plain text. */
export function describe(row: IAssetRow): string {
  const lines = [`${row.key}: ${row.status}`];
  for (const reason of row.why) {
    lines.push(`  ${reason}`);
  }
  if (row.partitions) {
    lines.push(`partitions: ${row.partitions}`);
  }
  if (row.last_run !== null) {
    lines.push(`last run ${when(row.last_run)} (${took(row.duration)})`);
  }
  if (row.cell_id === null && row.defined_in === 'cell') {
    lines.push('no cell id: the frontend that ran this cell did not send one');
  }
  return lines.join('\n');
}

/** What a panel action asks the kernel, and how it reports back. */
export async function runRequest(
  connection: AssetsConnection,
  request: Request,
  label: string
): Promise<IReply | null> {
  const id = Notification.emit(`${label}…`, 'in-progress', { autoClose: false });
  try {
    const reply = await connection.request(request);
    Notification.update({
      id,
      message: reply.message || (reply.ok ? `${label}: done` : `${label}: failed`),
      type: reply.ok ? 'success' : 'error',
      autoClose: reply.ok ? 4000 : false
    });
    return reply;
  } catch (error) {
    Notification.update({ id, message: String((error as Error).message), type: 'warning', autoClose: 6000 });
    return null;
  }
}

export class AssetsPanel extends Widget {
  constructor() {
    super();
    this.id = 'nbassets-panel';
    this.addClass('nbassets-panel');
    this.title.caption = 'nbassets: assets of the active notebook';
    this.title.label = 'Assets';

    const header = el('div', 'nbassets-header');
    this._notebookName = el('div', 'nbassets-notebook');
    header.append(el('div', 'nbassets-title', 'Assets'), this._notebookName);

    this._advice = el('div', 'nbassets-advice');
    this._filter = el('input', 'nbassets-filter');
    this._filter.type = 'search';
    this._filter.placeholder = 'Filter: orders+, group:sales, status:stale…';
    this._filter.setAttribute('aria-label', 'Filter assets by selection');
    this._filter.addEventListener('input', () => this._scheduleFilter());
    this._filterError = el('div', 'nbassets-filter-error');

    const buttons = el('div', 'nbassets-buttons');
    this._runButton = this._button('Materialize', 'Materialize the selected (or filtered) assets', () =>
      this._materialize('selected')
    );
    this._downstreamButton = this._button('+ downstream', 'Materialize them and everything downstream', () =>
      this._materialize('downstream')
    );
    this._staleButton = this._button('All stale', 'Materialize everything missing, stale or failed', () =>
      this._materializeStale()
    );
    buttons.append(this._runButton, this._downstreamButton, this._staleButton);

    this._runLine = el('div', 'nbassets-run');
    this._list = el('div', 'nbassets-list');
    this._list.addEventListener('click', event => this._onClick(event));

    const lineageHeader = el('div', 'nbassets-section', 'Lineage');
    this._lineageMessage = el('div', 'nbassets-lineage-message');
    this._lineage = el('div', 'nbassets-lineage');

    this.node.append(
      header,
      this._advice,
      this._filter,
      this._filterError,
      buttons,
      this._runLine,
      this._list,
      lineageHeader,
      this._lineageMessage,
      this._lineage
    );
    this._render();
  }

  get connection(): AssetsConnection | null {
    return this._connection;
  }

  /** Show another notebook's assets (the active one), or none. */
  setConnection(connection: AssetsConnection | null): void {
    if (connection === this._connection) {
      return;
    }
    this._connection?.changed.disconnect(this._onChange, this);
    this._connection = connection;
    this._selected.clear();
    this._matches = null;
    this._filter.value = '';
    this._filterError.textContent = '';
    connection?.changed.connect(this._onChange, this);
    this._render();
  }

  /** Filter the panel (e.g. "+orders+" from the "show lineage" command). */
  setFilter(selection: string): void {
    this._filter.value = selection;
    void this._applyFilter();
  }

  /** Scroll to the cell that defines `key` and flash it; returns what went wrong, if anything. */
  async reveal(key: string): Promise<string> {
    const connection = this._connection;
    const row = connection?.rows.get(key);
    if (!connection || !row) {
      return `No asset ${key} in this notebook's kernel.`;
    }
    if (row.cell_id === null) {
      const message =
        row.defined_in === 'cell'
          ? `${key} has no cell id: the frontend that ran its cell did not send one.`
          : `${key} was not defined by a cell of this notebook.`;
      Notification.info(message, { autoClose: 5000 });
      return message;
    }
    const notebook = connection.notebook.content;
    const index = notebook.widgets.findIndex(cell => cell.model.id === row.cell_id);
    if (index < 0) {
      const message = `The cell that defined ${key} is no longer in this notebook.`;
      Notification.info(message, { autoClose: 5000 });
      return message;
    }
    notebook.activeCellIndex = index;
    await notebook.scrollToItem(index, 'center');
    const cell = notebook.widgets[index];
    cell.removeClass('nbassets-flash');
    void cell.node.offsetWidth; // restart the animation when clicked twice
    cell.addClass('nbassets-flash');
    window.setTimeout(() => cell.removeClass('nbassets-flash'), 1600);
    return '';
  }

  private _button(label: string, title: string, onClick: () => void): HTMLButtonElement {
    const button = el('button', 'nbassets-button jp-mod-styled', label);
    button.title = title;
    button.addEventListener('click', onClick);
    return button;
  }

  private _onChange(_: AssetsConnection, change: IChange): void {
    if (change.kind === 'patch' && !change.structure) {
      // Patches that arrive within one frame are drawn together, each row once.
      for (const key of change.keys ?? []) {
        this._dirtyRows.add(key);
      }
      if (this._frame === 0) {
        this._frame = window.requestAnimationFrame(() => this._drawPatches());
      }
      return;
    }
    this._dirtyRows.clear();
    if (change.kind === 'state') {
      this._matches = null;
    }
    if (change.structure) {
      this._lineageKeys = null; // edges may have changed even where the keys did not
    }
    if (this._filter.value.trim() && change.kind !== 'state') {
      void this._applyFilter();
    }
    this._render();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    if (this._hiddenChanges) {
      this._hiddenChanges = false;
      this._render();
    }
  }

  private _drawPatches(): void {
    this._frame = 0;
    if (!this.isVisible) {
      // Nobody sees the rows: draw them all once the panel shows again.
      this._hiddenChanges = true;
      this._dirtyRows.clear();
      return;
    }
    for (const key of this._dirtyRows) {
      this._updateRow(key);
    }
    this._dirtyRows.clear();
    this._updateLineageStatuses();
    this._renderRun();
    this._renderButtons();
  }

  private _scheduleFilter(): void {
    window.clearTimeout(this._filterTimer);
    this._filterTimer = window.setTimeout(() => void this._applyFilter(), FILTER_DELAY_MS);
  }

  private async _applyFilter(): Promise<void> {
    const connection = this._connection;
    const selection = this._filter.value.trim();
    if (!selection || !connection || connection.state !== 'connected') {
      this._matches = null;
      this._filterError.textContent = '';
      this._render();
      return;
    }
    let reply: IReply;
    try {
      reply = await connection.request({ request: 'select', selection });
    } catch (error) {
      this._filterError.textContent = String((error as Error).message);
      return;
    }
    if (connection !== this._connection || selection !== this._filter.value.trim()) {
      return; // the user typed on, or switched notebooks
    }
    if (reply.ok) {
      this._matches = new Set(reply.keys ?? []);
      this._filterError.textContent = '';
    } else {
      this._filterError.textContent = reply.message;
    }
    this._render();
  }

  private _visibleKeys(): string[] {
    const connection = this._connection;
    if (!connection) {
      return [];
    }
    const matches = this._matches;
    return connection.order.filter(key => matches === null || matches.has(key));
  }

  private _render(): void {
    const connection = this._connection;
    this._notebookName.textContent = connection ? connection.notebook.title.label : '';
    const advice = connection
      ? connection.advice()
      : 'Open a notebook to see its assets.';
    this._advice.textContent = advice;
    this._advice.hidden = advice === '';
    const connected = connection?.state === 'connected';
    this._filter.disabled = !connected;
    this._rowNodes.clear();
    this._list.replaceChildren();
    if (connected && connection) {
      const keys = this._visibleKeys();
      if (connection.order.length === 0) {
        this._list.append(el('div', 'nbassets-empty', 'No assets yet: write an %%asset cell and run it.'));
      } else if (keys.length === 0) {
        this._list.append(el('div', 'nbassets-empty', 'No asset matches the filter.'));
      }
      const groups = new Map<string, HTMLElement>();
      const fragment = document.createDocumentFragment();
      for (const key of keys) {
        const row = connection.rows.get(key);
        if (!row) {
          continue;
        }
        let body = groups.get(row.group);
        if (body === undefined) {
          const group = el('div', 'nbassets-group');
          const title = el('div', 'nbassets-group-title', row.group);
          body = el('div', 'nbassets-group-body');
          group.append(title, body);
          groups.set(row.group, body);
          fragment.append(group);
        }
        const node = el('div', 'nbassets-row');
        this._fillRow(node, row);
        this._rowNodes.set(key, node);
        body.append(node);
      }
      for (const [name, body] of groups) {
        const title = body.previousElementSibling as HTMLElement;
        title.textContent = `${name} (${body.childElementCount})`;
      }
      this._list.append(fragment);
    }
    this._renderRun();
    this._renderButtons();
    this._scheduleLineage();
  }

  private _fillRow(node: HTMLElement, row: IAssetRow): void {
    node.dataset.key = row.key;
    node.dataset.status = row.status;
    node.classList.toggle('nbassets-selected', this._selected.has(row.key));
    node.title = describe(row);
    const dot = el('span', 'nbassets-dot');
    dot.style.background = safeColour(row.colour);
    const key = el('span', 'nbassets-key', row.key);
    const status = el('span', 'nbassets-status', row.status);
    status.style.color = safeColour(row.colour);
    const line = el('div', 'nbassets-line');
    line.append(dot, key, status);
    const meta = [
      row.partitions,
      row.last_run === null ? 'never materialized' : `${when(row.last_run)} · ${took(row.duration)}`
    ].filter(Boolean);
    const details = el('div', 'nbassets-meta', meta.join(' · '));
    node.replaceChildren(line, details);
    if (row.why.length && row.status !== 'materialized') {
      node.append(el('div', 'nbassets-why', row.why.join(' ')));
    }
  }

  private _updateRow(key: string): void {
    const node = this._rowNodes.get(key);
    const row = this._connection?.rows.get(key);
    if (node && row) {
      this._fillRow(node, row);
    }
  }

  private _renderRun(): void {
    const run = this._connection?.state === 'connected' ? this._connection.run : null;
    this._runLine.hidden = run === null;
    if (run === null) {
      return;
    }
    const of = typeof run.total === 'number' ? ` of ${run.total}` : '';
    const counts = `${run.done}${of} done` + (run.failed ? `, ${run.failed} failed` : '') +
      (run.skipped ? `, ${run.skipped} skipped` : '');
    const text =
      run.state === 'running'
        ? `Running ${run.running.join(', ') || '…'} · ${counts}`
        : `Last run ${run.state} · ${counts}` +
          (run.finished ? ` · ${took(run.finished - run.started)}` : '');
    this._runLine.textContent = text;
    this._runLine.dataset.state = run.state;
  }

  private _renderButtons(): void {
    const connected = this._connection?.state === 'connected';
    const running = this._connection?.run?.state === 'running' || this._busy;
    const targets = this._targets().length > 0;
    this._runButton.disabled = !connected || running || !targets;
    this._downstreamButton.disabled = !connected || running || !targets;
    this._staleButton.disabled = !connected || running;
    const count = this._selected.size;
    this._runButton.textContent = count ? `Materialize ${count}` : 'Materialize';
  }

  /** What the run buttons act on: the clicked rows, else the filter's matches. */
  private _targets(): string[] {
    if (this._selected.size) {
      return [...this._selected];
    }
    return this._filter.value.trim() && this._matches ? this._visibleKeys() : [];
  }

  private _onClick(event: MouseEvent): void {
    const node = (event.target as HTMLElement).closest('.nbassets-row') as HTMLElement | null;
    const key = node?.dataset.key;
    if (!node || key === undefined) {
      return;
    }
    if (event.shiftKey || event.ctrlKey || event.metaKey) {
      if (this._selected.has(key)) {
        this._selected.delete(key);
      } else {
        this._selected.add(key);
      }
    } else {
      this._selected = new Set([key]);
      void this.reveal(key);
    }
    for (const [rowKey, rowNode] of this._rowNodes) {
      rowNode.classList.toggle('nbassets-selected', this._selected.has(rowKey));
    }
    this._renderButtons();
    this._lineageModel?.set('selected', [...this._selected]);
  }

  private async _materialize(mode: MaterializeMode, keys?: string[]): Promise<void> {
    const connection = this._connection;
    const chosen = keys ?? this._targets();
    if (!connection || chosen.length === 0) {
      return;
    }
    const label = `Materializing ${chosen.length === 1 ? chosen[0] : `${chosen.length} assets`}` +
      (mode === 'downstream' ? ' and downstream' : mode === 'upstream' ? ' and upstream' : '');
    this._busy = true;
    this._renderButtons();
    await runRequest(connection, { request: 'materialize', keys: chosen, mode }, label);
    this._busy = false;
    this._renderButtons();
  }

  private async _materializeStale(): Promise<void> {
    const connection = this._connection;
    if (!connection) {
      return;
    }
    this._busy = true;
    this._renderButtons();
    await runRequest(connection, { request: 'materialize_stale' }, 'Materializing everything stale');
    this._busy = false;
    this._renderButtons();
  }

  // The compact lineage ------------------------------------------------------------

  private _scheduleLineage(): void {
    window.clearTimeout(this._lineageTimer);
    this._lineageTimer = window.setTimeout(() => void this._drawLineage(), LINEAGE_DELAY_MS);
  }

  private async _drawLineage(): Promise<void> {
    const connection = this._connection;
    const keys = connection?.state === 'connected' ? this._visibleKeys() : [];
    const signature = keys.join('\n');
    if (connection === this._lineageFor && signature === this._lineageKeys) {
      return;
    }
    this._lineageFor = connection;
    this._lineageKeys = signature;
    if (!connection || keys.length === 0) {
      this._clearLineage('');
      return;
    }
    let reply: IReply;
    try {
      reply = await connection.request({ request: 'lineage', keys });
    } catch (error) {
      this._clearLineage(String((error as Error).message));
      return;
    }
    if (connection !== this._connection || signature !== this._lineageKeys) {
      return;
    }
    if (!reply.ok) {
      this._clearLineage(reply.message);
      return;
    }
    this._lineageMessage.textContent = '';
    const layout = reply.layout as { nodes: { id: string; key: string }[] };
    this._lineageIds = new Map(layout.nodes.map(node => [node.key, node.id]));
    const values = {
      graph_layout: reply.layout,
      statuses: reply.statuses ?? {},
      selected: [...this._selected].filter(key => this._lineageIds.has(key)),
      running: false,
      status_styles: reply.styles ?? [],
      height: LINEAGE_HEIGHT,
      message: ''
    };
    if (this._lineageModel === null) {
      this._lineageModel = new LocalModel(values, content => this._onLineageMessage(content));
      this._lineageCleanup = renderLineage(this._lineageModel, this._lineage);
    } else {
      for (const [name, value] of Object.entries(values)) {
        this._lineageModel.set(name, value);
      }
    }
  }

  private _clearLineage(message: string): void {
    this._lineageMessage.textContent = message;
    this._lineageCleanup?.();
    this._lineageCleanup = null;
    this._lineageModel = null;
    this._lineageIds = new Map();
    this._lineage.replaceChildren();
  }

  private _updateLineageStatuses(): void {
    const model = this._lineageModel;
    const connection = this._connection;
    if (model === null || connection === null) {
      return;
    }
    const statuses: Record<string, string> = { ...model.get('statuses') };
    let changed = false;
    for (const [key, id] of this._lineageIds) {
      const status = connection.rows.get(key)?.status;
      if (status && statuses[id] !== status) {
        statuses[id] = status;
        changed = true;
      }
    }
    if (changed) {
      model.set('statuses', statuses);
    }
    model.set('running', connection.run?.state === 'running');
  }

  private _onLineageMessage(content: Record<string, unknown>): void {
    if (content.action === 'materialize' && Array.isArray(content.keys)) {
      void this._materialize(content.mode as MaterializeMode, content.keys as string[]);
    } else if (content.action === 'open' && typeof content.key === 'string') {
      void this.reveal(content.key);
    }
  }

  private _connection: AssetsConnection | null = null;
  private _notebookName: HTMLElement;
  private _advice: HTMLElement;
  private _filter: HTMLInputElement;
  private _filterError: HTMLElement;
  private _filterTimer = 0;
  private _matches: Set<string> | null = null;
  private _selected = new Set<string>();
  private _busy = false;
  private _runButton: HTMLButtonElement;
  private _downstreamButton: HTMLButtonElement;
  private _staleButton: HTMLButtonElement;
  private _runLine: HTMLElement;
  private _list: HTMLElement;
  private _rowNodes = new Map<string, HTMLElement>();
  private _dirtyRows = new Set<string>();
  private _hiddenChanges = false;
  private _frame = 0;
  private _lineage: HTMLElement;
  private _lineageMessage: HTMLElement;
  private _lineageTimer = 0;
  private _lineageFor: AssetsConnection | null = null;
  private _lineageKeys: string | null = null;
  private _lineageModel: LocalModel | null = null;
  private _lineageCleanup: (() => void) | null = null;
  private _lineageIds = new Map<string, string>();
}
