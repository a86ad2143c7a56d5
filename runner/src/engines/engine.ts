// The one interface every training engine implements. The search, refinement and benchmarks call
// only this; an engine builds its network from the NetworkSpec and reads the dataset folder itself.
import { TRAINING_DEFAULTS, type TrainingSettings } from '../../../common/config';
import type { NetworkSpec } from '../../../common/model/spec';
import type { EpochMetrics, FailureKind, InferenceTiming } from '../../../common/protocol';

export type { EpochMetrics, FailureKind, InferenceTiming };

export interface TrainJob {
  /** Candidate id (or refinement id), for logs and file names. */
  id: string;
  spec: NetworkSpec;
  /** Dataset folder with dataset.json (see runner/src/data). */
  dataset: string;
  training: TrainingSettings;
  /** Folder to write final weights to (TF.js model.json + weights.bin layout, names from weights.ts). */
  saveWeightsTo?: string;
  /** Folder for per-epoch checkpoints; an existing checkpoint there resumes training from it. */
  checkpointDir?: string;
  /** Measure inference time on the validation split after training. */
  measureInference?: boolean;
}

export interface TrainResult {
  epochs: EpochMetrics[];
  /** Validation accuracy (percent) after the last epoch. */
  valAccuracy: number;
  /** Trainable parameters of the built network; must equal the analytic count. */
  params: number;
  /** Where the weights went, when saveWeightsTo was set. */
  weights?: string;
  /** Engine, backend and device that trained it, e.g. "torch 2.4 cuda:0 bf16". */
  device: string;
  inference?: InferenceTiming;
  /** Seconds from receiving the job to its first epoch (building the network, checks; torch reports it). */
  setupSeconds?: number;
}

export interface TrainHooks {
  signal?: AbortSignal;
  onEpoch?: (metrics: EpochMetrics) => void;
  /**
   * Early termination, asked after each epoch (after onEpoch): true ends the job, which then
   * resolves with the epochs finished so far; an epoch the worker began meanwhile is discarded.
   */
  stopAfter?: (metrics: EpochMetrics) => boolean;
}

export class TrainingError extends Error {
  override name = 'TrainingError';
  constructor(
    readonly kind: FailureKind,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The worker process ended under a training (crash, OOM kill, a lost Slurm step or node): the
 * candidate itself may be fine, so an executor that can may train it again on another worker.
 */
export class WorkerExitError extends TrainingError {
  override name = 'WorkerExitError';
}

export interface EngineInfo {
  name: 'torch' | 'tfjs';
  /** e.g. "torch 2.4.1, cuda 12.4, 1×H100" or "tfjs 4.22 wasm". */
  description: string;
  /** GPUs visible to this engine (empty on CPU). */
  gpus: string[];
}

export interface Engine {
  readonly name: 'torch' | 'tfjs';
  info(): Promise<EngineInfo>;
  train(job: TrainJob, hooks?: TrainHooks): Promise<TrainResult>;
  close(): Promise<void>;
}

/** A throughput measurement: training steps on random data kept on the device (see `npm run bench`). */
export interface BenchRequest {
  spec: NetworkSpec;
  batchSize: number;
  steps: number;
  warmup?: number;
  /** torch only; tfjs trains in fp32. */
  mixedPrecision?: 'auto' | 'off' | 'bf16';
  /** torch only: torch.compile the model first. */
  compile?: boolean;
}

export interface BenchResult {
  imagesPerSecond: number;
  seconds: number;
  steps: number;
  batchSize: number;
  params: number;
  device: string;
  maxMemoryMiB?: number;
}

/** An engine that can also measure its training throughput (both engines can). */
export interface BenchEngine extends Engine {
  bench(req: BenchRequest, signal?: AbortSignal): Promise<BenchResult>;
}

/** The training settings of a bench measurement: the search defaults, one epoch of the requested batch, constant rate. */
export function benchTraining(req: BenchRequest): TrainingSettings {
  return {
    ...TRAINING_DEFAULTS,
    epochs: 1,
    batchSize: req.batchSize,
    schedule: 'constant',
    mixedPrecision: req.mixedPrecision ?? 'auto',
    seed: 0,
  };
}
