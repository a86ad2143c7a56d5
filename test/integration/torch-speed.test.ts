// The torch engine's speed settings (engine.cudaGraphs, evalBatchSize) change how it
// trains, never what: on CPU, with real PyTorch, every epoch's loss and accuracies equal today's
// defaults within float rounding, on float32, uint8 and uint16 data; the graph-ready SGD (the path
// cudaGraphs takes, replayed eagerly on CPU) checkpoints and resumes like torch.optim.SGD; epochs
// report their train/validation split and results their set-up time (what bench:search reads).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineSettings, TrainingSettings } from '../../common/config';
import { TrainingError, type TrainResult } from '../../runner/src/engines/engine';
import { TorchEngine } from '../../runner/src/engines/torch';
import { decode } from '../../common/model';
import { writeSyntheticDataset } from '../helpers/npy';

const tmp = mkdtempSync(join(tmpdir(), 'pareto-torch-speed-'));
const SIZE = 12;
const spec = (genome: string) =>
  decode(genome, { nodes: 4, initChannels: 4, input: { channels: 1, height: SIZE, width: SIZE }, classes: 2 });
// The seed network, and one whose second phase's entry conv is not applied (a parameter without gradient).
const GENOMES = ['000110111000000110010', '010000100000000000001'];
const training = TrainingSettings.parse({ epochs: 3, batchSize: 16 });
const FAST = { cudaGraphs: true, evalBatchSize: 5 };

// One worker for today's defaults and one for the fast settings, shared by the tests (starting
// Python and importing torch is the slow part on a small CI box).
const open = (speed: object) =>
  TorchEngine.create(EngineSettings.parse({ name: 'torch', device: 'cpu', ...speed }), { threads: 1 });
let today: TorchEngine;
let fast: TorchEngine;
before(async () => {
  [today, fast] = await Promise.all([open({}), open(FAST)]);
});
after(async () => {
  await Promise.all([today?.close(), fast?.close()]);
  rmSync(tmp, { recursive: true, force: true });
});

const trainWith = (engine: TorchEngine, dataset: string, genome: string): Promise<TrainResult> =>
  engine.train({ id: genome, spec: spec(genome), dataset, training });

function assertSameMetrics(a: TrainResult, b: TrainResult, what: string): void {
  assert.equal(a.epochs.length, b.epochs.length);
  a.epochs.forEach((e, i) => {
    const f = b.epochs[i];
    assert.ok(
      Math.abs(e.trainLoss - f.trainLoss) <= 1e-5 * Math.max(1, Math.abs(f.trainLoss)),
      `${what} epoch ${i}: loss ${e.trainLoss} vs ${f.trainLoss}`,
    );
    assert.equal(e.trainAccuracy, f.trainAccuracy, `${what} epoch ${i}: train accuracy`);
    assert.equal(e.valAccuracy, f.valAccuracy, `${what} epoch ${i}: validation accuracy`);
  });
}

for (const dtype of ['float32', 'uint8', 'uint16'] as const) {
  test(`torch speed settings give today's metrics on ${dtype} data`, async () => {
    const dataset = writeSyntheticDataset(join(tmp, dtype), { size: SIZE, train: 40, val: 24, dtype, seed: 3 });
    for (const genome of GENOMES) {
      const reference = await trainWith(today, dataset, genome);
      assertSameMetrics(await trainWith(fast, dataset, genome), reference, `${dtype} ${genome}`);
      assert.ok(reference.epochs[0].trainLoss > reference.epochs.at(-1)!.trainLoss, 'it trains');
    }
  });
}

test('epochs report their train and validation seconds, results their set-up seconds', async () => {
  const dataset = writeSyntheticDataset(join(tmp, 'timing'), { size: SIZE, train: 32, val: 16 });
  const r = await trainWith(fast, dataset, GENOMES[0]);
  for (const e of r.epochs) {
    assert.ok(e.trainSeconds! > 0 && e.valSeconds! > 0, JSON.stringify(e));
    assert.ok(e.trainSeconds! + e.valSeconds! <= e.seconds + 1e-6);
  }
  assert.ok(r.setupSeconds! >= 0);
});

test('the graph-ready SGD checkpoints and resumes to the result of an uninterrupted torch.optim.SGD run', async () => {
  const dataset = writeSyntheticDataset(join(tmp, 'ck-data'), { size: SIZE, train: 32, val: 16, seed: 5 });
  const genome = GENOMES[1];
  const straight = await trainWith(today, dataset, genome);
  const ck = join(tmp, 'ck');
  const ac = new AbortController();
  await assert.rejects(
    fast.train(
      { id: 'part', spec: spec(genome), dataset, training, checkpointDir: ck },
      { signal: ac.signal, onEpoch: (m) => m.epoch === 0 && ac.abort() },
    ),
    (e: unknown) => e instanceof TrainingError && e.kind === 'cancelled',
  );
  const resumed = await fast.train({ id: 'resume', spec: spec(genome), dataset, training, checkpointDir: ck });
  assertSameMetrics(resumed, straight, 'resumed');
});
