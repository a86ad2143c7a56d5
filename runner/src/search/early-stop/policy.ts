// Early termination of candidate trainings: the types a policy sees and returns, and the policy
// registry. A policy is asked after every epoch whether to stop a candidate; the search loop then
// tells the engine to end that job, and records the candidate with what it measured (never as failed).
import type { TrainingSettings } from '../../../../common/config';
import { FrontBoundTermination } from './front-bound';

/** A candidate's validation accuracies (percent) so far, one per finished epoch. */
export interface CurveSoFar {
  id: string;
  mflops: number;
  accuracies: readonly number[];
  /** Epochs the candidate would train without early termination. */
  plannedEpochs: number;
}

/** A network already evaluated in this search, with the objective NSGA-II got for it. */
export interface Evaluated {
  id: string;
  mflops: number;
  /** The objective accuracy: the last measured validation accuracy (see README, early termination). */
  accuracy: number;
}

/** A fitted estimate of the final accuracy; always a prediction, never a measurement. */
export interface FinalAccuracyPrediction {
  kind: 'prediction';
  /** Predicted validation accuracy (percent) after the planned epochs. */
  finalAccuracy: number;
  /** Half-width of the ~95 % interval around finalAccuracy (points), when the predictor gives one. */
  plusMinus?: number;
}

export type StopReason = 'dominated' | 'converged';

export interface StopDecision {
  reason: StopReason;
  /** Epochs trained when the policy decided. */
  epochsTrained: number;
  /** dominated: the bound on the accuracy it could still reach after the planned epochs. */
  upperBound?: number;
  /** dominated: the evaluated network with ≤ MFLOPs that it cannot beat by more than the tolerance. */
  dominatedBy?: string;
  prediction?: FinalAccuracyPrediction;
}

export interface EarlyStopPolicy {
  readonly name: string;
  /** Called after each epoch; a decision stops the candidate after the epoch it has just finished. */
  decide(curve: CurveSoFar, evaluated: readonly Evaluated[]): StopDecision | undefined;
}

/** The policy for a `training.earlyStop` setting; undefined for "off". */
export function createEarlyStopPolicy(setting: TrainingSettings['earlyStop']): EarlyStopPolicy | undefined {
  return setting === 'front-bound' ? new FrontBoundTermination() : undefined;
}
