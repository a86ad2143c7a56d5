// The local executor: a pool of engine workers on this machine. With GPUs, one worker per GPU (or k
// per GPU), each pinned with CUDA_VISIBLE_DEVICES; without, one per CPU core (or the configured count),
// each with its share of the cores. Jobs go to whichever worker is free; results are reported as
// they finish, failures as TrainingError (never a throw per job).
import { availableParallelism, hostname } from 'node:os';
import type { EngineSettings, ExecutorSettings } from '../../../common/config';
import { TrainingError, type Engine, type TrainJob } from '../engines/engine';
import { createEngine } from '../engines';
import { findTorchPython } from '../engines/torch';
import type { WorkerRef } from '../../../common/protocol';
import type { Executor, ExecutorHooks } from './executor';
import { autoWorkersPerGpu } from './workers-per-gpu';

export interface WorkerSlot {
  index: number;
  /** The GPU this worker is pinned to (an entry of CUDA_VISIBLE_DEVICES), or undefined on CPU. */
  gpu?: string;
  /** CPU threads for this worker (CPU slots only). */
  threads?: number;
}

export interface SlotPlanInput {
  /** Visible GPU ids (CUDA_VISIBLE_DEVICES entries or 0..n-1); empty for CPU. */
  gpus: string[];
  cpus: number;
  workers: number | null;
  workersPerGpu: number;
}

/** How many workers, and where: pure, so the rule is testable without hardware. */
export function planSlots({ gpus, cpus, workers, workersPerGpu }: SlotPlanInput): WorkerSlot[] {
  if (gpus.length > 0) {
    // Round-robin over GPUs first, so a worker count below the slot count still spreads over GPUs.
    const order = Array.from({ length: Math.max(1, workersPerGpu) }, () => gpus).flat();
    const n = workers ?? order.length;
    return Array.from({ length: n }, (_, index) => ({ index, gpu: order[index % order.length] }));
  }
  const n = Math.max(1, workers ?? cpus);
  const threads = Math.max(1, Math.floor(cpus / n));
  return Array.from({ length: n }, (_, index) => ({ index, threads }));
}

/** Visible GPU ids as the CUDA runtime will number them for a child: CUDA_VISIBLE_DEVICES entries when set. */
export function visibleGpus(count: number, env: NodeJS.ProcessEnv = process.env): string[] {
  const visible = env.CUDA_VISIBLE_DEVICES;
  if (visible !== undefined && visible.trim() !== '') {
    const ids = visible
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    return ids.slice(0, count);
  }
  return Array.from({ length: count }, (_, i) => String(i));
}

export type SlotEngineFactory = (slot: WorkerSlot) => Promise<{ engine: Engine; reason?: string }>;

export interface LocalExecutorOptions {
  engine: EngineSettings;
  executor?: Partial<ExecutorSettings>;
  /** Override GPU detection (ids to pin), e.g. [] to force CPU workers. */
  gpus?: string[];
  cpus?: number;
  /** Override the GPU memory the probe reports (MiB), for "auto" workers per GPU. */
  gpuMemoryMiB?: number;
  /** Build each worker's engine; default: createEngine(settings) pinned to the slot's GPU or threads. */
  createEngine?: SlotEngineFactory;
}

export class LocalExecutor implements Executor {
  private slots?: WorkerSlot[];
  private engines: Engine[] = [];
  private reason = '';
  private init?: Promise<void>;

  constructor(private readonly options: LocalExecutorOptions) {}

  /** Workers planned by start() (0 before). */
  get workerCount(): number {
    return this.slots?.length ?? 0;
  }

  describe(): string {
    if (!this.slots) return 'local: not started';
    const where = this.slots.map((s) => (s.gpu !== undefined ? `cuda:${s.gpu}` : `cpu×${s.threads}`));
    return `local: ${this.slots.length} worker${this.slots.length === 1 ? '' : 's'} on ${where.join(', ')}${this.reason ? ` (${this.reason})` : ''}`;
  }

  /** Detects GPUs, plans the workers and creates their engines (workers start on their first job). */
  start(): Promise<void> {
    this.init ??= this.setup();
    return this.init;
  }

  private async setup(): Promise<void> {
    const { engine: settings } = this.options;
    const ex = this.options.executor ?? {};
    let gpus = this.options.gpus;
    let gpuMemoryMiB = this.options.gpuMemoryMiB;
    if (gpus === undefined) {
      gpus = [];
      if (settings.name !== 'tfjs' && settings.device !== 'cpu') {
        try {
          const probe = await findTorchPython(settings.python);
          gpus = visibleGpus(probe.gpus ?? 0);
          gpuMemoryMiB ??= probe.gpuMemoryMiB;
        } catch {
          gpus = []; // no torch: the factory below picks tfjs (auto) or reports the problem (torch)
        }
      }
    }
    const cpus = this.options.cpus ?? availableParallelism();
    const perGpu = ex.workersPerGpu ?? 1;
    const workersPerGpu = perGpu === 'auto' ? autoWorkersPerGpu({ gpus: gpus.length, cpus, gpuMemoryMiB }) : perGpu;
    this.slots = planSlots({ gpus, cpus, workers: ex.workers ?? null, workersPerGpu });
    const factory: SlotEngineFactory =
      this.options.createEngine ??
      ((slot) =>
        createEngine(settings, {
          torch: slot.gpu !== undefined ? { env: { CUDA_VISIBLE_DEVICES: slot.gpu } } : { threads: slot.threads },
        }));
    for (const slot of this.slots) {
      const made = await factory(slot);
      this.engines.push(made.engine);
      if (made.reason && !this.reason) this.reason = made.reason;
    }
  }

  async evaluate(jobs: TrainJob[], hooks: ExecutorHooks): Promise<void> {
    if (jobs.length === 0) return; // nothing to train (a resumed run): no GPU probe, no workers
    await this.start();
    const queue = [...jobs];
    const internal = new AbortController();
    const outer = hooks.signal;
    const onOuterAbort = () => internal.abort();
    if (outer?.aborted) return;
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    let hookError: unknown;

    const host = hostname();
    const worker = async (engine: Engine, slot: WorkerSlot) => {
      const where: WorkerRef = { node: host, gpu: slot.gpu ?? null };
      for (let job = queue.shift(); job && !internal.signal.aborted; job = queue.shift()) {
        const id = job.id;
        hooks.onStart?.(id, where);
        let outcome;
        try {
          outcome = await engine.train(job, {
            signal: internal.signal,
            onEpoch: (m) => hooks.onEpoch?.(id, m),
            stopAfter: (m) => hooks.stopAfter?.(id, m) ?? false,
          });
        } catch (e) {
          outcome =
            e instanceof TrainingError ? e : new TrainingError('engine-error', `${id}: ${(e as Error)?.message ?? e}`);
        }
        try {
          await hooks.onResult(id, outcome, where);
        } catch (e) {
          // Recording failed (e.g. the run directory): stop dispatching, let running jobs end, rethrow.
          hookError ??= e;
          internal.abort();
        }
      }
    };
    try {
      await Promise.all(this.engines.map((engine, i) => worker(engine, this.slots![i])));
    } finally {
      outer?.removeEventListener('abort', onOuterAbort);
    }
    if (hookError) throw hookError;
  }

  async close(): Promise<void> {
    const engines = this.engines;
    this.engines = [];
    this.init = undefined;
    this.slots = undefined;
    await Promise.all(engines.map((e) => e.close()));
  }
}
