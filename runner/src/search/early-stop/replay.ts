// Replays complete learning curves in search order through an early-termination policy and
// measures what it would have cost: epochs saved, |predicted − final| where it predicted, and the
// front gap: for each network on the true front (final accuracy vs MFLOPs), the accuracy it loses
// against the best objective the early-stopped search keeps at ≤ its MFLOPs. A stopped network
// counts with its objective, the last measured accuracy (the value NSGA-II gets).
import type { CurveSet } from './curves';
import type { EarlyStopPolicy, Evaluated, StopDecision } from './policy';

export interface ReplayedNetwork {
  id: string;
  mflops: number;
  epochsTrained: number;
  finalAccuracy: number;
  /** The objective accuracy the search keeps: the last measured one. */
  objective: number;
  decision?: StopDecision;
}

export interface ReplayReport {
  policy: string;
  plannedEpochs: number;
  epochsSavedPercent: number;
  stopped: { dominated: number; converged: number };
  frontGapMean: number;
  frontGapMax: number;
  /** Mean and max |predicted − final| over the networks stopped with a prediction; null when none. */
  predictionErrorMean: number | null;
  predictionErrorMax: number | null;
  predictions: number;
  trueFront: string[];
  skipped: number;
  networks: ReplayedNetwork[];
}

export function replayCurves(set: CurveSet, policy: EarlyStopPolicy): ReplayReport {
  const T = set.plannedEpochs;
  const evaluated: Evaluated[] = [];
  const networks = set.curves.map((curve): ReplayedNetwork => {
    let decision: StopDecision | undefined;
    let trained = 0;
    while (trained < T && !decision) {
      trained++;
      decision = policy.decide(
        { id: curve.id, mflops: curve.mflops, accuracies: curve.accuracies.slice(0, trained), plannedEpochs: T },
        evaluated,
      );
    }
    const objective = curve.accuracies[trained - 1];
    evaluated.push({ id: curve.id, mflops: curve.mflops, accuracy: objective });
    return {
      id: curve.id,
      mflops: curve.mflops,
      epochsTrained: trained,
      finalAccuracy: curve.accuracies[T - 1],
      objective,
      decision,
    };
  });
  const gaps = frontGaps(networks);
  const errors = networks.flatMap((n) =>
    n.decision?.prediction ? [Math.abs(n.decision.prediction.finalAccuracy - n.finalAccuracy)] : [],
  );
  const trainedEpochs = networks.reduce((s, n) => s + n.epochsTrained, 0);
  return {
    policy: policy.name,
    plannedEpochs: T,
    epochsSavedPercent: 100 * (1 - trainedEpochs / (networks.length * T)),
    stopped: {
      dominated: networks.filter((n) => n.decision?.reason === 'dominated').length,
      converged: networks.filter((n) => n.decision?.reason === 'converged').length,
    },
    frontGapMean: mean(gaps.map((g) => g.gap)),
    frontGapMax: Math.max(...gaps.map((g) => g.gap)),
    predictionErrorMean: errors.length ? mean(errors) : null,
    predictionErrorMax: errors.length ? Math.max(...errors) : null,
    predictions: errors.length,
    trueFront: gaps.map((g) => g.id),
    skipped: set.skipped,
    networks,
  };
}

/** The front gap of every network on the true (final accuracy, MFLOPs) Pareto front. */
export function frontGaps(networks: readonly ReplayedNetwork[]): Array<{ id: string; gap: number }> {
  const front = networks.filter((a) => !networks.some((b) => dominates(b, a)));
  return front.map((a) => {
    const kept = Math.max(...networks.filter((b) => b.mflops <= a.mflops).map((b) => b.objective));
    return { id: a.id, gap: Math.max(0, a.finalAccuracy - kept) };
  });
}

function dominates(b: ReplayedNetwork, a: ReplayedNetwork): boolean {
  return (
    b.finalAccuracy >= a.finalAccuracy &&
    b.mflops <= a.mflops &&
    (b.finalAccuracy > a.finalAccuracy || b.mflops < a.mflops)
  );
}

function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}
