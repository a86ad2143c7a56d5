// Simulator benchmark: the one-off F(q) grids of 1n0vc for the xpsi preset, then noisy 127×127
// patterns per second on one thread (3D lookups, detector interpolation, Poisson noise, beam stop),
// measured in the same run for
//   - the baseline: prefiltered cubic B-spline grid ('spline') at Δq = β/1.5, detector stride 2
//     (3D lookups on a quarter of the pixels, 12-point interpolation on the detector for the rest;
//     detector-interp.ts), grid in its column layout with the lookups in JavaScript (the reference
//     path), one image at a time,
//   - the same on the bricked grid with the WebAssembly lookups (bricked.ts), one image at a time,
//   - the default: bricked, the lookups of 256 images at a time sorted by brick (`PatternSimulator.prepare`),
//   - β/1.25 and detector stride 3 (16-point interpolation), batched,
//   - with --all also the older Lagrange β/2 and every-pixel spline β/1.25 (JavaScript),
// with each method's maximum relative error against the direct sum on sampled pixels (random ones
// and, separately, high-q pixels within 12 px of the left/right edges and of the corners).
// Then the Poisson noise alone, per pixel ('dense') vs total + multinomial ('sparse'), per fluence.
// Then the scaling of the grid computation over worker threads (computeAmplitudeGrid, 1 thread vs
// one per core, spacing β/--grid-oversample, default 1: a third of the default grid's work), and
// of `simulateDataset` over worker threads (--workers 1 vs all cores, same seed,
// output checked bit-identical): images/s on the wall clock, and — because on a shared machine the
// wall clock measures the neighbours' load as much as this code — the CPU seconds the process got:
// images per CPU second at N workers / at 1 is the parallel efficiency independent of the load, and
// N × that is the speedup on otherwise idle cores.
// Usage: npm run bench:sim -- [--images 1024] [--no-cache] [--all] [--scale-images 2048] [--grid-oversample 1] [--only-scaling]
// Prints one JSON line per measurement. images/s per core = images / CPU seconds of this thread.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { directIntensity } from '../runner/src/data/xfel/direct';
import { computeAmplitudeGrid } from '../runner/src/data/xfel/grid';
import { makeDetector, quaternionToMatrix } from '../runner/src/data/xfel/geometry';
import { poissonPattern } from '../runner/src/data/xfel/noise';
import { hashInts, Rng } from '../runner/src/rng';
import type { DetectorStride } from '../runner/src/data/xfel/detector-interp';
import {
  builtinConformations,
  DEFAULT_DETECTOR_STRIDE,
  DEFAULT_SPLINE_OVERSAMPLE,
  detectorFor,
  gridQMaxFor,
  kernelFor,
  loadOrComputeGrid,
  PatternSimulator,
  PRESETS,
  simulateDataset,
  type Interpolation,
} from '../runner/src/data/xfel/simulate';

/** Images per prepared batch of the default method (as `simulateDataset`: ≈ half its chunk). */
const BATCH = 256;

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

async function main(): Promise<void> {
  if (process.argv.includes('--only-scaling')) {
    await benchGridScaling(arg('grid-oversample', 1));
    return benchScaling(arg('scale-images', 2048));
  }
  const images = arg('images', 1024);
  const cache = !process.argv.includes('--no-cache');
  const preset = PRESETS.xpsi;
  const { spec } = detectorFor(preset, 127);
  const det = makeDetector(spec);
  const conf = builtinConformations().find((c) => c.name === '1n0vc')!;
  type Method = {
    interpolation: Interpolation;
    oversample: number;
    stride: 1 | DetectorStride;
    bricks: boolean;
    batch: number;
    baseline?: true;
  };
  const methods: Method[] = [
    { interpolation: 'spline', oversample: 1.5, stride: 2, bricks: false, batch: 1, baseline: true },
    { interpolation: 'spline', oversample: 1.5, stride: 2, bricks: true, batch: 1 },
    { interpolation: 'spline', oversample: 1.5, stride: 2, bricks: true, batch: BATCH },
    { interpolation: 'spline', oversample: 1.25, stride: 2, bricks: true, batch: BATCH },
    { interpolation: 'spline', oversample: 1.5, stride: 3, bricks: true, batch: BATCH },
  ];
  if (process.argv.includes('--all')) {
    methods.unshift(
      { interpolation: 'cubic', oversample: 2, stride: 1, bricks: false, batch: 1 },
      { interpolation: 'spline', oversample: 1.25, stride: 1, bricks: false, batch: 1 },
    );
  }
  const isDefault = (m: Method) =>
    m.interpolation === 'spline' &&
    m.oversample === DEFAULT_SPLINE_OVERSAMPLE &&
    m.stride === DEFAULT_DETECTOR_STRIDE &&
    m.bricks &&
    m.batch > 1;
  // Sampled pixels for the accuracy check (direct sum: atoms × pixels, a few seconds).
  const rng = new Rng(11);
  const checks = Array.from({ length: 5 }, () => {
    const R = quaternionToMatrix(rng.quaternion());
    const pixels: number[] = [];
    while (pixels.length < 40) {
      const p = rng.int(127 * 127);
      if (!det.beamStop[p]) pixels.push(p);
    }
    // High q, lowest intensity: 20 pixels within 12 px of the left / right edges.
    for (let k = 0; k < 20; k++) {
      const u = rng.int(12),
        v = rng.int(127);
      pixels.push(v * 127 + (k % 2 ? u : 126 - u));
    }
    // Highest q: 10 pixels within 12 px of a corner.
    for (let k = 0; k < 10; k++) {
      const u = rng.int(12),
        v = rng.int(12);
      pixels.push((k & 2 ? v : 126 - v) * 127 + (k & 1 ? u : 126 - u));
    }
    return {
      R,
      pixels,
      direct: directIntensity(
        conf.atoms,
        pixels.map((p) => [det.qx[p], det.qy[p], det.qz[p]]),
        R,
      ),
    };
  });
  let baseline: number | undefined;
  for (const m of methods) {
    const cpu0 = process.cpuUsage();
    const t0 = Date.now();
    const kernel = kernelFor(m.interpolation);
    const qMax = gridQMaxFor(spec, det.qMax, m.stride);
    const { grid, cached } = await loadOrComputeGrid(conf, preset.qPerPixel / m.oversample, qMax, { cache, kernel });
    const gridCpu = process.cpuUsage(cpu0).user / 1e6;
    console.log(
      JSON.stringify({
        bench: 'xfel-grid',
        conformation: '1n0vc',
        kernel,
        dq: grid.dq,
        voxels: grid.data.length / 2,
        mbytes: Math.round(grid.data.byteLength / 2 ** 20),
        atoms: conf.atoms.x.length,
        cached,
        wall_s: (Date.now() - t0) / 1000,
        cpu_s: cached ? undefined : gridCpu,
      }),
    );
    const b0 = Date.now();
    const sim = new PatternSimulator(grid, det, 1e14, m.interpolation, m.stride, m.bricks);
    const setupS = (Date.now() - b0) / 1000;
    let maxErr = 0,
      maxErrHighQ = 0;
    for (const c of checks) {
      const e = sim.expectedPhotons(c.R);
      c.pixels.forEach((p, i) => {
        const intensity = e[p] / (det.factor[p] * 1e14 * 1e-8 * 2.8179403e-5 ** 2);
        const err = Math.abs(intensity - c.direct[i]) / c.direct[i];
        maxErr = Math.max(maxErr, err);
        if (i >= 40) maxErrHighQ = Math.max(maxErrHighQ, err);
      });
    }
    const counts = new Float32Array(127 * 127);
    const run = (seed: number, n: number) => {
      for (let i = 0; i < n; i += m.batch) {
        const prepared = sim.prepare(
          Array.from({ length: Math.min(m.batch, n - i) }, (_, k) => new Rng(hashInts(seed, 0, i + k))),
        );
        for (let k = 0; k < prepared.size; k++) prepared.sample(k, counts);
      }
    };
    run(0, Math.max(30, m.batch)); // warm-up (JIT)
    const c0 = process.cpuUsage();
    const w0 = Date.now();
    run(1, images);
    const cpu = process.cpuUsage(c0).user / 1e6;
    const wall = (Date.now() - w0) / 1000;
    const key = `${m.interpolation}@β/${m.oversample}${m.stride > 1 ? `+stride${m.stride}` : ''}${m.stride > 1 && m.bricks ? '+bricks' : ''}${m.batch > 1 ? `+batch${m.batch}` : ''}`;
    const rate = images / cpu;
    if (m.baseline) baseline = rate;
    console.log(
      JSON.stringify({
        bench: 'xfel-simulate',
        size: 127,
        method: key,
        images,
        images_per_s_per_core: Math.round(rate),
        images_per_s_wall: Math.round(images / wall),
        ms_per_image_cpu: Number(((cpu / images) * 1000).toFixed(3)),
        max_rel_error: Number(maxErr.toExponential(2)),
        max_rel_error_high_q: Number(maxErrHighQ.toExponential(2)),
        sampled_pixels: checks.length * 70,
        speedup_vs_column_layout: baseline === undefined ? undefined : Number((rate / baseline).toFixed(2)),
        default: isDefault(m) || undefined,
        setup_s: setupS,
      }),
    );
  }
  benchNoise(det);
  await benchGridScaling(arg('grid-oversample', 1));
  await benchScaling(arg('scale-images', 2048));
}

/** The one-off F(q) grid of 1n0vc (127×127, spline) on 1 thread and on one per core (see the header). */
async function benchGridScaling(oversample: number): Promise<void> {
  const cores = availableParallelism();
  const { spec } = detectorFor(PRESETS.xpsi, 127);
  const qMax = gridQMaxFor(spec, makeDetector(spec).qMax, DEFAULT_DETECTOR_STRIDE);
  const atoms = builtinConformations().find((c) => c.name === '1n0vc')!.atoms;
  const runs: Record<number, { wall: number; cpu: number; data: Float32Array }> = {};
  for (const workers of [1, cores]) {
    const c0 = process.cpuUsage();
    const t0 = Date.now();
    const grid = await computeAmplitudeGrid(atoms, {
      dq: PRESETS.xpsi.qPerPixel / oversample,
      qMax,
      kernel: 'bspline3',
      workers,
    });
    const cpu = process.cpuUsage(c0);
    runs[workers] = { wall: (Date.now() - t0) / 1000, cpu: (cpu.user + cpu.system) / 1e6, data: grid.data };
  }
  printScaling('xfel-grid-workers', cores, runs[1], runs[cores], {
    oversample,
    voxels: runs[1].data.length / 2,
    identical_output: Buffer.from(runs[1].data.buffer).equals(Buffer.from(runs[cores].data.buffer)),
  });
}

/** simulateDataset at 127×127 with 1 worker and with one per core (see the header). */
async function benchScaling(images: number): Promise<void> {
  const cores = availableParallelism();
  const dir = mkdtempSync(join(tmpdir(), 'bench-sim-'));
  const runs: Record<number, { wall: number; cpu: number; bytes: Buffer }> = {};
  try {
    for (const workers of [1, cores]) {
      const r = await simulateDataset({
        out: join(dir, `w${workers}`),
        fluence: 1e14,
        count: images,
        size: 127,
        seed: 3,
        workers,
      });
      runs[workers] = {
        wall: r.imageSeconds,
        cpu: r.imageCpuSeconds,
        bytes: readFileSync(join(r.dir, 'train_images.npy')),
      };
    }
    const one = runs[1],
      all = runs[cores];
    printScaling('xfel-simulate-workers', cores, one, all, {
      size: 127,
      images,
      images_per_s_wall_1: Math.round(images / one.wall),
      images_per_s_wall_n: Math.round(images / all.wall),
      identical_output: one.bytes.equals(all.bytes),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * One scaling line: the same work on 1 thread and on `cores`. The wall-clock speedup measures the
 * neighbours' load as much as the code; CPU seconds at 1 / at N is the parallel efficiency, and
 * cores × that the speedup on otherwise idle cores.
 */
function printScaling(
  bench: string,
  cores: number,
  one: { wall: number; cpu: number },
  all: { wall: number; cpu: number },
  extra: object,
): void {
  const efficiency = one.cpu / all.cpu;
  console.log(
    JSON.stringify({
      bench,
      cores,
      ...extra,
      wall_s_1: Number(one.wall.toFixed(1)),
      wall_s_n: Number(all.wall.toFixed(1)),
      wall_speedup: Number((one.wall / all.wall).toFixed(2)),
      wall_speedup_per_core: Number((one.wall / all.wall / cores).toFixed(2)),
      cpu_s_1: Number(one.cpu.toFixed(1)),
      cpu_s_n: Number(all.cpu.toFixed(1)),
      cores_used_n: Number((all.cpu / all.wall).toFixed(2)),
      cpu_efficiency: Number(efficiency.toFixed(2)),
      speedup_on_idle_cores: Number((cores * efficiency).toFixed(2)),
      goal: `>= ${(0.8 * cores).toFixed(1)} (0.8 x cores)`,
    }),
  );
}

/** Poisson noise alone on one expected pattern per fluence: per pixel vs total + multinomial (noise.ts). */
function benchNoise(det: ReturnType<typeof makeDetector>): void {
  const counts = new Float32Array(det.qx.length);
  const shape = new Float64Array(det.qx.length);
  let total = 0;
  det.factor.forEach((f, p) => {
    shape[p] = det.beamStop[p] ? 0 : f / (1 + (Math.hypot(det.qx[p], det.qy[p]) / 0.05) ** 3); // a falling radial profile
    total += shape[p];
  });
  for (const photons of [80, 800, 8000]) {
    const expected = shape.map((v) => (v * photons) / total);
    const rates: Record<string, number> = {};
    for (const method of ['dense', 'sparse'] as const) {
      const draw =
        method === 'dense'
          ? (rng: Rng) => {
              for (let p = 0; p < expected.length; p++) counts[p] = det.beamStop[p] ? 0 : rng.poisson(expected[p]);
            }
          : (rng: Rng) => poissonPattern(expected, det.beamStop, rng, counts);
      const rng = new Rng(5);
      for (let i = 0; i < 200; i++) draw(rng);
      const c0 = process.cpuUsage();
      const n = 2000;
      for (let i = 0; i < n; i++) draw(rng);
      rates[method] = n / (process.cpuUsage(c0).user / 1e6);
    }
    console.log(
      JSON.stringify({
        bench: 'xfel-noise',
        photons_per_pattern: photons,
        dense_patterns_per_s: Math.round(rates.dense),
        sparse_patterns_per_s: Math.round(rates.sparse),
        sparse_speedup: Number((rates.sparse / rates.dense).toFixed(2)),
        used: photons < 0.25 * expected.length ? 'sparse' : 'dense',
      }),
    );
  }
}

main().catch((e) => {
  console.error(`bench-sim: ${(e as Error).message}`);
  process.exit(1);
});
