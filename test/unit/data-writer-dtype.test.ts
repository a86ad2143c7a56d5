// DatasetWriter with dtype 'auto' (photon counts): the narrowest of uint8 / uint16 / float32 that
// holds every value, widening what is already on disk when a larger value arrives, both splits in
// one dtype; values round trip exactly.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDataset } from '../../runner/src/data/reader';
import { DatasetWriter } from '../../runner/src/data/writer';

/** Writes `train` / `val` images of 64×64 (so a 4 MB buffer holds 256: widening re-reads flushed ones). */
async function roundTrip(
  train: number[][],
  val: number[][],
): Promise<{ dtype: string; train: number[]; val: number[] }> {
  const dir = join(mkdtempSync(join(tmpdir(), 'dsw-')), 'd');
  const w = DatasetWriter.create(dir, {
    name: 't',
    shape: [1, 64, 64],
    classes: ['a', 'b'],
    dtype: 'auto',
    counts: { train: train.length, val: val.length },
    metadata: { q: [2] },
  });
  const img = (v: number[]) => Float32Array.from({ length: 4096 }, (_, i) => v[i % v.length]);
  train.forEach((v, i) => w.add('train', img(v), i % 2, { q: [i, -i] }));
  val.forEach((v, i) => w.add('val', img(v), i % 2, { q: [i, 0.5] }));
  const m = w.finish({});
  const ds = await openDataset(dir);
  const first = async (s: 'train' | 'val') => {
    const a = await ds.splits[s].images();
    return Array.from({ length: ds.splits[s].count }, (_, i) => a[i * 4096 + 1]);
  };
  const q = await ds.splits.train.metadata('q');
  assert.deepEqual(Array.from(q!.data.subarray(0, 4)), [0, -0, 1, -1]);
  assert.deepEqual(
    Array.from(await ds.splits.train.labels()),
    train.map((_, i) => i % 2),
  );
  assert.equal(JSON.parse(readFileSync(join(dir, 'dataset.json'), 'utf8')).dtype, m.dtype);
  return { dtype: m.dtype, train: await first('train'), val: await first('val') };
}

const counts = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => [0, f(i)]);

test('auto dtype: small counts are uint8; a count > 255 late in the split widens the flushed part to uint16', async () => {
  const small = await roundTrip(
    counts(300, (i) => i % 256),
    counts(3, () => 7),
  );
  assert.equal(small.dtype, 'uint8');
  assert.deepEqual(
    small.train,
    counts(300, (i) => i % 256).map((v) => v[1]),
  );
  const f = (i: number) => (i === 290 ? 4000 : i % 256);
  const widened = await roundTrip(
    counts(300, f),
    counts(3, () => 7),
  );
  assert.equal(widened.dtype, 'uint16');
  assert.deepEqual(
    widened.train,
    counts(300, f).map((v) => v[1]),
  );
  assert.deepEqual(widened.val, [7, 7, 7], 'the uint8 val split is widened to the train split');
});

test('auto dtype: counts above 65535, fractions or negatives give float32 (read back exactly)', async () => {
  for (const odd of [70000, 2.5, -1]) {
    const f = (i: number) => (i === 260 ? odd : i);
    const r = await roundTrip(
      counts(2, (i) => i),
      counts(270, f),
    );
    assert.equal(r.dtype, 'float32', String(odd));
    assert.deepEqual(
      r.val,
      counts(270, f).map((v) => v[1]),
    );
  }
});

test('aborting an auto write leaves nothing behind', () => {
  const base = mkdtempSync(join(tmpdir(), 'dsw-'));
  const w = DatasetWriter.create(join(base, 'd'), {
    name: 't',
    shape: [1, 2, 2],
    classes: ['a'],
    dtype: 'auto',
    counts: { train: 2, val: 0 },
  });
  w.add('train', [1, 2, 300, 4], 0);
  w.abort();
  assert.deepEqual(readdirSync(base), []);
});
