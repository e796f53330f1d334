// One notebook's link to its kernel's nbassets: finds the kernel end, keeps the
// rows the kernel sent (a snapshot, then patches), and sends the panel's requests.
// Kernel restarts, kernel changes and notebooks without nbassets are states here,
// shown by the panel as advice, never thrown.

import { NotebookPanel } from '@jupyterlab/notebook';
import { Kernel } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import {
  IAssetRow,
  IReply,
  IRunState,
  KernelMessage,
  Request,
  TARGET,
  VERSION
} from './protocol';

export type ConnectionState =
  | 'no-kernel'
  | 'starting'
  | 'not-loaded'
  | 'connecting'
  | 'connected'
  | 'error';

export interface IChange {
  kind: 'state' | 'snapshot' | 'patch';
  /** Keys whose rows changed (patches only). */
  keys?: string[];
  /** Whether assets were added or removed (snapshot, or a patch with a new order). */
  structure?: boolean;
  run?: boolean;
}

interface IPending {
  resolve: (reply: IReply) => void;
  reject: (error: Error) => void;
}

export class AssetsConnection {
  constructor(readonly notebook: NotebookPanel) {
    const session = notebook.sessionContext;
    session.kernelChanged.connect(this._onKernelChanged, this);
    session.statusChanged.connect(this._onStatus, this);
    void session.ready.then(() => this._watch(session.session?.kernel ?? null));
    this._watch(session.session?.kernel ?? null);
  }

  get changed(): ISignal<this, IChange> {
    return this._changed;
  }

  get state(): ConnectionState {
    return this._state;
  }

  /** Why the connection is in an error state, or what the kernel refused. */
  get error(): string {
    return this._error;
  }

  get rows(): ReadonlyMap<string, IAssetRow> {
    return this._rows;
  }

  get order(): readonly string[] {
    return this._order;
  }

  get run(): IRunState | null {
    return this._run;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Rows by the id of the notebook cell that defined them. */
  rowsByCell(): Map<string, IAssetRow[]> {
    if (this._byCell === null) {
      this._byCell = new Map();
      for (const key of this._order) {
        const row = this._rows.get(key);
        if (row?.cell_id) {
          const list = this._byCell.get(row.cell_id) ?? [];
          list.push(row);
          this._byCell.set(row.cell_id, list);
        }
      }
    }
    return this._byCell;
  }

  /** Send a request; resolves with the kernel's reply (ok or not), rejects if the kernel goes. */
  request(request: Request): Promise<IReply> {
    const comm = this._comm;
    if (comm === null || this._state !== 'connected') {
      return Promise.reject(new Error(this.advice()));
    }
    const id = this._nextId++;
    return new Promise<IReply>((resolve, reject) => {
      this._pending.set(id, { resolve, reject });
      comm.send({ protocol: VERSION, id, ...request } as any);
    });
  }

  /** What the user should do in the current state, in one sentence. */
  advice(): string {
    switch (this._state) {
      case 'no-kernel':
        return 'This notebook has no kernel: choose one (Kernel › Change Kernel…).';
      case 'starting':
        return 'The kernel is starting…';
      case 'not-loaded':
        return 'nbassets is not loaded in this kernel: run %load_ext nbassets in a cell.';
      case 'connecting':
        return 'Connecting to nbassets in the kernel…';
      case 'error':
        return this._error;
      default:
        return '';
    }
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._dropComm('The notebook was closed.');
    Signal.clearData(this);
  }

  private _onKernelChanged(): void {
    this._watch(this.notebook.sessionContext.session?.kernel ?? null);
  }

  private _onStatus(_: unknown, status: Kernel.Status): void {
    if (status === 'restarting' || status === 'autorestarting' || status === 'starting') {
      this._dropComm('The kernel restarted.');
      this._setState('starting');
    } else if (status === 'dead') {
      this._dropComm('The kernel died.');
      this._setState('error', 'The kernel died: restart it (Kernel › Restart Kernel…).');
    } else if (status === 'idle' && (this._state === 'not-loaded' || this._state === 'starting')) {
      // A cell may just have run %load_ext nbassets: look again (one comm_info request).
      void this._probe();
    }
  }

  private _watch(kernel: Kernel.IKernelConnection | null): void {
    if (kernel === this._kernel && kernel !== null) {
      return;
    }
    this._dropComm('The kernel changed.');
    this._kernel = kernel;
    if (kernel === null) {
      this._setState(this.notebook.sessionContext.isReady ? 'no-kernel' : 'starting');
      return;
    }
    this._setState('starting');
    void this._probe();
  }

  private async _probe(): Promise<void> {
    const kernel = this._kernel;
    if (kernel === null || this._probing || this._disposed) {
      return;
    }
    this._probing = true;
    try {
      const reply = await kernel.requestCommInfo({ target_name: TARGET });
      if (kernel !== this._kernel || this._disposed || this._comm !== null) {
        return;
      }
      const content = reply.content;
      const found = content.status === 'ok' && Object.keys(content.comms).length > 0;
      if (found) {
        this._open(kernel);
      } else {
        this._setState('not-loaded');
      }
    } catch (reason) {
      // The kernel went away mid-request (restart, shutdown): its status handler says so.
      if (kernel === this._kernel && this._state === 'starting') {
        this._setState('not-loaded');
      }
    } finally {
      this._probing = false;
    }
  }

  private _open(kernel: Kernel.IKernelConnection): void {
    const comm = kernel.createComm(TARGET);
    this._comm = comm;
    comm.onMsg = msg => this._onMessage(msg.content.data as unknown as KernelMessage);
    comm.onClose = () => {
      if (this._comm === comm) {
        this._comm = null;
        this._clear('nbassets was unloaded in the kernel.');
        this._setState('not-loaded');
      }
    };
    this._setState('connecting');
    comm.open({ protocol: VERSION });
  }

  private _onMessage(message: KernelMessage): void {
    if (!message || message.protocol !== VERSION) {
      this._setState(
        'error',
        `The kernel's nbassets speaks protocol ${String(message?.protocol)}, this panel ${VERSION}: ` +
          'install the same nbassets version in the kernel and in JupyterLab, then reload.'
      );
      return;
    }
    if (message.type === 'snapshot') {
      this._rows = new Map(message.assets.map(row => [row.key, row]));
      this._order = message.assets.map(row => row.key);
      this._run = message.run;
      this._byCell = null;
      this._state = 'connected';
      this._changed.emit({ kind: 'snapshot', structure: true, run: true });
    } else if (message.type === 'patch') {
      for (const row of message.assets) {
        this._rows.set(row.key, row);
      }
      for (const key of message.removed ?? []) {
        this._rows.delete(key);
      }
      if (message.order) {
        this._order = message.order;
      }
      if (message.run !== undefined) {
        this._run = message.run;
      }
      this._byCell = null;
      this._changed.emit({
        kind: 'patch',
        keys: message.assets.map(row => row.key),
        structure: message.order !== undefined,
        run: message.run !== undefined
      });
    } else if (message.type === 'reply') {
      const pending = message.id === null ? undefined : this._pending.get(message.id);
      if (pending) {
        this._pending.delete(message.id as number);
        pending.resolve(message);
      } else if (!message.ok) {
        this._setState('error', message.message);
      }
    }
  }

  private _dropComm(reason: string): void {
    const comm = this._comm;
    this._comm = null;
    if (comm !== null && !comm.isDisposed) {
      comm.onClose = () => undefined;
      comm.onMsg = () => undefined;
      if (this._kernel?.status !== 'dead' && this._kernel?.connectionStatus === 'connected') {
        try {
          comm.close();
        } catch {
          // The kernel is already gone with its comms: nothing left to close.
        }
      }
    }
    this._clear(reason);
  }

  private _clear(reason: string): void {
    for (const pending of this._pending.values()) {
      pending.reject(new Error(reason));
    }
    this._pending.clear();
    this._rows = new Map();
    this._order = [];
    this._run = null;
    this._byCell = null;
  }

  private _setState(state: ConnectionState, error = ''): void {
    if (state === this._state && error === this._error) {
      return;
    }
    this._state = state;
    this._error = error;
    this._changed.emit({ kind: 'state', structure: true });
  }

  private _changed = new Signal<this, IChange>(this);
  private _state: ConnectionState = 'starting';
  private _error = '';
  private _kernel: Kernel.IKernelConnection | null = null;
  private _comm: Kernel.IComm | null = null;
  private _probing = false;
  private _disposed = false;
  private _rows = new Map<string, IAssetRow>();
  private _order: string[] = [];
  private _run: IRunState | null = null;
  private _byCell: Map<string, IAssetRow[]> | null = null;
  private _pending = new Map<number, IPending>();
  private _nextId = 1;
}
