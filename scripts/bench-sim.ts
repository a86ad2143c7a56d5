// Simulator benchmark: the one-off F(q) grids of 1n0vc for the xpsi preset, then noisy 127×127
// patterns per second on one thread (slice + Poisson + beam stop), measured in the same run for
//   - the previous default: Lagrange tricubic (and triquadratic) slicing of F samples at Δq = β/2,
//   - the prefiltered cubic B-spline grid ('spline') at Δq = β/1.25, every pixel looked up,
//   - the new default: 'spline' at Δq = β/1.5 with detector stride 2 (3D lookups on a quarter of
//     the pixels, 12-point interpolation on the detector for the rest; detector-interp.ts),
// with each method's maximum relative error against the direct sum on sampled pixels (random ones
// and, separately, high-q pixels within 12 px of the left/right edges, where intensity is lowest).
// Usage: npm run bench:sim -- [--images 300] [--no-cache]
// Prints one JSON line per measurement. images/s per core = images / CPU seconds of this thread.
import { directIntensity } from '../runner/src/data/xfel/direct';
import { makeDetector, quaternionToMatrix } from '../runner/src/data/xfel/geometry';
import { hashInts, Rng } from '../runner/src/data/rng';
import { coarseLatticeQMax } from '../runner/src/data/xfel/detector-interp';
import { builtinConformations, DEFAULT_SPLINE_OVERSAMPLE, detectorFor, kernelFor, loadOrComputeGrid, PatternSimulator, PRESETS, type Interpolation } from '../runner/src/data/xfel/simulate';

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
  const methods: { interpolation: Interpolation; oversample: number; stride: 1 | 2 }[] = [
    { interpolation: 'cubic', oversample: 2, stride: 1 },
    { interpolation: 'spline', oversample: 1.25, stride: 1 },
    { interpolation: 'spline', oversample: DEFAULT_SPLINE_OVERSAMPLE, stride: 2 },
  ];
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
    return { R, pixels, direct: directIntensity(conf.atoms, pixels.map((p) => [det.qx[p], det.qy[p], det.qz[p]]), R) };
  });
  const rates: Record<string, number> = {};
  for (const m of methods) {
    const cpu0 = process.cpuUsage();
    const t0 = Date.now();
    const kernel = kernelFor(m.interpolation);
    const qMax = m.stride === 2 ? Math.max(det.qMax, coarseLatticeQMax(spec)) : det.qMax;
    const { grid, cached } = await loadOrComputeGrid(conf, preset.qPerPixel / m.oversample, qMax, { cache, kernel });
    const gridCpu = process.cpuUsage(cpu0).user / 1e6;
    console.log(JSON.stringify({
      bench: 'xfel-grid', conformation: '1n0vc', kernel, dq: grid.dq, voxels: grid.data.length / 2, mbytes: Math.round(grid.data.byteLength / 2 ** 20),
      atoms: conf.atoms.x.length, cached, wall_s: (Date.now() - t0) / 1000, cpu_s: cached ? undefined : gridCpu,
    }));
    const sim = new PatternSimulator(grid, det, 1e14, m.interpolation, m.stride);
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
    const key = `${m.interpolation}@β/${m.oversample}${m.stride === 2 ? '+stride2' : ''}`;
    rates[key] = images / cpu;
    console.log(JSON.stringify({
      bench: 'xfel-simulate', size: 127, method: key, images, images_per_s_per_core: Math.round(images / cpu),
      images_per_s_wall: Math.round(images / wall), ms_per_image_cpu: Number(((cpu / images) * 1000).toFixed(3)),
      max_rel_error: Number(maxErr.toExponential(2)), max_rel_error_high_q: Number(maxErrHighQ.toExponential(2)), sampled_pixels: checks.length * 60,
      speedup_vs_previous_cubic: Number((images / cpu / (rates['cubic@β/2'] ?? images / cpu)).toFixed(2)),
    }));
  }
}

main().catch((e) => {
  console.error(`bench-sim: ${(e as Error).message}`);
  process.exit(1);
});
