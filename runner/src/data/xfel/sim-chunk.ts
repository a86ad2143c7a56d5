// One chunk of a simulated dataset's output order: the same numbers whichever thread computes it
// (simulate.ts in the main thread, sim-worker.ts in a worker). Every image has its own random
// stream, Rng(hashInts(seed, class, index)), so an image never depends on the chunking or on the
// number of workers; each class's images of the chunk share their 3D lookups (one `prepare`).
import { hashInts, Rng } from '../../rng';
import { matrixToEulerZYZ } from './geometry';
import { binImage, type PatternSimulator } from './simulate';

/** A chunk's images in order: pixels (counts, float32), orientations and expected photons. */
export interface ChunkResult {
  images: Float32Array;
  quaternions: Float64Array;
  euler: Float64Array;
  expectedTotals: Float64Array;
}

/** Detector side `n`, output binned `bin`×`bin`; items as (class, index) pairs, flattened. */
export function simulateChunk(
  sims: readonly PatternSimulator[],
  items: Int32Array,
  seed: number,
  n: number,
  bin: number,
): ChunkResult {
  const count = items.length / 2;
  const outN = n / bin;
  const fine = new Float32Array(n * n);
  const binned = new Float32Array(outN * outN);
  const result: ChunkResult = {
    images: new Float32Array(count * outN * outN),
    quaternions: new Float64Array(count * 4),
    euler: new Float64Array(count * 3),
    expectedTotals: new Float64Array(count),
  };
  const streams = sims.map(() => [] as Rng[]);
  const slot = new Int32Array(count);
  for (let k = 0; k < count; k++)
    slot[k] = streams[items[2 * k]].push(new Rng(hashInts(seed, items[2 * k], items[2 * k + 1]))) - 1;
  const prepared = sims.map((sim, c) => sim.prepare(streams[c]));
  for (let k = 0; k < count; k++) {
    const s = prepared[items[2 * k]].sample(slot[k], fine);
    result.images.set(bin === 1 ? fine : binImage(fine, n, bin, binned), k * outN * outN);
    result.quaternions.set(s.quaternion, 4 * k);
    result.euler.set(matrixToEulerZYZ(s.R), 3 * k);
    result.expectedTotals[k] = s.expectedTotal;
  }
  return result;
}
