// The learning-rate schedules of the training loop (the torch worker's lr_at computes the same):
// 'cosine' steps once per epoch as NSGA-Net does; 'cosine-step' follows the same curve per batch,
// so a short training ends near zero instead of at half the rate after 2 epochs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TrainingSettings } from '../../common/config';
import { learningRate } from '../../runner/src/engines/tfjs/train';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} ≠ ${b}`);

test('cosine: one rate per epoch, lr/2 (1 + cos(pi e/E))', () => {
  const t = TrainingSettings.parse({ epochs: 2, learningRate: 0.1 });
  close(learningRate(t, 0), 0.1);
  close(learningRate(t, 0.9), 0.1);
  close(learningRate(t, 1), 0.05);
  close(learningRate(t, 1.99), 0.05);
});

test('cosine-step: the same curve at the batch’s fractional epoch, near zero at the end', () => {
  const t = TrainingSettings.parse({ epochs: 2, learningRate: 0.1, schedule: 'cosine-step' });
  close(learningRate(t, 0), 0.1);
  close(learningRate(t, 1), 0.05);
  close(learningRate(t, 1.5), 0.05 * (1 + Math.cos(0.75 * Math.PI)));
  assert.ok(learningRate(t, 1.99) < 0.001);
});

test('constant: the configured rate throughout', () => {
  const t = TrainingSettings.parse({ epochs: 3, learningRate: 0.02, schedule: 'constant' });
  for (const p of [0, 1.5, 2.9]) close(learningRate(t, p), 0.02);
});
