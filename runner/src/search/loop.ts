// The search loop: ask NSGA-II for candidates, train the new ones through an executor, record
// every evaluation in the run directory as it finishes, tell NSGA-II the objectives, snapshot the
// surviving population (training and recording a batch is batch.ts). Resume replays recorded
// evaluations instead of training them again; since every random choice is derived from
// (seed, generation), the replay retraces the same search.
import { hostname } from 'node:os';
import type { Executor } from '../exec/executor';
import type { TensorShape } from '../../../common/model';
import type { CandidateRecord, GenerationSnapshot, RunEvent } from '../../../common/protocol';
import { readCandidates, readEvents, readSnapshot, type RunStore } from '../store';
import { announceBatch, evaluateBatch, planCandidate } from './batch';
import { createEarlyStopPolicy } from './early-stop/policy';
import { EarlyStopTracker } from './early-stop/tracker';
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
  /** The event that ends a stopped search; default run-finished "cancelled" (a requeued Slurm job says run-requeued). */
  stopEvent?: () => RunEvent | undefined;
}

/** 'failed': the search ran to its end but every candidate failed to train (see the first failure). */
export type SearchOutcome = 'completed' | 'cancelled' | 'failed';

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
  const policy = createEarlyStopPolicy(config.training.earlyStop);
  const earlyStop = policy && new EarlyStopTracker(policy, config.training.epochs);
  for (const r of recorded.values()) earlyStop?.addEvaluated(r);

  store.appendEvent({ type: 'run-started', config, resumed: recorded.size > 0, pid: process.pid, host: hostname() });
  let populationIds: string[] = [];

  while (algorithm.generation < settings.generations) {
    const generation = algorithm.generation + 1;
    const proposals = algorithm.ask();
    const planned = proposals.map((p, index) =>
      planCandidate(
        candidateId(generation, index, proposals.length),
        index,
        p.x,
        p.parents.map((k) => populationIds[k]),
        { nodes: settings.nodes, initChannels: settings.initChannels, input, classes },
      ),
    );
    if (!announced.has(generation)) {
      announceBatch(store, generation, planned);
      announced.add(generation);
    }

    const done = await evaluateBatch(
      {
        store, executor, generation, recorded, trained, signal, earlyStop, stopEvent: ctx.stopEvent,
        onProgress: (count, total, latest) =>
          ctx.onProgress?.({ generation, generations: settings.generations, done: count, total, latest }),
      },
      planned,
    );
    if (done === 'cancelled') return 'cancelled';
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
  const failure = allFailed(readCandidates(store.dir));
  if (failure) {
    store.appendEvent({ type: 'run-finished', status: 'failed', message: failure });
    return 'failed';
  }
  store.appendEvent({ type: 'run-finished', status: 'completed' });
  return 'completed';
}

/** When no candidate trained: why, from the first failure; undefined when some did. */
function allFailed(records: CandidateRecord[]): string | undefined {
  if (records.length === 0 || records.some((r) => r.status !== 'failed')) return undefined;
  const first = records.find((r) => r.failure)?.failure;
  return `all ${records.length} candidates failed to train${first ? `; the first: ${first.kind}: ${first.message}` : ''}`;
}

function recordedCount(store: RunStore): number {
  return readCandidates(store.dir).length;
}
