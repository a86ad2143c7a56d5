// Messages between the extension (or the standalone report page) and the webview bundle.
// The webview keeps no truth: it gets one snapshot, then deltas, and posts user actions back.
// Record types come from the one protocol definition shared by runner, extension and webview.
import type { CandidateRecord, EpochMetrics, RefineRecord, RunSummary } from '../protocol';
import type { DecodeOptions } from '../model/spec';
import type { WorkerEvent, WorkerState } from '../workers';

export type { CandidateRecord, EpochMetrics, RefineRecord, DecodeOptions };

export const EXPLORER_VIEW_TYPE = 'paretoNas.explorer';
export const TOPOLOGY_VIEW_TYPE = 'paretoNas.topology';

export interface ExplorerRun {
  /** The runner's run id. */
  id: string;
  /** Host key of the extension ("local" or "ssh:<alias>"); with id it names the run after a reload. */
  host?: string;
  name: string;
  dir?: string;
  dataset?: string;
  state?: RunSummary['state'];
  generations?: number;
}

/** UI state that survives a reload (webview setState + WebviewPanelSerializer) and goes into the report. */
export interface ExplorerUiState {
  /** FLOPs cutoff in MFLOPs; null: no cutoff (every Pareto network is selected by default). */
  cutoff: number | null;
  /** Ids the user added to / removed from the default selection (Pareto networks below the cutoff). */
  added: string[];
  removed: string[];
  /** What the y axis shows. */
  yMetric: 'accuracy' | 'error';
  /** Show candidates up to this generation (the replay slider); null: all. */
  generation: number | null;
  view: 'plot' | 'table';
  /**
   * The user has not set a cutoff yet: the explorer keeps `cutoff` at its default as the run changes
   * (see `defaultCutoff` in selection.ts). Setting or clearing the cutoff turns it off.
   */
  cutoffAuto?: boolean;
}

export const DEFAULT_UI: ExplorerUiState = {
  cutoff: null,
  added: [],
  removed: [],
  yMetric: 'accuracy',
  generation: null,
  view: 'plot',
};

/** UI state of a newly opened explorer panel: the default cutoff follows the run. */
export const NEW_EXPLORER_UI: ExplorerUiState = { ...DEFAULT_UI, cutoffAuto: true };

export interface ExplorerSnapshot {
  run: ExplorerRun;
  /** seq of the last event folded into this snapshot; deltas with seq ≤ lastSeq are ignored. */
  lastSeq: number;
  /** How genomes decode (from config.json + the dataset); null when unknown (no topology then). */
  decode: DecodeOptions | null;
  candidates: CandidateRecord[];
  refinements: RefineRecord[];
  /** The run's training workers (Slurm job steps) as of lastSeq; absent or empty: none reported. */
  workers?: WorkerState[];
}

export interface RefineStart {
  id: string;
  candidate: string;
  epochs: number;
}

/** What changed since the previous message: built from run events by `deltaFromEvents`. */
export interface ExplorerDelta {
  /** seq of the last event in this delta. */
  seq: number;
  /** Finished candidates (a record with a known id replaces it). */
  candidates?: CandidateRecord[];
  refineStarted?: RefineStart[];
  refineEpochs?: Array<{ id: string; metrics: EpochMetrics }>;
  /** Finished (or failed) refinements. */
  refinements?: RefineRecord[];
  state?: RunSummary['state'];
  /** Events that change the workers (fold with common/workers.ts; `candidates` frees theirs). */
  workerEvents?: WorkerEvent[];
}

export type HostToWebview =
  | { type: 'snapshot'; snapshot: ExplorerSnapshot; ui?: Partial<ExplorerUiState> }
  | { type: 'delta'; delta: ExplorerDelta }
  | { type: 'set-ui'; ui: Partial<ExplorerUiState> }
  /** Fuller refinement records fetched after the snapshot (curves of running refinements); not seq-ordered. */
  | { type: 'refine-records'; records: RefineRecord[] }
  | { type: 'topology'; run: ExplorerRun; candidate: CandidateRecord; decode: DecodeOptions }
  /** The host could not get a candidate's network (unknown id, run unreadable, runner gone). */
  | { type: 'topology-error'; id: string; message: string };

export type WebviewToHost =
  /** Sent once the script runs; the host answers with a snapshot (messages to a hidden webview are lost). */
  | { type: 'ready'; view: 'explorer' | 'topology' }
  | { type: 'ui-state'; ui: ExplorerUiState }
  | { type: 'open-candidate'; id: string }
  | { type: 'open-topology'; id: string }
  | { type: 'refine-selected'; ids: string[] }
  /** Export Model… on a candidate: the extension runs its export command for it. */
  | { type: 'export-model'; id: string }
  /** Exports (CSV, Markdown, PNG, SVG): the host asks where to save. base64 when encoding says so. */
  | { type: 'save-file'; filename: string; mime: string; data: string; encoding: 'utf8' | 'base64' };

export function isHostMessage(m: unknown): m is HostToWebview {
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof (m as { type?: unknown }).type === 'string' &&
    ['snapshot', 'delta', 'set-ui', 'topology', 'topology-error', 'refine-records'].includes(
      (m as { type: string }).type,
    )
  );
}
