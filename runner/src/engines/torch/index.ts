// The torch engine: see engine.ts (process management) and worker.py (the network and training).
export { TorchEngine, workerScriptPath } from './engine';
export type {
  ExportRequest,
  ExportResult,
  ModelBenchRequest,
  ModelBenchResult,
  PredictRequest,
  TorchEngineOptions,
  TorchTrainJob,
  TorchTrainResult,
} from './engine';
export { findTorchPython, probePython, pythonCandidates, TorchUnavailableError, DEFAULT_PYTHON } from './python';
export type { PythonProbe } from './python';
