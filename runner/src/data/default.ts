// The tiny default dataset of the embedded demo: 3,000 simulated XFEL patterns of the two EF2
// conformations at 1e16 photons/µm² (the A4NN work's high-intensity set, ~8,000 photons per
// pattern), 128×128 binned 4×4 to 32×32, generated on first use and cached in the user cache folder
// (never in the repository). At 1e15 the demo's few epochs on 2,400 images left every network
// near chance; at 1e16 a tiny network learns the task within the demo's budget. The demo grid uses Δq = 2β, coarser
// than the default simulator grid (β/1.5), with the default B-spline slicing and detector stride 2:
// ample for 4×4-binned Poisson images, and it keeps first use to seconds.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { withFileLockAsync } from '../store/lock';
import { cacheDir } from './cache';
import { openDatasetSync } from './reader';
import { simulateDataset, type SimulateOptions } from './xfel/simulate';

export const DEFAULT_DATASET = {
  name: 'demo-xfel-ef2-1e16-32px',
  fluence: 1e16,
  count: 3000,
  size: 32,
  seed: 1,
  oversample: 0.5,
  interpolation: 'spline',
  // 4: fluence 1e16 (was 1e15); 3: simulator version 2 (same seed, other noise draws); 2: B-spline slicing with detector stride 2;
  // 1: triquadratic Lagrange.
  version: 4,
} as const;

export function defaultDatasetDir(): string {
  return join(cacheDir(), 'datasets', `${DEFAULT_DATASET.name}-v${DEFAULT_DATASET.version}`);
}

/** Folder of the default demo dataset; simulates it first if it is not in the cache yet. */
export async function ensureDefaultDataset(opts: { onProgress?: SimulateOptions['onProgress'] } = {}): Promise<string> {
  const dir = defaultDatasetDir();
  const usable = () => {
    if (!existsSync(dir)) return false;
    try {
      openDatasetSync(dir);
      return true;
    } catch {
      return false;
    }
  };
  if (usable()) return dir;
  mkdirSync(join(dir, '..'), { recursive: true });
  // Another process may be generating it: wait for its lock, then it is usable.
  return withFileLockAsync(`${dir}.lock`, async () => {
    if (usable()) return dir;
    await simulateDataset({
      out: dir,
      name: DEFAULT_DATASET.name,
      fluence: DEFAULT_DATASET.fluence,
      count: DEFAULT_DATASET.count,
      size: DEFAULT_DATASET.size,
      seed: DEFAULT_DATASET.seed,
      oversample: DEFAULT_DATASET.oversample,
      interpolation: DEFAULT_DATASET.interpolation,
      overwrite: true,
      onProgress: opts.onProgress,
    });
    return dir;
  });
}
