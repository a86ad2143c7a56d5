// The Pareto set of a run: the non-dominated candidates over (error, MFLOPs), the paper's selection
// rule "Pareto networks below a FLOPs cutoff" and the knee of the front. The one implementation of
// these rules: the runner (pareto, refine, serve), the extension (tree view, pickers) and the webview
// (explorer, report) all call it. Browser-safe: no Node imports.
import type { CandidateRecord } from './protocol';

/**
 * Whether a record takes part in the front: only networks trained here count. Failed records have no
 * accuracy, and a `reused` record copies the result of a network already in the run.
 */
export function frontEligible(r: CandidateRecord): boolean {
  return r.status === 'ok' && r.valAccuracy !== null && Number.isFinite(r.error) && Number.isFinite(r.mflops);
}

/**
 * Non-dominated eligible candidates over (error, MFLOPs), sorted by MFLOPs then error (a step line).
 * One record per network (spec hash): the first one seen. Equal objective vectors of different
 * networks do not dominate each other, so both stay. O(n log n): sort by (MFLOPs, error), then one
 * sweep keeps a point when its error beats every cheaper point's, or ties the last kept point exactly.
 */
export function paretoFront<R extends CandidateRecord>(records: Iterable<R>): R[] {
  const unique = new Map<string, R>();
  for (const r of records) if (frontEligible(r) && !unique.has(r.specHash)) unique.set(r.specHash, r);
  const pool = [...unique.values()].sort((a, b) => a.mflops - b.mflops || a.error - b.error);
  const front: R[] = [];
  let last: R | undefined;
  for (const r of pool) {
    if (!last || r.error < last.error || (r.error === last.error && r.mflops === last.mflops)) {
      front.push(r);
      last = r;
    }
  }
  return front;
}

/** The paper's cutoff rule: a network is inside the FLOPs cutoff at or below it; no cutoff (null) admits every one. */
export function withinCutoff(mflops: number, cutoffMflops: number | null): boolean {
  return cutoffMflops === null || mflops <= cutoffMflops;
}

/** The paper's selection: the Pareto networks at or below the FLOPs cutoff (all of them with no cutoff). */
export function selectBelowCutoff<P extends { mflops: number }>(front: readonly P[], cutoffMflops: number | null): P[] {
  return front.filter((r) => withinCutoff(r.mflops, cutoffMflops));
}

/**
 * The knee of a front sorted by MFLOPs: the point farthest from the straight line between its two
 * ends, with both objectives scaled to [0, 1]. Below it, more FLOPs still buy accuracy cheaply;
 * above it they buy little, which is why the paper refines the networks under such a cutoff.
 */
export function kneeOf<P extends { mflops: number; error: number }>(front: readonly P[]): P | undefined {
  if (front.length <= 2) return front.at(-1);
  const xs = front.map((r) => Math.log10(Math.max(r.mflops, 1e-6)));
  const ys = front.map((r) => r.error);
  const scale = (v: number[]) => {
    const lo = Math.min(...v);
    const span = Math.max(...v) - lo || 1;
    return v.map((x) => (x - lo) / span);
  };
  const x = scale(xs);
  const y = scale(ys);
  const n = front.length - 1;
  const [dx, dy] = [x[n] - x[0], y[n] - y[0]];
  const norm = Math.hypot(dx, dy) || 1;
  let best = 0;
  let bestDistance = -1;
  for (let i = 0; i < front.length; i++) {
    const distance = Math.abs(dy * (x[i] - x[0]) - dx * (y[i] - y[0])) / norm;
    if (distance > bestDistance) [best, bestDistance] = [i, distance];
  }
  return front[best];
}
