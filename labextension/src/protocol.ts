// The messages between the Assets panel and the kernel (comm target "nbassets").
// Mirrors nbassets/notebook/panel_protocol.py: change both together and bump VERSION.

export const TARGET = 'nbassets';
export const VERSION = 1;

export type Status =
  | 'missing'
  | 'materialized'
  | 'stale'
  | 'running'
  | 'failed'
  | 'skipped'
  | 'partial';

/** One asset as the kernel summarizes it; every string is user data, shown as text. */
export interface IAssetRow {
  key: string;
  group: string;
  kinds: string[];
  status: Status;
  colour: string;
  why: string[];
  last_run: number | null;
  duration: number | null;
  partitions: string;
  description: string;
  cell_id: string | null;
  defined_in: 'cell' | 'python' | 'external';
  upstream: string[];
}

/** The run going on, or the last one this kernel finished while the panel listened. */
export interface IRunState {
  run_id: string;
  started: number;
  finished?: number;
  /** The steps the run plans (null when the kernel did not record them). */
  total?: number | null;
  done: number;
  failed: number;
  skipped: number;
  running: string[];
  state: 'running' | 'succeeded' | 'failed' | 'canceled';
}

export interface ISnapshot {
  protocol: number;
  type: 'snapshot';
  assets: IAssetRow[];
  run: IRunState | null;
}

export interface IPatch {
  protocol: number;
  type: 'patch';
  assets: IAssetRow[];
  removed?: string[];
  order?: string[];
  run?: IRunState | null;
}

export interface IReply {
  protocol: number;
  type: 'reply';
  id: number | null;
  ok: boolean;
  message: string;
  keys?: string[];
  layout?: unknown;
  statuses?: Record<string, string>;
  styles?: unknown[];
  log?: string[];
}

export type KernelMessage = ISnapshot | IPatch | IReply;

export type MaterializeMode = 'selected' | 'downstream' | 'upstream';

export type Request =
  | { request: 'refresh' }
  | { request: 'select'; selection: string }
  | { request: 'materialize'; keys: string[]; mode: MaterializeMode }
  | { request: 'materialize'; selection: string; mode: MaterializeMode }
  | { request: 'materialize_stale' }
  | { request: 'accept'; keys: string[] }
  | { request: 'lineage'; keys: string[] };

/** Statuses from the most to the least urgent: a cell defining several assets shows the first. */
export const URGENCY: Status[] = [
  'failed',
  'running',
  'skipped',
  'stale',
  'partial',
  'missing',
  'materialized'
];

/** Only colours written as #rgb / #rrggbb(aa) reach a style attribute. */
export function safeColour(colour: string): string {
  return /^#[0-9a-fA-F]{3,8}$/.test(colour) ? colour : '#9ca3af';
}
