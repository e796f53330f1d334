// The compact lineage in the panel: the lineage widget's own view module
// (nbassets/widgets/static/lineage.js, bundled at build time) drawing a layout the
// kernel computed, fed by a small in-page model instead of a widget model.

import lineageView from 'nbassets-lineage-view';

type Listener = () => void;

/** Just enough of an anywidget model for lineage.js: get, set, on, off, send. */
export class LocalModel {
  constructor(
    initial: Record<string, unknown>,
    private _onSend: (content: Record<string, unknown>) => void
  ) {
    this._data = { ...initial };
  }

  get(name: string): any {
    return this._data[name];
  }

  set(name: string, value: unknown): void {
    this._data[name] = value;
    for (const listener of this._listeners.get(`change:${name}`) ?? []) {
      listener();
    }
  }

  save_changes(): void {
    // Nothing to sync: the panel reads the model directly.
  }

  send(content: Record<string, unknown>): void {
    this._onSend(content);
  }

  on(event: string, listener: Listener): void {
    const set = this._listeners.get(event) ?? new Set<Listener>();
    set.add(listener);
    this._listeners.set(event, set);
  }

  off(event: string, listener: Listener): void {
    this._listeners.get(event)?.delete(listener);
  }

  private _data: Record<string, unknown>;
  private _listeners = new Map<string, Set<Listener>>();
}

/** Draw a lineage into `el`; returns the cleanup function lineage.js gives back. */
export function renderLineage(model: LocalModel, el: HTMLElement): () => void {
  const cleanup = lineageView.render({ model, el });
  return typeof cleanup === 'function' ? cleanup : () => undefined;
}
