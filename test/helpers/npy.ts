// Writes tiny dataset folders (dataset.json + NumPy .npy) for engine tests, in the format of
// runner/src/data/format.ts, without going through the data package.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../runner/src/rng';

type NpyDtype = 'float32' | 'uint8' | 'uint16' | 'int64';
const DESCR: Record<NpyDtype, string> = { float32: '<f4', uint8: '|u1', uint16: '<u2', int64: '<i8' };

/** NumPy .npy format version 1.0, C order. */
export function npyBytes(dtype: NpyDtype, shape: number[], values: ArrayLike<number>): Buffer {
  const count = shape.reduce((a, b) => a * b, 1);
  if (values.length !== count) throw new Error(`npy: ${values.length} values for shape [${shape}]`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  let body: Buffer;
  if (dtype === 'float32') body = Buffer.from(Float32Array.from(values).buffer);
  else if (dtype === 'uint8') body = Buffer.from(Uint8Array.from(values).buffer);
  else if (dtype === 'uint16') body = Buffer.from(Uint16Array.from(values).buffer);
  else body = Buffer.from(BigInt64Array.from(Array.from(values, (v) => BigInt(v))).buffer);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), body]);
}

export function writeNpy(file: string, dtype: NpyDtype, shape: number[], values: ArrayLike<number>): void {
  writeFileSync(file, npyBytes(dtype, shape, values));
}

/** Seeded uniform generator (the runner's Rng) so test data is the same on every run. */
export function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.random();
}

export interface SyntheticOptions {
  size?: number;
  channels?: number;
  train?: number;
  val?: number;
  classes?: number;
  seed?: number;
  dtype?: 'float32' | 'uint8' | 'uint16';
}

/**
 * A linearly separable image set: class k has a bright square in a class-specific quadrant over
 * uniform noise. Writes <dir>/dataset.json, {train,val}_{images,labels}.npy; returns the folder.
 */
export function writeSyntheticDataset(dir: string, o: SyntheticOptions = {}): string {
  const size = o.size ?? 12;
  const channels = o.channels ?? 1;
  const classes = o.classes ?? 2;
  const dtype = o.dtype ?? 'float32';
  const next = rng(o.seed ?? 1);
  mkdirSync(dir, { recursive: true });
  const half = Math.floor(size / 2);
  const splits: Record<string, { count: number; images: string; labels: string }> = {};
  for (const [split, count] of [
    ['train', o.train ?? 96],
    ['val', o.val ?? 48],
  ] as const) {
    const img = new Float32Array(count * channels * size * size);
    const lab: number[] = [];
    for (let n = 0; n < count; n++) {
      const k = n % classes;
      lab.push(k);
      const oy = (k >> 1) % 2 === 0 ? 0 : half;
      const ox = k % 2 === 0 ? 0 : half;
      for (let c = 0; c < channels; c++)
        for (let y = 0; y < size; y++)
          for (let x = 0; x < size; x++) {
            const inside = y >= oy && y < oy + half && x >= ox && x < ox + half;
            const v = 0.5 * next() + (inside ? 0.5 : 0);
            img[((n * channels + c) * size + y) * size + x] =
              dtype === 'float32' ? v : Math.round(v * (dtype === 'uint8' ? 255 : 65535));
          }
    }
    writeNpy(join(dir, `${split}_images.npy`), dtype, [count, channels, size, size], img);
    writeNpy(join(dir, `${split}_labels.npy`), 'int64', [count], lab);
    splits[split] = { count, images: `${split}_images.npy`, labels: `${split}_labels.npy` };
  }
  const manifest = {
    format: 'pareto-nas.dataset/1',
    name: 'synthetic-quadrants',
    shape: [channels, size, size],
    classes: Array.from({ length: classes }, (_, k) => `q${k}`),
    dtype,
    splits,
    provenance: { generator: 'test/helpers/npy.ts', seed: o.seed ?? 1 },
  };
  writeFileSync(join(dir, 'dataset.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}
