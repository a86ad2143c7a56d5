// Parity between the engines: weights exported by one load in the other and give the same logits
// (within 1e-4), on a uint8 dataset so both apply the same scaling and per-channel normalisation.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineSettings, TrainingSettings } from '../../common/config';
import { TorchEngine } from '../../runner/src/engines/torch';
import { createTfjsEngine, type TfjsEngine } from '../../runner/src/engines/tfjs';
import { cost, decode } from '../../common/model';
import { writeSyntheticDataset } from '../helpers/npy';

const tmp = mkdtempSync(join(tmpdir(), 'pareto-parity-'));
const size = 10;
const dataset = writeSyntheticDataset(join(tmp, 'ds'), { size, train: 32, val: 12, dtype: 'uint8', seed: 3 });
const training = TrainingSettings.parse({ epochs: 1, batchSize: 16 });
let torch: TorchEngine;
let tfjs: TfjsEngine;

before(async () => {
  torch = await TorchEngine.create({}, { threads: 1 });
  tfjs = await createTfjsEngine(EngineSettings.parse({ name: 'tfjs', tfjsBackend: 'auto' }));
});
after(async () => {
  await torch?.close();
  await tfjs?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const spec = (genome: string) =>
  decode(genome, { nodes: 4, initChannels: 4, input: { channels: 1, height: size, width: size }, classes: 2 });

function maxDiff(a: number[][], b: number[][]): number {
  assert.equal(a.length, b.length);
  let d = 0;
  a.forEach((row, i) => row.forEach((v, k) => (d = Math.max(d, Math.abs(v - b[i][k])))));
  return d;
}

const GENOMES = [
  '000000000000000000000',
  '000000100000000000001',
  '010000000000000000001',
  '010000100000000000001',
  '000110111000000110010',
];

test('torch-trained weights give the same logits in tfjs, and both count the analytic params', async () => {
  for (const genome of GENOMES) {
    const s = spec(genome);
    const dir = join(tmp, `torch-${genome}`);
    const r = await torch.train({ id: `t-${genome}`, spec: s, dataset, training, saveWeightsTo: dir });
    assert.equal(r.params, cost(s).params);
    const a = await torch.predict({ spec: s, weights: dir, dataset, limit: 12 });
    const b = await tfjs.predict({ spec: s, weights: dir, dataset, limit: 12 });
    assert.ok(maxDiff(a, b) < 1e-4, `${genome}: logits differ by ${maxDiff(a, b)}`);
    assert.ok(
      a.some((row) => Math.abs(row[0] - row[1]) > 1e-3),
      'logits are not trivially equal',
    );
  }
});

test('tfjs-trained weights give the same logits in torch', async () => {
  for (const genome of ['000000100000000000001', '000110111000000110010']) {
    const s = spec(genome);
    const dir = join(tmp, `tfjs-${genome}`);
    const r = await tfjs.train({ id: `f-${genome}`, spec: s, dataset, training, saveWeightsTo: dir });
    assert.equal(r.params, cost(s).params);
    const a = await tfjs.predict({ spec: s, weights: dir, dataset, limit: 12 });
    const b = await torch.predict({ spec: s, weights: dir, dataset, limit: 12 });
    assert.ok(maxDiff(a, b) < 1e-4, `${genome}: logits differ by ${maxDiff(a, b)}`);
  }
});
