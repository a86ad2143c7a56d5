import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { zipSync } from 'fflate';
import { importDataset } from '../../runner/src/data/importers';
import { encodeFloat32Tiff, readTiff } from '../../runner/src/data/importers/tiff';
import { encodeNpy, writeNpy } from '../../runner/src/data/npy';
import { openDataset } from '../../runner/src/data/reader';

const tmp = () => mkdtempSync(join(tmpdir(), 'imp-'));
const pattern = (seed: number, n: number) =>
  Float32Array.from({ length: n }, (_, i) => ((i * 7 + seed * 13) % 11) * 0.25 + seed);

test('float32 TIFF: written images read back exactly through geotiff', async () => {
  const img = Float32Array.from({ length: 127 * 127 }, (_, i) => Math.sin(i) * 1e3);
  const back = await readTiff(encodeFloat32Tiff(127, 127, img), 'x.tiff');
  assert.equal(back.width, 127);
  assert.equal(back.height, 127);
  assert.equal(back.channels, 1);
  assert.deepEqual(back.data, img);
  await assert.rejects(readTiff(Buffer.from('not a tiff at all'), 'y.tiff'), /y\.tiff: not a readable TIFF/);
});

test('A4NN/XPSI layout: trainset/ + testset/ of ef2_<conformation>_ptm<N>.tiff keep the published split', async () => {
  const root = join(tmp(), 'images');
  const expected = new Map<string, Float32Array>();
  let id = 0;
  for (const [folder, n] of [
    ['trainset', 4],
    ['testset', 2],
  ] as const) {
    mkdirSync(join(root, folder), { recursive: true });
    for (const conf of ['1n0u', '1n0vc']) {
      for (let i = 0; i < n; i++) {
        const img = pattern(id, 16 * 16);
        const name = `ef2_${conf}_ptm${String(id++).padStart(5, '0')}.tiff`;
        writeFileSync(join(root, folder, name), encodeFloat32Tiff(16, 16, img));
        expected.set(`${folder}:${conf}:${img[0]}`, img);
      }
    }
  }
  const out = join(tmp(), 'ds');
  await importDataset(root, { out });
  const ds = await openDataset(out);
  assert.deepEqual(ds.manifest.classes, ['1n0u', '1n0vc']);
  assert.deepEqual(ds.manifest.shape, [1, 16, 16]);
  assert.equal(ds.splits.train.count, 8);
  assert.equal(ds.splits.val.count, 4);
  for (const [split, folder] of [
    ['train', 'trainset'],
    ['val', 'testset'],
  ] as const) {
    const imgs = await ds.splits[split].images();
    const labels = await ds.splits[split].labels();
    for (let i = 0; i < labels.length; i++) {
      const img = imgs.subarray(i * 256, (i + 1) * 256) as Float32Array;
      const want = expected.get(`${folder}:${ds.manifest.classes[labels[i]]}:${img[0]}`);
      assert.ok(want, `${split} image ${i} is not one of the ${folder} images of its class`);
      assert.deepEqual(Array.from(img), Array.from(want));
    }
  }
});

test('class folders without a split: balanced 80/20 split; mixed sizes are refused naming the file', async () => {
  const root = join(tmp(), 'imgs');
  for (const cls of ['cat', 'dog']) {
    mkdirSync(join(root, cls), { recursive: true });
    for (let i = 0; i < 10; i++) writeFileSync(join(root, cls, `${i}.tif`), encodeFloat32Tiff(4, 3, pattern(i, 12)));
  }
  const out = join(tmp(), 'ds');
  await importDataset(root, { out, seed: 1 });
  const ds = await openDataset(out);
  assert.deepEqual(ds.manifest.classes, ['cat', 'dog']);
  assert.deepEqual(ds.manifest.shape, [1, 3, 4]);
  const val = await ds.splits.val.labels();
  assert.deepEqual([...val].sort(), [0, 0, 1, 1]);
  writeFileSync(join(root, 'dog', 'big.tif'), encodeFloat32Tiff(5, 5, new Float32Array(25)));
  await assert.rejects(importDataset(root, { out: join(tmp(), 'ds2') }), /big\.tif: 1×5×5, but .* is 1×3×4/);
});

test('.npz and .npy arrays import with class names, channels-last and checks', async () => {
  const dir = tmp();
  const n = 10;
  const images = Float32Array.from({ length: n * 2 * 3 * 2 }, (_, i) => i); // [N, H=2, W=3, C=2]
  const labels = BigInt64Array.from({ length: n }, (_, i) => BigInt(i % 2));
  const npz = join(dir, 'a.npz');
  writeFileSync(
    npz,
    zipSync({ 'x.npy': encodeNpy('float32', [n, 2, 3, 2], images), 'y.npy': encodeNpy('int64', [n], labels) }),
  );
  const out = join(dir, 'ds');
  await importDataset(npz, { out, channelsLast: true, classes: ['neg', 'pos'], valFraction: 0.2 });
  const ds = await openDataset(out);
  assert.deepEqual(ds.manifest.shape, [2, 2, 3]);
  assert.deepEqual(ds.manifest.classes, ['neg', 'pos']);
  assert.equal(ds.splits.val.count, 2);
  // Every stored image is the NCHW transpose of one source image with its label.
  const all = [...(await ds.splits.train.images()), ...(await ds.splits.val.images())];
  const lab = [...(await ds.splits.train.labels()), ...(await ds.splits.val.labels())];
  for (let k = 0; k < n; k++) {
    const img = all.slice(k * 12, k * 12 + 12);
    const src = img[0] / 12; // value of element (c=0, y=0, x=0) is src * 12
    assert.equal(lab[k], src % 2);
    for (let c = 0; c < 2; c++)
      for (let y = 0; y < 2; y++)
        for (let x = 0; x < 3; x++) assert.equal(img[(c * 2 + y) * 3 + x], images[((src * 2 + y) * 3 + x) * 2 + c]);
  }
  const imgFile = join(dir, 'i.npy');
  const labFile = join(dir, 'l.npy');
  writeNpy(
    imgFile,
    'uint8',
    [4, 2, 2],
    Uint8Array.from({ length: 16 }, (_, i) => i),
  );
  writeNpy(labFile, 'int32', [4], Int32Array.of(0, 1, 2, 0));
  const out2 = join(dir, 'ds2');
  await importDataset(imgFile, { out: out2, labelsFile: labFile, valFraction: 0 });
  const ds2 = await openDataset(out2);
  assert.deepEqual(ds2.manifest.classes, ['0', '1', '2']);
  assert.deepEqual(ds2.manifest.shape, [1, 2, 2]);
  writeNpy(labFile, 'int32', [3], Int32Array.of(0, 1, 2));
  await assert.rejects(
    importDataset(imgFile, { out: join(dir, 'ds3'), labelsFile: labFile }),
    /i\.npy: 4 images but 3 labels/,
  );
  writeFileSync(
    join(dir, 'bad.npz'),
    zipSync({
      'images.npy': encodeNpy('float32', [1, 1, 1], Float32Array.of(NaN)),
      'labels.npy': encodeNpy('int64', [1], BigInt64Array.of(0n)),
    }),
  );
  await assert.rejects(importDataset(join(dir, 'bad.npz'), { out: join(dir, 'ds4') }), /bad\.npz:images: value NaN/);
});

test('HDF5 (h5wasm): named image and label datasets, class names from /classes', async () => {
  const dir = tmp();
  const file = join(dir, 'data.h5');
  const h5 = await import('h5wasm/node');
  await h5.ready;
  const n = 12;
  const f = new h5.File(file, 'w');
  f.create_group('raw');
  f.create_dataset({
    name: 'raw/patterns',
    data: Float32Array.from({ length: n * 9 }, (_, i) => i / 9),
    shape: [n, 3, 3],
    dtype: '<f',
  });
  f.create_dataset({
    name: 'raw/conf',
    data: Int32Array.from({ length: n }, (_, i) => i % 3),
    shape: [n],
    dtype: '<i',
  });
  f.create_dataset({ name: 'classes', data: ['a', 'b', 'c'] });
  f.close();
  const out = join(dir, 'ds');
  await importDataset(file, { out, imagesKey: 'raw/patterns', labelsKey: 'raw/conf', valFraction: 0.25 });
  const ds = await openDataset(out);
  assert.deepEqual(ds.manifest.classes, ['a', 'b', 'c']);
  assert.deepEqual(ds.manifest.shape, [1, 3, 3]);
  assert.equal(ds.splits.val.count, 3);
  const imgs = await ds.splits.train.images();
  const labels = await ds.splits.train.labels();
  for (let i = 0; i < labels.length; i++) {
    const src = Math.round(imgs[i * 9]); // image k holds k + j/9
    assert.equal(labels[i], src % 3);
    assert.ok(Math.abs(imgs[i * 9 + 4] - (src + 4 / 9)) < 1e-6);
  }
  await assert.rejects(
    importDataset(file, { out: join(dir, 'x') }),
    /data\.h5: cannot find the images array \(has: .*raw\/patterns/,
  );
});
