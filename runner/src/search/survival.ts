// NSGA-II rank-and-crowding survival: whole fronts in order, the split front by crowding
// (descending, ties in random order, as pymoo's randomized argsort).
import { crowdingDistance } from './crowding';
import { nonDominatedSort, type Objectives } from './dominance';
import type { Rng } from '../rng';

export interface Survivors {
  /** Indices into F of the survivors, in survival order (front by front). */
  indices: number[];
  /** rank (0 = first front) and crowding of every survivor, aligned with `indices`. */
  rank: number[];
  crowding: number[];
}

export function rankAndCrowdingSurvival(
  F: readonly Objectives[],
  n: number,
  rng: Rng,
  propagateTies = false,
): Survivors {
  const out: Survivors = { indices: [], rank: [], crowding: [] };
  nonDominatedSort(F, n).forEach((front, rank) => {
    const remaining = n - out.indices.length;
    if (remaining <= 0) return;
    const crowding = crowdingDistance(
      front.map((i) => F[i]),
      propagateTies,
    );
    let order = front.map((_, k) => k);
    if (front.length > remaining) {
      const shuffled = rng.permutation(front.length);
      order = shuffled.sort((a, b) => crowding[b] - crowding[a]).slice(0, remaining);
    }
    for (const k of order) {
      out.indices.push(front[k]);
      out.rank.push(rank);
      out.crowding.push(crowding[k]);
    }
  });
  return out;
}
