// `pareto-nas case-study`: the case study of Patel et al. as one resumable command, in one output
// folder: simulate the XFEL dataset (dataset/), train the paper's networks 740, 729 and 736 for the
// search's epochs and refine them (networks/, a train run), optionally run a search (search/), and
// write Table I beside the paper's with the time each step took (table1.md, table1.json). Every
// step is itself resumable, so running the same command again continues where it stopped.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { presetConfig, type EngineSettings } from '../../../common/config';
import type { SimulateOptions } from '../data/xfel/simulate';
import { createExecutor } from '../exec';
import { refine } from '../refine';
import { buildReport } from '../report/report';
import { createRun, executeSearch } from '../search/execute';
import { readCandidates, readRefineRecords, readRunConfig, RunStore } from '../store';
import { prepareRun, TrainRunError, trainRun } from '../train/train';
import { CaseStudyError, ensureCaseStudyDataset, type CaseStudyData, type DatasetSummary } from './dataset';
import { epochs, formatFluence } from './format';
import { timedStep } from './ledger';
import { PAPER_NETWORKS, PAPER_SETTINGS } from './paper';
import { writeCaseStudyTable, type CaseStudySettings, type TableFiles } from './report';

export interface CaseStudyOptions extends CaseStudyData {
  out: string;
  epochs: number;
  refineEpochs: number;
  search?: { population: number; generations: number };
  batchSize?: number;
  engine?: Partial<EngineSettings>;
  workers?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
  onSimulateProgress?: SimulateOptions['onProgress'];
}

export interface CaseStudyResult extends TableFiles {
  /** False when a step was cancelled: the table holds what was done so far. */
  completed: boolean;
}

export class CaseStudyCancelled extends Error {
  override name = 'CaseStudyCancelled';
}

export const CASE_STUDY_DIRS = { dataset: 'dataset', networks: 'networks', search: 'search' } as const;

export async function runCaseStudy(o: CaseStudyOptions): Promise<CaseStudyResult> {
  const out = resolve(o.out);
  mkdirSync(out, { recursive: true });
  const log = o.log ?? (() => {});
  const steps = o.search ? 4 : 3;
  const settings: CaseStudySettings = {
    fluence: o.fluence,
    count: o.count,
    size: o.size,
    seed: o.seed,
    valFraction: o.valFraction,
    oversample: o.oversample ?? null,
    epochs: o.epochs,
    refineEpochs: o.refineEpochs,
    nodes: PAPER_SETTINGS.nodes,
    initChannels: PAPER_SETTINGS.initChannels,
    batchSize: o.batchSize ?? null,
    search: o.search ?? null,
  };
  let dataset: DatasetSummary | undefined;
  try {
    log(
      `1/${steps} dataset: ${o.count} XFEL patterns of ${o.size}×${o.size} at ${formatFluence(o.fluence)} photons/µm²`,
    );
    dataset = await timedStep(
      out,
      'simulate',
      key(o.fluence, o.count, o.size, o.seed, o.valFraction, o.oversample),
      () =>
        ensureCaseStudyDataset(join(out, CASE_STUDY_DIRS.dataset), o, {
          signal: o.signal,
          onProgress: o.onSimulateProgress,
        }),
    );
    if (dataset.reused) log(`   reusing ${dataset.dir} (${dataset.train} train + ${dataset.val} val)`);
    await trainAndRefine(out, dataset.dir, o, steps, log);
    if (o.search) await search(out, dataset.dir, o, o.search, log);
    return { ...writeCaseStudyTable(out, settings, dataset), completed: true };
  } catch (e) {
    if (!(e instanceof CaseStudyCancelled)) throw e;
    log(`cancelled: run the same command again to continue where it stopped`);
    return { ...writeCaseStudyTable(out, settings, dataset), completed: false };
  }
}

function key(...parts: unknown[]): string {
  return JSON.stringify(parts);
}

async function trainAndRefine(
  out: string,
  datasetDir: string,
  o: CaseStudyOptions,
  steps: number,
  log: (l: string) => void,
): Promise<void> {
  const runDir = join(out, CASE_STUDY_DIRS.networks);
  let store: RunStore;
  try {
    store = await prepareRun({
      genomes: PAPER_NETWORKS.map((n) => n.genome),
      dataset: datasetDir,
      runDir,
      name: 'case-study',
      nodes: PAPER_SETTINGS.nodes,
      initChannels: PAPER_SETTINGS.initChannels,
      training: { epochs: o.epochs, ...(o.batchSize && { batchSize: o.batchSize }) },
      engine: o.engine,
      workers: o.workers,
    });
  } catch (e) {
    if (e instanceof TrainRunError)
      throw new CaseStudyError(e.message.replace('give another --run-dir', 'choose another --out'));
    throw e;
  }
  const name = (id: string) =>
    PAPER_NETWORKS.find((n) => n.genome === readCandidates(runDir).find((r) => r.id === id)?.genome)?.name ?? id;
  const executor = createExecutor(store.config); // one pool of workers for training and refinement
  try {
    log(
      `2/${steps} train: networks ${PAPER_NETWORKS.map((n) => n.name).join(', ')} for ${epochs(o.epochs)} (N=4, C=24) into ${runDir}`,
    );
    await timedStep(out, 'train', key(store.config.training.epochs, store.config.training.batchSize), async () => {
      const r = await trainRun(store, {
        executor,
        signal: o.signal,
        onProgress: (done, total, latest) => {
          if (latest)
            log(
              `   ${name(latest.id)}: ${latest.valAccuracy === null ? `failed (${latest.failure?.kind})` : `${latest.valAccuracy.toFixed(2)}%`} after ${epochs(o.epochs)} (${done}/${total})`,
            );
        },
      });
      if (r.outcome === 'cancelled') throw new CaseStudyCancelled('training cancelled');
    });

    const trained = readCandidates(runDir).filter((r) => r.status !== 'failed');
    refuseOtherRefineEpochs(runDir, o.refineEpochs);
    log(`3/${steps} refine: ${trained.map((r) => name(r.id)).join(', ')} for ${epochs(o.refineEpochs)}`);
    await timedStep(out, 'refine', key(o.refineEpochs, store.config.training.batchSize), async () => {
      if (trained.length === 0) return;
      await refine({
        runDir,
        select: { ids: trained.map((r) => r.id) },
        epochs: o.refineEpochs,
        executor,
        signal: o.signal,
        onProgress: (p) => {
          const every = Math.max(1, Math.round(o.refineEpochs / 10));
          const epoch = p.epoch ? p.epoch.epoch + 1 : 0;
          if (p.state === 'finished' || (p.state === 'epoch' && epoch % every === 0)) {
            log(
              `   ${name(p.id)}: ${p.state === 'finished' ? `${p.record?.status}, ` : ''}epoch ${p.record?.epochs.length}/${o.refineEpochs}, ${p.record?.valAccuracy?.toFixed(2)}%`,
            );
          }
        },
      });
      if (o.signal?.aborted) throw new CaseStudyCancelled('refinement cancelled');
    });
  } finally {
    await executor.close();
  }
}

/** A refinement of another length in the same folder would be refused by refine; say it in case-study terms. */
function refuseOtherRefineEpochs(runDir: string, epochs: number): void {
  const other = readRefineRecords(runDir).find((r) => r.epochsPlanned !== epochs);
  if (other) {
    throw new CaseStudyError(
      `${join(runDir, 'refine', other.id)} holds a refinement for ${other.epochsPlanned} epochs, not ${epochs}; ` +
        `run with --refine-epochs ${other.epochsPlanned} to continue it, or choose another --out`,
    );
  }
}

async function search(
  out: string,
  datasetDir: string,
  o: CaseStudyOptions,
  s: { population: number; generations: number },
  log: (l: string) => void,
): Promise<void> {
  const runDir = join(out, CASE_STUDY_DIRS.search);
  log(
    `4/4 search: population ${s.population}, ${s.generations} generations, ${epochs(o.epochs)} per candidate into ${runDir}`,
  );
  await timedStep(out, 'search', key(s.population, s.generations, o.epochs, o.batchSize), async () => {
    let store: RunStore;
    if (existsSync(join(runDir, 'config.json'))) {
      const c = readRunConfig(runDir);
      if (
        c.search.population !== s.population ||
        c.search.generations !== s.generations ||
        c.training.epochs !== o.epochs
      ) {
        throw new CaseStudyError(
          `${runDir} holds a search of population ${c.search.population}, ${c.search.generations} generations, ${c.training.epochs} epochs; ` +
            `run with --search ${c.search.population},${c.search.generations} --epochs ${c.training.epochs} to continue it, or choose another --out`,
        );
      }
      store = RunStore.open(runDir);
    } else {
      const config = presetConfig('paper', datasetDir, {
        name: 'case-study-search',
        search: { population: s.population, offspring: s.population, generations: s.generations },
        training: { epochs: o.epochs, ...(o.batchSize && { batchSize: o.batchSize }) },
        engine: o.engine,
        executor: { workers: o.workers ?? null },
      });
      store = await createRun(config, runDir);
    }
    const code = await executeSearch(store);
    if (code !== 0) throw new CaseStudyCancelled('search cancelled');
    buildReport({ runDir });
  });
}
