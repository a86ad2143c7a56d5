// Refinement: train the selected Pareto networks of a run from scratch with the long schedule,
// recording per-epoch curves in <run>/refine/<id>/result.json (a RefineRecord) and events in the
// run's events.jsonl. Each network checkpoints every epoch, so running refine again resumes it.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_REFINE_EPOCHS, type EngineSettings, type TrainingSettings } from '../../../common/config';
import { TrainingError, type EpochMetrics, type TrainJob, type TrainResult } from '../engines/engine';
import type { Executor } from '../exec/executor';
import { LocalExecutor } from '../exec/local';
import type { CandidateRecord, RefineRecord } from '../../../common/protocol';
import { paretoFront, selectBelowCutoff } from '../../../common/pareto';
import { runSpec } from '../search/run-spec';
import { readCandidates, readRefineRecord, readRunInfo, refineDir, RunStore } from '../store';
import { writeJsonAtomic } from '../store/files';

export { readRefineRecord, refineDir };

export type RefineSelection = { cutoff: number } | { ids: string[] };

export interface RefineOptions {
  runDir: string;
  select: RefineSelection;
  epochs?: number;
  /** Overrides of the run's training settings (e.g. batch size on a smaller GPU). */
  training?: Partial<TrainingSettings>;
  /** Engine settings; default: the run's config. */
  engine?: Partial<EngineSettings>;
  /** Parallel refinements; default: the run's executor settings (one per GPU, else per core). */
  workers?: number;
  /** Dataset folder; default: the run's. */
  dataset?: string;
  /** Executor to use instead of a local one (tests, other back ends). */
  executor?: Executor;
  signal?: AbortSignal;
  onProgress?: (p: RefineProgress) => void;
}

export interface RefineProgress {
  id: string;
  epoch?: EpochMetrics;
  record?: RefineRecord;
  /** 'skipped': already refined with these settings. */
  state: 'started' | 'epoch' | 'finished' | 'skipped';
}

export class RefineError extends Error {
  override name = 'RefineError';
}

/** The candidates to refine: the Pareto networks at or below a cutoff, or the given ids. */
export function selectCandidates(runDir: string, select: RefineSelection): CandidateRecord[] {
  const records = readCandidates(runDir);
  if ('ids' in select) {
    if (select.ids.length === 0) throw new RefineError('--ids needs at least one candidate id');
    return select.ids.map((id) => {
      const r = records.find((c) => c.id === id);
      if (!r) throw new RefineError(`${runDir} has no candidate "${id}" (ids look like ${records[0]?.id ?? 'g1-00'})`);
      if (r.status === 'failed')
        throw new RefineError(`candidate ${id} failed during the search (${r.failure?.kind}); pick another`);
      return r;
    });
  }
  if (!Number.isFinite(select.cutoff) || select.cutoff <= 0)
    throw new RefineError(`--cutoff must be a positive number of MFLOPs, got ${select.cutoff}`);
  const front = paretoFront(records);
  if (front.length === 0) throw new RefineError(`${runDir} has no successfully trained candidates yet`);
  const chosen = selectBelowCutoff(front, select.cutoff);
  if (chosen.length === 0) {
    throw new RefineError(
      `no Pareto network is at or below ${select.cutoff} MFLOPs; the front spans ${front[0].mflops}–${front.at(-1)!.mflops} MFLOPs`,
    );
  }
  return chosen;
}

/** Refines the selected networks; resolves with their records (done, failed, or unfinished when cancelled). */
export async function refine(options: RefineOptions): Promise<RefineRecord[]> {
  const { runDir } = options;
  const epochs = options.epochs ?? DEFAULT_REFINE_EPOCHS;
  if (!Number.isInteger(epochs) || epochs < 1)
    throw new RefineError(`--epochs must be a positive integer, got ${epochs}`);
  const store = RunStore.open(runDir, 'refine'); // the run's writer lock, held until we return
  try {
    return await refineHolding(store, options, epochs);
  } finally {
    store.close();
  }
}

async function refineHolding(store: RunStore, options: RefineOptions, epochs: number): Promise<RefineRecord[]> {
  const { runDir } = options;
  const dataset = refineDataset(runDir, options.dataset);
  const training: TrainingSettings = { ...store.config.training, ...options.training, epochs };
  const chosen = selectCandidates(runDir, options.select);

  const records = new Map<string, RefineRecord>();
  const jobs: TrainJob[] = [];
  for (const c of chosen) {
    const previous = previousRefinement(runDir, c.id, epochs);
    if (previous?.status === 'done' && previous.epochsPlanned === epochs) {
      records.set(c.id, previous);
      options.onProgress?.({ id: c.id, state: 'skipped', record: previous });
      continue;
    }
    records.set(c.id, newRefineRecord(c, epochs, previous));
    jobs.push(refineJob(runDir, c, dataset, training));
  }
  if (jobs.length > 0) await trainRefinements(store, options, jobs, records, epochs);
  return chosen.map((c) => records.get(c.id)!);
}

/** The dataset folder to refine on: the given one, else the run's; it must hold a dataset.json. */
function refineDataset(runDir: string, given: string | undefined): string {
  const dataset = given ?? readRunInfo(runDir).dataset.dir;
  if (!existsSync(join(dataset, 'dataset.json'))) {
    throw new RefineError(`dataset ${dataset} (from ${runDir}/run.json) has no dataset.json; pass --dataset <dir>`);
  }
  return dataset;
}

/** A candidate's earlier refinement, if any; refuses one planned for a different number of epochs that could be resumed. */
function previousRefinement(runDir: string, id: string, epochs: number): RefineRecord | undefined {
  const dir = refineDir(runDir, id);
  const previous = readRefineRecord(runDir, id);
  if (previous && previous.epochsPlanned !== epochs && existsSync(join(dir, 'checkpoint'))) {
    throw new RefineError(
      `${dir} holds a refinement planned for ${previous.epochsPlanned} epochs, not ${epochs}; ` +
        `run with --epochs ${previous.epochsPlanned} to resume it, or delete that folder to start over`,
    );
  }
  return previous;
}

function newRefineRecord(c: CandidateRecord, epochs: number, previous: RefineRecord | undefined): RefineRecord {
  return {
    id: c.id,
    candidate: c.id,
    genome: c.genome,
    mflops: c.mflops,
    params: c.params,
    epochsPlanned: epochs,
    epochs: previous?.epochs ?? [],
    searchAccuracy: c.valAccuracy,
    valAccuracy: null,
    status: 'running',
  };
}

function refineJob(runDir: string, c: CandidateRecord, dataset: string, training: TrainingSettings): TrainJob {
  const dir = refineDir(runDir, c.id);
  mkdirSync(dir, { recursive: true });
  return {
    id: c.id,
    spec: runSpec(runDir, c.genome),
    dataset,
    training,
    saveWeightsTo: join(dir, 'weights'),
    checkpointDir: join(dir, 'checkpoint'),
    measureInference: true,
  };
}

/** Trains the jobs, keeping each record's result.json and the run's events current epoch by epoch. */
async function trainRefinements(
  store: RunStore,
  options: RefineOptions,
  jobs: TrainJob[],
  records: Map<string, RefineRecord>,
  epochs: number,
): Promise<void> {
  const write = (r: RefineRecord) => writeJsonAtomic(join(refineDir(options.runDir, r.id), 'result.json'), r);
  const executor =
    options.executor ??
    new LocalExecutor({
      engine: { ...store.config.engine, ...options.engine },
      executor: { ...store.config.executor, workers: options.workers ?? store.config.executor.workers },
    });
  try {
    await executor.evaluate(jobs, {
      signal: options.signal,
      onStart: (id) => {
        const r = records.get(id)!;
        r.status = 'running';
        delete r.failure;
        write(r);
        store.appendEvent({ type: 'refine-started', id, candidate: r.candidate, epochs });
        options.onProgress?.({ id, state: 'started', record: r });
      },
      onEpoch: (id, m) => {
        const r = records.get(id)!;
        r.epochs = [...r.epochs.filter((e) => e.epoch < m.epoch), m];
        r.valAccuracy = m.valAccuracy;
        write(r);
        store.appendEvent({ type: 'refine-epoch', id, metrics: m });
        options.onProgress?.({ id, state: 'epoch', epoch: m, record: r });
      },
      onResult: (id, outcome) => {
        const r = records.get(id)!;
        finishRecord(r, outcome);
        write(r);
        store.appendEvent({ type: 'refine-finished', record: r });
        options.onProgress?.({ id, state: 'finished', record: r });
      },
    });
  } finally {
    if (!options.executor) await executor.close();
  }
}

function finishRecord(r: RefineRecord, outcome: TrainResult | TrainingError): void {
  if (outcome instanceof TrainingError) {
    r.status = 'failed';
    r.failure = { kind: outcome.kind, message: outcome.message };
    return;
  }
  r.status = 'done';
  r.epochs = outcome.epochs; // the engine's full history, including epochs from before a resume
  r.valAccuracy = outcome.valAccuracy;
  r.device = outcome.device;
  if (outcome.inference) r.inference = outcome.inference;
  if (outcome.params !== r.params) {
    r.status = 'failed';
    r.failure = {
      kind: 'engine-error',
      message: `engine built ${outcome.params} params, the run recorded ${r.params}`,
    };
  }
}
