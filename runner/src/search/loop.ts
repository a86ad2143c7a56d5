// The search loop: ask NSGA-II for candidates, train the new ones through an executor, record
// every evaluation in the run directory as it finishes, tell NSGA-II the objectives, snapshot the
// surviving population. Resume replays recorded evaluations instead of training them again; since
// every random choice is derived from (seed, generation), the replay retraces the same search.
import { hostname } from 'node:os';
import type { SearchConfig } from '../../../common/config';
import { TrainingError, type TrainJob, type TrainResult } from '../engines/engine';
import type { Executor } from '../exec/executor';
import { cost, decode, type NetworkSpec, type TensorShape } from '../../../common/model';
import { specHash } from '../model/hash';
import type { CandidateRecord, GenerationSnapshot } from '../../../common/protocol';
import { readCandidates, readEvents, readSnapshot, RunStoreError, type RunStore } from '../store';
import { candidateId, macroAlgorithm } from './macro';

export interface SearchProgress {
  generation: number;
  generations: number;
  /** Candidates of this generation with a result (recorded or replayed). */
  done: number;
  total: number;
  latest?: CandidateRecord;
}

export interface SearchContext {
  store: RunStore;
  executor: Executor;
  signal?: AbortSignal;
  onProgress?: (p: SearchProgress) => void;
}

export type SearchOutcome = 'completed' | 'cancelled';

interface Planned {
  index: number;
  id: string;
  genome: string;
  parents: string[];
  spec: NetworkSpec;
  mflops: number;
  params: number;
  hash: string;
}

export async function runSearch(ctx: SearchContext): Promise<SearchOutcome> {
  const { store, executor, signal } = ctx;
  const config = store.config;
  const [channels, height, width] = store.info.dataset.shape;
  const input: TensorShape = { channels, height, width };
  const classes = store.info.dataset.classes.length;
  const settings = config.search;
  const algorithm = macroAlgorithm(settings);
  const recorded = new Map(readCandidates(store.dir).map((r) => [r.id, r]));
  const announced = new Set(
    readEvents(store.dir).flatMap((e) => (e.type === 'generation-started' ? [e.generation] : [])),
  );
  const trained = new Map<string, CandidateRecord>(); // spec hash → first successful training
  for (const r of recorded.values()) if (r.status === 'ok' && !trained.has(r.specHash)) trained.set(r.specHash, r);

  store.appendEvent({ type: 'run-started', config, resumed: recorded.size > 0, pid: process.pid, host: hostname() });
  let populationIds: string[] = [];

  while (algorithm.generation < settings.generations) {
    const generation = algorithm.generation + 1;
    const proposals = algorithm.ask();
    const planned: Planned[] = proposals.map((p, index) => {
      const spec = decode(p.x, { nodes: settings.nodes, initChannels: settings.initChannels, input, classes });
      const c = cost(spec);
      return {
        index,
        id: candidateId(generation, index, proposals.length),
        genome: p.x,
        parents: p.parents.map((k) => populationIds[k]),
        spec,
        mflops: c.mflops,
        params: c.params,
        hash: specHash(spec),
      };
    });
    if (!announced.has(generation)) {
      store.appendEvent({
        type: 'generation-started',
        generation,
        candidates: planned.map((p) => ({ id: p.id, genome: p.genome, parents: p.parents })),
      });
      announced.add(generation);
    }

    const results: Array<CandidateRecord | undefined> = planned.map((p) => {
      const r = recorded.get(p.id);
      if (r && r.genome !== p.genome) {
        throw new RunStoreError(
          `cannot resume ${store.dir}: candidate ${p.id} was recorded with genome ${r.genome} but the search now ` +
            `proposes ${p.genome}; the run's config.json or records were changed`,
        );
      }
      return r;
    });
    const report = (latest?: CandidateRecord) =>
      ctx.onProgress?.({
        generation,
        generations: settings.generations,
        done: results.filter(Boolean).length,
        total: planned.length,
        latest,
      });
    const record = (r: CandidateRecord) => {
      store.appendCandidate(r);
      store.appendEvent({ type: 'candidate-finished', record: r });
      results[planned.findIndex((p) => p.id === r.id)] = r;
      if (r.status === 'ok' && !trained.has(r.specHash)) trained.set(r.specHash, r);
      report(r);
    };
    report();

    // Networks already trained (same spec hash) are reused; the first of a hash in this batch trains.
    const reuse = settings.duplicates === 'reuse';
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
        onStart: (id) => store.appendEvent({ type: 'candidate-started', id, generation }),
        onEpoch: (id, metrics) => store.appendEvent({ type: 'candidate-epoch', id, metrics }),
        onResult: (id, outcome) => {
          // A training cut short by a cancel is not a result: resume trains it again.
          if (outcome instanceof TrainingError && outcome.kind === 'cancelled') return;
          record(evaluatedRecord(byId.get(id)!, generation, outcome));
        },
      },
    );
    if (signal?.aborted) {
      store.appendEvent({ type: 'run-finished', status: 'cancelled', message: 'cancelled by the user' });
      return 'cancelled';
    }
    for (const p of waiting) {
      const source = trained.get(p.hash);
      record(source ? reusedRecord(p, generation, source) : failedTwin(p, generation, results, planned));
    }

    const done = results as CandidateRecord[];
    const mergedIds = [...populationIds, ...done.map((r) => r.id)];
    const survivors = algorithm.tell(
      planned.map((p) => p.genome),
      done.map((r) => [r.error, r.mflops]),
    );
    populationIds = survivors.map((i) => mergedIds[i]);
    if (!readSnapshot(store.dir, generation)) {
      const snapshot: GenerationSnapshot = {
        generation,
        population: algorithm.population.map((ind, k) => ({ id: populationIds[k], rank: ind.rank, crowding: ind.crowding })),
        evaluations: recordedCount(store),
        writtenAt: new Date().toISOString(),
      };
      store.writeSnapshot(snapshot);
      store.appendEvent({ type: 'generation-finished', snapshot });
    }
  }
  store.appendEvent({ type: 'run-finished', status: 'completed' });
  return 'completed';
}

function trainJob(p: Planned, dataset: string, config: SearchConfig): TrainJob {
  return { id: p.id, spec: p.spec, dataset, training: config.training };
}

function baseRecord(p: Planned, generation: number): Omit<CandidateRecord, 'status' | 'valAccuracy' | 'error' | 'epochs' | 'trainSeconds'> {
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

function evaluatedRecord(p: Planned, generation: number, outcome: TrainResult | TrainingError): CandidateRecord {
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
  };
}

/** A duplicate whose twin in the same batch failed shares the failure instead of training again. */
function failedTwin(p: Planned, generation: number, results: Array<CandidateRecord | undefined>, planned: Planned[]): CandidateRecord {
  const twin = planned.find((q) => q.hash === p.hash && results[q.index]?.status === 'failed');
  const failure = (twin && results[twin.index]?.failure) ?? { kind: 'engine-error' as const, message: 'duplicate of a failed network' };
  return { ...baseRecord(p, generation), status: 'failed', valAccuracy: null, error: 100, epochs: [], trainSeconds: 0, failure };
}

function recordedCount(store: RunStore): number {
  return readCandidates(store.dir).length;
}
