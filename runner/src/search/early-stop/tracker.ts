// Early termination inside a running search: keeps each training candidate's curve as its epochs
// stream in, the networks evaluated so far (the front a candidate is measured against), asks the
// policy after every epoch, and turns its decision into the candidate record's earlyStop field.
import type { EpochMetrics } from '../../engines/engine';
import type { CandidateRecord, EarlyStopRecord } from '../../../../common/protocol';
import type { EarlyStopPolicy, Evaluated, StopDecision } from './policy';

export class EarlyStopTracker {
  private readonly evaluated: Evaluated[] = [];
  private readonly curves = new Map<string, { mflops: number; accuracies: number[] }>();
  private readonly decisions = new Map<string, StopDecision>();

  constructor(
    private readonly policy: EarlyStopPolicy,
    private readonly plannedEpochs: number,
  ) {}

  /** A finished evaluation joins the front: its objective is the accuracy recorded (last measured). */
  addEvaluated(r: CandidateRecord): void {
    if (r.valAccuracy !== null) this.evaluated.push({ id: r.id, mflops: r.mflops, accuracy: r.valAccuracy });
  }

  /** After an epoch of candidate `id`: true when its training should end now. */
  afterEpoch(id: string, mflops: number, metrics: EpochMetrics): boolean {
    const curve = this.curves.get(id) ?? { mflops, accuracies: [] };
    this.curves.set(id, curve);
    curve.accuracies[metrics.epoch] = metrics.valAccuracy;
    if (this.decisions.has(id)) return true;
    const accuracies = curve.accuracies.slice(0, metrics.epoch + 1);
    const decision = this.policy.decide({ id, mflops, accuracies, plannedEpochs: this.plannedEpochs }, this.evaluated);
    if (decision) this.decisions.set(id, decision);
    return Boolean(decision);
  }

  /**
   * The record of a stop for a training that ended with `epochsTrained` epochs; undefined when it
   * was not stopped or trained to the end anyway (the stop arrived after its last epoch).
   */
  recordFor(id: string, epochsTrained: number): EarlyStopRecord | undefined {
    const d = this.decisions.get(id);
    this.curves.delete(id);
    if (!d || epochsTrained >= this.plannedEpochs) return undefined;
    return {
      policy: this.policy.name,
      reason: d.reason,
      epochsTrained,
      epochsPlanned: this.plannedEpochs,
      ...(d.upperBound !== undefined ? { upperBound: d.upperBound } : {}),
      ...(d.dominatedBy ? { dominatedBy: d.dominatedBy } : {}),
      ...(d.prediction ? { prediction: d.prediction } : {}),
    };
  }
}
