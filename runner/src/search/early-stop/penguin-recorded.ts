// Replays the decisions PENGUIN recorded in an A4NN curve file (the first epoch it judged its
// prediction converged) as a policy, so `curves replay` can reproduce its published savings and
// serve as the baseline the front-bound policy is compared with. Replay only: it cannot run live.
import type { RecordedCurve } from './curves';
import type { CurveSoFar, EarlyStopPolicy, StopDecision } from './policy';

export class PenguinRecorded implements EarlyStopPolicy {
  readonly name = 'penguin-recorded';
  private readonly stops: Map<string, NonNullable<RecordedCurve['recordedStop']>>;

  constructor(curves: readonly RecordedCurve[]) {
    this.stops = new Map(curves.flatMap((c) => (c.recordedStop ? [[c.id, c.recordedStop] as const] : [])));
  }

  decide(curve: CurveSoFar): StopDecision | undefined {
    const stop = this.stops.get(curve.id);
    if (!stop || stop.epochsTrained !== curve.accuracies.length) return undefined;
    return {
      reason: 'converged',
      epochsTrained: stop.epochsTrained,
      prediction: { kind: 'prediction', finalAccuracy: stop.predictedFinal },
    };
  }
}
