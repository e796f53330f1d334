// Cell marks: each cell that defines an asset gets a CSS class and a dot in its
// gutter saying the asset's status, with a tooltip saying why. Only the DOM
// changes: nothing is written into the notebook (no metadata, no git diff).

import { Cell } from '@jupyterlab/cells';

import { AssetsConnection } from './connection';
import { describe } from './panel';
import { IAssetRow, URGENCY, safeColour } from './protocol';

const MARK_CLASS = 'nbassets-marked';
const DOT_CLASS = 'nbassets-cell-mark';
const ASSET_CELL = /^\s*%%asset(\s|$)/;
const REAPPLY_DELAY_MS = 150;

interface IMark {
  status: string;
  title: string;
  colour: string;
}

function markOf(rows: IAssetRow[] | undefined, source: string): IMark | null {
  if (rows && rows.length) {
    const worst = [...rows].sort(
      (a, b) => URGENCY.indexOf(a.status) - URGENCY.indexOf(b.status)
    )[0];
    return {
      status: worst.status,
      title: rows.map(describe).join('\n\n'),
      colour: safeColour(worst.colour)
    };
  }
  if (ASSET_CELL.test(source)) {
    return {
      status: 'unknown',
      title:
        'The kernel has no asset from this cell: run the cell to define it. (If another ' +
        'cell redefined the same asset since, that cell is its definition now.)',
      colour: ''
    };
  }
  return null;
}

function setMark(cell: Cell, mark: IMark | null): void {
  const node = cell.node;
  const previous = node.dataset.nbassetsStatus;
  let dot = node.querySelector(`:scope > .${DOT_CLASS}`) as HTMLElement | null;
  if (mark === null) {
    if (previous !== undefined) {
      delete node.dataset.nbassetsStatus;
      cell.removeClass(MARK_CLASS);
      dot?.remove();
    }
    return;
  }
  if (dot === null) {
    dot = document.createElement('div');
    dot.className = DOT_CLASS;
    node.prepend(dot);
  }
  node.dataset.nbassetsStatus = mark.status;
  cell.addClass(MARK_CLASS);
  dot.title = mark.title;
  dot.setAttribute('aria-label', mark.title);
  dot.style.background = mark.colour;
  node.style.setProperty('--nbassets-mark-colour', mark.colour || 'var(--jp-border-color1)');
}

/** Keeps the marks of one notebook in step with its connection and its cells. */
export class CellMarks {
  constructor(private _connection: AssetsConnection) {
    _connection.changed.connect(this._schedule, this);
    const notebook = _connection.notebook.content;
    notebook.model?.cells.changed.connect(this._schedule, this);
    notebook.model?.contentChanged.connect(this._schedule, this);
    this._schedule();
  }

  /** Mark every cell now (tests and the commands call it; changes call it debounced). */
  apply(): void {
    const connection = this._connection;
    if (connection.isDisposed) {
      return;
    }
    const connected = connection.state === 'connected';
    const byCell = connected ? connection.rowsByCell() : new Map<string, IAssetRow[]>();
    for (const cell of connection.notebook.content.widgets) {
      if (cell.model.type !== 'code' || !connected) {
        setMark(cell, null);
        continue;
      }
      setMark(cell, markOf(byCell.get(cell.model.id), cell.model.sharedModel.getSource()));
    }
  }

  private _schedule(): void {
    if (this._timer === 0) {
      this._timer = window.setTimeout(() => {
        this._timer = 0;
        this.apply();
      }, REAPPLY_DELAY_MS);
    }
  }

  private _timer = 0;
}
