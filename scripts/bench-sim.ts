// Simulator benchmark: the one-off F(q) grids of 1n0vc for the xpsi preset, then noisy 127×127
// patterns per second on one thread (slice + Poisson + beam stop), measured in the same run for
//   - the previous default: Lagrange tricubic (and triquadratic) slicing of F samples at Δq = β/2,
//   - the prefiltered cubic B-spline grid ('spline') at Δq = β/1.25,
// with each method's maximum relative error against the direct sum on sampled pixels.
// Usage: npm run bench:sim -- [--images 300] [--spline-oversample 1.25] [--no-cache]
// Prints one JSON line per measurement. images/s per core = images / CPU seconds of this thread.
import { directIntensity } from '../runner/src/data/xfel/direct';
import { makeDetector, quaternionToMatrix } from '../runner/src/data/xfel/geometry';
import { hashInts, Rng } from '../runner/src/data/rng';
import { builtinConformations, detectorFor, kernelFor, loadOrComputeGrid, PatternSimulator, PRESETS, type Interpolation } from '../runner/src/data/xfel/simulate';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

async function main(): Promise<void> {
  const images = arg('images', 300);
  const splineOversample = arg('spline-oversample', 1.25);
  const cache = !process.argv.includes('--no-cache');
  const preset = PRESETS.xpsi;
  const { spec } = detectorFor(preset, 127);
  const det = makeDetector(spec);
  const conf = builtinConformations().find((c) => c.name === '1n0vc')!;
  const methods: { interpolation: Interpolation; oversample: number }[] = [
    { interpolation: 'cubic', oversample: 2 },
    { interpolation: 'quadratic', oversample: 2 },
    { interpolation: 'spline', oversample: splineOversample },
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
    return { R, pixels, direct: directIntensity(conf.atoms, pixels.map((p) => [det.qx[p], det.qy[p], det.qz[p]]), R) };
  });
  const rates: Record<string, number> = {};
  for (const m of methods) {
    const cpu0 = process.cpuUsage();
    const t0 = Date.now();
    const kernel = kernelFor(m.interpolation);
    const { grid, cached } = await loadOrComputeGrid(conf, preset.qPerPixel / m.oversample, det.qMax, { cache, kernel });
    const gridCpu = process.cpuUsage(cpu0).user / 1e6;
    console.log(JSON.stringify({
      bench: 'xfel-grid', conformation: '1n0vc', kernel, dq: grid.dq, voxels: grid.data.length / 2, mbytes: Math.round(grid.data.byteLength / 2 ** 20),
      atoms: conf.atoms.x.length, cached, wall_s: (Date.now() - t0) / 1000, cpu_s: cached ? undefined : gridCpu,
    }));
    const sim = new PatternSimulator(grid, det, 1e14, m.interpolation);
    let maxErr = 0;
    for (const c of checks) {
      const e = sim.expectedPhotons(c.R);
      c.pixels.forEach((p, i) => {
        const intensity = e[p] / (det.factor[p] * 1e14 * 1e-8 * 2.8179403e-5 ** 2);
        maxErr = Math.max(maxErr, Math.abs(intensity - c.direct[i]) / c.direct[i]);
      });
    }
    const counts = new Float32Array(127 * 127);
    for (let i = 0; i < 30; i++) sim.sample(new Rng(hashInts(0, 0, i)), counts); // warm-up (JIT)
    const c0 = process.cpuUsage();
    const w0 = Date.now();
    for (let i = 0; i < images; i++) sim.sample(new Rng(hashInts(1, 0, i)), counts);
    const cpu = process.cpuUsage(c0).user / 1e6;
    const wall = (Date.now() - w0) / 1000;
    const key = `${m.interpolation}@β/${m.oversample}`;
    rates[key] = images / cpu;
    console.log(JSON.stringify({
      bench: 'xfel-simulate', size: 127, method: key, images, images_per_s_per_core: Math.round(images / cpu),
      images_per_s_wall: Math.round(images / wall), ms_per_image_cpu: Number(((cpu / images) * 1000).toFixed(3)),
      max_rel_error: Number(maxErr.toExponential(2)), sampled_pixels: checks.length * 40,
      speedup_vs_previous_cubic: Number((images / cpu / (rates['cubic@β/2'] ?? images / cpu)).toFixed(2)),
    }));
  }
}

main().catch((e) => {
  console.error(`bench-sim: ${(e as Error).message}`);
  process.exit(1);
});
