// The explorer's view of the Pareto front. The rule itself (which records count, one per network,
// dominance over error and MFLOPs, order) is common/pareto.ts `paretoFront`, the one
// implementation shared by runner, extension and webview; this file only shapes its result for drawing.
import { frontEligible, paretoFront } from '../pareto';
import type { CandidateRecord } from './messages';

export { frontEligible };

export interface FrontPoint {
  id: string;
  mflops: number;
  accuracy: number;
  /** 100 − accuracy: the objective the search minimises. */
  error: number;
}

/** The front as plot points, ordered by MFLOPs so they draw as a step line. */
export function paretoFrontOf(records: Iterable<CandidateRecord>): FrontPoint[] {
  return paretoFront(records).map((r) => ({
    id: r.id,
    mflops: r.mflops,
    accuracy: r.valAccuracy as number,
    error: r.error,
  }));
}

/** Generations present, ascending. */
export function generationsOf(records: Iterable<CandidateRecord>): number[] {
  const s = new Set<number>();
  for (const r of records) s.add(r.generation);
  return [...s].sort((a, b) => a - b);
}
