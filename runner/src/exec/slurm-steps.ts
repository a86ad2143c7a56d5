// The Slurm executor inside the search's batch job: one torch worker per GPU (or per CPU slot) of
// every node of the allocation, each a job step started with srun and spoken to over the step's
// stdin/stdout. A step that dies under a candidate puts that candidate back in the queue for
// another worker; the slot starts a new step on its next job, and a node that lost too many
// steps is excluded. The search goes on as long as one node is left.
import type { EngineSettings, ExecutorSettings } from '../../../common/config';
import { TrainingError, WorkerExitError, type Engine, type TrainJob, type TrainResult } from '../engines/engine';
import { TorchEngine } from '../engines/torch';
import type { WorkerRef } from '../../../common/protocol';
import { workerLayout, type WorkerLayout } from '../server/sbatch-script';
import { slurmJobState } from '../server/launch';
import type { Executor, ExecutorHooks } from './executor';
import { allocationNodes, planStepSlots, slurmJobId, srunWorkerArgs, type StepSlot } from './slurm-allocation';

/** A worker engine that can say where it runs once started (node, GPU). */
export interface StepEngine extends Engine {
  where(): WorkerRef | undefined;
}

export type StepEngineFactory = (
  slot: StepSlot,
  launcher: string[],
  layout: WorkerLayout,
  settings: EngineSettings,
) => Promise<StepEngine>;

export interface SlurmStepOptions {
  engine: EngineSettings;
  executor: ExecutorSettings;
  /** Default: the allocation's nodes (SLURM_JOB_NODELIST). */
  nodes?: string[];
  jobId?: string;
  createEngine?: StepEngineFactory;
  /** Trainings of one candidate cut short by lost workers before it counts as failed (default 3). */
  maxAttempts?: number;
}

/** The torch engine as a job step; its hello names the node and the GPU Slurm bound it to. */
const torchStep: StepEngineFactory = async (_slot, launcher, layout, settings) => {
  if (settings.name === 'tfjs')
    throw new Error('the slurm executor trains with the torch engine (engine.name "torch" or "auto"), not tfjs');
  const engine = await TorchEngine.create(settings, {
    launcher,
    threads: layout.gpusPerNode > 0 ? undefined : layout.cpusPerWorker,
  });
  return Object.assign(engine, {
    where(): WorkerRef | undefined {
      const h = engine.workerHello;
      if (!h) return undefined;
      const gpu = layout.gpusPerNode > 0 ? (h.cudaVisibleDevices ?? null) : null;
      return { node: h.node ?? 'unknown', gpu };
    },
  });
};

interface Worker {
  slot: StepSlot;
  engine?: StepEngine;
}

export class SlurmStepExecutor implements Executor {
  private readonly layout: WorkerLayout;
  private workers: Worker[] = [];
  private readonly nodeFailures = new Map<string, number>();
  private readonly excluded = new Set<string>();
  private readonly jobId: string;

  constructor(private readonly options: SlurmStepOptions) {
    this.layout = workerLayout(options.executor.slurm, options.executor.workersPerGpu);
    const jobId = options.jobId ?? slurmJobId();
    if (!jobId)
      throw new Error(
        'the slurm executor trains inside its batch job; submit the search with `pareto-nas search --config F`',
      );
    this.jobId = jobId;
  }

  describe(): string {
    const nodes = new Set(this.workers.map((w) => w.slot.node));
    const gpus =
      this.layout.gpusPerNode > 0
        ? `${this.layout.gpusPerNode} GPU(s)`
        : `${this.layout.cpusPerWorker} CPU(s) per worker`;
    const out = this.excluded.size ? `; excluded: ${[...this.excluded].join(', ')}` : '';
    return `slurm job ${this.jobId}: ${this.workers.length} worker steps on ${nodes.size} node(s) (${[...nodes].join(', ')}), ${gpus}${out}`;
  }

  private plan(): void {
    if (this.workers.length) return;
    const nodes = this.options.nodes ?? allocationNodes();
    this.workers = planStepSlots(nodes, this.layout.workersPerNode, this.options.executor.workers).map((slot) => ({
      slot,
    }));
  }

  async evaluate(jobs: TrainJob[], hooks: ExecutorHooks): Promise<void> {
    this.plan();
    if (hooks.signal?.aborted) return;
    const queue = new JobQueue(jobs, hooks.signal);
    const attempts = new Map<string, number>();
    let hookError: unknown;

    const finish = async (job: TrainJob, outcome: TrainResult | TrainingError, where: WorkerRef) => {
      try {
        await hooks.onResult(job.id, outcome, where);
      } catch (e) {
        hookError ??= e; // recording failed (the run directory): stop dispatching, rethrow below
        queue.stop();
      }
      queue.done();
    };

    let jobEnding = false;
    const lose = (w: Worker, job: TrainJob, e: TrainingError, where: WorkerRef) => {
      // steps die first when the whole job is cancelled or requeued: not the workers' fault
      const state = slurmJobState(this.jobId);
      if (state !== null && state !== 'RUNNING') {
        jobEnding = true;
        queue.stop();
        return true;
      }
      const tries = (attempts.get(job.id) ?? 0) + 1;
      attempts.set(job.id, tries);
      const requeued = tries < (this.options.maxAttempts ?? 3);
      hooks.onWorker?.({
        type: 'worker-lost',
        slot: w.slot.index,
        worker: where,
        candidate: job.id,
        message: e.message,
        requeued,
      });
      this.countFailure(w.slot.node, hooks);
      return requeued;
    };

    const runSlot = async (w: Worker) => {
      for (;;) {
        if (this.excluded.has(w.slot.node)) return;
        const job = await queue.take();
        if (!job) return;
        if (this.excluded.has(w.slot.node)) {
          queue.putBack(job);
          return;
        }
        const engine = (w.engine ??= await this.makeEngine(w));
        let where = engine.where();
        if (!where) {
          // a new step (first job, or after one was lost): start it and say where Slurm put it
          try {
            await engine.info();
            where = engine.where() ?? { node: w.slot.node, gpu: null };
            hooks.onWorker?.({ type: 'worker-started', slot: w.slot.index, worker: where });
          } catch (e) {
            const error =
              e instanceof TrainingError ? e : new TrainingError('engine-error', String((e as Error)?.message ?? e));
            if (queue.signal.aborted) return queue.putBack(job);
            if (lose(w, job, error, { node: w.slot.node, gpu: null })) queue.putBack(job);
            else await finish(job, error, { node: w.slot.node, gpu: null });
            continue;
          }
        }
        hooks.onStart?.(job.id, where);
        const outcome = await engine
          .train(job, { signal: queue.signal, onEpoch: (m) => hooks.onEpoch?.(job.id, m) })
          .catch((e: unknown) =>
            e instanceof TrainingError
              ? e
              : new TrainingError('engine-error', `${job.id}: ${(e as Error)?.message ?? e}`),
          );
        if (outcome instanceof WorkerExitError && !queue.signal.aborted && lose(w, job, outcome, where)) {
          queue.putBack(job);
          continue;
        }
        await finish(job, outcome, where);
      }
    };

    await Promise.all(this.workers.map((w) => runSlot(w)));
    if (hookError) throw hookError;
    if (jobEnding && !hooks.signal?.aborted) await abortOf(hooks.signal, 60_000);
    if (jobEnding && !hooks.signal?.aborted)
      throw new Error(`job ${this.jobId} is ending (${slurmJobState(this.jobId)}): its worker steps were stopped`);
    if (!queue.signal.aborted && queue.remaining() > 0) {
      throw new Error(
        `every node of job ${this.jobId} was excluded after lost workers (${[...this.excluded].join(', ')}); resume the run on a new allocation`,
      );
    }
  }

  private async makeEngine(w: Worker): Promise<StepEngine> {
    const factory = this.options.createEngine ?? torchStep;
    return factory(w.slot, srunWorkerArgs(w.slot, this.layout, this.jobId), this.layout, this.options.engine);
  }

  private countFailure(node: string, hooks: ExecutorHooks): void {
    const n = (this.nodeFailures.get(node) ?? 0) + 1;
    this.nodeFailures.set(node, n);
    if (n >= this.options.executor.slurm.maxNodeFailures && !this.excluded.has(node)) {
      this.excluded.add(node);
      hooks.onWorker?.({ type: 'node-excluded', node, failures: n });
    }
  }

  async close(): Promise<void> {
    const engines = this.workers.flatMap((w) => (w.engine ? [w.engine] : []));
    for (const w of this.workers) w.engine = undefined;
    await Promise.all(engines.map((e) => e.close()));
  }
}

/** Resolves when the signal aborts, or after ms. */
function abortOf(signal: AbortSignal | undefined, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}

/**
 * The batch's jobs as the slots see them: take() waits while the queue is empty but a job is still
 * in flight (a lost worker may put it back), and returns undefined once everything is done.
 */
class JobQueue {
  private readonly pending: TrainJob[];
  private inFlight = 0;
  private waiters: Array<() => void> = [];
  private readonly internal = new AbortController();

  constructor(jobs: TrainJob[], outer?: AbortSignal) {
    this.pending = [...jobs];
    outer?.addEventListener('abort', () => this.stop(), { once: true });
  }

  get signal(): AbortSignal {
    return this.internal.signal;
  }

  async take(): Promise<TrainJob | undefined> {
    for (;;) {
      if (this.internal.signal.aborted) return undefined;
      const job = this.pending.shift();
      if (job) {
        this.inFlight++;
        return job;
      }
      if (this.inFlight === 0) return undefined;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  /** A job finished (reported). */
  done(): void {
    this.inFlight--;
    this.wake();
  }

  /** A job's worker was lost: it goes first in line for the next free worker. */
  putBack(job: TrainJob): void {
    this.inFlight--;
    this.pending.unshift(job);
    this.wake();
  }

  remaining(): number {
    return this.pending.length + this.inFlight;
  }

  stop(): void {
    this.internal.abort();
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
