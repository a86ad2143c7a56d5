// `pareto-nas curves replay` on the shipped A4NN curves (test/fixtures/a4nn, every network trained
// 25 epochs): PENGUIN's recorded decisions reproduce the published baseline (which validates the
// replay metric), and the front-bound policy holds the numbers reached (README, early termination).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli } from '../helpers/cli';
import { repoRoot } from '../helpers/paths';

interface ReplayJson {
  policy: string;
  epochsSavedPercent: number;
  frontGapMean: number;
  frontGapMax: number;
  predictionErrorMean: number | null;
  networks: Array<{ id: string; epochsTrained: number }>;
}

const fixture = (fluence: string) => join(repoRoot, `test/fixtures/a4nn/1gpu_${fluence}_training_data.csv`);

function replay(fluence: string, policy: string): ReplayJson {
  const r = runCli(['curves', 'replay', fixture(fluence), '--policy', policy, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as ReplayJson;
  // Anyone can recompute the savings from the per-network epochs.
  assert.equal(out.networks.length, 100);
  const trained = out.networks.reduce((s, n) => s + n.epochsTrained, 0);
  assert.ok(Math.abs(out.epochsSavedPercent - 100 * (1 - trained / 2500)) < 1e-9);
  return out;
}

const near = (actual: number | null, expected: number, tol: number, what: string) =>
  assert.ok(actual !== null && Math.abs(actual - expected) <= tol, `${what}: ${actual}, expected ${expected} ± ${tol}`);

// The PENGUIN numbers: saved 35.2 / 34.8 %, |predicted − final| mean 3.2 / 2.7, gap mean 0.24 / 0.82, max 1.05 / 3.83.
const PENGUIN = { '1e15': [35.2, 3.21, 0.24, 1.05], '1e16': [34.8, 2.66, 0.82, 3.83] } as const;
// front-bound, calibrated on 1e15 only (runner/src/search/early-stop/gain-bound.ts); 1e16 is the check.
const FRONT_BOUND = { '1e15': [76.6, 0.01, 0.04], '1e16': [86.4, 0.03, 0.1] } as const;

for (const fluence of ['1e15', '1e16'] as const) {
  test(`curves replay ${fluence}: PENGUIN's recorded decisions reproduce the published baseline`, () => {
    const r = replay(fluence, 'penguin-recorded');
    const [saved, err, gapMean, gapMax] = PENGUIN[fluence];
    near(r.epochsSavedPercent, saved, 0.05, 'epochs saved');
    near(r.predictionErrorMean, err, 0.01, 'prediction error mean');
    near(r.frontGapMean, gapMean, 0.01, 'front gap mean');
    near(r.frontGapMax, gapMax, 0.01, 'front gap max');
    assert.equal(r.networks[0].id, fluence === '1e15' ? '38' : '56', 'A4NN arch as id, in search order');
  });

  test(`curves replay ${fluence}: front-bound saves ≥ 35 % with a front gap ≤ 0.5`, () => {
    const r = replay(fluence, 'front-bound');
    const [saved, gapMean, gapMax] = FRONT_BOUND[fluence];
    near(r.epochsSavedPercent, saved, 0.5, 'epochs saved');
    near(r.frontGapMean, gapMean, 0.02, 'front gap mean');
    near(r.frontGapMax, gapMax, 0.02, 'front gap max');
    assert.ok(r.epochsSavedPercent >= 35 && r.frontGapMax <= 0.5);
    assert.ok(
      r.predictionErrorMean !== null && r.predictionErrorMean < 0.5,
      `prediction error ${r.predictionErrorMean}`,
    );
  });
}

test('curves replay: the text report, policy off, and clear errors', () => {
  const text = runCli(['curves', 'replay', fixture('1e15')]);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /100 networks × 25 epochs replayed with policy front-bound/);
  assert.match(text.stdout, /epochs saved\s+76\.\d %/);
  assert.match(text.stdout, /front gap\s+mean 0\.\d\d, max 0\.\d\d points over the 10 networks of the true front/);
  const off = JSON.parse(
    runCli(['curves', 'replay', fixture('1e16'), '--policy', 'off', '--json']).stdout,
  ) as ReplayJson;
  assert.equal(off.epochsSavedPercent, 0);
  assert.equal(off.frontGapMax, 0);
  const own = runCli(['curves', 'replay', join(repoRoot, 'test/fixtures/run-small/candidates.jsonl'), '--json']);
  assert.equal(own.status, 0, own.stderr);
  assert.ok((JSON.parse(own.stdout) as ReplayJson).networks.length > 0);
  const bad = runCli(['curves', 'replay', fixture('1e15'), '--policy', 'oracle']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /unknown --policy "oracle"; choose one of front-bound, penguin-recorded, off/);
  const noPenguin = runCli([
    'curves',
    'replay',
    join(repoRoot, 'test/fixtures/run-small/candidates.jsonl'),
    '--policy',
    'penguin-recorded',
  ]);
  assert.match(noPenguin.stderr, /needs a file with PENGUIN's recorded "converged" column/);
  const missing = runCli(['curves', 'replay', join(repoRoot, 'test/fixtures/a4nn/none.csv')]);
  assert.match(missing.stderr, /cannot read .*none\.csv/);
});
