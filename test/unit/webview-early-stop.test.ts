// The explorer's marking of early-stopped candidates: a distinct point style and a tooltip line
// that says why and flags a prediction as such.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { candidatePointStyle, earlyStopLine } from '../../webview/src/model/early-stop';
import type { CandidateRecord } from '../../common/explorer/messages';

const record = (earlyStop?: CandidateRecord['earlyStop']) => ({ id: 'g1-00', earlyStop }) as CandidateRecord;

test('stopped candidates are triangles with a reason; trained ones circles without', () => {
  assert.equal(candidatePointStyle(record()), 'circle');
  assert.equal(earlyStopLine(record()), undefined);
  const dominated = record({
    policy: 'front-bound',
    reason: 'dominated',
    epochsTrained: 2,
    epochsPlanned: 15,
    dominatedBy: 'g1-03',
    upperBound: 99,
  });
  assert.equal(candidatePointStyle(dominated), 'triangle');
  assert.equal(earlyStopLine(dominated), 'stopped early after 2/15 epochs: cannot beat g1-03');
  const converged = record({
    policy: 'front-bound',
    reason: 'converged',
    epochsTrained: 9,
    epochsPlanned: 15,
    prediction: { kind: 'prediction', finalAccuracy: 97.123, plusMinus: 0.1 },
  });
  assert.equal(
    earlyStopLine(converged),
    'stopped early after 9/15 epochs: curve settled, predicted final 97.12 % (prediction)',
  );
});
