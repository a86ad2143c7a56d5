// Trains one batch of planned candidates through an executor and records each result in the run
// directory as it finishes. Results already recorded are kept (resume); networks already trained
// (same spec hash) are reused when the run asks for it; a training cut short by a cancel is not a
// result. Shared by the search loop (one batch per generation) and `pareto-nas train` (one batch).
import type { SearchConfig } from '../../../common/config';
import { TrainingError, type TrainJob, type TrainResult } from '../engines/engine';
import type { Executor } from '../exec/executor';
import { cost, decode, type DecodeOptions, type NetworkSpec } from '../../../common/model';
import { specHash } from '../model/hash';
import type { CandidateRecord, EarlyStopRecord, RunEvent } from '../../../common/protocol';
import { RunStoreError, type RunStore } from '../store';
import type { EarlyStopTracker } from './early-stop/tracker';

export interface Planned {
  index: number;
  id: string;
  genome: string;
  parents: string[];
  spec: NetworkSpec;
  mflops: number;
  params: number;
  hash: string;
}

/** Decodes a genome and counts its cost: everything a record needs before training. */
export function planCandidate(
  id: string,
  index: number,
  genome: string,
  parents: string[],
  decodeOptions: DecodeOptions,
): Planned {
  const spec = decode(genome, decodeOptions);
  const c = cost(spec);
  return { index, id, genome, parents, spec, mflops: c.mflops, params: c.params, hash: specHash(spec) };
}

/** Appends the generation-started event that lists a batch (the explorer and resume read it). */
export function announceBatch(store: RunStore, generation: number, planned: readonly Planned[]): void {
  store.appendEvent({
    type: 'generation-started',
    generation,
    candidates: planned.map((p) => ({ id: p.id, genome: p.genome, parents: p.parents })),
  });
}

export interface BatchContext {
  store: RunStore;
  executor: Executor;
  generation: number;
  /** Results recorded earlier in this run, by id (a resumed batch keeps them). */
  recorded: ReadonlyMap<string, CandidateRecord>;
  /** Spec hash → first successful training in the run; batches add to it. */
  trained: Map<string, CandidateRecord>;
  signal?: AbortSignal;
  /** After each result (recorded, reused or replayed), with the batch's count of results so far. */
  onProgress?: (done: number, total: number, latest?: CandidateRecord) => void;
  /** Stops candidates the early-termination policy gives up on (training.earlyStop). */
  earlyStop?: EarlyStopTracker;
  /** The event that ends a stopped batch; default run-finished "cancelled". */
  stopEvent?: () => RunEvent | undefined;
}

/** Every candidate's record in batch order, or 'cancelled' (the run-finished event is written). */
export async function evaluateBatch(
  ctx: BatchContext,
  planned: readonly Planned[],
): Promise<CandidateRecord[] | 'cancelled'> {
  const { store, executor, generation, trained, signal, earlyStop } = ctx;
  const config = store.config;
  const results: Array<CandidateRecord | undefined> = planned.map((p) => {
    const r = ctx.recorded.get(p.id);
    if (r && r.genome !== p.genome) {
      throw new RunStoreError(
        `cannot resume ${store.dir}: candidate ${p.id} was recorded with genome ${r.genome} but the run now ` +
          `proposes ${p.genome}; the run's config.json or records were changed`,
      );
    }
    return r;
  });
  const report = (latest?: CandidateRecord) => ctx.onProgress?.(results.filter(Boolean).length, planned.length, latest);
  const record = (r: CandidateRecord) => {
    store.appendCandidate(r);
    store.appendEvent({ type: 'candidate-finished', record: r });
    results[planned.findIndex((p) => p.id === r.id)] = r;
    if (r.status === 'ok' && !trained.has(r.specHash)) trained.set(r.specHash, r);
    earlyStop?.addEvaluated(r);
    report(r);
  };
  report();

  // Networks already trained (same spec hash) are reused; the first of a hash in this batch trains.
  const reuse = config.search.duplicates === 'reuse';
  const toTrain: Planned[] = [];
  const waiting: Planned[] = [];
  for (const p of planned) {
    if (results[p.index]) continue;
    if (reuse && trained.has(p.hash)) record(reusedRecord(p, generation, trained.get(p.hash)!));
    else if (reuse && toTrain.some((q) => q.hash === p.hash)) waiting.push(p);
    else toTrain.push(p);
  }

  const byId = new Map(toTrain.map((p) => [p.id, p]));
  await executor.evaluate(
    toTrain.map((p) => trainJob(p, store.info.dataset.dir, config)),
    {
      signal,
      onStart: (id, worker) =>
        store.appendEvent({ type: 'candidate-started', id, generation, ...(worker && { worker }) }),
      onEpoch: (id, metrics) => store.appendEvent({ type: 'candidate-epoch', id, metrics }),
      stopAfter: earlyStop && ((id, metrics) => earlyStop.afterEpoch(id, byId.get(id)!.mflops, metrics)),
      onResult: (id, outcome, worker) => {
        // A training cut short by a cancel is not a result: resume trains it again.
        if (outcome instanceof TrainingError && outcome.kind === 'cancelled') return;
        const stopped = outcome instanceof TrainingError ? undefined : earlyStop?.recordFor(id, outcome.epochs.length);
        record({ ...evaluatedRecord(byId.get(id)!, generation, outcome, stopped), ...(worker && { worker }) });
      },
      onWorker: (event) => store.appendEvent(event),
    },
  );
  if (signal?.aborted) {
    store.appendEvent(
      ctx.stopEvent?.() ?? { type: 'run-finished', status: 'cancelled', message: 'cancelled by the user' },
    );
    return 'cancelled';
  }
  for (const p of waiting) {
    const source = trained.get(p.hash);
    record(source ? reusedRecord(p, generation, source) : failedTwin(p, generation, results, planned));
  }
  return results as CandidateRecord[];
}

function trainJob(p: Planned, dataset: string, config: SearchConfig): TrainJob {
  return { id: p.id, spec: p.spec, dataset, training: config.training };
}

function baseRecord(
  p: Planned,
  generation: number,
): Omit<CandidateRecord, 'status' | 'valAccuracy' | 'error' | 'epochs' | 'trainSeconds'> {
  return {
    id: p.id,
    generation,
    index: p.index,
    genome: p.genome,
    specHash: p.hash,
    mflops: p.mflops,
    params: p.params,
    parents: p.parents,
    finishedAt: new Date().toISOString(),
  };
}

function evaluatedRecord(
  p: Planned,
  generation: number,
  outcome: TrainResult | TrainingError,
  earlyStop?: EarlyStopRecord,
): CandidateRecord {
  if (outcome instanceof TrainingError) {
    return {
      ...baseRecord(p, generation),
      status: 'failed',
      valAccuracy: null,
      error: 100,
      epochs: [],
      trainSeconds: 0,
      failure: { kind: outcome.kind, message: outcome.message },
    };
  }
  return {
    ...baseRecord(p, generation),
    status: 'ok',
    valAccuracy: outcome.valAccuracy,
    error: 100 - outcome.valAccuracy,
    epochs: outcome.epochs,
    trainSeconds: outcome.epochs.reduce((s, e) => s + e.seconds, 0),
    device: outcome.device,
    ...(earlyStop ? { earlyStop } : {}),
  };
}

function reusedRecord(p: Planned, generation: number, source: CandidateRecord): CandidateRecord {
  return {
    ...baseRecord(p, generation),
    status: 'reused',
    reusedFrom: source.id,
    valAccuracy: source.valAccuracy,
    error: source.error,
    epochs: source.epochs,
    trainSeconds: 0,
    device: source.device,
    ...(source.earlyStop ? { earlyStop: source.earlyStop } : {}),
  };
}

/** A duplicate whose twin in the same batch failed shares the failure instead of training again. */
function failedTwin(
  p: Planned,
  generation: number,
  results: Array<CandidateRecord | undefined>,
  planned: readonly Planned[],
): CandidateRecord {
  const twin = planned.find((q) => q.hash === p.hash && results[q.index]?.status === 'failed');
  const failure = (twin && results[twin.index]?.failure) ?? {
    kind: 'engine-error' as const,
    message: 'duplicate of a failed network',
  };
  return {
    ...baseRecord(p, generation),
    status: 'failed',
    valAccuracy: null,
    error: 100,
    epochs: [],
    trainSeconds: 0,
    failure,
  };
}
