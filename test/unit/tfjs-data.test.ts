// The tfjs engine's batch pipeline: stored NCHW images (any dtype) become normalised NHWC float32
// batches with the torch engine's statistics; epoch orders are seeded permutations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { channelStats, epochOrder, fillBatch, nchwToNhwc } from '../../runner/src/engines/tfjs/data';
import { seededRandom } from '../../runner/src/engines/tfjs/network';

test('channelStats: per-channel mean and population std of scaled images; a constant channel gets std 1', () => {
  // 2 images, 2 channels, 1×2 pixels: channel 0 holds 0,2,4,6 (×0.5 scale → 0,1,2,3); channel 1 is constant 10.
  const images = Uint8Array.from([0, 2, 10, 10, 4, 6, 10, 10]);
  const s = channelStats(images, [2, 1, 2], 0.5);
  assert.equal(s.mean[0], 1.5);
  assert.ok(Math.abs(s.std[0] - Math.sqrt(1.25)) < 1e-12);
  assert.equal(s.mean[1], 5);
  assert.equal(s.std[1], 1);
});

test('fillBatch: gathers the given images, NCHW → NHWC, (x·scale − mean)/std per channel', () => {
  const [c, h, w] = [2, 2, 3];
  const n = 3;
  const images = Uint16Array.from({ length: n * c * h * w }, (_, i) => i);
  const norm = { mean: [1, 2], std: [2, 4] };
  const out = new Float32Array(2 * c * h * w);
  fillBatch(images, [c, h, w], 0.5, norm, [2, 0], out);
  for (const [b, img] of [
    [0, 2],
    [1, 0],
  ]) {
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const src = images[((img * c + ch) * h + y) * w + x];
          const want = (src * 0.5 - norm.mean[ch]) / norm.std[ch];
          assert.ok(Math.abs(out[((b * h + y) * w + x) * c + ch] - want) < 1e-6, `batch ${b} ch ${ch} (${y},${x})`);
        }
  }
  assert.deepEqual(Array.from(nchwToNhwc([1, 2, 3, 4, 5, 6, 7, 8], 1, 2, 2, 2)), [1, 5, 2, 6, 3, 7, 4, 8]);
});

test('epochOrder: a permutation, the same for the same seed and epoch, different across epochs', () => {
  const a = epochOrder(50, 3, 0, seededRandom);
  assert.deepEqual(
    [...a].sort((x, y) => x - y),
    Array.from({ length: 50 }, (_, i) => i),
  );
  assert.deepEqual(a, epochOrder(50, 3, 0, seededRandom));
  assert.notDeepEqual(a, epochOrder(50, 3, 1, seededRandom));
  assert.notDeepEqual(a, epochOrder(50, 4, 0, seededRandom));
});
