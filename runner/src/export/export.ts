// Export: a network chosen from a run, written as a file a scientific workflow loads without Pareto
// NAS (ONNX for onnxruntime, TorchScript for torch.jit.load), with what a user needs to feed it
// recorded beside it in `<file>.json`: input shape and dtype, class names, the input transform.
// The transform (the training split's per-channel mean/std of the stored values) is baked into the
// file, so the exported model takes images exactly as they are stored in the dataset.
import { existsSync, mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { EngineSettings } from '../../../common/config';
import { openDatasetSync } from '../data/reader';
import type { ImageDtype } from '../data/format';
import { TorchEngine } from '../engines/torch';
import type { CandidateRecord, ExportFormat, ExportManifest, RefineRecord } from '../../../common/protocol';

export type { ExportFormat, ExportManifest };
import { runSpec } from '../search/run-spec';
import { readCandidates, readRefineRecord, readRunConfig, readRunInfo, refineDir } from '../store';
import { writeJsonAtomic } from '../store/files';
import { RUNNER_VERSION } from '../../../common/version';

export const EXPORT_FORMATS: readonly ExportFormat[] = ['onnx', 'torchscript'];
const EXTENSION: Record<ExportFormat, string> = { onnx: '.onnx', torchscript: '.pt' };

export class ExportError extends Error {
  override name = 'ExportError';
}

export interface ExportOptions {
  runDir: string;
  id: string;
  format: ExportFormat;
  /** Output file; default `<run>/exports/<id>/<id>.onnx` (or `.pt`). */
  out?: string;
  /** Dataset folder, when it moved since the search (only its manifest's dtype is read). */
  dataset?: string;
  engine?: Partial<EngineSettings>;
}

export function defaultExportFile(runDir: string, id: string, format: ExportFormat): string {
  return join(runDir, 'exports', id, `${id}${EXTENSION[format]}`);
}

/** The manifest path that sits beside an exported file. */
export function manifestFileOf(file: string): string {
  return `${file}.json`;
}

/** The refined weights of a candidate: only refined networks are kept with their weights. */
export function trainedWeights(
  runDir: string,
  id: string,
): { candidate: CandidateRecord; refined: RefineRecord; weights: string } {
  const candidate = readCandidates(runDir).find((c) => c.id === id);
  if (!candidate) throw new ExportError(`${runDir} has no candidate "${id}"`);
  const refined = readRefineRecord(runDir, id);
  const weights = join(refineDir(runDir, id), 'weights');
  if (!refined || refined.status !== 'done' || !existsSync(join(weights, 'model.json'))) {
    throw new ExportError(
      `candidate ${id} has no trained weights yet: only refined networks keep theirs; run \`pareto-nas refine ${runDir} --ids ${id}\` first`,
    );
  }
  return { candidate, refined, weights };
}

function storedDtype(runDir: string, dataset?: string): ImageDtype {
  const dir = dataset ?? readRunInfo(runDir).dataset.dir;
  try {
    return openDatasetSync(dir).manifest.dtype;
  } catch (e) {
    throw new ExportError(
      `cannot read the run's dataset to learn its pixel type (${(e as Error).message}); pass --dataset DIR`,
    );
  }
}

export interface ExportedModel {
  /** Absolute path of the model file. */
  file: string;
  manifest: ExportManifest;
}

/** Exports one refined network; resolves with the file and the manifest written beside it. */
export async function exportModel(options: ExportOptions): Promise<ExportedModel> {
  const runDir = resolve(options.runDir);
  const { candidate, refined, weights } = trainedWeights(runDir, options.id);
  const dtype = storedDtype(runDir, options.dataset);
  const spec = runSpec(runDir, candidate.genome);
  const out = resolve(options.out ?? defaultExportFile(runDir, options.id, options.format));
  mkdirSync(dirname(out), { recursive: true });
  const engine = await TorchEngine.create({ ...readRunConfig(runDir).engine, ...options.engine, device: 'cpu' });
  try {
    const result = await engine.exportModel({ spec, weights, format: options.format, out });
    const info = readRunInfo(runDir);
    const manifest: ExportManifest = {
      format: 'pareto-nas.export/1',
      file: basename(out),
      modelFormat: options.format,
      run: runDir,
      candidate: candidate.id,
      genome: candidate.genome,
      mflops: candidate.mflops,
      params: candidate.params,
      accuracy: { refined: refined.valAccuracy, search: refined.searchAccuracy },
      input: { name: 'images', shape: ['batch', ...info.dataset.shape], dtype: 'float32', storedAs: dtype },
      output: { name: 'logits', shape: ['batch', info.dataset.classes.length] },
      classes: info.dataset.classes,
      normalization: { insideModel: true, ...result.normalization },
      exportedBy: {
        runner: RUNNER_VERSION,
        torch: result.torch,
        ...(result.opset !== undefined && { opset: result.opset }),
      },
      createdAt: new Date().toISOString(),
    };
    writeJsonAtomic(manifestFileOf(out), manifest);
    return { file: out, manifest };
  } finally {
    await engine.close();
  }
}
