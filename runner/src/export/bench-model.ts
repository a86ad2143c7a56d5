// `bench-model`: inference throughput and latency of an exported network on this machine: the
// number the paper's Table I calls "inference time", measured where the workflow will run it.
// ONNX files run in-process on ONNX Runtime (CPU); TorchScript files in the torch worker, on its
// device (a GPU when there is one).
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { EngineSettings } from '../../../common/config';
import { TorchEngine } from '../engines/torch';
import type { ModelBenchRecord } from '../../../common/protocol';
import { writeJsonAtomic } from '../store/files';

export type { ModelBenchRecord };
import {
  defaultExportFile,
  exportModel,
  manifestFileOf,
  type ExportedModel,
  type ExportFormat,
  type ExportManifest,
} from './export';
import { OnnxModel } from './onnx-runtime';

export interface ModelBenchOptions {
  runDir: string;
  id: string;
  format: ExportFormat;
  batchSize: number;
  /** Time budget of the timed loop (at least 5 batches are timed). */
  seconds: number;
  dataset?: string;
  engine?: Partial<EngineSettings>;
}

export function benchRecordFile(runDir: string, id: string, format: ExportFormat): string {
  return join(dirname(defaultExportFile(runDir, id, format)), `bench-${format}.json`);
}

/** The latest inference measurement of a candidate's export (ONNX first), if any. */
export function readBenchRecord(runDir: string, id: string): ModelBenchRecord | undefined {
  for (const format of ['onnx', 'torchscript'] as const) {
    const file = benchRecordFile(runDir, id, format);
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as ModelBenchRecord;
  }
  return undefined;
}

export function quantile(sorted: number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

export function summarize(
  latenciesMs: number[],
  batchSize: number,
): Pick<ModelBenchRecord, 'batches' | 'imagesPerSecond' | 'perImageMs' | 'latencyMs'> {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const total = sorted.reduce((a, b) => a + b, 0);
  return {
    batches: sorted.length,
    imagesPerSecond: (1000 * batchSize * sorted.length) / total,
    perImageMs: total / (batchSize * sorted.length),
    latencyMs: { p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), min: sorted[0] },
  };
}

async function exported(o: ModelBenchOptions): Promise<ExportedModel> {
  const file = defaultExportFile(resolve(o.runDir), o.id, o.format);
  if (existsSync(file) && existsSync(manifestFileOf(file))) {
    return { file, manifest: JSON.parse(readFileSync(manifestFileOf(file), 'utf8')) as ExportManifest };
  }
  return exportModel({ runDir: o.runDir, id: o.id, format: o.format, dataset: o.dataset, engine: o.engine });
}

async function timeOnnx(file: string, input: [number, number, number], batch: number, seconds: number) {
  const model = await OnnxModel.open(file);
  try {
    const dims: [number, number, number, number] = [batch, ...input];
    const x = new Float32Array(dims.reduce((a, b) => a * b, 1)).map(() => Math.random());
    for (let i = 0; i < 3; i++) await model.logits(x, dims);
    const latencies: number[] = [];
    const end = performance.now() + 1000 * seconds;
    while (latencies.length < 5 || (performance.now() < end && latencies.length < 10000)) {
      const t0 = performance.now();
      await model.logits(x, dims);
      latencies.push(performance.now() - t0);
    }
    return { latencies, runtime: `onnxruntime-node (CPU, ${model.threads} threads)` };
  } finally {
    await model.close();
  }
}

async function timeTorchScript(
  file: string,
  input: [number, number, number],
  batch: number,
  seconds: number,
  engine?: Partial<EngineSettings>,
) {
  const torch = await TorchEngine.create({ ...engine });
  try {
    const r = await torch.benchModel({ file, input, batchSize: batch, seconds });
    return { latencies: r.latenciesMs, runtime: `torch worker, ${r.device}` };
  } finally {
    await torch.close();
  }
}

/** Exports the candidate if needed, times it, and records the result beside the export. */
export async function benchModel(o: ModelBenchOptions): Promise<ModelBenchRecord> {
  const { file, manifest } = await exported(o);
  const [, c, h, w] = manifest.input.shape;
  const input: [number, number, number] = [c, h, w];
  const { latencies, runtime } =
    o.format === 'onnx'
      ? await timeOnnx(file, input, o.batchSize, o.seconds)
      : await timeTorchScript(file, input, o.batchSize, o.seconds, o.engine);
  const record: ModelBenchRecord = {
    candidate: o.id,
    format: o.format,
    runtime,
    host: hostname(),
    batchSize: o.batchSize,
    ...summarize(latencies, o.batchSize),
    measuredAt: new Date().toISOString(),
  };
  writeJsonAtomic(benchRecordFile(resolve(o.runDir), o.id, o.format), record);
  return record;
}
