// The Pareto front of the explorer: minimise MFLOPs, maximise validation accuracy.
// Only trained results count: failed records have no accuracy, and a `reused` record is a copy of a
// network already on the plot, so it never adds a second copy of the same network to the front.
import type { CandidateRecord } from '../messages';

export interface FrontPoint {
  id: string;
  mflops: number;
  accuracy: number;
}

/** Whether a record takes part in the front (and in the default selection). */
export function frontEligible(r: CandidateRecord): boolean {
  return r.status === 'ok' && r.valAccuracy !== null && Number.isFinite(r.error) && Number.isFinite(r.mflops);
}

/**
 * The non-dominated networks over the search's objectives (error, MFLOPs), ordered by MFLOPs so they
 * draw as a step line. Same rule as runner/src/search/pareto.ts `paretoFront` (one record per network
 * spec, equal objective vectors do not dominate each other), in O(n log n) instead of O(n²), since the
 * explorer recomputes it on every live update of runs with thousands of candidates.
 */
export function paretoFrontOf(records: Iterable<CandidateRecord>): FrontPoint[] {
  const unique = new Map<string, CandidateRecord>();
  for (const r of records) if (frontEligible(r) && !unique.has(r.specHash)) unique.set(r.specHash, r);
  const pts = [...unique.values()];
  pts.sort((a, b) => a.mflops - b.mflops || a.error - b.error);
  const front: FrontPoint[] = [];
  let best = Infinity;
  let lastMflops = NaN;
  for (const r of pts) {
    if (r.error < best || (r.error === best && r.mflops === lastMflops)) {
      front.push({ id: r.id, mflops: r.mflops, accuracy: r.valAccuracy as number });
      best = r.error;
      lastMflops = r.mflops;
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
