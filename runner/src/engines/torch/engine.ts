// The torch engine: a long-lived Python worker (worker.py) speaking JSON lines over stdio. One worker
// per engine instance, one request at a time; the worker keeps the dataset resident on its device
// between candidates. Crashes, NaN losses, OOM and cancellation come back as TrainingError.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { EngineSettings } from '../../../../common/config';
import type { NetworkSpec } from '../../../../common/model/spec';
import {
  benchTraining,
  type BenchEngine,
  type BenchRequest,
  type BenchResult,
  TrainingError,
  WorkerExitError,
  type EngineInfo,
  type EpochMetrics,
  type FailureKind,
  type TrainHooks,
  type TrainJob,
  type TrainResult,
} from '../engine';
import { weightEntries } from '../weights';
import { findWorkerScript, WorkerClient } from '../worker-client';
import { findTorchPython, type PythonProbe } from './python';

export interface TorchEngineOptions {
  /** Python interpreter; default: engine settings' python, else the first candidate with torch. */
  python?: string;
  device?: EngineSettings['device'];
  /** Extra environment for the worker, e.g. CUDA_VISIBLE_DEVICES to pin it to one GPU. */
  env?: Record<string, string | undefined>;
  /** CPU threads for the worker (torch.set_num_threads); default: PyTorch's choice. */
  threads?: number;
  /** Wrap networks in torch.compile (PyTorch ≥ 2; ignored before). */
  compile?: boolean;
  /** Training-speed settings sent with every job (engine.cudaGraphs, evalBatchSize). */
  speed?: TorchSpeed;
  /** Receives the worker's stderr lines (logs, warnings). */
  onLog?: (line: string) => void;
  /** How long to wait for the worker's hello, default 120 s (importing torch is slow on small boxes). */
  startTimeoutMs?: number;
  /**
   * A command the worker runs under, e.g. ["srun", "--nodes=1", ...]: the worker is then a Slurm job
   * step, still speaking JSON lines over the step's stdin/stdout, which srun forwards.
   */
  launcher?: string[];
}

/** How the worker trains, not what: results agree with the defaults within float rounding. */
export interface TorchSpeed {
  cudaGraphs?: boolean;
  compactData?: boolean;
  evalBatchSize?: number | null;
}

/** Extra, torch-only fields a caller may add to a TrainJob (tests use probeLogits for round trips). */
export interface TorchTrainJob extends TrainJob {
  /** Return the logits of the first k validation images from the trained network in memory. */
  probeLogits?: number;
}

export interface TorchTrainResult extends TrainResult {
  probe?: number[][];
}

export type PredictRequest =
  | { spec: NetworkSpec; weights: string; inputs: { shape: number[]; data: number[] } }
  | { spec: NetworkSpec; weights: string; dataset: string; split?: 'train' | 'val'; limit?: number };

/** Writes a trained network as a file a workflow loads without Pareto NAS. */
export interface ExportRequest {
  spec: NetworkSpec;
  /** Weights folder (TF.js layout, weights.ts names). */
  weights: string;
  format: 'onnx' | 'torchscript';
  out: string;
}

export interface ExportResult {
  file: string;
  format: 'onnx' | 'torchscript';
  torch: string;
  opset?: number;
  normalization: { mean: number[]; std: number[] };
}

/** Times an exported TorchScript file on the worker's device (a GPU when there is one). */
export interface ModelBenchRequest {
  file: string;
  input: [number, number, number];
  batchSize: number;
  seconds: number;
}

export interface ModelBenchResult {
  latenciesMs: number[];
  batchSize: number;
  device: string;
}

interface Hello {
  torch: string;
  python: string;
  device: string;
  description: string;
  gpus: string[];
  bf16: boolean;
  threads: number;
  /** Where the worker runs: the Slurm node (SLURMD_NODENAME) or the host name, and its GPU pin. */
  node?: string;
  cudaVisibleDevices?: string | null;
}

type WorkerMessage =
  | ({ type: 'hello'; id?: string } & Hello)
  | { type: 'epoch'; id: string; metrics: EpochMetrics }
  | { type: 'result'; id: string; result: TorchTrainResult }
  | { type: 'logits'; id: string; logits: number[][] }
  | { type: 'bench'; id: string; result: BenchResult }
  | { type: 'exported'; id: string; result: ExportResult }
  | { type: 'bench-model'; id: string; result: ModelBenchResult }
  | { type: 'error'; id: string; kind: FailureKind; message: string }
  | { type: 'fatal'; kind: FailureKind; message: string };

/** Where worker.py is: next to this file when run from source, dist/torch_worker.py in the bundle. */
export function workerScriptPath(): string {
  return findWorkerScript('torch', [
    process.env.PARETO_NAS_TORCH_WORKER,
    join(__dirname, 'torch_worker.py'), // dist/runner.js → dist/torch_worker.py
    join(__dirname, 'worker.py'), // runner/src/engines/torch/*.ts under tsx
    join(__dirname, 'engines', 'torch', 'worker.py'),
    resolve(__dirname, '..', '..', 'runner', 'src', 'engines', 'torch', 'worker.py'),
  ]);
}

let nextId = 0;

export class TorchEngine extends WorkerClient<WorkerMessage> implements BenchEngine {
  readonly name = 'torch' as const;
  private proc?: ChildProcessWithoutNullStreams;
  private starting?: Promise<Hello>;
  private hello?: Hello;
  private killedByUs = false;

  private constructor(
    readonly probe: PythonProbe,
    private readonly options: TorchEngineOptions,
  ) {
    super({ onLog: options.onLog, tailLines: 40 });
  }

  /** Finds a Python with torch (TorchUnavailableError with a fix otherwise); the worker starts lazily. */
  static async create(settings: Partial<EngineSettings> = {}, options: TorchEngineOptions = {}): Promise<TorchEngine> {
    // Probed with the runner's own environment (not a per-GPU pin), so N pinned workers share one probe.
    const probe = await findTorchPython(options.python ?? settings.python);
    const { cudaGraphs, evalBatchSize } = settings;
    const speed = { cudaGraphs, evalBatchSize };
    return new TorchEngine(probe, { device: settings.device, compile: settings.compile, speed, ...options });
  }

  get python(): string {
    return this.probe.python;
  }

  /** The running worker's hello (node, visible GPUs), undefined before it started. */
  get workerHello(): Hello | undefined {
    return this.hello;
  }

  async info(): Promise<EngineInfo> {
    const h = await this.start();
    return {
      name: 'torch',
      description: `torch ${h.torch} (python ${h.python} at ${this.probe.python}), ${h.description}${h.bf16 ? ', bf16' : ''}`,
      gpus: h.gpus,
    };
  }

  train(job: TorchTrainJob, hooks: TrainHooks = {}): Promise<TorchTrainResult> {
    const { spec, dataset, training, saveWeightsTo, checkpointDir, measureInference, probeLogits } = job;
    return this.request<TorchTrainResult>(
      job.id,
      {
        type: 'train',
        spec,
        dataset: resolve(dataset),
        training,
        weights: weightEntries(spec),
        saveWeightsTo: saveWeightsTo && resolve(saveWeightsTo),
        checkpointDir: checkpointDir && resolve(checkpointDir),
        measureInference: Boolean(measureInference),
        probeLogits,
        speed: this.options.speed,
      },
      (m) => (m.type === 'result' ? m.result : undefined),
      hooks,
    );
  }

  /** Logits of a network loaded from a weights folder (TF.js layout, weights.ts names). */
  predict(req: PredictRequest, signal?: AbortSignal): Promise<number[][]> {
    const body = 'dataset' in req ? { ...req, dataset: resolve(req.dataset) } : req;
    return this.request<number[][]>(
      `predict-${++nextId}`,
      { type: 'predict', ...body, weights: resolve(req.weights) },
      (m) => (m.type === 'logits' ? m.logits : undefined),
      { signal },
    );
  }

  /** Training throughput on random data kept on the device. */
  bench(req: BenchRequest, signal?: AbortSignal): Promise<BenchResult> {
    return this.request<BenchResult>(
      `bench-${++nextId}`,
      { type: 'bench', ...req, training: benchTraining(req) },
      (m) => (m.type === 'bench' ? m.result : undefined),
      { signal },
    );
  }

  /** Writes the network with the dataset's input transform baked in, as ONNX or TorchScript. */
  exportModel(req: ExportRequest, signal?: AbortSignal): Promise<ExportResult> {
    return this.request<ExportResult>(
      `export-${++nextId}`,
      { type: 'export', ...req, weights: resolve(req.weights), out: resolve(req.out) },
      (m) => (m.type === 'exported' ? m.result : undefined),
      { signal },
    );
  }

  /** Per-batch inference latencies of an exported TorchScript file on the worker's device. */
  benchModel(req: ModelBenchRequest, signal?: AbortSignal): Promise<ModelBenchResult> {
    return this.request<ModelBenchResult>(
      `bench-model-${++nextId}`,
      { type: 'bench-model', ...req, file: resolve(req.file) },
      (m) => (m.type === 'bench-model' ? m.result : undefined),
      { signal },
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    const proc = this.proc;
    if (!proc) return;
    await new Promise<void>((done) => {
      const timer = setTimeout(() => {
        this.killedByUs = true;
        proc.kill('SIGKILL');
      }, 5000);
      proc.once('exit', () => {
        clearTimeout(timer);
        done();
      });
      if (proc.exitCode !== null || proc.signalCode !== null) {
        clearTimeout(timer);
        done();
        return;
      }
      try {
        proc.stdin.end(`${JSON.stringify({ type: 'shutdown' })}\n`);
      } catch {
        proc.kill('SIGKILL');
      }
    });
  }

  // -------------------------------------------------------------------------------------------

  protected post(obj: object): void {
    const proc = this.proc;
    if (!proc || proc.stdin.destroyed) return;
    proc.stdin.write(`${JSON.stringify(obj)}\n`);
  }

  protected kill(): void {
    this.killedByUs = true;
    // srun forwards SIGTERM and ends the step; a SIGKILLed srun would leave the step holding its GPU
    this.proc?.kill(this.options.launcher ? 'SIGTERM' : 'SIGKILL');
  }

  protected start(): Promise<Hello> {
    if (this.proc && this.hello) return Promise.resolve(this.hello);
    if (this.starting) return this.starting;
    this.starting = this.spawnWorker().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private spawnWorker(): Promise<Hello> {
    const script = workerScriptPath();
    const env: NodeJS.ProcessEnv = { ...process.env, ...this.options.env, PYTHONUNBUFFERED: '1' };
    if (this.options.device && this.options.device !== 'auto') env.PARETO_NAS_DEVICE = this.options.device;
    if (this.options.threads) {
      env.PARETO_NAS_TORCH_THREADS = String(this.options.threads);
      env.OMP_NUM_THREADS = String(this.options.threads);
    }
    if (this.options.compile) env.PARETO_NAS_TORCH_COMPILE = '1';
    const [command, ...args] = [...(this.options.launcher ?? []), this.probe.python, '-u', script];
    const proc = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc = proc;
    this.hello = undefined;
    this.killedByUs = false;
    this.outputTail.length = 0;
    proc.stdin.on('error', () => undefined); // EPIPE after a crash: reported by 'exit'
    createInterface({ input: proc.stderr }).on('line', (line) => this.keepOutput(line));

    return new Promise<Hello>((resolveHello, rejectHello) => {
      let settled = false;
      const timeoutMs = this.options.startTimeoutMs ?? 120_000;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        this.killedByUs = true;
        proc.kill('SIGKILL');
        rejectHello(
          new TrainingError(
            'engine-error',
            `torch worker (${this.probe.python}) did not start within ${timeoutMs / 1000} s`,
          ),
        );
      }, timeoutMs);
      createInterface({ input: proc.stdout }).on('line', (line) => {
        let m: WorkerMessage;
        try {
          m = JSON.parse(line) as WorkerMessage;
        } catch {
          this.options.onLog?.(`(stdout) ${line}`);
          return;
        }
        if (m.type === 'hello' && !settled) {
          settled = true;
          clearTimeout(timer);
          this.hello = m;
          resolveHello(m);
          return;
        }
        if (m.type === 'fatal') {
          if (!settled) {
            settled = true;
            clearTimeout(timer);
            rejectHello(new TrainingError(m.kind, `torch worker (${this.probe.python}): ${m.message}`));
          }
          return;
        }
        this.deliver(m);
      });
      proc.on('error', (e) => {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          rejectHello(new TrainingError('engine-error', `cannot start ${this.probe.python}: ${e.message}`));
        }
      });
      proc.on('exit', (code, sig) => {
        if (this.proc === proc) {
          this.proc = undefined;
          this.hello = undefined;
        }
        const why = this.exitReason(code, sig);
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          rejectHello(new TrainingError('engine-error', why));
        }
        this.failPending(
          new WorkerExitError(sig === 'SIGKILL' && !this.killedByUs ? 'out-of-memory' : 'engine-error', why),
        );
      });
      this.post({ type: 'hello', id: 'hello' });
    });
  }

  private exitReason(code: number | null, sig: NodeJS.Signals | null): string {
    const how = sig
      ? `was killed by ${sig}${sig === 'SIGKILL' && !this.killedByUs ? ' (possibly out of host memory)' : ''}`
      : `exited with code ${code}`;
    const tail = this.outputTail.slice(-12).join('\n');
    const where = this.options.launcher ? ` under ${this.options.launcher[0]}` : '';
    return `torch worker (${this.probe.python}${where}) ${how}${tail ? `; last output:\n${tail}` : ''}`;
  }
}
