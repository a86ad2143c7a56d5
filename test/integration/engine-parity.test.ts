// Engine parity on the layout details: weights trained by either engine, loaded in both, give the
// same inference-mode logits (within 1e-4) for explicit NCHW inputs, on a 3-channel non-square input
// with 3 classes, so a swapped H/W, a wrong conv (OIHW ↔ HWIO) or linear transpose, a wrong concat
// order in a 1×1 merge, or BatchNorm running statistics used differently would all show.
// (torch-tfjs-parity.test.ts covers the dataset path with normalisation on a 1-channel uint8 set.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineSettings, TrainingSettings } from '../../common/config';
import { TorchEngine } from '../../runner/src/engines/torch';
import { createTfjsEngine, type TfjsEngine } from '../../runner/src/engines/tfjs';
import { cost, decode, type NetworkSpec } from '../../common/model';
import { rng, writeNpy } from '../helpers/npy';

const tmp = mkdtempSync(join(tmpdir(), 'pareto-engine-parity-'));
const [C_IN, H, W, CLASSES] = [3, 11, 9, 3];
const training = TrainingSettings.parse({ epochs: 2, batchSize: 8, learningRate: 0.05 });
let torch: TorchEngine;
let tfjs: TfjsEngine;

/** A float32 dataset whose classes differ per channel mean, so training moves every weight. */
function writeDataset(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const next = rng(11);
  const splits: Record<string, { count: number; images: string; labels: string }> = {};
  for (const [split, count] of [
    ['train', 24],
    ['val', 6],
  ] as const) {
    const img = new Float32Array(count * C_IN * H * W);
    const lab: number[] = [];
    for (let n = 0; n < count; n++) {
      const k = n % CLASSES;
      lab.push(k);
      for (let c = 0; c < C_IN; c++)
        for (let i = 0; i < H * W; i++) img[(n * C_IN + c) * H * W + i] = next() + (c === k ? 0.8 : 0) + (i % W) / W;
    }
    writeNpy(join(dir, `${split}_images.npy`), 'float32', [count, C_IN, H, W], img);
    writeNpy(join(dir, `${split}_labels.npy`), 'int64', [count], lab);
    splits[split] = { count, images: `${split}_images.npy`, labels: `${split}_labels.npy` };
  }
  const manifest = {
    format: 'pareto-nas.dataset/1',
    name: 'parity',
    shape: [C_IN, H, W],
    classes: ['a', 'b', 'c'],
    dtype: 'float32',
    splits,
    provenance: { test: 'engine-parity' },
  };
  writeFileSync(join(dir, 'dataset.json'), JSON.stringify(manifest));
  return dir;
}
const dataset = writeDataset(join(tmp, 'ds'));

/** Explicit inputs in the shared NCHW layout (not normalised: both engines take them as given). */
const inputs = (() => {
  const next = rng(99);
  const n = 5;
  return { shape: [n, C_IN, H, W], data: Array.from({ length: n * C_IN * H * W }, () => next() * 4 - 2) };
})();

before(async () => {
  torch = await TorchEngine.create({}, { threads: 1 });
  tfjs = await createTfjsEngine(EngineSettings.parse({ name: 'tfjs', tfjsBackend: 'wasm' }));
});
after(async () => {
  await torch?.close();
  await tfjs?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const GENOMES = [
  '000000000000000000000',
  '000000100000000000001',
  '010000000000000000001',
  '010000100000000000001',
  '000110111000000110010',
];
const spec = (genome: string): NetworkSpec =>
  decode(genome, { nodes: 4, initChannels: 6, input: { channels: C_IN, height: H, width: W }, classes: CLASSES });

function maxDiff(a: number[][], b: number[][]): number {
  assert.equal(a.length, b.length);
  let d = 0;
  a.forEach((row, i) => {
    assert.equal(row.length, b[i].length);
    row.forEach((v, k) => (d = Math.max(d, Math.abs(v - b[i][k]))));
  });
  return d;
}

for (const [from, to] of [
  ['torch', 'tfjs'],
  ['tfjs', 'torch'],
] as const) {
  test(`weights trained by ${from} give the same logits in ${to} (3×${H}×${W} input, 3 classes, every genome)`, async () => {
    const engines = { torch, tfjs };
    for (const genome of GENOMES) {
      const s = spec(genome);
      const dir = join(tmp, `${from}-${genome}`);
      const r = await engines[from].train({ id: `${from}-${genome}`, spec: s, dataset, training, saveWeightsTo: dir });
      assert.equal(r.params, cost(s).params, `${from} ${genome} params`);
      const a = await engines[from].predict({ spec: s, weights: dir, inputs });
      const b = await engines[to].predict({ spec: s, weights: dir, inputs });
      assert.equal(a.length, inputs.shape[0]);
      const d = maxDiff(a, b);
      assert.ok(d < 1e-4, `${genome}: ${from} vs ${to} logits differ by ${d}`);
      // The logits vary across inputs and classes: equal logits are not a trivial agreement.
      const flat = a.flat();
      assert.ok(Math.max(...flat) - Math.min(...flat) > 1e-2, `${genome}: logits are not all equal`);
    }
  });
}
