// The bench's synthetic dataset: images of the XFEL shape (1×S×S, 2 classes) whose class shows as
// a brighter disc in one half over uniform noise, so the networks learn and accuracies mean something;
// speed does not depend on the pixel values. Written with the runner's DatasetWriter.
import { join } from 'node:path';
import { DatasetWriter } from '../../runner/src/data';
import type { ImageDtype } from '../../runner/src/data/format';
import { Rng } from '../../runner/src/rng';

export interface SyntheticSize {
  size: number;
  train: number;
  val: number;
  dtype: ImageDtype;
}

const FULL_SCALE: Record<ImageDtype, number> = { float32: 1, uint8: 255, uint16: 65535 };

export function writeBenchDataset(dir: string, o: SyntheticSize): string {
  const out = join(dir, `synthetic-${o.size}-${o.train}-${o.val}-${o.dtype}`);
  const w = DatasetWriter.create(
    out,
    {
      name: 'bench-search-synthetic',
      shape: [1, o.size, o.size],
      classes: ['left', 'right'],
      dtype: o.dtype,
      counts: { train: o.train, val: o.val },
    },
    { overwrite: true },
  );
  const rng = new Rng(1);
  const img = new Float32Array(o.size * o.size);
  const r2 = (o.size / 6) ** 2;
  const full = FULL_SCALE[o.dtype];
  for (const [split, count] of [
    ['train', o.train],
    ['val', o.val],
  ] as const) {
    for (let n = 0; n < count; n++) {
      const label = n % 2;
      const cx = label ? (3 * o.size) / 4 : o.size / 4;
      const cy = o.size / 2;
      for (let y = 0; y < o.size; y++)
        for (let x = 0; x < o.size; x++) {
          const disc = (x - cx) ** 2 + (y - cy) ** 2 < r2 ? 0.3 : 0;
          const v = 0.7 * rng.random() + disc;
          img[y * o.size + x] = o.dtype === 'float32' ? v : Math.round(v * full);
        }
      w.add(split, img, label);
    }
  }
  w.finish({ generator: 'scripts/bench-search/data.ts', seed: 1 });
  return out;
}
