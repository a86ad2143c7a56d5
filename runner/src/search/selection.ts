// Binary tournament as NSGA-Net uses it (pymoo 'comp_by_dom_and_crowding'): the dominating
// individual wins, else the one with larger crowding distance, else a coin flip.
import { dominates, type Objectives } from './dominance';
import type { Rng } from '../rng';

export interface Ranked {
  F: Objectives;
  crowding: number;
}

/**
 * Picks `nMatings` pairs of parents (indices into pop). Competitors come from concatenated random
 * permutations of the population, as pymoo draws them.
 */
export function binaryTournament(pop: readonly Ranked[], nMatings: number, rng: Rng): Array<[number, number]> {
  const needed = nMatings * 2 * 2;
  const draws: number[] = [];
  while (draws.length < needed) draws.push(...rng.permutation(pop.length));
  const winners: number[] = [];
  for (let k = 0; k < nMatings * 2; k++) winners.push(compete(pop, draws[2 * k], draws[2 * k + 1], rng));
  return Array.from({ length: nMatings }, (_, m) => [winners[2 * m], winners[2 * m + 1]]);
}

function compete(pop: readonly Ranked[], a: number, b: number, rng: Rng): number {
  if (dominates(pop[a].F, pop[b].F)) return a;
  if (dominates(pop[b].F, pop[a].F)) return b;
  if (pop[a].crowding > pop[b].crowding) return a;
  if (pop[b].crowding > pop[a].crowding) return b;
  return rng.random() < 0.5 ? a : b;
}
