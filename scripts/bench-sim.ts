// Simulator benchmark: the one-off F(q) grid of 1n0vc for the xpsi preset, then noisy 127×127
// patterns per second on one thread (slice + Poisson + beam stop), for both interpolations.
// Usage: npm run bench:sim -- [--oversample 2] [--images 400] [--no-cache]
// Prints one JSON line per measurement; images/s is per core (single thread), from CPU time and wall time.
import { makeDetector } from '../runner/src/data/xfel/geometry';
import { hashInts, Rng } from '../runner/src/data/rng';
import { builtinConformations, detectorFor, loadOrComputeGrid, PatternSimulator, PRESETS } from '../runner/src/data/xfel/simulate';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

async function main(): Promise<void> {
  const oversample = arg('oversample', 2);
  const images = arg('images', 400);
  const cache = !process.argv.includes('--no-cache');
  const preset = PRESETS.xpsi;
  const { spec } = detectorFor(preset, 127);
  const det = makeDetector(spec);
  const conf = builtinConformations().find((c) => c.name === '1n0vc')!;
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  const { grid, cached } = await loadOrComputeGrid(conf, preset.qPerPixel / oversample, det.qMax, { cache });
  const gridCpu = process.cpuUsage(cpu0).user / 1e6;
  console.log(JSON.stringify({
    bench: 'xfel-grid', conformation: '1n0vc', dq: grid.dq, voxels: grid.data.length / 2, atoms: conf.atoms.x.length,
    cached, wall_s: (Date.now() - t0) / 1000, cpu_s: cached ? undefined : gridCpu,
  }));
  for (const interpolation of ['cubic', 'quadratic'] as const) {
    const sim = new PatternSimulator(grid, det, 1e14, interpolation);
    const counts = new Float32Array(127 * 127);
    for (let i = 0; i < 20; i++) sim.sample(new Rng(hashInts(0, 0, i)), counts); // warm-up (JIT)
    const c0 = process.cpuUsage();
    const w0 = Date.now();
    for (let i = 0; i < images; i++) sim.sample(new Rng(hashInts(1, 0, i)), counts);
    const cpu = process.cpuUsage(c0).user / 1e6;
    const wall = (Date.now() - w0) / 1000;
    console.log(JSON.stringify({
      bench: 'xfel-simulate', size: 127, interpolation, images, images_per_s_cpu: Math.round(images / cpu),
      images_per_s_wall: Math.round(images / wall), ms_per_image_cpu: Number(((cpu / images) * 1000).toFixed(3)),
    }));
  }
}

main().catch((e) => {
  console.error(`bench-sim: ${(e as Error).message}`);
  process.exit(1);
});
