// The extension's picture of one run, built only from the runner's events (events.jsonl order).
// Pure data + pure functions, no `vscode` import: the tree view, status bar and webview host read it,
// and unit tests drive it with recorded events.
import type { CandidateRecord, GenerationSnapshot, RefineRecord, RunSummary, SearchConfig, StoredEvent } from '../../../common/protocol';
import { paretoFront } from '../../../common/pareto';
import { applyWorkerEvent, type WorkerState } from '../../../common/workers';

export type RunState = RunSummary['state'] | 'unknown';

export interface CandidateState {
  id: string;
  generation: number;
  status: 'pending' | 'training' | CandidateRecord['status'];
  /** Epochs finished so far while training: a count (EpochMetrics.epoch is the 0-based index). */
  epochsDone: number;
  lastValAccuracy: number | null;
  record?: CandidateRecord;
}

export type { WorkerState } from '../../../common/workers';

export interface GenerationState {
  generation: number;
  candidates: string[];
  finished: number;
  snapshot?: GenerationSnapshot;
}

export interface RefineState {
  id: string;
  candidate: string;
  epochsPlanned: number;
  epochsDone: number;
  record?: RefineRecord;
}

export interface RunModel {
  /** Host key ("local" or "ssh:<alias>") + run id. */
  host: string;
  id: string;
  dir?: string;
  name: string;
  dataset: string;
  state: RunState;
  config?: SearchConfig;
  /** Generation currently being evaluated (or the last one), 1-based; 0 before the first. */
  generation: number;
  generations: number;
  evaluations: number;
  populationPerGeneration: number;
  generationsById: Map<number, GenerationState>;
  candidates: Map<string, CandidateState>;
  refinements: Map<string, RefineState>;
  /** Workers by "node/gpu", once the runner reports them (Slurm runs). */
  workers: Map<string, WorkerState>;
  /** Highest seq applied; attach(run, lastSeq) resumes after it. */
  lastSeq: number;
  message?: string;
}

export function runKey(host: string, id: string): string {
  return `${host}\u0000${id}`;
}

export function newRunModel(host: string, id: string, summary?: RunSummary): RunModel {
  const m: RunModel = {
    host,
    id,
    name: id,
    dataset: '',
    state: 'unknown',
    generation: 0,
    generations: 0,
    evaluations: 0,
    populationPerGeneration: 0,
    generationsById: new Map(),
    candidates: new Map(),
    refinements: new Map(),
    workers: new Map(),
    lastSeq: 0,
  };
  if (summary) applySummary(m, summary);
  return m;
}

/** A summary (runs/list, run/attach) fills in what events have not told yet; events stay authoritative. */
export function applySummary(m: RunModel, s: RunSummary): void {
  m.dir = s.dir;
  m.name = s.name || m.name;
  m.dataset = s.dataset || m.dataset;
  if (m.lastSeq === 0 || s.lastSeq >= m.lastSeq) {
    m.state = s.state;
    m.generation = Math.max(m.generation, s.generation);
    m.generations = s.generations || m.generations;
    m.evaluations = Math.max(m.evaluations, s.evaluations);
  }
}

/**
 * Applies one event. Returns false (and changes nothing) for an event already applied (seq <= lastSeq),
 * which makes replays after a re-attach idempotent.
 */
export function applyEvent(m: RunModel, e: StoredEvent): boolean {
  if (e.seq <= m.lastSeq) return false;
  m.lastSeq = e.seq;
  switch (e.type) {
    case 'run-started':
      m.config = e.config;
      m.name = e.config.name;
      m.dataset = e.config.dataset;
      m.generations = e.config.search.generations;
      m.populationPerGeneration = e.config.search.population;
      m.state = 'running';
      m.message = undefined;
      break;
    case 'generation-started': {
      m.generation = e.generation;
      const g = generation(m, e.generation);
      for (const c of e.candidates) {
        if (!g.candidates.includes(c.id)) g.candidates.push(c.id);
        if (!m.candidates.has(c.id)) {
          m.candidates.set(c.id, { id: c.id, generation: e.generation, status: 'pending', epochsDone: 0, lastValAccuracy: null });
        }
      }
      break;
    }
    case 'candidate-started': {
      const c = candidate(m, e.id, e.generation);
      c.status = 'training';
      break;
    }
    case 'run-requeued':
      m.message = `requeued (${e.reason})`;
      break;
    case 'candidate-epoch': {
      const c = m.candidates.get(e.id);
      if (c) {
        c.epochsDone = Math.max(c.epochsDone, e.metrics.epoch + 1);
        c.lastValAccuracy = e.metrics.valAccuracy ?? c.lastValAccuracy;
      }
      break;
    }
    case 'candidate-finished': {
      const r = e.record;
      const c = candidate(m, r.id, r.generation);
      const wasFinished = c.record !== undefined;
      c.record = r;
      c.status = r.status;
      c.epochsDone = r.epochs.length;
      c.lastValAccuracy = r.valAccuracy;
      if (!wasFinished) {
        m.evaluations += 1;
        generation(m, r.generation).finished += 1;
      }
      break;
    }
    case 'generation-finished':
      generation(m, e.snapshot.generation).snapshot = e.snapshot;
      m.evaluations = Math.max(m.evaluations, e.snapshot.evaluations);
      break;
    case 'run-finished':
      m.state = e.status;
      m.message = e.message;
      break;
    case 'refine-started':
      m.refinements.set(e.id, { id: e.id, candidate: e.candidate, epochsPlanned: e.epochs, epochsDone: 0 });
      break;
    case 'refine-epoch': {
      const r = m.refinements.get(e.id);
      if (r) r.epochsDone = Math.max(r.epochsDone, e.metrics.epoch + 1);
      break;
    }
    case 'refine-finished': {
      m.refinements.set(e.record.id, {
        id: e.record.id,
        candidate: e.record.candidate,
        epochsPlanned: e.record.epochsPlanned,
        epochsDone: e.record.epochs.length,
        record: e.record,
      });
      break;
    }
    default:
      break;
  }
  applyWorkerEvent(m.workers, e); // who trains what (common/workers.ts, shared with the explorer)
  return true;
}

function generation(m: RunModel, n: number): GenerationState {
  let g = m.generationsById.get(n);
  if (!g) {
    g = { generation: n, candidates: [], finished: 0 };
    m.generationsById.set(n, g);
  }
  return g;
}

function candidate(m: RunModel, id: string, gen: number): CandidateState {
  let c = m.candidates.get(id);
  if (!c) {
    c = { id, generation: gen, status: 'pending', epochsDone: 0, lastValAccuracy: null };
    m.candidates.set(id, c);
    const g = generation(m, gen);
    if (!g.candidates.includes(id)) g.candidates.push(id);
  }
  return c;
}

/** Records of the candidates that have finished (any status), in arrival order. */
export function records(m: RunModel): CandidateRecord[] {
  const out: CandidateRecord[] = [];
  for (const c of m.candidates.values()) if (c.record) out.push(c.record);
  return out;
}

const fronts = new WeakMap<RunModel, { seq: number; front: CandidateRecord[] }>();

/**
 * The run's Pareto front by the one rule (common/pareto.ts `paretoFront`), cached per
 * applied event: the tree asks for it several times per refresh.
 */
export function frontOf(m: RunModel): CandidateRecord[] {
  const hit = fronts.get(m);
  if (hit && hit.seq === m.lastSeq && m.lastSeq > 0) return hit.front;
  const front = paretoFront(records(m));
  fronts.set(m, { seq: m.lastSeq, front });
  return front;
}

/** Progress of the current generation: finished / planned candidates. */
export function generationProgress(m: RunModel): { generation: number; generations: number; done: number; total: number } {
  const g = m.generationsById.get(m.generation);
  const total = g ? g.candidates.length : 0;
  return { generation: m.generation, generations: m.generations, done: g ? g.finished : 0, total };
}

export function isActive(m: RunModel): boolean {
  return m.state === 'running';
}
