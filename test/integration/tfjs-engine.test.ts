// The tfjs engine through its worker process (the wasm backend on this CPU): parameter counts equal
// the analytic ones, it learns a separable dataset, NaN losses, cancellation and bad input come back
// as TrainingError kinds, weights round-trip through the shared TF.js layout, checkpoints resume.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrainingSettings, EngineSettings } from '../../runner/src/config';
import { TrainingError } from '../../runner/src/engines/engine';
import { createTfjsEngine, type TfjsEngine } from '../../runner/src/engines/tfjs';
import { weightEntries } from '../../runner/src/engines/weights';
import { cost, decode, type NetworkSpec } from '../../runner/src/model';
import { writeSyntheticDataset } from '../helpers/npy';

const tmp = mkdtempSync(join(tmpdir(), 'pareto-tfjs-'));
let engine: TfjsEngine;
const size = 12;
const tiny = writeSyntheticDataset(join(tmp, 'tiny'), { size, train: 16, val: 8 });
const quad = writeSyntheticDataset(join(tmp, 'quad'), { size, classes: 4, train: 128, val: 64, seed: 7 });

function spec(genome: string, C = 4, classes = 2): NetworkSpec {
  return decode(genome, { nodes: 4, initChannels: C, input: { channels: 1, height: size, width: size }, classes });
}

function training(over: Partial<TrainingSettings> = {}): TrainingSettings {
  return TrainingSettings.parse({ epochs: 1, batchSize: 16, ...over });
}

before(async () => {
  engine = await createTfjsEngine(EngineSettings.parse({ name: 'tfjs', tfjsBackend: 'wasm' }));
});

after(async () => {
  await engine?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const GENOMES = [
  '000000000000000000000',
  '000000100000000000001',
  '010000000000000000001',
  '010000100000000000001',
  '000110111000000110010',
];

test('reports its backend', async () => {
  const info = await engine.info();
  assert.equal(info.name, 'tfjs');
  assert.match(info.description, /^tfjs \d+\.\d+\.\d+ wasm$/);
});

test('parameter count equals the analytic count for every genome (C=4 and C=24)', async () => {
  for (const genome of GENOMES) {
    for (const C of [4, 24]) {
      const s = spec(genome, C);
      const r = await engine.train({ id: `p-${genome}-${C}`, spec: s, dataset: tiny, training: training() });
      assert.equal(r.params, cost(s).params, `${genome} C=${C}`);
      assert.equal(r.epochs.length, 1);
      assert.match(r.device, /^tfjs .* wasm$/);
    }
  }
});

test('learns a separable 4-class dataset well above chance (25%)', async () => {
  const epochs: number[] = [];
  const r = await engine.train(
    { id: 'learn', spec: spec('000110111000000110010', 4, 4), dataset: quad, training: training({ epochs: 6, learningRate: 0.05 }) },
    { onEpoch: (m) => epochs.push(m.epoch) },
  );
  assert.deepEqual(epochs, [0, 1, 2, 3, 4, 5]);
  assert.ok(r.valAccuracy >= 80, `val accuracy ${r.valAccuracy}% after 6 epochs`);
  assert.ok(r.epochs[5].trainLoss < r.epochs[0].trainLoss, 'training loss goes down');
  assert.ok(Math.abs(r.epochs[1].learningRate - (0.05 / 2) * (1 + Math.cos(Math.PI / 6))) < 1e-12, 'cosine schedule');
});

test('a diverging run (huge learning rate, no clipping: the loss overflows) is reported as nan-loss', async () => {
  await assert.rejects(
    engine.train({
      id: 'nan',
      spec: spec('010000100000000000001'),
      dataset: tiny,
      training: training({ epochs: 12, learningRate: 1e12, gradClip: null, schedule: 'constant' }),
    }),
    (e: unknown) => e instanceof TrainingError && e.kind === 'nan-loss',
  );
  // The worker survives a failed job.
  const r = await engine.train({ id: 'after-nan', spec: spec('000000000000000000000'), dataset: tiny, training: training() });
  assert.equal(r.epochs.length, 1);
});

test('weights save → load gives identical logits, in the weights.ts layout', async () => {
  const s = spec('000110111000000110010', 4);
  const dir = join(tmp, 'weights');
  const r = await engine.train({ id: 'save', spec: s, dataset: tiny, training: training({ epochs: 2 }), saveWeightsTo: dir, probeLogits: 8 });
  assert.equal(r.weights, dir);
  const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const manifest = model.weightsManifest[0].weights as Array<{ name: string; shape: number[]; dtype: string }>;
  const entries = weightEntries(s);
  assert.deepEqual(manifest.map((w) => [w.name, w.shape]), entries.map((w) => [w.name, w.shape]));
  assert.ok(manifest.every((w) => w.dtype === 'float32'));
  assert.deepEqual(model.modelTopology.networkSpec, s);
  assert.equal(model.userDefinedMetadata.layout, 'pytorch');
  const floats = entries.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
  assert.equal(statSync(join(dir, 'weights.bin')).size, 4 * floats);
  // BatchNorm running statistics were trained (not the initial 0 / 1).
  const bin = readFileSync(join(dir, 'weights.bin'));
  const values = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  let offset = 0;
  for (const w of entries) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    if (w.name.endsWith('.running_mean')) assert.ok(values.subarray(offset, offset + n).some((v) => v !== 0), `${w.name} was updated`);
    offset += n;
  }

  const loaded = await engine.predict({ spec: s, weights: dir, dataset: tiny, limit: 8 });
  assert.equal(loaded.length, 8);
  assert.deepEqual(loaded, r.probe, 'same logits after save and load');
  // A different network's weights do not load silently.
  await assert.rejects(
    engine.predict({ spec: spec('000110111000000110010', 6), weights: dir, dataset: tiny }),
    (e: unknown) => e instanceof TrainingError && e.kind === 'bad-input' && /shape/.test(e.message),
  );
});

test('checkpoints: a cancelled run resumes from its last epoch and ends where an uninterrupted run ends', async () => {
  const s = spec('010000100000000000001');
  const t = training({ epochs: 4 });
  const straight = await engine.train({ id: 'straight', spec: s, dataset: tiny, training: t });
  const ck = join(tmp, 'ck');
  const ac = new AbortController();
  await assert.rejects(
    engine.train({ id: 'part', spec: s, dataset: tiny, training: t, checkpointDir: ck }, { signal: ac.signal, onEpoch: (m) => m.epoch === 1 && ac.abort() }),
    (e: unknown) => e instanceof TrainingError && e.kind === 'cancelled',
  );
  const seen: number[] = [];
  const resumed = await engine.train({ id: 'resume', spec: s, dataset: tiny, training: t, checkpointDir: ck }, { onEpoch: (m) => seen.push(m.epoch) });
  assert.ok(seen.length < 4 && seen.at(-1) === 3, `resumed epochs ${seen}`);
  assert.equal(resumed.epochs.length, 4);
  assert.equal(resumed.epochs[3].trainLoss, straight.epochs[3].trainLoss, 'the same loss as without interruption');
  assert.equal(resumed.valAccuracy, straight.valAccuracy);
  await assert.rejects(
    engine.train({ id: 'other', spec: s, dataset: tiny, training: training({ epochs: 4, learningRate: 0.1 }), checkpointDir: ck }),
    (e: unknown) => e instanceof TrainingError && e.kind === 'bad-input' && /learningRate/.test(e.message),
  );
});

test('cancellation before the first epoch ends stops the job, and the engine goes on', async () => {
  const ac = new AbortController();
  const job = engine.train({ id: 'cancel', spec: spec('000110111000000110010', 8, 4), dataset: quad, training: training({ epochs: 50 }) }, { signal: ac.signal });
  setTimeout(() => ac.abort(), 200);
  const t0 = Date.now();
  await assert.rejects(job, (e: unknown) => e instanceof TrainingError && e.kind === 'cancelled');
  assert.ok(Date.now() - t0 < 5000, 'stopped promptly');
  const r = await engine.train({ id: 'after-cancel', spec: spec('000000000000000000000'), dataset: tiny, training: training() });
  assert.equal(r.epochs.length, 1);
});

test('bad input names the field: spec input size differs from the dataset', async () => {
  const s = decode('010000100000000000001', { nodes: 4, initChannels: 4, input: { channels: 1, height: 16, width: 16 }, classes: 2 });
  await assert.rejects(
    engine.train({ id: 'bad', spec: s, dataset: tiny, training: training() }),
    (e: unknown) => e instanceof TrainingError && e.kind === 'bad-input' && /spec\.input/.test(e.message),
  );
  await assert.rejects(
    engine.train({ id: 'nodata', spec: spec('010000100000000000001'), dataset: join(tmp, 'missing'), training: training() }),
    (e: unknown) => e instanceof TrainingError && e.kind === 'bad-input' && /dataset\.json/.test(e.message),
  );
});

test('inference timing on the validation split', async () => {
  const r = await engine.train({ id: 'infer', spec: spec('000000100000000000001'), dataset: tiny, training: training(), measureInference: true });
  assert.equal(r.inference?.images, 8);
  assert.ok(r.inference!.seconds > 0 && r.inference!.perImageMs > 0);
});

test('an unknown or missing backend fails at creation with the reason', async () => {
  await assert.rejects(
    createTfjsEngine(EngineSettings.parse({ name: 'tfjs', tfjsBackend: 'node' })),
    (e: unknown) => e instanceof Error && /tfjs-node/.test(e.message),
  );
});
