import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeNpy } from '../../runner/src/data/npy';
import { openDataset } from '../../runner/src/data/reader';
import { balancedSplit } from '../../runner/src/data/split';
import { DatasetWriter } from '../../runner/src/data/writer';

function makeDataset(dir: string): { train: Float32Array[]; labels: number[] } {
  const w = DatasetWriter.create(dir, {
    name: 't',
    shape: [1, 3, 2],
    classes: ['a', 'b', 'c'],
    dtype: 'float32',
    counts: { train: 5, val: 2 },
  });
  const train: Float32Array[] = [];
  const labels: number[] = [];
  for (let i = 0; i < 5; i++) {
    const img = Float32Array.from({ length: 6 }, (_, k) => i * 10 + k);
    train.push(img);
    labels.push(i % 3);
    w.add('train', img, i % 3);
  }
  for (let i = 0; i < 2; i++) w.add('val', new Float32Array(6).fill(-i), 2 - i);
  w.finish({ test: true });
  return { train, labels };
}

test('writer + openDataset: manifest contract, values and labels round trip', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'ds-')), 'd');
  const { train, labels } = makeDataset(dir);
  const m = JSON.parse(readFileSync(join(dir, 'dataset.json'), 'utf8'));
  assert.equal(m.format, 'pareto-nas.dataset/1');
  assert.deepEqual(m.shape, [1, 3, 2]);
  assert.deepEqual(m.splits.train, { count: 5, images: 'train_images.npy', labels: 'train_labels.npy' });
  const ds = await openDataset(dir);
  assert.equal(ds.imageSize, 6);
  const imgs = await ds.splits.train.images();
  assert.deepEqual(
    Array.from(imgs),
    train.flatMap((t) => Array.from(t)),
  );
  assert.deepEqual(Array.from(await ds.splits.train.labels()), labels);
  assert.deepEqual(Array.from(await ds.splits.val.labels()), [2, 1]);
  assert.deepEqual(Array.from(ds.splits.train.readImages(2, 1)), Array.from(train[2]));
  assert.ok(!existsSync(`${dir}.partial`));
});

test('an unfinished or aborted write never looks like a dataset', async () => {
  const base = mkdtempSync(join(tmpdir(), 'ds-'));
  const dir = join(base, 'd');
  const w = DatasetWriter.create(dir, {
    name: 't',
    shape: [1, 2, 2],
    classes: ['a', 'b'],
    dtype: 'float32',
    counts: { train: 2, val: 1 },
  });
  w.add('train', new Float32Array(4), 0);
  assert.throws(() => w.finish({}), /1 of 2 images written/);
  assert.ok(!existsSync(dir));
  await assert.rejects(openDataset(`${dir}.partial`), /dataset\.json: missing/);
  w.abort();
  assert.ok(!existsSync(`${dir}.partial`));
  assert.throws(
    () =>
      DatasetWriter.create(base, {
        name: 't',
        shape: [1, 1, 1],
        classes: ['a'],
        dtype: 'float32',
        counts: { train: 0, val: 0 },
      }),
    /already exists/,
  );
});

test('corrupt datasets fail naming the file and the problem', async () => {
  const base = mkdtempSync(join(tmpdir(), 'ds-'));
  const fresh = (name: string) => {
    const d = join(base, name);
    makeDataset(d);
    return d;
  };
  let d = fresh('missing');
  rmSync(join(d, 'val_labels.npy'));
  await assert.rejects(openDataset(d), /val_labels\.npy: missing/);

  d = fresh('truncated');
  const f = join(d, 'train_images.npy');
  truncateSync(f, readFileSync(f).length - 8);
  await assert.rejects(openDataset(d), /train_images\.npy: truncated/);

  d = fresh('shape');
  writeNpy(join(d, 'train_images.npy'), 'float32', [5, 1, 2, 3], new Float32Array(30));
  await assert.rejects(
    openDataset(d),
    /train_images\.npy: shape \[5,1,2,3\] does not match the manifest's \[5,1,3,2\]/,
  );

  d = fresh('label');
  writeNpy(join(d, 'train_labels.npy'), 'int64', [5], BigInt64Array.of(0n, 1n, 3n, 0n, 1n));
  const ds = await openDataset(d);
  await assert.rejects(ds.splits.train.labels(), /train_labels\.npy: label 3 at index 2 is out of range \[0, 3\)/);

  d = fresh('nan');
  const vals = new Float32Array(30);
  vals[13] = NaN;
  writeNpy(join(d, 'train_images.npy'), 'float32', [5, 1, 3, 2], vals);
  const ds2 = await openDataset(d);
  await assert.rejects(ds2.splits.train.images(), /train_images\.npy: image 2 holds NaN/);

  d = fresh('manifest');
  const mf = join(d, 'dataset.json');
  const m = JSON.parse(readFileSync(mf, 'utf8'));
  m.dtype = 'float16';
  writeFileSync(mf, JSON.stringify(m));
  await assert.rejects(openDataset(d), /dataset\.json: field 'dtype'/);
  writeFileSync(mf, '{not json');
  await assert.rejects(openDataset(d), /dataset\.json: not valid JSON/);
});

test('balanced split keeps the class proportions and is fixed by the seed', () => {
  const labels = Array.from({ length: 1000 }, (_, i) => (i < 700 ? 0 : 1));
  const s = balancedSplit(labels, 2, 0.2, 7);
  assert.equal(s.val.length, 200);
  assert.equal(s.val.filter((i) => labels[i] === 0).length, 140);
  assert.equal(new Set([...s.train, ...s.val]).size, 1000);
  assert.deepEqual(balancedSplit(labels, 2, 0.2, 7), s);
  assert.notDeepEqual(balancedSplit(labels, 2, 0.2, 8).val, s.val);
});
