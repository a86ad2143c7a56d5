// The training workers of a run (Slurm job steps, or local processes that report themselves), folded
// from the run's events, and how a worker reads in a list: "n2 GPU 1 · g3-07 epoch 4 · 5120 img/s".
// One fold for the extension's run model (Runs view) and the explorer webview, so both say the same.
import type { StoredEvent, WorkerRef } from './protocol';

export interface WorkerState {
  /** "node/gpu" ("node/cpu" without a GPU): a worker's identity across restarts of its step. */
  key: string;
  node: string;
  gpu: string | null;
  state: 'up' | 'lost' | 'excluded';
  /** The candidate it trains now, if any. */
  candidate?: string;
  /** Epochs of that candidate finished so far (1-based count; 0 before the first ends). */
  epoch: number;
  imagesPerSecond?: number;
  /** How often a step of this worker died. */
  lost: number;
}

/**
 * The events that change a run's workers, which the explorer's deltas carry besides the finished
 * candidates (a finished candidate frees its worker: `candidateFinished`, from the delta's records).
 */
export type WorkerEvent = Extract<
  StoredEvent,
  {
    type: 'worker-started' | 'worker-lost' | 'node-excluded' | 'run-requeued' | 'candidate-started' | 'candidate-epoch';
  }
>;

const WORKER_EVENT_TYPES: ReadonlySet<string> = new Set<WorkerEvent['type']>([
  'worker-started',
  'worker-lost',
  'node-excluded',
  'run-requeued',
  'candidate-started',
  'candidate-epoch',
]);

export function isWorkerEvent(e: StoredEvent): e is WorkerEvent {
  return WORKER_EVENT_TYPES.has(e.type);
}

/** The worker that trained this candidate is free again. */
export function candidateFinished(workers: Map<string, WorkerState>, id: string): void {
  for (const w of workers.values()) if (w.candidate === id) w.candidate = undefined;
}

export function workerKey(w: WorkerRef): string {
  return `${w.node}/${w.gpu ?? 'cpu'}`;
}

/** Applies one event to the workers (keyed by workerKey); other events change nothing. */
export function applyWorkerEvent(workers: Map<string, WorkerState>, e: StoredEvent): void {
  switch (e.type) {
    case 'worker-started': {
      const key = workerKey(e.worker);
      workers.set(key, {
        key,
        node: e.worker.node,
        gpu: e.worker.gpu,
        state: 'up',
        epoch: 0,
        lost: workers.get(key)?.lost ?? 0,
      });
      break;
    }
    case 'candidate-started': {
      const w = e.worker && workers.get(workerKey(e.worker));
      if (w) Object.assign(w, { candidate: e.id, epoch: 0, imagesPerSecond: undefined, state: 'up' });
      break;
    }
    case 'candidate-epoch':
      for (const w of workers.values()) {
        if (w.candidate !== e.id) continue;
        w.epoch = e.metrics.epoch + 1;
        if (e.metrics.images && e.metrics.seconds > 0) w.imagesPerSecond = e.metrics.images / e.metrics.seconds;
      }
      break;
    case 'candidate-finished':
      candidateFinished(workers, e.record.id);
      break;
    case 'worker-lost': {
      const w = workers.get(workerKey(e.worker));
      if (w) Object.assign(w, { state: 'lost', candidate: undefined, lost: w.lost + 1 });
      break;
    }
    case 'node-excluded':
      for (const w of workers.values())
        if (w.node === e.node) Object.assign(w, { state: 'excluded', candidate: undefined });
      break;
    case 'run-requeued':
      // the job stopped: nothing trains until it starts again (its workers then report anew)
      for (const w of workers.values()) w.candidate = undefined;
      break;
    default:
      break;
  }
}

/** One worker as a list shows it. */
export interface WorkerRow {
  key: string;
  /** "n2 GPU 1" or "n1 CPU". */
  label: string;
  state: WorkerState['state'];
  /** The candidate in training, or undefined when idle / down. */
  candidate?: string;
  epoch?: number;
  /** Rounded images per second of the last epoch, when known. */
  imagesPerSecond?: number;
  /** "g3-07 epoch 4, 5120 img/s", "idle", "lost (restarts on its next candidate)" or "node excluded". */
  description: string;
  /** Plain words for a tooltip or screen reader: "up", "lost, lost 2×". */
  detail: string;
}

export function workerLabel(w: WorkerRef): string {
  return `${w.node} ${w.gpu === null ? 'CPU' : `GPU ${w.gpu}`}`;
}

export function workerDescription(w: WorkerState): string {
  if (w.state === 'lost') return 'lost (restarts on its next candidate)';
  if (w.state === 'excluded') return 'node excluded';
  if (!w.candidate) return 'idle';
  const speed = w.imagesPerSecond ? `, ${Math.round(w.imagesPerSecond)} img/s` : '';
  return `${w.candidate} epoch ${w.epoch}${speed}`;
}

export function workerRow(w: WorkerState): WorkerRow {
  const training = w.state === 'up' && w.candidate !== undefined;
  return {
    key: w.key,
    label: workerLabel(w),
    state: w.state,
    candidate: training ? w.candidate : undefined,
    epoch: training ? w.epoch : undefined,
    imagesPerSecond: training && w.imagesPerSecond ? Math.round(w.imagesPerSecond) : undefined,
    description: workerDescription(w),
    detail: `${w.state}${w.lost ? `, lost ${w.lost}×` : ''}`,
  };
}

/** Rows in a stable order: by node, then GPU (numerically: GPU 10 after GPU 9). */
export function workerRows(workers: Iterable<WorkerState>): WorkerRow[] {
  const order = (a: WorkerState, b: WorkerState) =>
    a.node.localeCompare(b.node, undefined, { numeric: true }) ||
    (a.gpu ?? '').localeCompare(b.gpu ?? '', undefined, { numeric: true });
  return [...workers].sort(order).map(workerRow);
}

/** "4/4 up on 2 nodes": the summary above the rows. */
export function workersSummary(workers: Iterable<WorkerState>): string {
  const all = [...workers];
  const up = all.filter((w) => w.state === 'up');
  const training = up.filter((w) => w.candidate !== undefined).length;
  return `${up.length}/${all.length} up on ${new Set(up.map((w) => w.node)).size} node(s), ${training} training`;
}
