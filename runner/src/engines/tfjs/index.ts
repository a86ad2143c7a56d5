// The tfjs engine: the NetworkSpec trained with TF.js in a worker process (worker.ts), so that the
// executor can run one engine per core (the wasm backend is single-threaded under Node) and a
// crash or an out-of-memory in one training cannot take the runner down. One request at a time
// per engine; epochs stream back as they finish; AbortSignal cancels between batches.
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EngineSettings } from '../../../../common/config';
import { TrainingError, type EngineInfo, type TrainHooks, type TrainJob } from '../engine';
import { findWorkerScript, WorkerClient } from '../worker-client';
import type { BackendInfo } from './backend';
import type { FromWorker, ToWorker } from './protocol';
import type { BenchEngine, BenchRequest, BenchResult } from '../engine';
import type { PredictRequest, TfjsTrainJob, TfjsTrainResult } from './train';

export type { PredictRequest, TfjsTrainJob, TfjsTrainResult } from './train';
export type { BackendInfo } from './backend';

export interface TfjsEngineOptions {
  /** Receives the worker's log lines and stderr. */
  onLog?: (line: string) => void;
  /** Extra environment for the worker. */
  env?: Record<string, string | undefined>;
  /** How long to wait for the worker to start its backend (default 60 s). */
  startTimeoutMs?: number;
  /** After a cancel, how long the worker gets to stop before it is killed (default 10 s). */
  cancelGraceMs?: number;
}

/** The worker script: dist/tfjs-worker.js next to the bundle, or worker.ts when run from source. */
export function tfjsWorkerPath(): string {
  return findWorkerScript('tfjs', [
    process.env.PARETO_NAS_TFJS_WORKER,
    join(__dirname, 'tfjs-worker.js'), // dist/runner.js → dist/tfjs-worker.js
    join(__dirname, 'worker.ts'), // runner/src/engines/tfjs/index.ts under tsx
  ]);
}

function execArgvFor(script: string): string[] {
  if (!script.endsWith('.ts')) return [];
  // Running from source: load the worker through tsx, resolved from here (not from the cwd).
  const tsx = createRequire(__filename).resolve('tsx');
  return ['--import', pathToFileURL(tsx).href];
}

let nextId = 0;

export class TfjsEngine extends WorkerClient<FromWorker> implements BenchEngine {
  readonly name = 'tfjs' as const;
  private proc?: ChildProcess;
  private starting?: Promise<BackendInfo>;
  private backend?: BackendInfo;

  constructor(
    readonly settings: Pick<EngineSettings, 'tfjsBackend'>,
    private readonly options: TfjsEngineOptions = {},
  ) {
    super({ onLog: options.onLog, cancelGraceMs: options.cancelGraceMs, tailLines: 30 });
  }

  /** Starts the worker and its backend (the first call; later calls reuse it). */
  start(): Promise<BackendInfo> {
    if (this.closed) return Promise.reject(new TrainingError('engine-error', 'tfjs engine is closed'));
    if (this.backend && this.proc) return Promise.resolve(this.backend);
    this.starting ??= this.spawnWorker().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private spawnWorker(): Promise<BackendInfo> {
    const script = tfjsWorkerPath();
    const proc = fork(script, [], {
      execArgv: execArgvFor(script),
      env: { ...process.env, ...this.options.env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.proc = proc;
    this.outputTail.length = 0;
    const log = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) this.keepOutput(line);
    };
    proc.stdout?.on('data', log);
    proc.stderr?.on('data', log);
    return new Promise<BackendInfo>((resolveStart, rejectStart) => {
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        rejectStart(
          new TrainingError(
            'engine-error',
            `tfjs worker did not start within ${(this.options.startTimeoutMs ?? 60000) / 1000} s`,
          ),
        );
      }, this.options.startTimeoutMs ?? 60000);
      proc.on('message', (raw) => {
        const m = raw as FromWorker;
        if (m.type === 'hello') {
          clearTimeout(timer);
          this.backend = m.info;
          this.options.onLog?.(`tfjs worker ${proc.pid}: ${m.info.description} (${m.info.reason})`);
          resolveStart(m.info);
        } else if (m.type === 'log') {
          this.options.onLog?.(m.line);
        } else if (m.type === 'error' && !m.id && !this.backend) {
          clearTimeout(timer);
          proc.kill('SIGKILL');
          rejectStart(
            new TrainingError(m.kind, `tfjs backend "${this.settings.tfjsBackend}" failed to start: ${m.message}`),
          );
        } else {
          this.deliver(m);
        }
      });
      proc.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (this.proc === proc) {
          this.proc = undefined;
          this.backend = undefined;
        }
        const tail = this.outputTail.slice(-8).join('\n');
        const oom = /out of memory|heap limit|Array buffer allocation failed/i.test(tail);
        const err = new TrainingError(
          oom ? 'out-of-memory' : 'engine-error',
          `tfjs worker exited (${signal ?? `code ${code}`})${tail ? `:\n${tail}` : ''}`,
        );
        rejectStart(err);
        this.failPending(err);
      });
      proc.on('error', (e) => {
        clearTimeout(timer);
        rejectStart(new TrainingError('engine-error', `cannot start the tfjs worker: ${e.message}`));
      });
      this.post({ type: 'init', backend: this.settings.tfjsBackend });
    });
  }

  protected post(msg: object): void {
    this.proc?.send(msg);
  }

  protected kill(): void {
    this.proc?.kill('SIGKILL');
  }

  async info(): Promise<EngineInfo> {
    const b = await this.start();
    return { name: 'tfjs', description: b.description, gpus: [] };
  }

  train(job: TrainJob | TfjsTrainJob, hooks: TrainHooks = {}): Promise<TfjsTrainResult> {
    const abs: TfjsTrainJob = {
      ...job,
      dataset: resolve(job.dataset),
      saveWeightsTo: job.saveWeightsTo && resolve(job.saveWeightsTo),
      checkpointDir: job.checkpointDir && resolve(job.checkpointDir),
    };
    return this.request(
      `train-${++nextId}`,
      { type: 'train', job: abs },
      (m) => (m.type === 'result' ? m.result : undefined),
      hooks,
    );
  }

  /** Logits of a network loaded from a weights folder (TF.js layout, weights.ts names), inference mode. */
  predict(req: PredictRequest, signal?: AbortSignal): Promise<number[][]> {
    const body: PredictRequest =
      'dataset' in req
        ? { ...req, dataset: resolve(req.dataset), weights: resolve(req.weights) }
        : { ...req, weights: resolve(req.weights) };
    return this.request(
      `predict-${++nextId}`,
      { type: 'predict', request: body },
      (m) => (m.type === 'logits' ? m.logits : undefined),
      { signal },
    );
  }

  /** Training throughput on random data (images/s). */
  bench(req: BenchRequest, signal?: AbortSignal): Promise<BenchResult> {
    return this.request(
      `bench-${++nextId}`,
      { type: 'bench', request: req },
      (m) => (m.type === 'bench' ? m.result : undefined),
      { signal },
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    const proc = this.proc;
    if (!proc) return;
    await new Promise<void>((done) => {
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        done();
      }, 3000);
      proc.once('exit', () => {
        clearTimeout(timer);
        done();
      });
      try {
        proc.send({ type: 'shutdown' } satisfies ToWorker);
      } catch {
        proc.kill('SIGKILL');
      }
    });
  }
}

/** The engine factory's entry point: starts a worker with the configured backend (so a backend that
 * cannot start fails here, with its reason) and returns the engine. */
export async function createTfjsEngine(settings: EngineSettings, options: TfjsEngineOptions = {}): Promise<TfjsEngine> {
  const engine = new TfjsEngine(settings, options);
  try {
    await engine.start();
  } catch (e) {
    await engine.close();
    throw e;
  }
  return engine;
}
