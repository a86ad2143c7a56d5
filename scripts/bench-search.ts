// `npm run bench:search`: how long the paper-scale search (750 networks × 15 epochs on 63,508 training
// + 15,876 validation images of 1×127×127) would occupy this machine's GPU, measured on a fixed,
// FLOPs-stratified sample of 24 real searched networks (scripts/bench-search/genomes.json), each
// trained through the production path (LocalExecutor → torch engine worker) on synthetic data of
// the XFEL shape. In the same run: today's default settings, the tuned settings, and a plain
// hand-written PyTorch loop (baseline.py), with the ratios. Compile/warm-up time counts: every
// network in a search is new. The last line is one JSON object (see README, "Search throughput").
//
//   npm run bench:search                 GPU: the full sample; CPU (no CUDA): the --quick sample
//   npm run bench:search -- --quick      3 networks, 64 + 32 images, batch 32 (CI runs a smaller one still)
//   full sample: 24 networks, 6,144 + 1,536 images, batch 128, 2 epochs (the second is the steady one)
//   flags: --genomes N --train N --val N --epochs N --batch N --size S --dtype float32|uint8|uint16
//          --variants defaults,tuned,tuned-k1,baseline --workers-per-gpu auto|K --compile --python PATH
//          --keep-data DIR
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EngineSettings, TrainingSettings } from '../common/config';
import type { ImageDtype } from '../runner/src/data/format';
import { findTorchPython } from '../runner/src/engines/torch';
import { utilisationFromSpeedup } from '../runner/src/exec/workers-per-gpu';
import { cost, decode } from '../common/model';
import { stratified } from './bench-search/sample';
import { writeBenchDataset } from './bench-search/data';
import { benchFile } from './bench-search/files';
import { networkTiming, PAPER, projectedHours, type NetworkTiming } from './bench-search/projection';
import {
  runBaseline,
  runExecutor,
  type ExecutorVariant,
  type SampleJob,
  type VariantRun,
} from './bench-search/variants';

const { values: o } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
    genomes: { type: 'string' },
    train: { type: 'string' },
    val: { type: 'string' },
    epochs: { type: 'string' },
    batch: { type: 'string' },
    size: { type: 'string', default: '127' },
    dtype: { type: 'string', default: 'float32' },
    variants: { type: 'string', default: 'defaults,tuned,baseline' },
    'workers-per-gpu': { type: 'string', default: 'auto' },
    'eval-batch': { type: 'string', default: '1024' },
    compile: { type: 'boolean', default: false },
    python: { type: 'string' },
    'keep-data': { type: 'string' },
  },
});

const int = (s: string | undefined, name: string, fallback: number): number => {
  if (s === undefined) return fallback;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${s}"`);
  return n;
};

interface Sample {
  genome: string;
  mflops: number;
}

interface Measured {
  name: string;
  run: VariantRun;
  timings: Map<string, NetworkTiming>;
  hours: number;
  settings?: object;
}

const say = (line = '') => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const probe = await findTorchPython(o.python);
  const gpu = (probe.gpus ?? 0) > 0;
  const quick = o.quick || (!gpu && !o.full);
  const plan = {
    genomes: int(o.genomes, 'genomes', quick ? 3 : 24),
    train: int(o.train, 'train', quick ? 64 : 6144),
    val: int(o.val, 'val', quick ? 32 : 1536),
    epochs: int(o.epochs, 'epochs', 2),
    batch: int(o.batch, 'batch', quick ? 32 : 128),
    size: int(o.size, 'size', 127),
    dtype: o.dtype as ImageDtype,
  };
  if (!['float32', 'uint8', 'uint16'].includes(plan.dtype))
    throw new Error(`--dtype must be float32, uint8 or uint16, got "${o.dtype}"`);
  const fixture = JSON.parse(readFileSync(benchFile('genomes.json'), 'utf8')) as { genomes: Sample[] };
  const sample = stratified(fixture.genomes, plan.genomes);
  const decodeOptions = {
    nodes: 4,
    initChannels: 24,
    input: { channels: 1, height: plan.size, width: plan.size },
    classes: 2,
  };
  const jobs: SampleJob[] = sample.map((s, i) => ({
    id: `n${String(i).padStart(2, '0')}-${s.genome}`,
    spec: decode(s.genome, decodeOptions),
  }));
  const mflops = new Map(jobs.map((j) => [j.id, cost(j.spec).mflops]));
  const training = TrainingSettings.parse({ epochs: plan.epochs, batchSize: plan.batch });

  const dataRoot = o['keep-data'] ?? mkdtempSync(join(tmpdir(), 'bench-search-'));
  mkdirSync(dataRoot, { recursive: true });
  const threads = gpu ? undefined : availableParallelism();
  process.stderr.write(
    `bench:search: ${gpu ? `${probe.gpus} GPU(s)` : `CPU, ${threads} threads`}, torch ${probe.torch} (${probe.python}); ${quick ? 'quick' : 'full'} sample ${JSON.stringify(plan)}\n`,
  );
  const dataset = writeBenchDataset(dataRoot, plan);

  const defaults = EngineSettings.parse({ name: 'torch', python: probe.python });
  const tunedEngine = {
    ...defaults,
    cudaGraphs: true,
    evalBatchSize: int(o['eval-batch'], 'eval-batch', 1024),
    compile: o.compile,
  };
  const perGpu = o['workers-per-gpu'] === 'auto' ? 'auto' : int(o['workers-per-gpu'], 'workers-per-gpu', 1);
  const variants: Record<string, ExecutorVariant> = {
    defaults: { engine: defaults, executor: { workersPerGpu: 1 }, cpuThreads: threads },
    tuned: { engine: tunedEngine, executor: { workersPerGpu: perGpu }, cpuThreads: threads },
    'tuned-k1': { engine: tunedEngine, executor: { workersPerGpu: 1 }, cpuThreads: threads },
  };
  const measured: Measured[] = [];
  try {
    for (const name of o
      .variants!.split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const t0 = performance.now();
      let run: VariantRun;
      if (name === 'baseline') run = await runBaseline(probe.python, jobs, dataset, training, threads);
      else if (variants[name]) run = await runExecutor(variants[name], jobs, dataset, training);
      else
        throw new Error(`unknown variant "${name}"; choose from ${[...Object.keys(variants), 'baseline'].join(', ')}`);
      const m = summarise(name, run, plan.train, plan.val);
      if (variants[name])
        m.settings = {
          engine: pickSpeed(variants[name].engine),
          workersPerGpu: variants[name].executor.workersPerGpu,
          share: run.share,
        };
      measured.push(m);
      process.stderr.write(
        `bench:search: ${name} took ${((performance.now() - t0) / 1000).toFixed(1)} s (${run.describe})\n`,
      );
      printVariant(m, mflops);
    }
  } finally {
    if (!o['keep-data']) rmSync(dataRoot, { recursive: true, force: true });
  }
  printSummary(measured, plan, gpu, quick);
}

function summarise(name: string, run: VariantRun, train: number, val: number): Measured {
  const timings = new Map<string, NetworkTiming>();
  for (const n of run.networks) if (!n.error) timings.set(n.id, networkTiming(n.epochs, n.wallSeconds, train, val));
  return { name, run, timings, hours: projectedHours([...timings.values()], run.share) };
}

function pickSpeed(e: EngineSettings): object {
  return { compile: e.compile, cudaGraphs: e.cudaGraphs, evalBatchSize: e.evalBatchSize };
}

function printVariant(m: Measured, mflops: Map<string, number>): void {
  say(`\n${m.name}: ${m.run.describe}; ${m.run.share} at once; ${m.run.networks[0]?.device ?? ''}`);
  say('| network | MFLOPs | train img/s | val img/s | warm-up s | start-up s | final loss | val acc % |');
  say('|---|---|---|---|---|---|---|---|');
  for (const n of [...m.run.networks].sort((a, b) => a.id.localeCompare(b.id))) {
    const t = m.timings.get(n.id);
    const last = n.epochs.at(-1);
    if (!t || !last) {
      say(`| ${n.id} | ${mflops.get(n.id)} | — | — | — | — | — | ${n.error} |`);
      continue;
    }
    say(
      `| ${n.id} | ${mflops.get(n.id)} | ${t.trainImagesPerSecond.toFixed(1)} | ${t.valImagesPerSecond.toFixed(1)} | ` +
        `${t.warmupSeconds.toFixed(2)} | ${t.startupSeconds.toFixed(2)} | ${last.trainLoss.toFixed(4)} | ${last.valAccuracy.toFixed(2)} |`,
    );
  }
}

function printSummary(measured: Measured[], plan: object, gpu: boolean, quick: boolean): void {
  const by = (name: string) => measured.find((m) => m.name === name);
  const tuned = by('tuned');
  const def = by('defaults');
  const base = by('baseline');
  const device = (tuned ?? def ?? base)?.run.networks.find((n) => n.device)?.device ?? 'unknown';
  say('\nProjection: GPU-hours = 750 × mean over the sample of (start-up + warm-up + 15 × (63,508 / train img/s');
  say('  + 15,876 / val img/s)) / k, where k networks train at once on the GPU (rates measured while sharing it).');
  say(
    `Assumptions: ${PAPER.networks} networks, ${PAPER.epochs} epochs, ${PAPER.trainImages} train + ${PAPER.valImages} validation images;`,
  );
  say(`  measured on ${JSON.stringify(plan)} (${quick ? 'REDUCED sample' : 'full sample'}, ${gpu ? 'GPU' : 'CPU'});`);
  say("  precision: the engine's (bf16 + channels-last on GPUs with bf16, fp32 on CPU); baseline fp32;");
  say(
    `  torch.compile: ${o.compile ? 'on in the tuned variants, its time counted as warm-up of every network' : 'off'}; k per variant below;`,
  );
  say(
    '  worker start (Python, torch import, dataset load) once per worker, not per network; duplicates are reused, not counted.',
  );
  say('| variant | k | projected GPU-hours | ratio to tuned | settings |');
  say('|---|---|---|---|---|');
  for (const m of measured) {
    const ratio = tuned ? `${(m.hours / tuned.hours).toFixed(2)}×` : '—';
    say(
      `| ${m.name} | ${m.run.share} | ${m.hours.toFixed(2)} | ${ratio} | ${m.settings ? JSON.stringify(m.settings) : 'plain loop'} |`,
    );
  }
  const k1 = by('tuned-k1');
  if (tuned && k1 && tuned.run.share > 1) {
    const speedup = k1.hours / tuned.hours;
    say(
      `Measured utilisation model: ${tuned.run.share} workers give ${speedup.toFixed(2)}× one worker's throughput → u ≈ ${utilisationFromSpeedup(tuned.run.share, speedup)?.toFixed(3)} (runner/src/exec/workers-per-gpu.ts)`,
    );
  }
  if (tuned && def)
    say(
      `Tuned vs today's defaults: ${(def.hours / tuned.hours).toFixed(2)}× faster; vs the plain loop: ${base ? (base.hours / tuned.hours).toFixed(2) : '—'}×`,
    );
  const hours = (m?: Measured) => (m && Number.isFinite(m.hours) ? Number(m.hours.toFixed(4)) : null);
  say(
    JSON.stringify({
      device,
      projectedHours: hours(tuned),
      baselineHours: hours(base),
      defaultHours: hours(def),
      settings: tuned?.settings ?? null,
    }),
  );
}

main().catch((e) => {
  process.stderr.write(`bench:search: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
