// Predicts a learning curve's final accuracy from its recent epochs: a least-squares fit of the
// saturating model accuracy(t) = a − b/(t+1) (linear in a and b) with the usual interval for the
// fitted mean at the final epoch. Noisy or still-rising curves get wide intervals, so a tight
// interval is evidence that the curve has settled.
import type { FinalAccuracyPrediction } from './policy';

/** Two-sided 97.5 % Student t quantiles for 1..10 degrees of freedom (then ≈ normal). */
const T_975 = [12.71, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];

/** Fits the last `window` accuracies and predicts the accuracy after `plannedEpochs` epochs. */
export function predictFinalAccuracy(
  accuracies: readonly number[],
  plannedEpochs: number,
  window: number,
): FinalAccuracyPrediction | undefined {
  const n = Math.min(window, accuracies.length);
  if (n < 3) return undefined;
  const first = accuracies.length - n;
  const xs = Array.from({ length: n }, (_, k) => 1 / (first + k + 1));
  const ys = accuracies.slice(first);
  const xMean = mean(xs);
  const yMean = mean(ys);
  const sxx = xs.reduce((s, x) => s + (x - xMean) ** 2, 0);
  const sxy = xs.reduce((s, x, k) => s + (x - xMean) * (ys[k] - yMean), 0);
  const slope = sxx > 0 ? sxy / sxx : 0;
  const intercept = yMean - slope * xMean;
  const residual = ys.reduce((s, y, k) => s + (y - intercept - slope * xs[k]) ** 2, 0);
  const sigma = Math.sqrt(residual / (n - 2));
  const x0 = 1 / plannedEpochs;
  const standardError = sigma * Math.sqrt(1 / n + (sxx > 0 ? (x0 - xMean) ** 2 / sxx : 0));
  const finalAccuracy = Math.min(100, intercept + slope * x0);
  return { kind: 'prediction', finalAccuracy, plusMinus: (T_975[n - 3] ?? 2) * standardError };
}

function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}
