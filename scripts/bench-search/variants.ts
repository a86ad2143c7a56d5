// Runs the bench's sample one way: through the production path (LocalExecutor → torch engine worker,
// exactly as a search trains its candidates) with given engine and executor settings, or through the
// plain PyTorch loop of baseline.py. Each returns, per network, the epochs and the wall time.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineSettings, ExecutorSettings, TrainingSettings } from '../../common/config';
import { TrainingError, type EpochMetrics, type TrainJob } from '../../runner/src/engines/engine';
import { workerScriptPath } from '../../runner/src/engines/torch';
import { LocalExecutor } from '../../runner/src/exec/local';
import { benchFile } from './files';
import type { NetworkSpec } from '../../common/model';

export interface SampleJob {
  id: string;
  spec: NetworkSpec;
}

export interface NetworkRun {
  id: string;
  epochs: EpochMetrics[];
  wallSeconds: number;
  device: string;
  error?: string;
}

export interface VariantRun {
  /** Trainings that shared the GPU at once (workers per GPU; 1 on CPU). */
  share: number;
  describe: string;
  networks: NetworkRun[];
}

export interface ExecutorVariant {
  engine: EngineSettings;
  executor: Partial<ExecutorSettings>;
  /** Force CPU workers (no GPU visible), with this many threads. */
  cpuThreads?: number;
}

/**
 * Trains the sample through a LocalExecutor. First every worker trains one network for one epoch
 * (starting Python, importing torch, loading the dataset: once per worker in a search, so not
 * counted); then the sample, each network timed from dispatch to result.
 */
export async function runExecutor(
  v: ExecutorVariant,
  jobs: SampleJob[],
  dataset: string,
  training: TrainingSettings,
): Promise<VariantRun> {
  const cpu = v.cpuThreads !== undefined;
  const ex = new LocalExecutor({
    engine: v.engine,
    executor: cpu ? { ...v.executor, workers: 1 } : v.executor,
    ...(cpu && { gpus: [], cpus: v.cpuThreads }),
  });
  try {
    await ex.start();
    const share = cpu ? 1 : ex.workerCount;
    const toJob = (j: SampleJob, id: string, over: Partial<TrainingSettings> = {}): TrainJob => ({
      id,
      spec: j.spec,
      dataset,
      training: { ...training, ...over },
    });
    const warm = Array.from({ length: share }, (_, i) => toJob(jobs[0], `warm-${i}`, { epochs: 1 }));
    await ex.evaluate(warm, { onResult: (id, r) => check(id, r) });
    const started = new Map<string, number>();
    const epochs = new Map<string, EpochMetrics[]>();
    const networks: NetworkRun[] = [];
    await ex.evaluate(
      jobs.map((j) => toJob(j, j.id)),
      {
        onStart: (id) => started.set(id, performance.now()),
        onEpoch: (id, m) => epochs.set(id, [...(epochs.get(id) ?? []), m]),
        onResult: (id, r) => {
          const wallSeconds = (performance.now() - started.get(id)!) / 1000;
          if (r instanceof TrainingError)
            networks.push({ id, epochs: [], wallSeconds, device: '', error: `${r.kind}: ${r.message.split('\n')[0]}` });
          else networks.push({ id, epochs: r.epochs, wallSeconds, device: r.device });
        },
      },
    );
    return { share, describe: ex.describe(), networks };
  } finally {
    await ex.close();
  }
}

function check(id: string, r: unknown): void {
  if (r instanceof TrainingError) throw new Error(`warm-up training ${id} failed: ${r.kind}: ${r.message}`);
}

/** Trains the sample with baseline.py (the plain loop), one network after another on one device. */
export async function runBaseline(
  python: string,
  jobs: SampleJob[],
  dataset: string,
  training: TrainingSettings,
  threads?: number,
): Promise<VariantRun> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-search-baseline-'));
  try {
    const input = join(dir, 'jobs.json');
    const output = join(dir, 'out.jsonl');
    writeFileSync(input, JSON.stringify({ dataset, training, jobs }));
    const env = { ...process.env, ...(threads && { OMP_NUM_THREADS: String(threads) }) };
    await new Promise<void>((resolve, reject) =>
      execFile(
        python,
        [benchFile('baseline.py'), workerScriptPath(), input, output],
        { env, maxBuffer: 16 << 20 },
        (err, _out, stderr) =>
          err ? reject(new Error(`baseline.py failed: ${err.message}\n${`${stderr}`.slice(-2000)}`)) : resolve(),
      ),
    );
    const networks = readFileSync(output, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as NetworkRun);
    return {
      share: 1,
      describe: 'plain PyTorch loop (scripts/bench-search/baseline.py), one network at a time',
      networks,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
