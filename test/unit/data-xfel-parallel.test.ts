// The simulator on several threads: a bricked grid attached from shared memory, or loaded from its
// cache encoding, gives exactly the patterns of the grid it came from; simulateDataset with 1 and
// with 3 worker threads writes identical files; the images stream to the .npy file while they are
// made (header first, with the final shape).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BrickedGrid } from '../../runner/src/data/xfel/bricked';
import { coarseLatticeQMax } from '../../runner/src/data/xfel/detector-interp';
import { makeDetector, quaternionToMatrix } from '../../runner/src/data/xfel/geometry';
import { computeAmplitudeGrid } from '../../runner/src/data/xfel/grid';
import { builtinAtoms } from '../../runner/src/data/xfel/structures';
import {
  loadOrBrickGrid,
  PatternSimulator,
  simulateDataset,
  builtinConformations,
} from '../../runner/src/data/xfel/simulate';
import { Rng } from '../../runner/src/rng';

const det = makeDetector({ n: 41, wavelength: 1, qPerPixel: 0.007, beamStopRadius: 16, polarisation: 'x' });

test('a bricked grid attached through shared memory, or decoded from its cache bytes, gives identical patterns', async () => {
  const grid = await computeAmplitudeGrid(builtinAtoms('1n0vc'), {
    dq: 0.007 / 1.5,
    qMax: coarseLatticeQMax(det.spec, 2),
    kernel: 'bspline3',
  });
  const bricked = new BrickedGrid(grid);
  const sims = [bricked, BrickedGrid.attach(bricked.shared()), BrickedGrid.decode(bricked.encode(), 'test')].map(
    (g) => new PatternSimulator(g, det, 1e15, 'spline', 2),
  );
  const reference = new PatternSimulator(grid, det, 1e15, 'spline', 2);
  const rng = new Rng(3);
  for (let r = 0; r < 3; r++) {
    const R = quaternionToMatrix(rng.quaternion());
    const want = Float64Array.from(reference.expectedPhotons(R));
    for (const sim of sims) assert.deepEqual(Float64Array.from(sim.expectedPhotons(R)), want);
  }
  assert.throws(() => BrickedGrid.decode(bricked.encode().subarray(0, 100), 'g.bricked'), /g\.bricked/);
});

test('simulateDataset: 1 and 3 worker threads write identical files; the bricked grid is cached', async () => {
  const base = mkdtempSync(join(tmpdir(), 'simpar-'));
  process.env.PARETO_NAS_CACHE = join(base, 'cache');
  const opts = { fluence: 1e15, count: 1100, size: 16, seed: 9, oversample: 0.5 };
  const one = await simulateDataset({ ...opts, out: join(base, 'one'), workers: 1 });
  const three = await simulateDataset({ ...opts, out: join(base, 'three'), workers: 3 });
  assert.deepEqual(three.meanPhotons, one.meanPhotons);
  for (const f of readdirSync(one.dir))
    assert.ok(readFileSync(join(one.dir, f)).equals(readFileSync(join(three.dir, f))), `${f} differs`);
  assert.equal(JSON.parse(readFileSync(join(one.dir, 'dataset.json'), 'utf8')).dtype, 'uint8');
  assert.equal(
    three.gridSeconds.every((s) => s === 0),
    true,
    'the second run loads the bricked grids from the cache',
  );
  const conf = builtinConformations()[0];
  const cached = await loadOrBrickGrid(conf, 0.007 / 0.5, 0.5);
  const again = await loadOrBrickGrid(conf, 0.007 / 0.5, 0.5);
  assert.equal(again.cached, true);
  assert.ok(cached.grid instanceof BrickedGrid);
});

test('simulated images stream to the .npy file while they are made: header with the final shape first', async () => {
  const base = mkdtempSync(join(tmpdir(), 'simstream-'));
  process.env.PARETO_NAS_CACHE = join(base, 'cache');
  const out = join(base, 'd');
  const file = join(`${out}.partial`, 'train_images.npy');
  const seen: number[] = [];
  await simulateDataset({
    fluence: 1e15,
    count: 4000,
    size: 32,
    seed: 1,
    oversample: 0.5,
    out,
    workers: 1,
    onProgress: (phase, done) => {
      if (phase !== 'images' || !existsSync(file) || done > 3000) return;
      // 3,200 train images of 32×32 uint8 in the end; after `done` of them about that many bytes are on disk.
      assert.equal(
        /'shape': \(([^)]*)\)/.exec(readFileSync(file).subarray(0, 128).toString('latin1'))?.[1],
        '3200, 1, 32, 32',
      );
      seen.push(statSync(file).size);
    },
  });
  // The writer flushes every 1,024 images of this size: the file grows in steps while simulating.
  assert.ok(seen.length >= 4 && seen.every((s, i) => i === 0 || s >= seen[i - 1]), `file sizes while writing: ${seen}`);
  assert.ok(
    seen[0] < seen[seen.length - 1] && seen[seen.length - 1] < 3200 * 1024,
    `file sizes while writing: ${seen}`,
  );
});

test('the F(q) grid computed on 1, 2 and 3 threads is identical bit for bit; an abort stops the threads', async () => {
  const atoms = builtinAtoms('1n0vc');
  for (const kernel of ['bspline3', 'lagrange'] as const) {
    const opts = { dq: 0.02, qMax: 0.3, kernel };
    const one = await computeAmplitudeGrid(atoms, { ...opts, workers: 1 });
    for (const workers of [2, 3]) {
      const progress: number[] = [];
      const many = await computeAmplitudeGrid(atoms, {
        ...opts,
        workers,
        onProgress: (p) => progress.push(p.done / p.total),
      });
      assert.deepEqual(many.colOffset, one.colOffset);
      assert.ok(
        Buffer.from(many.data.buffer).equals(Buffer.from(one.data.buffer)),
        `${kernel}, ${workers} threads: grid differs`,
      );
      assert.ok(
        progress.length > 2 && progress.every((f, i) => i === 0 || f >= progress[i - 1]) && progress.at(-1) === 1,
        `progress ${progress}`,
      );
    }
  }
  const stop = new AbortController();
  const aborted = computeAmplitudeGrid(atoms, {
    dq: 0.004,
    qMax: 0.45,
    kernel: 'bspline3',
    workers: 2,
    signal: stop.signal,
    onProgress: () => stop.abort(),
  });
  await assert.rejects(aborted, /grid computation interrupted/);
});
