// How much validation accuracy a network can still gain over its best epoch so far, as a function
// of training progress: the conservative bound the front-bound policy uses to decide that a curve
// cannot reach the Pareto front.
//
// Calibration: on the A4NN 1e15 curves (test/fixtures/a4nn/1gpu_1e15_training_data.csv, 100
// networks × 25 epochs, cosine learning rate), for each epoch e the largest
// final − max(accuracy[0..e]) over all networks. The table is indexed by progress (e+1)/25 so it
// carries over to other epoch counts with the same cosine schedule. The 1e16 curves were kept out
// of the calibration and serve as the check (README, early termination).
const CALIBRATION_EPOCHS = 25;
const MAX_GAIN_1E15 = [
  48.83, 41.76, 16.92, 11.04, 9.3, 7.29, 7.29, 6.12, 6.12, 6.12, 6.12, 4.88, 3.46, 3.34, 2.24, 1.68, 1.66, 1.36, 1.12,
  1.12, 0.57, 0.57, 0.27, 0.09, 0,
];

/** Safety factor and offset on the calibrated maximum: unseen curves may gain somewhat more. */
export const GAIN_SCALE = 1.25;
export const GAIN_OFFSET = 0.1;

/** The largest gain seen in calibration at this progress, linearly interpolated. */
export function calibratedMaxGain(epochsTrained: number, plannedEpochs: number): number {
  const progress = Math.min(1, epochsTrained / plannedEpochs);
  if (progress >= 1) return 0;
  const position = progress * CALIBRATION_EPOCHS - 1; // 0 ↔ after the first calibration epoch
  if (position <= 0) return MAX_GAIN_1E15[0];
  const below = Math.floor(position);
  const frac = position - below;
  return MAX_GAIN_1E15[below] * (1 - frac) + MAX_GAIN_1E15[below + 1] * frac;
}

/** Upper bound on the final accuracy (percent) of a curve that has trained `accuracies.length` epochs. */
export function finalAccuracyBound(accuracies: readonly number[], plannedEpochs: number): number {
  const best = Math.max(...accuracies);
  if (accuracies.length >= plannedEpochs) return accuracies[accuracies.length - 1];
  const gain = calibratedMaxGain(accuracies.length, plannedEpochs) * GAIN_SCALE + GAIN_OFFSET;
  return Math.min(100, best + gain);
}
