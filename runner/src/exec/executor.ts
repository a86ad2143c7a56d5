// Executors spread the candidate trainings of one generation over workers (local GPUs/cores, or
// Slurm jobs). The search loop hands over a batch and records each result as it arrives.
import type { EpochMetrics, TrainJob, TrainResult, TrainingError } from '../engines/engine';
import type { RunEvent, WorkerRef } from '../../../common/protocol';

/** What happens to the workers themselves (started, lost, nodes excluded), for events.jsonl. */
export type WorkerEvent = Extract<RunEvent, { type: 'worker-started' | 'worker-lost' | 'node-excluded' }>;

export interface ExecutorHooks {
  signal?: AbortSignal;
  onStart?: (jobId: string, worker?: WorkerRef) => void;
  onEpoch?: (jobId: string, metrics: EpochMetrics) => void;
  /** Early termination: true ends that job after this epoch; its result keeps the epochs so far. */
  stopAfter?: (jobId: string, metrics: EpochMetrics) => boolean;
  /** Called once per job, in completion order; a failed job gets a TrainingError, never a throw. */
  onResult: (jobId: string, outcome: TrainResult | TrainingError, worker?: WorkerRef) => void | Promise<void>;
  onWorker?: (event: WorkerEvent) => void;
}

export interface Executor {
  /** Trains every job; resolves when all have reported through onResult (or the signal aborted). */
  evaluate(jobs: TrainJob[], hooks: ExecutorHooks): Promise<void>;
  /** Describes the workers, e.g. "local: 2 workers on cuda:0, cuda:1". */
  describe(): string;
  close(): Promise<void>;
}
