// `npm run bench`: training throughput (images/s) of the reference genome 000110111000000110010
// (N=4, C=24, 1 input channel, 2 classes) at 32×32 and 127×127, for every engine/backend available
// here, with the ratio to the torch engine measured in the same run. Random data kept on the device,
// SGD steps as in training (forward, cross-entropy, backward, clip, momentum update).
//
//   npm run bench                         CPU-sized: small batches, few steps (a few minutes on 2 cores)
//   npm run bench -- --gpu                GPU-sized: batch 128, 50 steps, torch fp32 and bf16
//   npm run bench -- --gpu --compile      also try torch.compile
//   npm run bench -- --concurrent 4       4 trainings at once per engine (total img/s)
//   flags: --sizes 32,127 --batch N --steps N --warmup N --precision fp32,bf16 --engines torch,tfjs
//          --tfjs-backends auto,wasm --channels C --genome BITS --python PATH --json --write-spec FILE
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { EngineSettings } from '../common/config';
import type { BenchEngine, BenchRequest, BenchResult } from '../runner/src/engines/engine';
import { TorchEngine } from '../runner/src/engines/torch';
import { cost, decode, type NetworkSpec } from '../common/model';

export const REFERENCE_GENOME = '000110111000000110010';

interface Row {
  engine: string;
  precision: string;
  size: number;
  batch: number;
  steps: number;
  concurrent: number;
  imagesPerSecond: number | null;
  ratioToTorch: number | null;
  device: string;
  params: number | null;
  mflops: number;
  maxMemoryMiB?: number;
  error?: string;
}

const { values: o } = parseArgs({
  options: {
    gpu: { type: 'boolean', default: false },
    sizes: { type: 'string', default: '32,127' },
    batch: { type: 'string' },
    steps: { type: 'string' },
    warmup: { type: 'string' },
    precision: { type: 'string' },
    engines: { type: 'string', default: 'torch,tfjs' },
    'tfjs-backends': { type: 'string', default: 'auto' },
    channels: { type: 'string', default: '24' },
    genome: { type: 'string', default: REFERENCE_GENOME },
    python: { type: 'string' },
    compile: { type: 'boolean', default: false },
    concurrent: { type: 'string', default: '1' },
    json: { type: 'boolean', default: false },
    'write-spec': { type: 'string' },
  },
});

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
const num = (s: string | undefined, name: string): number | undefined => {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${s}"`);
  return n;
};

function specFor(size: number): NetworkSpec {
  return decode(o.genome!, {
    nodes: 4,
    initChannels: num(o.channels, 'channels')!,
    input: { channels: 1, height: size, width: size },
    classes: 2,
  });
}

/** Batch and step counts: GPU-sized with --gpu, else small enough for a 2-core box. */
function plan(size: number, engine: 'torch' | 'tfjs'): { batch: number; steps: number; warmup: number } {
  if (o.gpu)
    return {
      batch: num(o.batch, 'batch') ?? 128,
      steps: num(o.steps, 'steps') ?? 50,
      warmup: num(o.warmup, 'warmup') ?? 10,
    };
  const big = size > 64;
  const slow = engine === 'tfjs';
  return {
    batch: num(o.batch, 'batch') ?? (big ? 16 : 32),
    steps: num(o.steps, 'steps') ?? (big ? (slow ? 2 : 4) : slow ? 3 : 8),
    warmup: num(o.warmup, 'warmup') ?? 1,
  };
}

async function measure(engines: BenchEngine[], req: BenchRequest): Promise<BenchResult> {
  // With several engines, all train at once (same steps, started together); the total is the sum.
  const results = await Promise.all(engines.map((e) => e.bench(req)));
  return { ...results[0], imagesPerSecond: results.reduce((s, r) => s + r.imagesPerSecond, 0) };
}

async function main(): Promise<void> {
  const sizes = list(o.sizes!).map((s) => num(s, 'sizes')!);
  if (o['write-spec']) {
    writeFileSync(o['write-spec'], `${JSON.stringify(specFor(sizes.at(-1)!), null, 2)}\n`);
    return;
  }
  const concurrent = num(o.concurrent, 'concurrent')!;
  const precisions = list(o.precision ?? (o.gpu ? 'fp32,bf16' : 'fp32'));
  const wanted = list(o.engines!);
  const rows: Row[] = [];
  const say = (line: string) => !o.json && process.stderr.write(`${line}\n`);

  type Candidate = { label: string; kind: 'torch' | 'tfjs'; make: () => Promise<BenchEngine>; precisions: string[] };
  const candidates: Candidate[] = [];
  if (wanted.includes('torch')) {
    candidates.push({
      label: 'torch',
      kind: 'torch',
      precisions,
      make: async () =>
        (await TorchEngine.create(EngineSettings.parse({ name: 'torch', python: o.python }), {
          compile: o.compile,
          // On CPU, share the cores among the concurrent trainings (PyTorch alone may take just one).
          threads: o.gpu ? undefined : Math.max(1, Math.floor(availableParallelism() / concurrent)),
        })) as BenchEngine,
    });
  }
  if (wanted.includes('tfjs')) {
    for (const backend of list(o['tfjs-backends']!)) {
      candidates.push({
        label: `tfjs ${backend}`,
        kind: 'tfjs',
        precisions: ['fp32'],
        make: async () => {
          const mod = await import('../runner/src/engines/tfjs');
          const settings = EngineSettings.parse({ name: 'tfjs', tfjsBackend: backend });
          return (await mod.createTfjsEngine(settings)) as BenchEngine;
        },
      });
    }
  }

  const torchRate = new Map<number, number>(); // size -> fp32 torch img/s (the ratio's denominator)
  for (const c of candidates) {
    const engines: BenchEngine[] = [];
    try {
      for (let i = 0; i < concurrent; i++) engines.push(await c.make());
      if (typeof engines[0].bench !== 'function') throw new Error('engine has no bench()');
      say(`${c.label}: ${(await engines[0].info()).description}`);
    } catch (e) {
      const error = (e as Error).message.split('\n')[0];
      say(`${c.label}: not available (${error})`);
      for (const size of sizes) rows.push(emptyRow(c.label, 'fp32', size, concurrent, error));
      await Promise.all(engines.map((x) => x.close()));
      continue;
    }
    for (const size of sizes) {
      const spec = specFor(size);
      const { batch, steps, warmup } = plan(size, c.kind);
      for (const precision of c.precisions) {
        const row = emptyRow(c.label, precision, size, concurrent);
        Object.assign(row, { batch, steps });
        try {
          const r = await measure(engines, {
            spec,
            batchSize: batch,
            steps,
            warmup,
            mixedPrecision: precision === 'bf16' ? 'bf16' : 'off',
            compile: o.compile,
          });
          Object.assign(row, {
            imagesPerSecond: r.imagesPerSecond,
            device: r.device,
            params: r.params,
            maxMemoryMiB: r.maxMemoryMiB,
          });
          if (c.kind === 'torch' && precision === 'fp32') torchRate.set(size, r.imagesPerSecond);
        } catch (e) {
          row.error = (e as Error).message.split('\n')[0];
        }
        rows.push(row);
        say(format(row, torchRate.get(size)));
      }
    }
    await Promise.all(engines.map((x) => x.close()));
  }
  for (const row of rows) {
    const base = torchRate.get(row.size);
    row.ratioToTorch = row.imagesPerSecond !== null && base ? row.imagesPerSecond / base : null;
  }
  if (o.json) {
    console.log(
      JSON.stringify({ genome: o.genome, channels: Number(o.channels), gpu: o.gpu, compile: o.compile, rows }, null, 2),
    );
  } else {
    console.log(`\nTraining throughput, genome ${o.genome} C=${o.channels}, ratio to torch fp32 measured in this run:`);
    console.log('| engine | precision | input | batch | img/s | ratio to torch | params | MFLOPs | device |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      const ips = r.imagesPerSecond === null ? `— (${r.error})` : r.imagesPerSecond.toFixed(1);
      const ratio = r.ratioToTorch === null ? '—' : `${r.ratioToTorch.toFixed(3)}×`;
      console.log(
        `| ${r.engine}${r.concurrent > 1 ? ` ×${r.concurrent}` : ''} | ${r.precision} | ${r.size}×${r.size} | ${r.batch} | ${ips} | ${ratio} | ${r.params ?? '—'} | ${r.mflops} | ${r.device} |`,
      );
    }
  }
}

function emptyRow(engine: string, precision: string, size: number, concurrent: number, error?: string): Row {
  return {
    engine,
    precision,
    size,
    batch: 0,
    steps: 0,
    concurrent,
    imagesPerSecond: null,
    ratioToTorch: null,
    device: '',
    params: null,
    mflops: cost(specFor(size)).mflops,
    ...(error && { error }),
  };
}

function format(r: Row, torch?: number): string {
  if (r.imagesPerSecond === null) return `  ${r.engine} ${r.precision} ${r.size}×${r.size}: failed: ${r.error}`;
  const ratio = torch ? ` (${(r.imagesPerSecond / torch).toFixed(3)}× torch fp32)` : '';
  return `  ${r.engine} ${r.precision} ${r.size}×${r.size} batch ${r.batch}: ${r.imagesPerSecond.toFixed(1)} img/s${ratio}`;
}

main().catch((e) => {
  process.stderr.write(`bench: ${(e as Error).message}\n`);
  process.exit(1);
});
