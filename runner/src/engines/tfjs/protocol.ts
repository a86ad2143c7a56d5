// Messages between the tfjs engine (parent) and its worker process, over Node's IPC channel.
import type { FailureKind, EpochMetrics } from '../engine';
import type { TfjsBackendSetting, BackendInfo } from './backend';
import type { BenchRequest, BenchResult } from '../engine';
import type { PredictRequest, TfjsTrainJob, TfjsTrainResult } from './train';

export type ToWorker =
  | { type: 'init'; backend: TfjsBackendSetting }
  | { type: 'train'; id: string; job: TfjsTrainJob }
  | { type: 'predict'; id: string; request: PredictRequest }
  | { type: 'bench'; id: string; request: BenchRequest }
  | { type: 'cancel'; id: string }
  /** Early termination: end the job at the next batch and reply with the epochs finished so far. */
  | { type: 'stop'; id: string }
  | { type: 'shutdown' };

export type FromWorker =
  | { type: 'hello'; info: BackendInfo }
  | { type: 'epoch'; id: string; metrics: EpochMetrics }
  | { type: 'result'; id: string; result: TfjsTrainResult }
  | { type: 'logits'; id: string; logits: number[][] }
  | { type: 'bench'; id: string; result: BenchResult }
  | { type: 'log'; line: string }
  | { type: 'error'; id?: string; kind: FailureKind; message: string };
