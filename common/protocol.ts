// The one definition of what crosses process boundaries: run-directory records, the events of
// events.jsonl, and (below) the JSON-RPC methods of `pareto-nas serve`. Imported by the runner,
// the extension and the webview; browser-safe: nothing here may import Node-only modules.
import type { SearchConfig } from './config';
import type { NetworkSpec } from './model/spec';

export type { NetworkSpec, SearchConfig };

// ---------------------------------------------------------------------------------------------
// Training results every engine reports (runner/src/engines/engine.ts uses them; they are defined
// here so the contract does not depend on an implementation)

export interface EpochMetrics {
  /** 0-based epoch index. */
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  /** Validation top-1 accuracy in percent. */
  valAccuracy: number;
  learningRate: number;
  seconds: number;
  /** The training part of `seconds` (torch reports it; the rest is validation). */
  trainSeconds?: number;
  valSeconds?: number;
  /** Training images seen this epoch (torch), for images per second. */
  images?: number;
}

export interface InferenceTiming {
  images: number;
  seconds: number;
  perImageMs: number;
}

/** Why a training failed; the search records it and goes on. */
export type FailureKind = 'nan-loss' | 'out-of-memory' | 'cancelled' | 'engine-error' | 'bad-input';

// ---------------------------------------------------------------------------------------------
// Run directory records

/** run.json: what a run was started on, written once when the run directory is created. */
export interface RunInfo {
  runner: string;
  createdAt: string;
  dataset: {
    /** Absolute dataset folder on the machine that runs the search. */
    dir: string;
    name: string;
    /** [channels, height, width] */
    shape: [number, number, number];
    classes: string[];
  };
}

/** The training worker that ran a candidate: its node (host name) and GPU (null on CPU). */
export interface WorkerRef {
  node: string;
  gpu: string | null;
}

/** One evaluation of the search: a line of candidates.jsonl. */
export interface CandidateRecord {
  /** "g<generation>-<index>", unique in the run, e.g. "g3-07". */
  id: string;
  /** 1-based; the initial population is generation 1, as in NSGA-Net. */
  generation: number;
  index: number;
  genome: string;
  specHash: string;
  mflops: number;
  params: number;
  /** ok: trained here; reused: same network as `reusedFrom`, result copied; failed: see failure. */
  status: 'ok' | 'reused' | 'failed';
  /** Validation accuracy in percent after the last epoch; null when failed. */
  valAccuracy: number | null;
  /** The first objective: 100 − valAccuracy (100 when failed). */
  error: number;
  epochs: EpochMetrics[];
  trainSeconds: number;
  parents: string[];
  reusedFrom?: string;
  failure?: { kind: FailureKind; message: string };
  device?: string;
  /** Set when the early-termination policy stopped the training (status stays ok; see training.earlyStop). */
  earlyStop?: EarlyStopRecord;
  /** The worker that trained it (absent for reused results and records of older runners). */
  worker?: WorkerRef;
  finishedAt: string;
}

/** Why and when a candidate's training was stopped early; valAccuracy is then the last measured one. */
export interface EarlyStopRecord {
  policy: string;
  reason: 'dominated' | 'converged';
  epochsTrained: number;
  epochsPlanned: number;
  /** dominated: bound on the accuracy it could still reach, and the network that blocks it. */
  upperBound?: number;
  dominatedBy?: string;
  /** converged: the fitted final accuracy; a prediction, not a measurement. */
  prediction?: { kind: 'prediction'; finalAccuracy: number; plusMinus?: number };
}

/** A member of a generation's surviving population, with its NSGA-II rank (0 = front) and crowding. */
export interface PopulationMember {
  id: string;
  rank: number;
  crowding: number;
}

/** generations/g<NNNN>.json: the population after survival of one generation. */
export interface GenerationSnapshot {
  generation: number;
  population: PopulationMember[];
  evaluations: number;
  writtenAt: string;
}

/** One refinement of a selected network: refine/<id>/result.json. */
export interface RefineRecord {
  id: string;
  candidate: string;
  genome: string;
  mflops: number;
  params: number;
  epochsPlanned: number;
  epochs: EpochMetrics[];
  /** Accuracy before refinement (from the search) and after it. */
  searchAccuracy: number | null;
  valAccuracy: number | null;
  inference?: InferenceTiming;
  status: 'running' | 'done' | 'failed';
  failure?: { kind: FailureKind; message: string };
  device?: string;
}

// ---------------------------------------------------------------------------------------------
// Events (events.jsonl): each line is {seq, time, ...RunEvent}; seq starts at 1 and never repeats.

export type RunEvent =
  | { type: 'run-started'; config: SearchConfig; resumed: boolean; pid: number; host: string }
  | {
      type: 'generation-started';
      generation: number;
      candidates: Array<{ id: string; genome: string; parents: string[] }>;
    }
  | { type: 'candidate-started'; id: string; generation: number; worker?: WorkerRef }
  /** A worker (a Slurm job step, or a local process) came up; slot numbers its place in the pool. */
  | { type: 'worker-started'; slot: number; worker: WorkerRef }
  /** A worker died under a candidate (crash, OOM kill, lost step or node); the candidate is trained again. */
  | { type: 'worker-lost'; slot: number; worker: WorkerRef; candidate: string; message: string; requeued: boolean }
  /** A node lost too many workers: no more steps are started there. */
  | { type: 'node-excluded'; node: string; failures: number }
  /** Slurm asked the job to stop (time limit, preemption): the search stopped cleanly and the job was requeued. */
  | { type: 'run-requeued'; jobId: string; reason: string }
  | { type: 'candidate-epoch'; id: string; metrics: EpochMetrics }
  | { type: 'candidate-finished'; record: CandidateRecord }
  | { type: 'generation-finished'; snapshot: GenerationSnapshot }
  | { type: 'run-finished'; status: 'completed' | 'cancelled' | 'failed'; message?: string }
  | { type: 'refine-started'; id: string; candidate: string; epochs: number }
  | { type: 'refine-epoch'; id: string; metrics: EpochMetrics }
  | { type: 'refine-finished'; record: RefineRecord }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

export type StoredEvent = RunEvent & { seq: number; time: string };

/** Summary of a run for lists (tree view, `pareto-nas status`). */
export interface RunSummary {
  id: string;
  dir: string;
  name: string;
  dataset: string;
  state: 'running' | 'completed' | 'cancelled' | 'failed' | 'stopped';
  generation: number;
  generations: number;
  evaluations: number;
  lastSeq: number;
  startedAt?: string;
  updatedAt?: string;
}

// ---------------------------------------------------------------------------------------------
// JSON-RPC 2.0 methods of `pareto-nas serve` (vscode-jsonrpc, Content-Length framing over stdio).
// 'vscode-jsonrpc' (its root entry) is the browser-safe common part: RequestType objects only.
//
// Session: the client first calls `version` with its PROTOCOL_VERSION; the server answers with its
// own versions, or a ProtocolMismatch error naming both. Every other method before a successful
// `version` gets NotNegotiated. A run is named by its id (a folder under the server's runs root)
// or by an absolute run-directory path.
import { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';

/** JSON-RPC error codes of the server (besides the standard -32700..-32603). */
export const RpcErrorCode = {
  ProtocolMismatch: -32001,
  NotNegotiated: -32002,
  RunNotFound: -32010,
  CandidateNotFound: -32011,
  InvalidConfig: -32012,
  LaunchFailed: -32013,
  NotAttached: -32014,
  ExportFailed: -32015,
} as const;
export type RpcErrorCode = (typeof RpcErrorCode)[keyof typeof RpcErrorCode];

export interface VersionParams {
  /** The client's PROTOCOL_VERSION. */
  protocol: number;
  /** Free text for logs, e.g. "pareto-nas-vscode 0.1.0". */
  client?: string;
}
export interface VersionResult {
  runner: string;
  protocol: number;
}

export interface DoctorResult {
  host: string;
  platform: string;
  node: { version: string; path: string };
  /** The Python the torch engine will use (the first candidate that imports torch), else the first tried. */
  python: { path: string; version: string | null; error?: string; tried?: PythonTried[] };
  torch: { version: string | null; cuda: boolean; cudaVersion: string | null; gpus: string[]; error?: string };
  tfjs: { backends: string[] };
  slurm: {
    available: boolean;
    sbatch: string | null;
    squeue: string | null;
    partitions?: SlurmPartition[];
    error?: string;
  };
  runsRoot: string;
}

/** One interpreter Doctor tried, in the engine's order: where it resolved to, and torch or why not. */
export interface PythonTried {
  python: string;
  /** The executable a bare name resolved to on PATH (null when not found or given as a path). */
  resolved: string | null;
  torch: string | null;
  problem?: string;
}

/** A Slurm partition as `sinfo` shows it (Doctor). */
export interface SlurmPartition {
  name: string;
  default: boolean;
  nodes: number;
  /** Node state summary, e.g. "idle", "mix", "alloc". */
  state: string;
  cpusPerNode: string;
  /** Generic resources per node, e.g. "gpu:a100:4"; empty when none. */
  gres: string;
  timeLimit: string;
}

export interface RunsListParams {
  /** Runs root to list instead of the server's default. */
  root?: string;
}

export interface SearchStartParams {
  /** A search config object (the same shape as a config file); validated by the runner. */
  config: unknown;
  /** Run directory to create; default: <runs root>/<name>-<timestamp>. */
  runDir?: string;
}
export interface LaunchResult {
  run: string;
  dir: string;
  /** local: the detached process (its session/process-group leader); slurm: absent. */
  pid?: number;
  /** slurm: the job id from `sbatch --parsable`. */
  jobId?: string;
  executor: 'local' | 'slurm';
}

export interface RunRefParams {
  run: string;
}

export interface RunAttachParams extends RunRefParams {
  /** Replay events with seq > fromSeq (0 = everything), then follow new ones. */
  fromSeq: number;
}
export interface RunAttachResult {
  run: string;
  dir: string;
  summary: RunSummary;
}

export interface RunCancelResult {
  run: string;
  /** How the stop was requested: SIGTERM to the search's process group, scancel, or nothing running. */
  how: 'sigterm' | 'scancel' | 'not-running';
  /** With 'not-running': why (e.g. "the run has already finished (completed)"). */
  message?: string;
}

export interface RefineStartParams extends RunRefParams {
  /** Candidate ids to refine; or, when absent, every Pareto candidate with mflops <= cutoff. */
  ids?: string[];
  cutoff?: number;
  epochs: number;
}

export interface CandidateGetParams extends RunRefParams {
  id: string;
}
export interface CandidateGetResult {
  record: CandidateRecord;
  spec: NetworkSpec | null;
  /** Per-epoch metrics of the search training (the learning curve). */
  curves: EpochMetrics[];
  refine?: RefineRecord[];
}

export interface ParetoGetParams extends RunRefParams {
  /** Only members with mflops <= maxMflops. */
  maxMflops?: number;
}
export interface ParetoGetResult {
  run: string;
  evaluations: number;
  front: CandidateRecord[];
}

export type ExportFormat = 'onnx' | 'torchscript';

/** What `<file>.json` records next to an exported model (`pareto-nas export`, `model/export`). */
export interface ExportManifest {
  format: 'pareto-nas.export/1';
  /** File name of the model, beside this manifest. */
  file: string;
  modelFormat: ExportFormat;
  run: string;
  candidate: string;
  genome: string;
  mflops: number;
  params: number;
  /** Validation accuracy in percent: after refinement, and in the search before it. */
  accuracy: { refined: number | null; search: number | null };
  input: {
    name: 'images';
    shape: ['batch', number, number, number];
    dtype: 'float32';
    storedAs: 'float32' | 'uint8' | 'uint16';
  };
  output: { name: 'logits'; shape: ['batch', number] };
  classes: string[];
  /** Applied inside the model: x = (raw - mean[c]) / std[c], on values as stored. */
  normalization: { insideModel: true; mean: number[]; std: number[] };
  exportedBy: { runner: string; torch: string; opset?: number };
  createdAt: string;
}

/** An inference measurement of an exported network (`pareto-nas bench-model`), `<run>/exports/<id>/bench-<format>.json`. */
export interface ModelBenchRecord {
  candidate: string;
  format: ExportFormat;
  /** e.g. "onnxruntime-node (CPU, 2 threads)" or the torch worker's device. */
  runtime: string;
  host: string;
  batchSize: number;
  batches: number;
  imagesPerSecond: number;
  perImageMs: number;
  latencyMs: { p50: number; p95: number; min: number };
  measuredAt: string;
}

export interface ModelExportParams extends RunRefParams {
  id: string;
  format: ExportFormat;
  /** Also time the exported file on the runner's host (bench-model). */
  bench?: boolean;
}
export interface ModelExportResult {
  /** Absolute path of the model file on the runner's host. */
  file: string;
  manifest: ExportManifest;
  bench?: ModelBenchRecord;
  /** Why the timing asked for was skipped (e.g. no ONNX Runtime next to the runner); the file is written. */
  benchError?: string;
}

export interface DatasetCheckParams {
  /** A dataset folder as a config names it: absolute, relative to the runner's working directory, or "default". */
  path: string;
}
/** What the runner's host finds at a config's `dataset` (the language server's dataset check and hover). */
export interface DatasetCheckResult {
  /** The folder a search would read, resolved on the runner's host. */
  dir: string;
  ok: boolean;
  /** Why it is not a dataset: no such folder, no dataset.json, a bad manifest or array file. */
  error?: string;
  /** The manifest's essentials when ok ("default" not simulated yet: what it will hold). */
  dataset?: { name: string; shape: [number, number, number]; classes: string[]; train: number; val: number };
}

export interface DatasetListParams {
  /** Folder on the runner's host whose sub-folders are listed (relative: to the runner's working directory). */
  dir: string;
}
export interface DatasetListResult {
  dir: string;
  /** Sub-folders, datasets first; `dataset` when it holds a dataset.json. Empty with `error` when dir cannot be read. */
  entries: Array<{ name: string; path: string; dataset: boolean }>;
  error?: string;
}

export interface RunEventParams {
  run: string;
  event: StoredEvent;
}

export const Rpc = {
  version: new RequestType<VersionParams, VersionResult, void>('version'),
  /** No params; the server probes its configured python (PARETO_NAS_PYTHON, else python3). */
  doctor: new RequestType0<DoctorResult, void>('doctor'),
  runsList: new RequestType<RunsListParams, RunSummary[], void>('runs/list'),
  searchStart: new RequestType<SearchStartParams, LaunchResult, void>('search/start'),
  /** Restart a stopped run (after kill -9 or a crash) with `pareto-nas resume`, detached. */
  searchResume: new RequestType<RunRefParams, LaunchResult, void>('search/resume'),
  runAttach: new RequestType<RunAttachParams, RunAttachResult, void>('run/attach'),
  runDetach: new RequestType<RunRefParams, void, void>('run/detach'),
  runCancel: new RequestType<RunRefParams, RunCancelResult, void>('run/cancel'),
  runSummary: new RequestType<RunRefParams, RunSummary, void>('run/summary'),
  refineStart: new RequestType<RefineStartParams, LaunchResult, void>('refine/start'),
  candidateGet: new RequestType<CandidateGetParams, CandidateGetResult, void>('candidate/get'),
  paretoGet: new RequestType<ParetoGetParams, ParetoGetResult, void>('pareto/get'),
  /** Writes a refined network as ONNX or TorchScript on the runner's host (and optionally times it). */
  modelExport: new RequestType<ModelExportParams, ModelExportResult, void>('model/export'),
  /** Reads the manifest at a config's dataset path (nothing else); never fails for a bad path, says why instead. */
  datasetCheck: new RequestType<DatasetCheckParams, DatasetCheckResult, void>('dataset/check'),
  /** Sub-folders of a folder, marking the datasets among them (completion of `dataset` in an editor). */
  datasetList: new RequestType<DatasetListParams, DatasetListResult, void>('dataset/list'),
  /** Server → client: one event of an attached run, in seq order. */
  runEvent: new NotificationType<RunEventParams>('run/event'),
} as const;
