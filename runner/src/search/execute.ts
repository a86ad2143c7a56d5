// Runs a search from the command line: builds the executor, turns SIGTERM/SIGINT into a clean
// cancel, shows progress (a bar on a terminal, one line per candidate otherwise) and closes up.
import { resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { SearchConfig } from '../../../common/config';
import { ensureDefaultDataset } from '../data/default';
import { openDatasetSync } from '../data/reader';
import { createExecutor } from '../exec';
import { slurmJobId } from '../exec/slurm-allocation';
import { requeueJob, slurmStopReason, type SlurmStop } from './slurm-stop';
import type { RunInfo } from '../../../common/protocol';
import { checkDataset, type ExpectedDataset } from '../data/check';
import { newRunId, readCandidates, readEvents, RunStore, runsRoot } from '../store';
import { RUNNER_VERSION } from '../../../common/version';
import { runSearch, type SearchProgress } from './loop';
import { paretoFront } from '../../../common/pareto';

/**
 * Creates the run directory for a config: resolves its dataset (the bundled default is simulated
 * and cached on first use), checks it, and records its shape and classes in run.json.
 */
export async function createRun(config: SearchConfig, runDir?: string): Promise<RunStore> {
  const dir = config.dataset === 'default' ? await ensureDefaultDataset() : resolve(config.dataset);
  await checkDatasetOrRefuse(dir);
  const { manifest } = openDatasetSync(dir);
  const info: RunInfo = {
    runner: RUNNER_VERSION,
    createdAt: new Date().toISOString(),
    dataset: { dir, name: manifest.name, shape: manifest.shape, classes: manifest.classes },
  };
  const target = resolve(runDir ?? `${runsRoot()}/${newRunId(config.name)}`);
  return RunStore.create(target, { ...config, dataset: dir }, info);
}

/**
 * Opens a run to continue it: refuses a run that already completed (nothing to add) and one whose
 * dataset no longer passes the check or no longer matches the run.
 */
export async function openRunForResume(dir: string): Promise<RunStore> {
  const finished = readEvents(dir)
    .filter((e) => e.type === 'run-finished')
    .at(-1);
  const restarted = readEvents(dir)
    .filter((e) => e.type === 'run-started')
    .at(-1);
  if (finished?.type === 'run-finished' && finished.status === 'completed' && (restarted?.seq ?? 0) < finished.seq) {
    throw new Error(
      `${dir} is finished (completed at ${finished.time}); nothing to resume. Use \`pareto-nas refine ${dir}\` to go on`,
    );
  }
  const store = RunStore.open(dir, 'resume'); // first the lock: a second writer is refused at once
  try {
    await checkDatasetOrRefuse(store.info.dataset.dir, store.info.dataset);
  } catch (e) {
    store.close();
    throw e;
  }
  return store;
}

async function checkDatasetOrRefuse(dir: string, expected?: ExpectedDataset): Promise<void> {
  try {
    await checkDataset(dir, expected);
  } catch (e) {
    throw new Error(`the dataset cannot be trained on, so the search did not start: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

/** Returns the process exit code: 0 completed, 1 every candidate failed, 130 cancelled. Closes the store. */
export async function executeSearch(store: RunStore): Promise<number> {
  const executor = createExecutor(store.config);
  const controller = new AbortController();
  const jobId = store.config.executor.kind === 'slurm' ? slurmJobId() : undefined;
  let stop: SlurmStop | undefined;
  const cancel = () => {
    // inside a Slurm job, TERM is a cancel, or the time-limit warning / preemption of a requeued job
    if (jobId && !controller.signal.aborted) {
      const s = store.config.executor.slurm;
      stop = slurmStopReason(jobId, s.signalSeconds, s.requeue);
    }
    controller.abort();
  };
  // every TERM is caught: Slurm's time-limit warning and an scancel can both arrive, and a second
  // one must not kill the runner halfway through its clean stop (the first one decides; Slurm
  // sends KILL after KillWait anyway). A second Ctrl-C still ends it at once.
  process.on('SIGTERM', cancel);
  process.once('SIGINT', cancel);
  const progress = progressReporter();
  log(`run ${store.dir}`);
  try {
    const stopEvent = () =>
      stop?.requeue ? ({ type: 'run-requeued', jobId: jobId!, reason: stop.reason } as const) : undefined;
    const outcome = await runSearch({
      store,
      executor,
      signal: controller.signal,
      onProgress: progress.update,
      stopEvent,
    });
    progress.stop();
    if (outcome === 'cancelled' && stop?.requeue && !stop.bySlurm) {
      log(`${stop.reason}: requeueing job ${jobId}; it resumes this run when it starts again`);
      await executor.close();
      requeueJob(jobId!);
      return 0;
    }
    const records = readCandidates(store.dir);
    const front = paretoFront(records);
    if (outcome === 'failed') {
      const finished = readEvents(store.dir).at(-1);
      log(
        `failed: ${finished?.type === 'run-finished' ? finished.message : 'no candidate trained'} (${executor.describe()})`,
      );
      return 1;
    }
    log(
      `${outcome}: ${records.length} evaluations, ${front.length} networks on the Pareto front (${executor.describe()})`,
    );
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
    store.close();
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
  const stopped = r.earlyStop
    ? ` (stopped after ${r.earlyStop.epochsTrained}/${r.earlyStop.epochsPlanned} epochs: ${r.earlyStop.reason})`
    : '';
  return `${r.id} ${acc} at ${r.mflops} MFLOPs${r.status === 'reused' ? ` (same network as ${r.reusedFrom})` : ''}${stopped}`;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}
