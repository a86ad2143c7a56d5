// Step 1 of the case study: the XFEL dataset in <out>/dataset, simulated once. A dataset already
// there is reused when its provenance says it was simulated with these settings, and refused
// (never replaced) when it was not.
import { existsSync } from 'node:fs';
import { openDatasetSync } from '../data/reader';
import { formatFluence } from './format';
import { DEFAULT_SPLINE_OVERSAMPLE, simulateDataset, type SimulateOptions } from '../data/xfel/simulate';

export interface CaseStudyData {
  fluence: number;
  count: number;
  size: number;
  seed: number;
  valFraction: number;
  /** Grid oversampling of the simulator; undefined: its default. */
  oversample?: number;
}

export interface DatasetSummary {
  dir: string;
  name: string;
  shape: [number, number, number];
  classes: string[];
  train: number;
  val: number;
  reused: boolean;
}

export class CaseStudyError extends Error {
  override name = 'CaseStudyError';
}

export async function ensureCaseStudyDataset(
  dir: string,
  want: CaseStudyData,
  opts: { signal?: AbortSignal; onProgress?: SimulateOptions['onProgress'] } = {},
): Promise<DatasetSummary> {
  const reused = existsSync(dir);
  if (reused) checkMatches(dir, want);
  else {
    await simulateDataset({
      out: dir,
      fluence: want.fluence,
      count: want.count,
      size: want.size,
      seed: want.seed,
      valFraction: want.valFraction,
      oversample: want.oversample,
      signal: opts.signal,
      onProgress: opts.onProgress,
    });
  }
  const { manifest } = openDatasetSync(dir);
  return {
    dir,
    name: manifest.name,
    shape: manifest.shape,
    classes: manifest.classes,
    train: manifest.splits.train.count,
    val: manifest.splits.val.count,
    reused,
  };
}

/** The dataset in `dir` must be the one these settings simulate; the message names the first difference. */
function checkMatches(dir: string, want: CaseStudyData): void {
  let manifest;
  try {
    manifest = openDatasetSync(dir).manifest;
  } catch (e) {
    throw new CaseStudyError(
      `${dir} is there but is not a dataset (${(e as Error).message}); remove it or choose another --out`,
    );
  }
  const p = manifest.provenance;
  const have: Array<[string, unknown, unknown]> = [
    ['source', p.source, 'pareto-nas XFEL simulator'],
    ['--fluence', p.fluencePhotonsPerUm2, want.fluence],
    ['--count', manifest.splits.train.count + manifest.splits.val.count, want.count],
    ['--size', manifest.shape[1], want.size],
    ['seed', p.seed, want.seed],
    ['validation fraction', p.valFraction, want.valFraction],
    [
      '--oversample',
      (p.grid as { oversample?: number } | undefined)?.oversample,
      want.oversample ?? DEFAULT_SPLINE_OVERSAMPLE,
    ],
  ];
  const bad = have.find(([, a, b]) => a !== b);
  if (bad) {
    throw new CaseStudyError(
      `${dir} holds a dataset simulated with ${bad[0]} ${shown(bad[1])}, not ${shown(bad[2])}; ` +
        'choose another --out, or remove that folder to simulate it again',
    );
  }
}

function shown(v: unknown): string {
  return typeof v === 'number' && Math.abs(v) >= 1e6 ? formatFluence(v) : String(v);
}
