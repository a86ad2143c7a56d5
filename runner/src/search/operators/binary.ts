// Operators on bit-string genomes, as NSGA-Net's public code runs them inside pymoo 0.3.0
// (as NSGA-Net runs them in pymoo 0.3.0): uniform random bits, two-point crossover, bit-flip mutation.
import type { Rng } from '../../rng';
import type { Crossover, DuplicateCheck, Mutation, Sampling } from './operators';

export class RandomBitSampling implements Sampling<string> {
  constructor(readonly length: number) {}
  sample(n: number, rng: Rng): string[] {
    return Array.from({ length: n }, () =>
      Array.from({ length: this.length }, () => (rng.random() < 0.5 ? '1' : '0')).join(''),
    );
  }
}

/**
 * Known genomes first (search.initialGenomes, whitespace already removed), then `inner`'s random ones
 * for the rest of the initial population. The random draws are the same whether seeds are given or
 * not, only fewer of them are taken.
 */
export class SeededSampling implements Sampling<string> {
  constructor(
    readonly seeds: string[],
    readonly inner: Sampling<string>,
  ) {}
  sample(n: number, rng: Rng): string[] {
    const known = this.seeds.slice(0, n);
    return [...known, ...this.inner.sample(n - known.length, rng)];
  }
}

/** Cut points a < b drawn from 1..n−1; child 1 takes [a, b) from parent 2, child 2 the mirror. */
export class TwoPointCrossover implements Crossover<string> {
  cross(p1: string, p2: string, rng: Rng): [string, string] {
    const n = p1.length;
    const [a, b] = rng
      .permutation(n - 1)
      .slice(0, 2)
      .map((k) => k + 1)
      .sort((x, y) => x - y);
    return [p1.slice(0, a) + p2.slice(a, b) + p1.slice(b), p2.slice(0, a) + p1.slice(a, b) + p2.slice(b)];
  }
}

/**
 * NSGA-Net's integer polynomial mutation on {0,1} selects each gene with probability 1/n and then
 * flips it with probability 8/51, so the effective per-bit rate is (8/51)/n (about 0.157 flips per
 * child). `perBitRate` overrides that rate.
 */
export const NSGANET_FLIP_GIVEN_SELECTED = 8 / 51;

export class BitFlipMutation implements Mutation<string> {
  constructor(readonly perBitRate: number) {}
  static nsganet(length: number): BitFlipMutation {
    return new BitFlipMutation(NSGANET_FLIP_GIVEN_SELECTED / length);
  }
  mutate(x: string, rng: Rng): string {
    let out = '';
    for (const bit of x) out += rng.random() < this.perBitRate ? (bit === '1' ? '0' : '1') : bit;
    return out;
  }
}

export const exactBits: DuplicateCheck<string> = { key: (x) => x };
