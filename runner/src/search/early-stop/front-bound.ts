// The front-bound early-termination policy. After each epoch it stops a candidate when either
//  - dominated: even the conservative bound on its final accuracy (gain-bound.ts) cannot beat an
//    already evaluated network with no more MFLOPs by more than TOLERANCE points, so training on
//    cannot move the Pareto front by more than that; or
//  - converged: past half its epochs, a saturation fit predicts its final accuracy within
//    ±TOLERANCE and no more than TOLERANCE above the last measurement, so the last measurement
//    is already (nearly) what the full training would give.
// Either way NSGA-II gets the last measured accuracy as the objective (never the prediction).
import { finalAccuracyBound } from './gain-bound';
import type { CurveSoFar, EarlyStopPolicy, Evaluated, StopDecision } from './policy';
import { predictFinalAccuracy } from './saturation-fit';

/** Accuracy points the front may lose to one stopped candidate (the goal is a front gap ≤ 0.5). */
export const TOLERANCE = 0.2;
/** The converged rule waits for this share of the planned epochs (the curves are noisy before). */
export const CONVERGED_MIN_PROGRESS = 0.5;
/** Epochs the saturation fit looks at. */
export const FIT_WINDOW = 6;

export class FrontBoundTermination implements EarlyStopPolicy {
  readonly name = 'front-bound';

  decide(curve: CurveSoFar, evaluated: readonly Evaluated[]): StopDecision | undefined {
    const trained = curve.accuracies.length;
    if (trained === 0 || trained >= curve.plannedEpochs) return undefined;
    return this.dominated(curve, evaluated) ?? this.converged(curve);
  }

  private dominated(curve: CurveSoFar, evaluated: readonly Evaluated[]): StopDecision | undefined {
    const upperBound = finalAccuracyBound(curve.accuracies, curve.plannedEpochs);
    const blocker = evaluated.find(
      (e) =>
        e.id !== curve.id &&
        e.mflops <= curve.mflops &&
        (e.accuracy + TOLERANCE > upperBound || (e.accuracy + TOLERANCE >= upperBound && e.mflops < curve.mflops)),
    );
    if (!blocker) return undefined;
    return { reason: 'dominated', epochsTrained: curve.accuracies.length, upperBound, dominatedBy: blocker.id };
  }

  private converged(curve: CurveSoFar): StopDecision | undefined {
    const trained = curve.accuracies.length;
    if (trained < CONVERGED_MIN_PROGRESS * curve.plannedEpochs) return undefined;
    const prediction = predictFinalAccuracy(curve.accuracies, curve.plannedEpochs, FIT_WINDOW);
    if (!prediction || (prediction.plusMinus ?? Infinity) > TOLERANCE) return undefined;
    const last = curve.accuracies[trained - 1];
    if (prediction.finalAccuracy - last > TOLERANCE) return undefined;
    return { reason: 'converged', epochsTrained: trained, prediction };
  }
}
