// The pieces a genetic algorithm is assembled from (pymoo's vocabulary).
import type { Rng } from '../../rng';

export interface Sampling<X> {
  sample(n: number, rng: Rng): X[];
}

export interface Crossover<X> {
  /** Two children per pair of parents. */
  cross(a: X, b: X, rng: Rng): [X, X];
}

export interface Mutation<X> {
  mutate(x: X, rng: Rng): X;
}

export interface DuplicateCheck<X> {
  /** A key equal for duplicates (exact bits for genomes, rounded values for reals). */
  key(x: X): string;
}
