// The language server's search cost estimate (language-server/src/search-cost.ts): the bench:search
// throughput model with the documented default rate, trainings counted as the search loop runs them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../common/config';
import { estimateSearch, trainingSeconds, trainings, DEFAULT_GPU } from '../../language-server/src/search-cost';
import { gpuTime } from '../../language-server/src/code-lens';

test('the seed-size network trains at the measured H200 rate; others scale with their FLOPs', () => {
  // one epoch of 9,164 training images of the 893.37-MFLOP network is one second, plus validation at 3× the rate
  assert.ok(Math.abs(trainingSeconds(DEFAULT_GPU.mflops, 1, 9_164, 0) - 1) < 1e-12);
  assert.ok(Math.abs(trainingSeconds(DEFAULT_GPU.mflops, 1, 0, 3 * 9_164) - 1) < 1e-12);
  assert.ok(Math.abs(trainingSeconds(DEFAULT_GPU.mflops / 2, 4, 9_164, 0) - 2) < 1e-12);
});

test('the paper search: 750 trainings, image-passes of its data, GPU-hours from the mean random network', () => {
  const { search, training } = parseConfig({ dataset: 'x' });
  assert.equal(trainings(search), 750);
  const data = { shape: [1, 127, 127] as [number, number, number], classes: 2, train: 63_508, val: 15_876 };
  const e = estimateSearch(search, training, data);
  assert.equal(e.imagePasses, 750 * 15 * (63_508 + 15_876));
  assert.ok(Math.abs(e.gpuHours - (750 * trainingSeconds(e.meanMflops, 15, 63_508, 15_876)) / 3600) < 1e-9);
  // the same answer every time (a fixed sample), and a plausible network size for C=24 at 127×127
  assert.equal(estimateSearch(search, training, data).meanMflops, e.meanMflops);
  assert.ok(e.meanMflops > 50 && e.meanMflops < 3000, String(e.meanMflops));
});

test('GPU time reads in hours, minutes or seconds', () => {
  assert.deepEqual(
    [gpuTime(1234.4), gpuTime(2.25), gpuTime(0.05), gpuTime(0.0004)],
    ['1,234 GPU-hours', '2.3 GPU-hours', '3 GPU-minutes', '1 GPU-second'],
  );
});
