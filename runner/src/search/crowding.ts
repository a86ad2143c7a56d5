// Crowding distance as pymoo computes it: per objective, the normalised
// gap between neighbours, summed and divided by the number of objectives; boundary points and
// fronts of at most two points get INFINITE_CROWDING.
import type { Objectives } from './dominance';

/** pymoo replaces ∞ by 1e14 so distances stay finite numbers. */
export const INFINITE_CROWDING = 1e14;

/**
 * @param propagateTies NSGA-Net's variant: a run of equal values inherits its neighbours' gaps,
 * so tied points share a non-zero distance (pymoo 0.3.0's default survival turns this off).
 */
export function crowdingDistance(F: readonly Objectives[], propagateTies = false): number[] {
  const n = F.length;
  if (n <= 2) return new Array<number>(n).fill(INFINITE_CROWDING);
  const M = F[0].length;
  const crowding = new Array<number>(n).fill(0);
  for (let m = 0; m < M; m++) {
    const order = F.map((_, i) => i).sort((a, b) => F[a][m] - F[b][m] || a - b); // stable, like mergesort
    const v = order.map((i) => F[i][m]);
    const range = v[n - 1] - v[0];
    // gap[k] = v[k] − v[k−1] for k = 0..n, with −∞ before the first value and +∞ after the last.
    const gap = Array.from({ length: n + 1 }, (_, k) => (k === 0 || k === n ? Infinity : v[k] - v[k - 1]));
    const toLast = [...gap];
    const toNext = [...gap];
    if (propagateTies) {
      for (let k = 1; k <= n; k++) if (toLast[k] === 0) toLast[k] = toLast[k - 1];
      for (let k = n - 1; k >= 0; k--) if (toNext[k] === 0) toNext[k] = toNext[k + 1];
    }
    for (let k = 0; k < n; k++) {
      const before = range === 0 ? 0 : toLast[k] / range;
      const after = range === 0 ? 0 : toNext[k + 1] / range;
      crowding[order[k]] += before + after;
    }
  }
  return crowding.map((c) => (Number.isFinite(c) ? c / M : INFINITE_CROWDING));
}
