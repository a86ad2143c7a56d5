// Recorded learning curves for `pareto-nas curves replay`: the A4NN CSV layout (one row per
// network and epoch: epoch, val_accs, arch, flops, and PENGUIN's predictions/converged) and our
// own candidates.jsonl. Curves come back in search order (first appearance in the file).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { CandidateRecord } from '../../../../common/protocol';

export interface RecordedCurve {
  id: string;
  mflops: number;
  /** Validation accuracy (percent) after every planned epoch. */
  accuracies: number[];
  /** PENGUIN's decision recorded with the curve (A4NN files): the first epoch judged converged. */
  recordedStop?: { epochsTrained: number; predictedFinal: number };
}

export interface CurveSet {
  curves: RecordedCurve[];
  plannedEpochs: number;
  /** Networks left out because their curve is not complete (failed, reused, stopped early). */
  skipped: number;
}

export class CurveFileError extends Error {
  override name = 'CurveFileError';
}

export function readCurveFile(file: string): CurveSet {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CurveFileError(`cannot read ${file}: ${(e as Error).message}`);
  }
  return file.endsWith('.jsonl') ? candidatesCurves(file, text) : a4nnCurves(file, text);
}

const A4NN_COLUMNS = ['epoch', 'val_accs', 'arch', 'flops'] as const;

function a4nnCurves(file: string, text: string): CurveSet {
  let rows: Array<Record<string, string>>;
  try {
    rows = parse(text, { columns: true, skip_empty_lines: true });
  } catch (e) {
    throw new CurveFileError(`${file} is not a CSV file: ${(e as Error).message}`);
  }
  const missing = A4NN_COLUMNS.filter((c) => rows.length > 0 && !(c in rows[0]));
  if (rows.length === 0 || missing.length) {
    throw new CurveFileError(
      `${file}: expected the A4NN columns ${A4NN_COLUMNS.join(', ')}; missing ${missing.join(', ') || 'every row'}`,
    );
  }
  const byArch = new Map<string, RecordedCurve>();
  rows.forEach((row, k) => {
    const where = `${file} row ${k + 2}`;
    const curve = byArch.get(row.arch) ?? { id: row.arch, mflops: number(row.flops, where, 'flops'), accuracies: [] };
    byArch.set(row.arch, curve);
    const epoch = number(row.epoch, where, 'epoch');
    if (epoch !== curve.accuracies.length) {
      throw new CurveFileError(
        `${where}: arch ${row.arch} has epoch ${epoch} after ${curve.accuracies.length} epochs; rows must be in epoch order`,
      );
    }
    curve.accuracies.push(number(row.val_accs, where, 'val_accs'));
    if (row.converged === 'True' && !curve.recordedStop) {
      curve.recordedStop = { epochsTrained: epoch + 1, predictedFinal: number(row.predictions, where, 'predictions') };
    }
  });
  return complete(file, [...byArch.values()], 0);
}

function candidatesCurves(file: string, text: string): CurveSet {
  const records = text
    .split('\n')
    .filter((line) => line.trim())
    .map((line, k) => {
      try {
        return JSON.parse(line) as CandidateRecord;
      } catch (e) {
        throw new CurveFileError(`${file} line ${k + 1} is not JSON: ${(e as Error).message}`);
      }
    });
  const trained = records.filter((r) => r.status === 'ok' && !r.earlyStop && r.epochs.length > 0);
  const curves = trained.map((r) => ({ id: r.id, mflops: r.mflops, accuracies: r.epochs.map((e) => e.valAccuracy) }));
  const planned = Math.max(0, ...curves.map((c) => c.accuracies.length));
  const full = curves.filter((c) => c.accuracies.length === planned);
  return complete(file, full, records.length - full.length);
}

/** Every replayed curve must run the planned epochs: the final accuracy is the ground truth. */
function complete(file: string, curves: RecordedCurve[], skipped: number): CurveSet {
  if (curves.length === 0) throw new CurveFileError(`${file}: no complete learning curves to replay`);
  const plannedEpochs = Math.max(...curves.map((c) => c.accuracies.length));
  const short = curves.find((c) => c.accuracies.length < plannedEpochs);
  if (short) {
    throw new CurveFileError(
      `${basename(file)}: network ${short.id} has ${short.accuracies.length} epochs but others have ${plannedEpochs}; ` +
        'replay needs every network trained to the end (e.g. the A4NN *_training_data.csv, not *_stopping_*)',
    );
  }
  return { curves, plannedEpochs, skipped };
}

function number(text: string | undefined, where: string, column: string): number {
  const value = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isFinite(value)) {
    throw new CurveFileError(`${where}: ${column} is ${JSON.stringify(text)}, not a finite number`);
  }
  return value;
}
