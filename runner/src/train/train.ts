// `pareto-nas train`: trains given genomes (a network from a paper, another run, a colleague)
// outside a search, into a run directory with the same records as a search of one generation:
// config.json, run.json, events.jsonl, candidates.jsonl and generations/g0001.json. So `pareto`,
// `refine`, `report`, `status` and the explorer work on it. train.json lists the genomes; running
// the same command again (or `resume`) continues where it stopped.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { parseConfig, type EngineSettings, type SearchConfig, type TrainingSettings } from '../../../common/config';
import { ensureDefaultDataset } from '../data/default';
import { openDatasetSync } from '../data/reader';
import { createExecutor, type Executor } from '../exec';
import { parseGenome } from '../../../common/model/genome';
import type { DecodeOptions } from '../../../common/model';
import type { CandidateRecord } from '../../../common/protocol';
import { announceBatch, evaluateBatch, planCandidate } from '../search/batch';
import { candidateId } from '../search/macro';
import {
  newRunId,
  readCandidates,
  readEvents,
  readRunConfig,
  readSnapshot,
  RunStore,
  RUN_FILES,
  runsRoot,
} from '../store';
import { writeJsonAtomic } from '../store/files';
import { createRun } from '../search/execute';
import { rankedSnapshot } from './snapshot';

/** Marks a run directory made by `train` and lists its genomes, in candidate order. */
export const TRAIN_FILE = RUN_FILES.train;
const TRAIN_FORMAT = 'pareto-nas.train/1';

interface TrainFile {
  format: typeof TRAIN_FORMAT;
  genomes: string[];
}

export class TrainRunError extends Error {
  override name = 'TrainRunError';
}

export interface TrainOptions {
  genomes: string[];
  /** Dataset folder, or "default" for the bundled demo data. */
  dataset: string;
  /** Default: a new folder under the runs root. An existing train run of the same genomes is resumed. */
  runDir?: string;
  name?: string;
  nodes?: number;
  initChannels?: number;
  training?: Partial<TrainingSettings>;
  engine?: Partial<EngineSettings>;
  workers?: number;
}

export interface TrainRunContext {
  executor?: Executor;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, latest?: CandidateRecord) => void;
}

export interface TrainOutcome {
  store: RunStore;
  outcome: 'completed' | 'cancelled';
  records: CandidateRecord[];
}

export function isTrainRun(dir: string): boolean {
  return existsSync(join(dir, TRAIN_FILE));
}

/** Creates the run directory (or opens the same train run to resume it), then trains. */
export async function trainGenomes(options: TrainOptions, ctx: TrainRunContext = {}): Promise<TrainOutcome> {
  const store = await prepareRun(options);
  return trainRun(store, ctx);
}

/** The run directory for the options: checked before anything is written, resumed when it matches. */
export async function prepareRun(options: TrainOptions): Promise<RunStore> {
  if (options.genomes.length === 0) throw new TrainRunError('give at least one genome to train');
  const dataset = options.dataset === 'default' ? await ensureDefaultDataset() : resolve(options.dataset);
  const config = trainConfig(options, dataset);
  const genomes = checkGenomes(options.genomes, config, dataset);
  const dir = resolve(options.runDir ?? join(runsRoot(), newRunId(config.name)));
  if (existsSync(join(dir, RUN_FILES.config))) return reopen(dir, genomes, config);
  writeTrainFile(dir, genomes); // before config.json, whose presence marks a complete run directory
  return createRun(config, dir);
}

function trainConfig(o: TrainOptions, dataset: string): SearchConfig {
  const n = o.genomes.length;
  return parseConfig(
    {
      name: o.name ?? 'train',
      dataset,
      // One generation holding the given genomes; population is at least 2 by the config's rules.
      search: {
        nodes: o.nodes ?? 4,
        initChannels: o.initChannels ?? 24,
        population: Math.max(2, n),
        offspring: n,
        generations: 1,
      },
      training: { ...o.training },
      engine: { ...o.engine },
      executor: { workers: o.workers ?? null },
    },
    'train options',
  );
}

/** Every genome parsed and decoded for the dataset's shape: bad ones fail as in `flops`, before any file is written. */
function checkGenomes(genomes: string[], config: SearchConfig, dataset: string): string[] {
  const { manifest } = openDatasetSync(dataset);
  const decodeOptions = decodeOptionsFor(config, manifest.shape, manifest.classes.length);
  return genomes.map((g, i) => {
    const bits = parseGenome(g, config.search.nodes);
    planCandidate(candidateId(1, i, genomes.length), i, bits, [], decodeOptions);
    return bits;
  });
}

function decodeOptionsFor(config: SearchConfig, shape: readonly number[], classes: number): DecodeOptions {
  return {
    nodes: config.search.nodes,
    initChannels: config.search.initChannels,
    input: { channels: shape[0], height: shape[1], width: shape[2] },
    classes,
  };
}

function writeTrainFile(dir: string, genomes: string[]): void {
  mkdirSync(dir, { recursive: true });
  writeJsonAtomic(join(dir, TRAIN_FILE), { format: TRAIN_FORMAT, genomes } satisfies TrainFile);
}

export function readTrainFile(dir: string): TrainFile {
  const file = join(dir, TRAIN_FILE);
  let json: Partial<TrainFile>;
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as Partial<TrainFile>;
  } catch (e) {
    throw new TrainRunError(`cannot read ${file}: ${(e as Error).message}`);
  }
  if (
    json.format !== TRAIN_FORMAT ||
    !Array.isArray(json.genomes) ||
    !json.genomes.every((g) => typeof g === 'string')
  ) {
    throw new TrainRunError(`${file} is not a ${TRAIN_FORMAT} file (format and genomes)`);
  }
  return json as TrainFile;
}

/** An existing run directory is resumed only if it is this same training. */
function reopen(dir: string, genomes: string[], wanted: SearchConfig): RunStore {
  if (!isTrainRun(dir)) throw new TrainRunError(`${dir} holds a search, not a train run; give another --run-dir`);
  const { genomes: had } = readTrainFile(dir);
  if (had.join(' ') !== genomes.join(' ')) {
    throw new TrainRunError(`${dir} trains ${had.join(' ')}, not ${genomes.join(' ')}; give another --run-dir`);
  }
  const config = readRunConfig(dir);
  const differs: Array<[string, unknown, unknown]> = [
    ['dataset', config.dataset, wanted.dataset],
    ['epochs', config.training.epochs, wanted.training.epochs],
    ['nodes', config.search.nodes, wanted.search.nodes],
    ['init channels', config.search.initChannels, wanted.search.initChannels],
  ];
  const bad = differs.find(([, a, b]) => a !== b);
  if (bad)
    throw new TrainRunError(
      `${dir} was started with ${bad[0]} ${String(bad[1])}, not ${String(bad[2])}; give another --run-dir`,
    );
  return RunStore.open(dir);
}

/** Trains (or finishes training) the genomes of a train run; resolves once every one has a record. */
export async function trainRun(store: RunStore, ctx: TrainRunContext = {}): Promise<TrainOutcome> {
  const { genomes } = readTrainFile(store.dir);
  const [channels, height, width] = store.info.dataset.shape;
  const decodeOptions = decodeOptionsFor(store.config, [channels, height, width], store.info.dataset.classes.length);
  const planned = genomes.map((g, i) => planCandidate(candidateId(1, i, genomes.length), i, g, [], decodeOptions));
  const recordedList = readCandidates(store.dir);
  const recorded = new Map(recordedList.map((r) => [r.id, r]));
  const trained = new Map<string, CandidateRecord>();
  for (const r of recordedList) if (r.status === 'ok' && !trained.has(r.specHash)) trained.set(r.specHash, r);

  const executor = ctx.executor ?? createExecutor(store.config);
  try {
    store.appendEvent({
      type: 'run-started',
      config: store.config,
      resumed: recorded.size > 0,
      pid: process.pid,
      host: hostname(),
    });
    if (!readEvents(store.dir).some((e) => e.type === 'generation-started')) announceBatch(store, 1, planned);
    const records = await evaluateBatch(
      { store, executor, generation: 1, recorded, trained, signal: ctx.signal, onProgress: ctx.onProgress },
      planned,
    );
    if (records === 'cancelled') return { store, outcome: 'cancelled', records: readCandidates(store.dir) };
    if (!readSnapshot(store.dir, 1)) {
      const snapshot = rankedSnapshot(1, records, readCandidates(store.dir).length);
      store.writeSnapshot(snapshot);
      store.appendEvent({ type: 'generation-finished', snapshot });
    }
    store.appendEvent({ type: 'run-finished', status: 'completed' });
    return { store, outcome: 'completed', records };
  } catch (e) {
    store.appendEvent({ type: 'run-finished', status: 'failed', message: (e as Error).message });
    throw e;
  } finally {
    if (!ctx.executor) await executor.close();
  }
}
