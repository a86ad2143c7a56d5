// NSGA-II as an ask/tell algorithm over any problem with M minimised objectives. The caller
// evaluates what `ask()` returns (in parallel, remotely, from a record on resume) and hands the
// objectives back with `tell()`. Every random choice comes from a stream derived from
// (seed, generation), so replaying the same evaluations reproduces the same search.
import type { Objectives } from './dominance';
import type { Crossover, DuplicateCheck, Mutation, Sampling } from './operators/operators';
import { Rng } from '../rng';
import { binaryTournament } from './selection';
import { rankAndCrowdingSurvival } from './survival';

export interface Individual<X> {
  x: X;
  F: Objectives;
  rank: number;
  crowding: number;
}

export interface Proposal<X> {
  x: X;
  /** Indices into the current population (empty for the initial sample). */
  parents: number[];
}

export interface NSGA2Options<X> {
  popSize: number;
  nOffspring: number;
  sampling: Sampling<X>;
  crossover: Crossover<X>;
  mutation: Mutation<X>;
  duplicates: DuplicateCheck<X>;
  seed: number;
  /** NSGA-Net's crowding variant (tied values share their neighbours' gaps). */
  propagateTies?: boolean;
  /** Mating rounds before giving up on filling the offspring with non-duplicates (pymoo: 100). */
  maxMatingRounds?: number;
}

export class NSGA2<X> {
  population: Individual<X>[] = [];
  /** Completed generations; the evaluated initial population is generation 1. */
  generation = 0;

  constructor(readonly options: NSGA2Options<X>) {}

  /** The candidates of generation `this.generation + 1`. */
  ask(): Array<Proposal<X>> {
    const rng = new Rng(this.options.seed, 'mating', this.generation + 1);
    if (this.generation === 0) {
      return this.options.sampling.sample(this.options.popSize, rng).map((x) => ({ x, parents: [] }));
    }
    return this.mate(rng);
  }

  /**
   * Objectives of the proposals from the last ask(), in the same order; runs survival. Returns the
   * survivors as indices into [...previous population, ...xs], in their new population order.
   */
  tell(xs: X[], F: Objectives[]): number[] {
    if (xs.length !== F.length) throw new Error(`tell: ${xs.length} candidates but ${F.length} objective vectors`);
    const merged = [...this.population.map((p) => ({ x: p.x, F: p.F })), ...xs.map((x, i) => ({ x, F: F[i] }))];
    const rng = new Rng(this.options.seed, 'survival', this.generation + 1);
    const s = rankAndCrowdingSurvival(
      merged.map((m) => m.F),
      this.options.popSize,
      rng,
      this.options.propagateTies,
    );
    this.population = s.indices.map((i, k) => ({ ...merged[i], rank: s.rank[k], crowding: s.crowding[k] }));
    this.generation++;
    return s.indices;
  }

  /** Tournament → crossover → mutation → duplicate elimination until nOffspring are accepted. */
  private mate(rng: Rng): Array<Proposal<X>> {
    const { nOffspring, crossover, mutation, duplicates } = this.options;
    const seen = new Set(this.population.map((p) => duplicates.key(p.x)));
    const accepted: Array<Proposal<X>> = [];
    for (let round = 0; round < (this.options.maxMatingRounds ?? 100) && accepted.length < nOffspring; round++) {
      const remaining = nOffspring - accepted.length;
      const pairs = binaryTournament(this.population, Math.ceil(remaining / 2), rng);
      const first: Array<Proposal<X>> = [];
      const second: Array<Proposal<X>> = [];
      for (const [a, b] of pairs) {
        const [c1, c2] = crossover.cross(this.population[a].x, this.population[b].x, rng);
        first.push({ x: c1, parents: [a, b] });
        second.push({ x: c2, parents: [a, b] });
      }
      const batch = [...first, ...second].map((c) => ({ ...c, x: mutation.mutate(c.x, rng) }));
      const fresh = batch.filter((c) => {
        const key = duplicates.key(c.x);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      accepted.push(...fresh.slice(0, remaining));
    }
    return accepted;
  }
}
