// A dataset folder as the tfjs engine trains on it: images kept in their stored dtype ([N,C,H,W]),
// turned into normalised NHWC float32 batches on demand. Normalisation is the torch engine's:
// per-channel mean/std of the training images' values as stored (photon counts stay counts, so a
// uint8 / uint16 dataset gives exactly the inputs of a float32 one with the same values; std below
// 1e-12 counts as 1), so the same weights see the same inputs in both engines.
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openDataset, type ImageArray } from '../../data/reader';
import { TrainingError } from '../engine';

export interface Normalization {
  mean: number[];
  std: number[];
}

export interface SplitData {
  count: number;
  images: ImageArray;
  labels: Int32Array;
}

export interface LoadedDataset {
  dir: string;
  /** [channels, height, width]. */
  shape: [number, number, number];
  classes: number;
  scale: number;
  norm: Normalization;
  train: SplitData;
  val: SplitData;
}

/** Values are used as stored, whatever the dtype (see the module comment). */
const SCALE = { float32: 1, uint8: 1, uint16: 1 } as const;

let cache: { key: string; data: LoadedDataset } | undefined;

/** Loads a dataset folder once per process (reloaded when its dataset.json changes). */
export async function loadDataset(folder: string): Promise<LoadedDataset> {
  const dir = resolve(folder);
  let key: string;
  try {
    key = `${dir}:${statSync(join(dir, 'dataset.json')).mtimeMs}`;
  } catch {
    throw new TrainingError('bad-input', `dataset ${dir} has no dataset.json`);
  }
  if (cache?.key === key) return cache.data;
  cache = undefined;
  let data: LoadedDataset;
  try {
    const ds = await openDataset(dir);
    const m = ds.manifest;
    const split = async (name: 'train' | 'val'): Promise<SplitData> => {
      const s = ds.splits[name];
      return { count: s.count, images: await s.images(), labels: await s.labels() };
    };
    const train = await split('train');
    const val = await split('val');
    if (train.count === 0) throw new Error(`${join(dir, 'dataset.json')}: splits.train is empty`);
    const scale = SCALE[m.dtype];
    data = {
      dir,
      shape: m.shape,
      classes: m.classes.length,
      scale,
      norm: channelStats(train.images, m.shape, scale),
      train,
      val,
    };
  } catch (e) {
    if (e instanceof TrainingError) throw e;
    throw new TrainingError('bad-input', (e as Error).message);
  }
  cache = { key, data };
  return data;
}

/** Per-channel mean and std (population) of scaled images [N,C,H,W], in float64. */
export function channelStats(images: ArrayLike<number>, shape: [number, number, number], scale: number): Normalization {
  const [c, h, w] = shape;
  const plane = h * w;
  const n = images.length / (c * plane);
  const mean: number[] = [];
  const std: number[] = [];
  for (let ch = 0; ch < c; ch++) {
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const base = (i * c + ch) * plane;
      for (let k = 0; k < plane; k++) {
        const v = images[base + k] * scale;
        s += v;
        s2 += v * v;
      }
    }
    const count = n * plane;
    const m = s / count;
    const sd = Math.sqrt(Math.max(s2 / count - m * m, 0));
    mean.push(m);
    std.push(sd > 1e-12 ? sd : 1);
  }
  return { mean, std };
}

/**
 * Writes images idx[0..] of a split, normalised, into `out` as NHWC float32 (out.length ≥ idx.length·C·H·W).
 */
export function fillBatch(
  images: ArrayLike<number>,
  shape: [number, number, number],
  scale: number,
  norm: Normalization,
  idx: ArrayLike<number>,
  out: Float32Array,
): void {
  const [c, h, w] = shape;
  const plane = h * w;
  const size = c * plane;
  for (let ch = 0; ch < c; ch++) {
    const a = scale / norm.std[ch];
    const b = -norm.mean[ch] / norm.std[ch];
    for (let i = 0; i < idx.length; i++) {
      const src = idx[i] * size + ch * plane;
      let dst = i * size + ch;
      for (let k = 0; k < plane; k++, dst += c) out[dst] = images[src + k] * a + b;
    }
  }
}

/** NCHW float data → NHWC (for inputs given in the shared PyTorch layout). */
export function nchwToNhwc(data: ArrayLike<number>, n: number, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(n * c * h * w);
  const plane = h * w;
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      const src = (i * c + ch) * plane;
      let dst = i * c * plane + ch;
      for (let k = 0; k < plane; k++, dst += c) out[dst] = data[src + k];
    }
  }
  return out;
}

/** A seeded permutation of 0..n-1 for one epoch (Fisher–Yates; same seed and epoch, same order). */
export function epochOrder(n: number, seed: number, epoch: number, random: (seed: number) => () => number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const rand = random((seed * 1000003 + epoch * 7919 + 17) >>> 0);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}
