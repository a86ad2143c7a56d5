// The search loop: ask NSGA-II for candidates, train the new ones through an executor, record
// every evaluation in the run directory as it finishes, tell NSGA-II the objectives, snapshot the
// surviving population (training and recording a batch is batch.ts). Resume replays recorded
// evaluations instead of training them again; since every random choice is derived from
// (seed, generation), the replay retraces the same search.
import { hostname } from 'node:os';
import type { Executor } from '../exec/executor';
import type { DecodeOptions, TensorShape } from '../../../common/model';
import type { CandidateRecord, GenerationSnapshot, RunEvent } from '../../../common/protocol';
import { readCandidates, readEvents, readSnapshot, type RunStore } from '../store';
import { announceBatch, evaluateBatch, planCandidate, type BatchContext, type Planned } from './batch';
import { createEarlyStopPolicy } from './early-stop/policy';
import { EarlyStopTracker } from './early-stop/tracker';
import { candidateId, macroAlgorithm } from './macro';

type MacroAlgorithm = ReturnType<typeof macroAlgorithm>;

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
  const { store } = ctx;
  const settings = store.config.search;
  const algorithm = macroAlgorithm(settings);
  const past = pastOfRun(store);
  store.appendEvent({
    type: 'run-started',
    config: store.config,
    resumed: past.recorded.size > 0,
    pid: process.pid,
    host: hostname(),
  });
  let populationIds: string[] = [];
  while (algorithm.generation < settings.generations) {
    const generation = algorithm.generation + 1;
    const planned = planGeneration(algorithm, generation, populationIds, decodeOptions(store));
    if (!past.announced.has(generation)) {
      announceBatch(store, generation, planned);
      past.announced.add(generation);
    }
    const done = await evaluateBatch(batchContext(ctx, past, generation), planned);
    if (done === 'cancelled') return 'cancelled';
    populationIds = tellResults(algorithm, planned, done, populationIds);
    if (!readSnapshot(store.dir, generation)) recordSnapshot(store, algorithm, generation, populationIds);
  }
  return finishRun(store);
}

/** What a resumed run already has: its results, the generations it announced, early-stop history. */
interface RunPast {
  recorded: Map<string, CandidateRecord>;
  announced: Set<number>;
  /** spec hash → first successful training */
  trained: Map<string, CandidateRecord>;
  earlyStop?: EarlyStopTracker;
}

function pastOfRun(store: RunStore): RunPast {
  const recorded = new Map(readCandidates(store.dir).map((r) => [r.id, r]));
  const announced = new Set(
    readEvents(store.dir).flatMap((e) => (e.type === 'generation-started' ? [e.generation] : [])),
  );
  const trained = new Map<string, CandidateRecord>();
  for (const r of recorded.values()) if (r.status === 'ok' && !trained.has(r.specHash)) trained.set(r.specHash, r);
  const policy = createEarlyStopPolicy(store.config.training.earlyStop);
  const earlyStop = policy ? new EarlyStopTracker(policy, store.config.training.epochs) : undefined;
  for (const r of recorded.values()) earlyStop?.addEvaluated(r);
  return { recorded, announced, trained, earlyStop };
}

/** How this run's genomes decode: its search's cell size and width, its dataset's shape and classes. */
function decodeOptions(store: RunStore): DecodeOptions {
  const [channels, height, width] = store.info.dataset.shape;
  const input: TensorShape = { channels, height, width };
  const { nodes, initChannels } = store.config.search;
  return { nodes, initChannels, input, classes: store.info.dataset.classes.length };
}

/** NSGA-II's proposals for this generation, decoded and costed, parents named by candidate id. */
function planGeneration(
  algorithm: MacroAlgorithm,
  generation: number,
  populationIds: readonly string[],
  options: DecodeOptions,
): Planned[] {
  const proposals = algorithm.ask();
  return proposals.map((p, index) =>
    planCandidate(
      candidateId(generation, index, proposals.length),
      index,
      p.x,
      p.parents.map((k) => populationIds[k]),
      options,
    ),
  );
}

function batchContext(ctx: SearchContext, past: RunPast, generation: number): BatchContext {
  const { store, executor, signal, stopEvent } = ctx;
  const generations = store.config.search.generations;
  return {
    store,
    executor,
    generation,
    recorded: past.recorded,
    trained: past.trained,
    signal,
    earlyStop: past.earlyStop,
    stopEvent,
    onProgress: (done, total, latest) => ctx.onProgress?.({ generation, generations, done, total, latest }),
  };
}

/** Gives NSGA-II the objectives (error, MFLOPs); returns the ids of the surviving population. */
function tellResults(
  algorithm: MacroAlgorithm,
  planned: readonly Planned[],
  done: readonly CandidateRecord[],
  populationIds: readonly string[],
): string[] {
  const mergedIds = [...populationIds, ...done.map((r) => r.id)];
  const survivors = algorithm.tell(
    planned.map((p) => p.genome),
    done.map((r) => [r.error, r.mflops]),
  );
  return survivors.map((i) => mergedIds[i]);
}

function recordSnapshot(
  store: RunStore,
  algorithm: MacroAlgorithm,
  generation: number,
  populationIds: readonly string[],
): void {
  const snapshot: GenerationSnapshot = {
    generation,
    population: algorithm.population.map((ind, k) => ({
      id: populationIds[k],
      rank: ind.rank,
      crowding: ind.crowding,
    })),
    evaluations: recordedCount(store),
    writtenAt: new Date().toISOString(),
  };
  store.writeSnapshot(snapshot);
  store.appendEvent({ type: 'generation-finished', snapshot });
}

/** The run's end: failed when no candidate trained at all, else completed. */
function finishRun(store: RunStore): SearchOutcome {
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
