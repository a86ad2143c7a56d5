// The one definition of what crosses process boundaries: run-directory records, the events of
// events.jsonl, and (below) the JSON-RPC methods of `pareto-nas serve`. Imported by the runner,
// the extension and the webview; nothing here may import Node-only modules.
import type { SearchConfig } from './config';
import type { EpochMetrics, FailureKind, InferenceTiming } from './engines/engine';
import type { NetworkSpec } from './model/spec';

export type { EpochMetrics, FailureKind, InferenceTiming, NetworkSpec, SearchConfig };

// ---------------------------------------------------------------------------------------------
// Run directory records

/** One evaluation of the search: a line of candidates.jsonl. */
export interface CandidateRecord {
  /** "g<generation>-<index>", unique in the run, e.g. "g3-07". */
  id: string;
  /** 1-based; the initial population is generation 1, as in NSGA-Net. */
  generation: number;
  index: number;
  genome: string;
  specHash: string;
  mflops: number;
  params: number;
  /** ok: trained here; reused: same network as `reusedFrom`, result copied; failed: see failure. */
  status: 'ok' | 'reused' | 'failed';
  /** Validation accuracy in percent after the last epoch; null when failed. */
  valAccuracy: number | null;
  /** The first objective: 100 − valAccuracy (100 when failed). */
  error: number;
  epochs: EpochMetrics[];
  trainSeconds: number;
  parents: string[];
  reusedFrom?: string;
  failure?: { kind: FailureKind; message: string };
  device?: string;
  finishedAt: string;
}

/** A member of a generation's surviving population, with its NSGA-II rank (0 = front) and crowding. */
export interface PopulationMember {
  id: string;
  rank: number;
  crowding: number;
}

/** generations/g<NNNN>.json: the population after survival of one generation. */
export interface GenerationSnapshot {
  generation: number;
  population: PopulationMember[];
  evaluations: number;
  writtenAt: string;
}

/** One refinement of a selected network: refine/<id>/result.json. */
export interface RefineRecord {
  id: string;
  candidate: string;
  genome: string;
  mflops: number;
  params: number;
  epochsPlanned: number;
  epochs: EpochMetrics[];
  /** Accuracy before refinement (from the search) and after it. */
  searchAccuracy: number | null;
  valAccuracy: number | null;
  inference?: InferenceTiming;
  status: 'running' | 'done' | 'failed';
  failure?: { kind: FailureKind; message: string };
  device?: string;
}

// ---------------------------------------------------------------------------------------------
// Events (events.jsonl): each line is {seq, time, ...RunEvent}; seq starts at 1 and never repeats.

export type RunEvent =
  | { type: 'run-started'; config: SearchConfig; resumed: boolean; pid: number; host: string }
  | { type: 'generation-started'; generation: number; candidates: Array<{ id: string; genome: string; parents: string[] }> }
  | { type: 'candidate-started'; id: string; generation: number }
  | { type: 'candidate-epoch'; id: string; metrics: EpochMetrics }
  | { type: 'candidate-finished'; record: CandidateRecord }
  | { type: 'generation-finished'; snapshot: GenerationSnapshot }
  | { type: 'run-finished'; status: 'completed' | 'cancelled' | 'failed'; message?: string }
  | { type: 'refine-started'; id: string; candidate: string; epochs: number }
  | { type: 'refine-epoch'; id: string; metrics: EpochMetrics }
  | { type: 'refine-finished'; record: RefineRecord }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

export type RunEventType = RunEvent['type'];
export type StoredEvent = RunEvent & { seq: number; time: string };

/** Summary of a run for lists (tree view, `pareto-nas status`). */
export interface RunSummary {
  id: string;
  dir: string;
  name: string;
  dataset: string;
  state: 'running' | 'completed' | 'cancelled' | 'failed' | 'stopped';
  generation: number;
  generations: number;
  evaluations: number;
  lastSeq: number;
  startedAt?: string;
  updatedAt?: string;
}
