// Shared by the importers: turning arrays (in memory or read one by one) into a dataset folder.
import { balancedSplit, DEFAULT_VAL_FRACTION } from '../split';
import { DatasetWriter } from '../writer';
import type { SplitName } from '../format';

export interface ImportOptions {
  out: string;
  name?: string;
  valFraction?: number;
  seed?: number;
  overwrite?: boolean;
  /** Class names for integer labels (else "0", "1", ...). */
  classes?: string[];
  onProgress?: (done: number, total: number) => void;
}

/** Class names for integer labels: given names (checked against the labels) or the label values. */
export function classNamesFor(labels: ArrayLike<number>, given: string[] | undefined, source: string): string[] {
  let max = -1;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (!Number.isInteger(l) || l < 0)
      throw new Error(`${source}: label ${l} at index ${i} is not a non-negative integer`);
    if (l > max) max = l;
  }
  if (given) {
    if (max >= given.length)
      throw new Error(`${source}: label ${max} but only ${given.length} class names (${given.join(', ')})`);
    return given;
  }
  return Array.from({ length: max + 1 }, (_, i) => String(i));
}

/**
 * Writes images (already in memory, [N, C, H, W] flattened) with labels, split class-balanced
 * unless `fixedSplit` gives each image's split.
 */
export function writeArrays(
  images: ArrayLike<number>,
  shape: [number, number, number],
  labels: ArrayLike<number>,
  classes: string[],
  o: ImportOptions,
  provenance: Record<string, unknown>,
  fixedSplit?: SplitName[],
): string {
  const per = shape[0] * shape[1] * shape[2];
  const n = labels.length;
  const split = fixedSplit
    ? {
        train: [...Array(n).keys()].filter((i) => fixedSplit[i] === 'train'),
        val: [...Array(n).keys()].filter((i) => fixedSplit[i] === 'val'),
      }
    : balancedSplit(labels, classes.length, o.valFraction ?? DEFAULT_VAL_FRACTION, o.seed ?? 0);
  const w = DatasetWriter.create(
    o.out,
    {
      name: o.name ?? 'imported',
      shape,
      classes,
      dtype: 'float32',
      counts: { train: split.train.length, val: split.val.length },
    },
    { overwrite: o.overwrite },
  );
  try {
    let done = 0;
    for (const s of ['train', 'val'] as SplitName[]) {
      for (const i of split[s]) {
        const img = new Float32Array(per);
        for (let k = 0; k < per; k++) img[k] = images[i * per + k];
        w.add(s, img, labels[i]);
        if (++done % 256 === 0) o.onProgress?.(done, n);
      }
    }
    o.onProgress?.(n, n);
    w.finish({
      ...provenance,
      valFraction: fixedSplit ? 'as in the source' : (o.valFraction ?? DEFAULT_VAL_FRACTION),
      splitSeed: o.seed ?? 0,
    });
    return w.outDir;
  } catch (e) {
    w.abort();
    throw e;
  }
}

/** [N,H,W] → [N,1,H,W]; [N,C,H,W] as is; [N,H,W,C] with channelsLast. Returns (C,H,W) and data in NCHW. */
export function toNCHW(
  data: ArrayLike<number>,
  shape: number[],
  channelsLast: boolean,
  source: string,
): { shape: [number, number, number]; data: ArrayLike<number> } {
  if (shape.length === 3) return { shape: [1, shape[1], shape[2]], data };
  if (shape.length !== 4) throw new Error(`${source}: images must be [N, H, W] or [N, C, H, W], got [${shape}]`);
  if (!channelsLast) return { shape: [shape[1], shape[2], shape[3]], data };
  const [n, h, w, c] = shape;
  const out = new Float32Array(n * c * h * w);
  for (let i = 0; i < n; i++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let ch = 0; ch < c; ch++) out[((i * c + ch) * h + y) * w + x] = data[((i * h + y) * w + x) * c + ch];
  return { shape: [c, h, w], data: out };
}
