// The early-termination pieces on synthetic curves: the saturation fit and its interval, the
// calibrated gain bound, the front-bound policy's two rules, the replay metrics computed by hand,
// the tracker's records, and the curve readers' errors. Plus one robustness check on the shipped
// A4NN curves: shuffled search orders keep the front gap within the goal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finalAccuracyBound, calibratedMaxGain } from '../../runner/src/search/early-stop/gain-bound';
import { predictFinalAccuracy } from '../../runner/src/search/early-stop/saturation-fit';
import { FrontBoundTermination, TOLERANCE } from '../../runner/src/search/early-stop/front-bound';
import type { EarlyStopPolicy } from '../../runner/src/search/early-stop/policy';
import { replayCurves } from '../../runner/src/search/early-stop/replay';
import { readCurveFile, type CurveSet } from '../../runner/src/search/early-stop/curves';
import { EarlyStopTracker } from '../../runner/src/search/early-stop/tracker';
import { Rng } from '../../runner/src/rng';
import { repoRoot } from '../helpers/paths';

const saturating = (T: number, a = 97, b = 20) => Array.from({ length: T }, (_, t) => a - b / (t + 1));
const tmp = mkdtempSync(join(tmpdir(), 'pareto-curves-'));

test('saturation fit: an exact saturating curve is predicted exactly with a near-zero interval', () => {
  const p = predictFinalAccuracy(saturating(10), 25, 6)!;
  assert.equal(p.kind, 'prediction');
  assert.ok(Math.abs(p.finalAccuracy - (97 - 20 / 25)) < 1e-9, `${p.finalAccuracy}`);
  assert.ok(p.plusMinus! < 1e-6);
});

test('saturation fit: a noisy curve gets a wide interval, fewer than 3 points no prediction', () => {
  const noisy = saturating(12).map((v, t) => v + (t % 2 ? 3 : -3));
  assert.ok(predictFinalAccuracy(noisy, 25, 6)!.plusMinus! > 2);
  assert.equal(predictFinalAccuracy([50, 60], 25, 6), undefined);
});

test('gain bound: shrinks with progress, reaches 0 at the end, is never above 100', () => {
  const gains = Array.from({ length: 15 }, (_, k) => calibratedMaxGain(k + 1, 15));
  assert.ok(
    gains.every((g, k) => k === 0 || g <= gains[k - 1]),
    `non-increasing: ${gains}`,
  );
  assert.equal(calibratedMaxGain(15, 15), 0);
  assert.equal(finalAccuracyBound([99.5], 15), 100);
  assert.equal(finalAccuracyBound([80, 90, 85], 3), 85, 'a finished curve is its last accuracy');
  assert.ok(finalAccuracyBound([80, 90, 85, 88], 25) > 90, 'the bound starts from the best epoch so far');
});

test('front-bound: stops a candidate that cannot beat a cheaper evaluated network by more than the tolerance', () => {
  const policy = new FrontBoundTermination();
  const cheap = { id: 'cheap', mflops: 100, accuracy: 99.9 };
  const d = policy.decide({ id: 'c', mflops: 200, accuracies: [60], plannedEpochs: 25 }, [cheap]);
  assert.equal(d?.reason, 'dominated');
  assert.equal(d?.dominatedBy, 'cheap');
  assert.equal(d?.epochsTrained, 1);
  assert.ok(d!.upperBound! <= cheap.accuracy + TOLERANCE);
  // The same network is not blocked by a more expensive one, nor by one it may still beat.
  assert.equal(policy.decide({ id: 'c', mflops: 50, accuracies: [60], plannedEpochs: 25 }, [cheap]), undefined);
  const weaker = { id: 'weak', mflops: 100, accuracy: 90 };
  assert.equal(
    policy.decide({ id: 'c', mflops: 200, accuracies: Array(12).fill(85), plannedEpochs: 25 }, [weaker]),
    undefined,
  );
  // Late in training the bound is tight: 85 % at epoch 22 of 25 cannot reach 90.
  assert.equal(
    policy.decide({ id: 'c', mflops: 200, accuracies: Array(22).fill(85), plannedEpochs: 25 }, [weaker])?.reason,
    'dominated',
  );
});

test('front-bound: stops a settled curve past half its epochs with a flagged prediction, not a rising one', () => {
  const policy = new FrontBoundTermination();
  const flat = Array.from({ length: 14 }, (_, t) => 97 + (t % 2 ? 0.02 : -0.02));
  const d = policy.decide({ id: 'f', mflops: 10, accuracies: flat, plannedEpochs: 25 }, []);
  assert.equal(d?.reason, 'converged');
  assert.equal(d?.prediction?.kind, 'prediction');
  assert.ok(Math.abs(d!.prediction!.finalAccuracy - 97) < TOLERANCE);
  assert.equal(
    policy.decide({ id: 'f', mflops: 10, accuracies: flat.slice(0, 10), plannedEpochs: 25 }, []),
    undefined,
    'before half',
  );
  const rising = Array.from({ length: 14 }, (_, t) => 80 + t);
  assert.equal(policy.decide({ id: 'r', mflops: 10, accuracies: rising, plannedEpochs: 25 }, []), undefined);
  assert.equal(
    policy.decide({ id: 'f', mflops: 10, accuracies: Array(25).fill(97), plannedEpochs: 25 }, []),
    undefined,
    'never at the end',
  );
});

test('replay: epochs saved, prediction error and front gap computed by hand on three curves', () => {
  const set: CurveSet = {
    plannedEpochs: 4,
    skipped: 0,
    curves: [
      { id: 'A', mflops: 10, accuracies: [80, 85, 88, 90] },
      { id: 'B', mflops: 20, accuracies: [70, 80, 92, 95] },
      { id: 'C', mflops: 30, accuracies: [60, 70, 80, 85] },
    ],
  };
  // Stops B after 2 epochs with a prediction of 94, and C after 1 epoch as dominated.
  const policy: EarlyStopPolicy = {
    name: 'scripted',
    decide: (c) =>
      c.id === 'B' && c.accuracies.length === 2
        ? { reason: 'converged', epochsTrained: 2, prediction: { kind: 'prediction', finalAccuracy: 94 } }
        : c.id === 'C' && c.accuracies.length === 1
          ? { reason: 'dominated', epochsTrained: 1 }
          : undefined,
  };
  const r = replayCurves(set, policy);
  assert.deepEqual(
    r.networks.map((n) => n.epochsTrained),
    [4, 2, 1],
  );
  assert.equal(r.epochsSavedPercent, 100 * (1 - 7 / 12));
  assert.deepEqual(r.trueFront, ['A', 'B']);
  // A keeps 90 (gap 0); B's final 95 against the best kept at ≤ 20 MFLOPs: max(90, B's last measured 80).
  assert.equal(r.frontGapMax, 5);
  assert.equal(r.frontGapMean, 2.5);
  assert.equal(r.predictionErrorMean, 1);
  assert.deepEqual(r.stopped, { dominated: 1, converged: 1 });
});

test('tracker: a stop becomes an earlyStop record only when training really ended early', () => {
  const tracker = new EarlyStopTracker(new FrontBoundTermination(), 10);
  tracker.addEvaluated({ id: 'cheap', mflops: 1, valAccuracy: 100 } as never);
  const m = (epoch: number, valAccuracy: number) => ({
    epoch,
    valAccuracy,
    trainLoss: 1,
    trainAccuracy: 50,
    learningRate: 0.1,
    seconds: 1,
  });
  assert.equal(tracker.afterEpoch('x', 5, m(0, 40)), true);
  assert.deepEqual(
    { ...tracker.recordFor('x', 1), upperBound: undefined },
    {
      policy: 'front-bound',
      reason: 'dominated',
      epochsTrained: 1,
      epochsPlanned: 10,
      dominatedBy: 'cheap',
      upperBound: undefined,
    },
  );
  assert.equal(tracker.afterEpoch('y', 5, m(0, 40)), true);
  assert.equal(tracker.recordFor('y', 10), undefined, 'the stop arrived after the last epoch');
  assert.equal(tracker.afterEpoch('z', 0.5, m(0, 40)), false, 'a cheaper candidate is not blocked');
});

test('curve files: a truncated curve, a missing column and a bad number fail naming the file and place', () => {
  const csv = (rows: string[]) => {
    const f = join(tmp, `c${Math.random()}.csv`);
    writeFileSync(f, ['epoch,val_accs,arch,flops', ...rows].join('\n'));
    return f;
  };
  assert.throws(
    () => readCurveFile(csv(['0,50,1,10', '1,60,1,10', '0,55,2,12'])),
    /network 2 has 1 epochs but others have 2.*trained to the end/,
  );
  assert.throws(() => readCurveFile(csv(['0,abc,1,10'])), /row 2: val_accs is "abc", not a finite number/);
  const noFlops = join(tmp, 'noflops.csv');
  writeFileSync(noFlops, 'epoch,val_accs,arch\n0,50,1\n');
  assert.throws(() => readCurveFile(noFlops), /noflops\.csv: expected the A4NN columns .*missing flops/);
  const set = readCurveFile(join(repoRoot, 'test/fixtures/run-small/candidates.jsonl'));
  assert.ok(set.curves.length > 0 && set.curves.every((c) => c.accuracies.length === set.plannedEpochs));
});

test('shipped A4NN curves: 20 shuffled search orders keep the front gap ≤ 0.5 and save ≥ 35 % of epochs', () => {
  for (const fluence of ['1e15', '1e16']) {
    const set = readCurveFile(join(repoRoot, `test/fixtures/a4nn/1gpu_${fluence}_training_data.csv`));
    const rng = new Rng(7);
    for (let k = 0; k < 20; k++) {
      const curves = [...set.curves];
      for (let i = curves.length - 1; i > 0; i--) {
        const j = Math.floor(rng.random() * (i + 1));
        [curves[i], curves[j]] = [curves[j], curves[i]];
      }
      const r = replayCurves({ ...set, curves }, new FrontBoundTermination());
      assert.ok(r.frontGapMax <= 0.5, `${fluence} order ${k}: front gap max ${r.frontGapMax}`);
      assert.ok(r.epochsSavedPercent >= 35, `${fluence} order ${k}: saved ${r.epochsSavedPercent} %`);
    }
  }
});
