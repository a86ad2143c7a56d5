// The Pareto front of the explorer: minimise MFLOPs, maximise validation accuracy.
// Only trained results count: failed records have no accuracy, and a `reused` record is a copy of a
// network already on the plot, so it never adds a second copy of the same point to the front.
import type { CandidateRecord } from '../messages';

export interface FrontPoint {
  id: string;
  mflops: number;
  accuracy: number;
}

/** Whether a record takes part in the front (and in the default selection). */
export function frontEligible(r: CandidateRecord): boolean {
  return r.status === 'ok' && r.valAccuracy !== null && Number.isFinite(r.valAccuracy) && Number.isFinite(r.mflops);
}

/**
 * The non-dominated points, ordered by MFLOPs ascending (then accuracy ascending), so they draw as a
 * step line. A point is dominated when another has ≤ MFLOPs and ≥ accuracy with one strict. Exact
 * ties (same MFLOPs and accuracy) keep the first record in input order only. O(n log n).
 */
export function paretoFrontOf(records: Iterable<CandidateRecord>): FrontPoint[] {
  const pts: Array<FrontPoint & { order: number }> = [];
  let order = 0;
  for (const r of records) {
    if (frontEligible(r)) pts.push({ id: r.id, mflops: r.mflops, accuracy: r.valAccuracy as number, order: order });
    order++;
  }
  pts.sort((a, b) => a.mflops - b.mflops || b.accuracy - a.accuracy || a.order - b.order);
  const front: FrontPoint[] = [];
  let best = -Infinity;
  for (const p of pts) {
    if (p.accuracy > best) {
      front.push({ id: p.id, mflops: p.mflops, accuracy: p.accuracy });
      best = p.accuracy;
    }
  }
  return front;
}

/** Generations present, ascending. */
export function generationsOf(records: Iterable<CandidateRecord>): number[] {
  const s = new Set<number>();
  for (const r of records) s.add(r.generation);
  return [...s].sort((a, b) => a - b);
}
