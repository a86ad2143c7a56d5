// Pareto dominance and Deb's fast non-dominated sort (all objectives minimised).

export type Objectives = readonly number[];

/** a dominates b: no worse in every objective and better in at least one (equal vectors do not). */
export function dominates(a: Objectives, b: Objectives): boolean {
  let better = false;
  for (let m = 0; m < a.length; m++) {
    if (a[m] > b[m]) return false;
    if (a[m] < b[m]) better = true;
  }
  return better;
}

/**
 * Fronts as lists of indices into F, best first. Stops once at least `stopAfter` individuals are
 * ranked (pymoo's n_stop_if_ranked), since survival never looks further.
 */
export function nonDominatedSort(F: readonly Objectives[], stopAfter = F.length): number[][] {
  const n = F.length;
  const dominatedBy: number[][] = Array.from({ length: n }, () => []);
  const dominationCount = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (dominates(F[i], F[j])) {
        dominatedBy[i].push(j);
        dominationCount[j]++;
      } else if (dominates(F[j], F[i])) {
        dominatedBy[j].push(i);
        dominationCount[i]++;
      }
    }
  }
  const fronts: number[][] = [];
  let current = F.map((_, i) => i).filter((i) => dominationCount[i] === 0);
  let ranked = 0;
  while (current.length > 0) {
    fronts.push(current);
    ranked += current.length;
    if (ranked >= stopAfter) break;
    const next: number[] = [];
    for (const i of current) {
      for (const j of dominatedBy[i]) if (--dominationCount[j] === 0) next.push(j);
    }
    current = next.sort((a, b) => a - b);
  }
  return fronts;
}

/** Indices of the non-dominated points of F. */
export function nonDominated(F: readonly Objectives[]): number[] {
  return nonDominatedSort(F, 1)[0] ?? [];
}
