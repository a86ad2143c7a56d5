// The torch engine against a real PyTorch on CPU: parameter counts equal the analytic ones, it learns a
// separable dataset, NaN losses, cancellation and bad input come back as TrainingError kinds, weights
// round-trip through the shared TF.js layout, and checkpoints resume to the same result.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrainingSettings } from '../../runner/src/config';
import { TrainingError } from '../../runner/src/engines/engine';
import { TorchEngine, TorchUnavailableError } from '../../runner/src/engines/torch';
import { weightEntries } from '../../runner/src/engines/weights';
import { cost, decode, type NetworkSpec } from '../../runner/src/model';
import { writeSyntheticDataset } from '../helpers/npy';

const tmp = mkdtempSync(join(tmpdir(), 'pareto-torch-'));
let engine: TorchEngine;
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
  engine = await TorchEngine.create({}, { threads: 1 });
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

test('parameter count equals the analytic count for every genome (C=4 and C=24)', async () => {
  for (const genome of GENOMES) {
    for (const C of [4, 24]) {
      const s = spec(genome, C);
      const r = await engine.train({ id: `p-${genome}-${C}`, spec: s, dataset: tiny, training: training() });
      assert.equal(r.params, cost(s).params, `${genome} C=${C}`);
      assert.equal(r.epochs.length, 1);
    }
  }
  // The spec's worked example (arch 51, C=24) has a known size independent of this code's own counter.
  assert.equal(cost(decode('000110111000000110010', { nodes: 4, initChannels: 24, input: { channels: 1, height: 127, width: 127 }, classes: 2 })).params, 442586);
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
  assert.match(r.device, /^torch .* cpu .*fp32/);
});

test('a diverging run (huge learning rate, no clipping) is reported as nan-loss', async () => {
  await assert.rejects(
    engine.train({
      id: 'nan',
      spec: spec('010000100000000000001'),
      dataset: tiny,
      training: training({ epochs: 3, learningRate: 1e12, gradClip: null, schedule: 'constant' }),
    }),
    (e: unknown) => e instanceof TrainingError && e.kind === 'nan-loss',
  );
  // The worker survives a failed job.
  const r = await engine.train({ id: 'after-nan', spec: spec('000000000000000000000'), dataset: tiny, training: training() });
  assert.equal(r.epochs.length, 1);
});

test('weights save → load gives the same logits, in the weights.ts layout', async () => {
  const s = spec('000110111000000110010', 4);
  const dir = join(tmp, 'weights');
  const r = await engine.train({
    id: 'save', spec: s, dataset: tiny, training: training({ epochs: 2 }), saveWeightsTo: dir, probeLogits: 8,
  });
  assert.equal(r.weights, dir);
  const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const manifest = model.weightsManifest[0].weights as Array<{ name: string; shape: number[] }>;
  const entries = weightEntries(s);
  assert.deepEqual(manifest.map((w) => [w.name, w.shape]), entries.map((w) => [w.name, w.shape]));
  const floats = entries.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
  assert.equal(statSync(join(dir, 'weights.bin')).size, 4 * floats);

  const loaded = await engine.predict({ spec: s, weights: dir, dataset: tiny, limit: 8 });
  assert.equal(loaded.length, 8);
  const probe = r.probe!;
  assert.equal(probe.length, 8);
  for (let i = 0; i < 8; i++) for (let k = 0; k < 2; k++) assert.ok(Math.abs(loaded[i][k] - probe[i][k]) < 1e-5, `logit ${i},${k}`);
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
    engine.train(
      { id: 'part', spec: s, dataset: tiny, training: t, checkpointDir: ck },
      { signal: ac.signal, onEpoch: (m) => m.epoch === 1 && ac.abort() },
    ),
    (e: unknown) => e instanceof TrainingError && e.kind === 'cancelled',
  );
  const seen: number[] = [];
  const resumed = await engine.train(
    { id: 'resume', spec: s, dataset: tiny, training: t, checkpointDir: ck },
    { onEpoch: (m) => seen.push(m.epoch) },
  );
  assert.ok(seen.length < 4 && seen.at(-1) === 3, `resumed epochs ${seen}`);
  assert.equal(resumed.epochs.length, 4);
  assert.ok(Math.abs(resumed.epochs[3].trainLoss - straight.epochs[3].trainLoss) < 1e-5);
  assert.equal(resumed.valAccuracy, straight.valAccuracy);
  // A checkpoint of other settings is refused, naming the field.
  await assert.rejects(
    engine.train({ id: 'other', spec: s, dataset: tiny, training: training({ epochs: 4, learningRate: 0.1 }), checkpointDir: ck }),
    (e: unknown) => e instanceof TrainingError && e.kind === 'bad-input' && /learningRate/.test(e.message),
  );
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
  const r = await engine.train({
    id: 'infer', spec: spec('000000100000000000001'), dataset: tiny, training: training(), measureInference: true,
  });
  assert.equal(r.inference?.images, 8);
  assert.ok(r.inference!.seconds > 0 && r.inference!.perImageMs > 0);
});

test('a Python without torch gives an error that names it and says how to fix it', async () => {
  const fake = join(tmp, 'python-without-torch');
  writeFileSync(fake, "#!/bin/sh\necho \"ModuleNotFoundError: No module named 'torch'\" >&2\nexit 1\n");
  chmodSync(fake, 0o755);
  await assert.rejects(TorchEngine.create({ python: fake }), (e: unknown) => {
    assert.ok(e instanceof TorchUnavailableError);
    assert.ok(e.message.includes(fake), e.message);
    assert.match(e.message, /No module named 'torch'/);
    assert.match(e.message, /engine\.python/);
    assert.match(e.message, /pip install torch/);
    return true;
  });
  await assert.rejects(TorchEngine.create({ python: join(tmp, 'no-such-python') }), /no-such-python: not found/);
});

test('bench: device-resident training throughput with the analytic parameter count', async () => {
  const s = spec('000110111000000110010', 4);
  const r = await engine.bench({ spec: s, batchSize: 8, steps: 2, warmup: 1, mixedPrecision: 'off' });
  assert.ok(r.imagesPerSecond > 0 && r.seconds > 0);
  assert.equal(r.params, cost(s).params);
});

test('scripts/bench-seed127-spec.json (the GPU check without node) is the decoded seed-size network', () => {
  const fixture = JSON.parse(readFileSync(join(__dirname, '..', '..', 'scripts', 'bench-seed127-spec.json'), 'utf8'));
  const seed = decode('000110111000000110010', { nodes: 4, initChannels: 24, input: { channels: 1, height: 127, width: 127 }, classes: 2 });
  assert.deepEqual(fixture, seed);
  assert.equal(cost(seed).mflops, 893.3721);
});

test('a worker that dies mid-job fails that job as a TrainingError and the next job starts a new worker', async () => {
  const s = spec('000110111000000110010', 4);
  const job = engine.train(
    { id: 'crash', spec: spec('000110111000000110010', 4, 4), dataset: quad, training: training({ epochs: 50 }) },
    // Kill the worker process from outside once training is under way (as a crash would).
    { onEpoch: (m) => m.epoch === 0 && (engine as unknown as { proc: { kill(sig: string): void } }).proc.kill('SIGTERM') },
  );
  await assert.rejects(job, (e: unknown) => e instanceof TrainingError && e.kind === 'engine-error' && /killed by SIGTERM/.test(e.message));
  const r = await engine.train({ id: 'after-crash', spec: s, dataset: tiny, training: training() });
  assert.equal(r.epochs.length, 1);
});
