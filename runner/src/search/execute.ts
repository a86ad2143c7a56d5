// Runs a search from the command line: builds the executor, turns SIGTERM/SIGINT into a clean
// cancel, shows progress (a bar on a terminal, one line per candidate otherwise) and closes up.
import { resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { SearchConfig } from '../../../common/config';
import { ensureDefaultDataset } from '../data/default';
import { openDatasetSync } from '../data/reader';
import { createExecutor } from '../exec';
import type { RunInfo } from '../../../common/protocol';
import { newRunId, readCandidates, RunStore, runsRoot } from '../store';
import { RUNNER_VERSION } from '../../../common/version';
import { runSearch, type SearchProgress } from './loop';
import { paretoFront } from '../../../common/pareto';

/**
 * Creates the run directory for a config: resolves its dataset (the bundled default is simulated
 * and cached on first use), checks it, and records its shape and classes in run.json.
 */
export async function createRun(config: SearchConfig, runDir?: string): Promise<RunStore> {
  const dir = config.dataset === 'default' ? await ensureDefaultDataset() : resolve(config.dataset);
  const { manifest } = openDatasetSync(dir);
  const info: RunInfo = {
    runner: RUNNER_VERSION,
    createdAt: new Date().toISOString(),
    dataset: { dir, name: manifest.name, shape: manifest.shape, classes: manifest.classes },
  };
  const target = resolve(runDir ?? `${runsRoot()}/${newRunId(config.name)}`);
  return RunStore.create(target, { ...config, dataset: dir }, info);
}

/** Returns the process exit code: 0 completed, 130 cancelled. */
export async function executeSearch(store: RunStore): Promise<number> {
  const executor = createExecutor(store.config);
  const controller = new AbortController();
  const cancel = () => controller.abort();
  process.once('SIGTERM', cancel);
  process.once('SIGINT', cancel);
  const progress = progressReporter();
  log(`run ${store.dir}`);
  try {
    const outcome = await runSearch({ store, executor, signal: controller.signal, onProgress: progress.update });
    progress.stop();
    const records = readCandidates(store.dir);
    const front = paretoFront(records);
    log(`${outcome}: ${records.length} evaluations, ${front.length} networks on the Pareto front (${executor.describe()})`);
    log(`next: pareto-nas pareto ${store.dir}   |   pareto-nas refine ${store.dir} --cutoff <MFLOPs>`);
    return outcome === 'completed' ? 0 : 130;
  } catch (e) {
    progress.stop();
    store.appendEvent({ type: 'run-finished', status: 'failed', message: (e as Error).message });
    throw e;
  } finally {
    process.off('SIGTERM', cancel);
    process.off('SIGINT', cancel);
    await executor.close();
  }
}

function progressReporter() {
  const tty = process.stderr.isTTY;
  let bar: SingleBar | undefined;
  let generation = 0;
  return {
    update(p: SearchProgress) {
      if (tty) {
        if (p.generation !== generation) {
          bar?.stop();
          generation = p.generation;
          bar = new SingleBar({
            format: `generation ${p.generation}/${p.generations} [{bar}] {value}/{total} candidates | {last}`,
            stream: process.stderr,
            hideCursor: true,
          });
          bar.start(p.total, p.done, { last: '' });
        }
        bar?.update(p.done, { last: p.latest ? describe(p) : '' });
      } else if (p.latest) {
        log(`generation ${p.generation}/${p.generations} ${p.done}/${p.total}: ${describe(p)}`);
      }
    },
    stop() {
      bar?.stop();
    },
  };
}

function describe(p: SearchProgress): string {
  const r = p.latest!;
  const acc = r.valAccuracy === null ? `failed (${r.failure?.kind})` : `${r.valAccuracy.toFixed(2)}%`;
  return `${r.id} ${acc} at ${r.mflops} MFLOPs${r.status === 'reused' ? ` (same network as ${r.reusedFrom})` : ''}`;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}
