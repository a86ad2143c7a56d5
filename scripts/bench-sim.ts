// Simulator benchmark: the one-off F(q) grids of 1n0vc for the xpsi preset, then noisy 127×127
// patterns per second on one thread (slice + Poisson + beam stop), measured in the same run for
//   - the previous default (the baseline): prefiltered cubic B-spline grid ('spline') at Δq = β/1.5,
//     detector stride 2 (3D lookups on a quarter of the pixels, 12-point interpolation on the
//     detector for the rest; detector-interp.ts), grid in its column layout,
//   - the same on the bricked copy of the grid (grid.ts `brickGrid`: same numbers, the default now),
//   - β/1.25 and detector stride 3 (16-point interpolation), bricked,
//   - with --all also the older Lagrange β/2 and every-pixel spline β/1.25,
// with each method's maximum relative error against the direct sum on sampled pixels (random ones
// and, separately, high-q pixels within 12 px of the left/right edges and of the corners).
// Usage: npm run bench:sim -- [--images 300] [--no-cache] [--all]
// Prints one JSON line per measurement. images/s per core = images / CPU seconds of this thread.
import { directIntensity } from '../runner/src/data/xfel/direct';
import { makeDetector, quaternionToMatrix } from '../runner/src/data/xfel/geometry';
import { hashInts, Rng } from '../runner/src/data/rng';
import type { DetectorStride } from '../runner/src/data/xfel/detector-interp';
import {
  builtinConformations, DEFAULT_DETECTOR_STRIDE, DEFAULT_SPLINE_OVERSAMPLE, detectorFor, gridQMaxFor, kernelFor, loadOrComputeGrid, PatternSimulator, PRESETS, type Interpolation,
} from '../runner/src/data/xfel/simulate';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

async function main(): Promise<void> {
  const images = arg('images', 300);
  const cache = !process.argv.includes('--no-cache');
  const preset = PRESETS.xpsi;
  const { spec } = detectorFor(preset, 127);
  const det = makeDetector(spec);
  const conf = builtinConformations().find((c) => c.name === '1n0vc')!;
  type Method = { interpolation: Interpolation; oversample: number; stride: 1 | DetectorStride; bricks: boolean };
  const methods: Method[] = [
    // The previous default (baseline of this run): column-layout grid, stride 2, β/1.5.
    { interpolation: 'spline', oversample: 1.5, stride: 2, bricks: false },
    { interpolation: 'spline', oversample: 1.5, stride: 2, bricks: true },
    { interpolation: 'spline', oversample: 1.25, stride: 2, bricks: true },
    { interpolation: 'spline', oversample: 1.5, stride: 3, bricks: true },
    { interpolation: 'spline', oversample: 1.25, stride: 3, bricks: true },
  ];
  if (process.argv.includes('--all')) {
    methods.unshift({ interpolation: 'cubic', oversample: 2, stride: 1, bricks: false }, { interpolation: 'spline', oversample: 1.25, stride: 1, bricks: false });
  }
  const isDefault = (m: Method) =>
    m.interpolation === 'spline' && m.oversample === DEFAULT_SPLINE_OVERSAMPLE && m.stride === DEFAULT_DETECTOR_STRIDE && m.bricks;
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
      const u = rng.int(12), v = rng.int(127);
      pixels.push(v * 127 + (k % 2 ? u : 126 - u));
    }
    // Highest q: 10 pixels within 12 px of a corner.
    for (let k = 0; k < 10; k++) {
      const u = rng.int(12), v = rng.int(12);
      pixels.push((k & 2 ? v : 126 - v) * 127 + (k & 1 ? u : 126 - u));
    }
    return { R, pixels, direct: directIntensity(conf.atoms, pixels.map((p) => [det.qx[p], det.qy[p], det.qz[p]]), R) };
  });
  const rates: Record<string, number> = {};
  for (const m of methods) {
    const cpu0 = process.cpuUsage();
    const t0 = Date.now();
    const kernel = kernelFor(m.interpolation);
    const qMax = gridQMaxFor(spec, det.qMax, m.stride);
    const { grid, cached } = await loadOrComputeGrid(conf, preset.qPerPixel / m.oversample, qMax, { cache, kernel });
    const gridCpu = process.cpuUsage(cpu0).user / 1e6;
    console.log(JSON.stringify({
      bench: 'xfel-grid', conformation: '1n0vc', kernel, dq: grid.dq, voxels: grid.data.length / 2, mbytes: Math.round(grid.data.byteLength / 2 ** 20),
      atoms: conf.atoms.x.length, cached, wall_s: (Date.now() - t0) / 1000, cpu_s: cached ? undefined : gridCpu,
    }));
    const b0 = Date.now();
    const sim = new PatternSimulator(grid, det, 1e14, m.interpolation, m.stride, m.bricks);
    const setupS = (Date.now() - b0) / 1000;
    let maxErr = 0, maxErrHighQ = 0;
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
    for (let i = 0; i < 30; i++) sim.sample(new Rng(hashInts(0, 0, i)), counts); // warm-up (JIT)
    const c0 = process.cpuUsage();
    const w0 = Date.now();
    for (let i = 0; i < images; i++) sim.sample(new Rng(hashInts(1, 0, i)), counts);
    const cpu = process.cpuUsage(c0).user / 1e6;
    const wall = (Date.now() - w0) / 1000;
    const key = `${m.interpolation}@β/${m.oversample}${m.stride > 1 ? `+stride${m.stride}` : ''}${m.stride > 1 && m.bricks ? '+bricks' : ''}`;
    rates[key] = images / cpu;
    // The previous default (first without --all, third with it); older methods run before it get no ratio.
    const baseline = Object.values(rates)[methods[0].interpolation === 'cubic' ? 2 : 0] as number | undefined;
    console.log(JSON.stringify({
      bench: 'xfel-simulate', size: 127, method: key, images, images_per_s_per_core: Math.round(images / cpu),
      images_per_s_wall: Math.round(images / wall), ms_per_image_cpu: Number(((cpu / images) * 1000).toFixed(3)),
      max_rel_error: Number(maxErr.toExponential(2)), max_rel_error_high_q: Number(maxErrHighQ.toExponential(2)), sampled_pixels: checks.length * 70,
      speedup_vs_previous_default: baseline === undefined ? undefined : Number((images / cpu / baseline).toFixed(2)), default: isDefault(m) || undefined, setup_s: setupS,
    }));
  }
}

main().catch((e) => {
  console.error(`bench-sim: ${(e as Error).message}`);
  process.exit(1);
});
