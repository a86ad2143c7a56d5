// Photon counts stored as uint8 / uint16 train and predict exactly as the same values stored as
// float32, in both engines: the tfjs engine keeps the stored array and normalises per batch, the
// torch worker keeps it resident on the device in its dtype and normalises per batch there.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineSettings, TrainingSettings } from '../../common/config';
import { TorchEngine, TorchUnavailableError } from '../../runner/src/engines/torch';
import { createTfjsEngine } from '../../runner/src/engines/tfjs';
import { decode } from '../../common/model';
import { rng, writeNpy } from '../helpers/npy';

const tmp = mkdtempSync(join(tmpdir(), 'pareto-dtype-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const size = 10;
const training = TrainingSettings.parse({ epochs: 2, batchSize: 8 });
const spec = decode('010000100000000000001', {
  nodes: 4,
  initChannels: 4,
  input: { channels: 1, height: size, width: size },
  classes: 2,
});

/** Poisson-like counts, class 1 brighter in the centre; `max` is the largest count (255 fits uint8). */
function counts(max: number): Record<'train' | 'val', { images: number[]; labels: number[] }> {
  const next = rng(5);
  const split = (n: number) => {
    const images: number[] = [];
    const labels: number[] = [];
    for (let i = 0; i < n; i++) {
      const k = i % 2;
      labels.push(k);
      for (let p = 0; p < size * size; p++) {
        const centre = Math.hypot((p % size) - size / 2, Math.floor(p / size) - size / 2) < 3;
        images.push(Math.floor(next() * (k && centre ? max : max / 8)));
      }
    }
    images[0] = max;
    return { images, labels };
  };
  return { train: split(24), val: split(10) };
}

function writeCounts(dir: string, dtype: 'float32' | 'uint8' | 'uint16', data: ReturnType<typeof counts>): string {
  mkdirSync(dir, { recursive: true });
  const splits: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(data)) {
    writeNpy(join(dir, `${name}_images.npy`), dtype, [s.labels.length, 1, size, size], s.images);
    writeNpy(join(dir, `${name}_labels.npy`), 'int64', [s.labels.length], s.labels);
    splits[name] = { count: s.labels.length, images: `${name}_images.npy`, labels: `${name}_labels.npy` };
  }
  const manifest = {
    format: 'pareto-nas.dataset/1',
    name: `counts-${dtype}`,
    shape: [1, size, size],
    classes: ['a', 'b'],
    dtype,
    splits,
    provenance: {},
  };
  writeFileSync(join(dir, 'dataset.json'), JSON.stringify(manifest));
  return dir;
}

const small = counts(255);
const large = counts(4000);
const sets = {
  f32: writeCounts(join(tmp, 'f32'), 'float32', small),
  u8: writeCounts(join(tmp, 'u8'), 'uint8', small),
  f32large: writeCounts(join(tmp, 'f32large'), 'float32', large),
  u16: writeCounts(join(tmp, 'u16'), 'uint16', large),
};

interface Engine {
  train(r: object): Promise<{ epochs: { trainLoss: number; valAccuracy: number }[] }>;
  predict(r: object): Promise<number[][]>;
  close(): Promise<void>;
}

async function checkEngine(label: string, engine: Engine): Promise<void> {
  try {
    for (const [narrow, wide] of [
      ['u8', 'f32'],
      ['u16', 'f32large'],
    ] as const) {
      const weights = join(tmp, `${label}-${wide}`);
      const a = await engine.train({
        id: `${label}-${wide}`,
        spec,
        dataset: sets[wide],
        training,
        saveWeightsTo: weights,
      });
      const b = await engine.train({ id: `${label}-${narrow}`, spec, dataset: sets[narrow], training });
      assert.deepEqual(
        b.epochs.map((e) => e.trainLoss),
        a.epochs.map((e) => e.trainLoss),
        `${label}: training on ${narrow} = on float32`,
      );
      const pa = await engine.predict({ spec, weights, dataset: sets[wide] });
      const pb = await engine.predict({ spec, weights, dataset: sets[narrow] });
      assert.deepEqual(pb, pa, `${label}: logits on ${narrow} = on float32`);
      assert.ok(
        pa.some((row) => Math.abs(row[0] - row[1]) > 1e-3),
        'logits are not trivially equal',
      );
    }
  } finally {
    await engine.close();
  }
}

test('tfjs: uint8 / uint16 datasets train and predict exactly as float32 ones with the same values', async () => {
  await checkEngine(
    'tfjs',
    (await createTfjsEngine(EngineSettings.parse({ name: 'tfjs', tfjsBackend: 'cpu' }))) as unknown as Engine,
  );
});

test('torch: uint8 / uint16 datasets (resident in their dtype) train and predict exactly as float32 ones', async (t) => {
  let engine: TorchEngine;
  try {
    engine = await TorchEngine.create({}, { threads: 1 });
  } catch (e) {
    if (e instanceof TorchUnavailableError)
      return t.skip(`PyTorch is not importable here: ${e.message.split('\n')[0]}`);
    throw e;
  }
  await checkEngine('torch', engine as unknown as Engine);
});
