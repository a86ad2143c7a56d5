// Real-valued operators for continuous problems, as pymoo's NSGA2 defaults: random uniform
// sampling, simulated binary crossover (SBX, p = 0.9, η = 15) and polynomial mutation (η = 20, p = 1/n).
import type { Rng } from '../../rng';
import type { Crossover, DuplicateCheck, Mutation, Sampling } from './operators';

export interface Bounds {
  lower: number[];
  upper: number[];
}

export class RandomRealSampling implements Sampling<number[]> {
  constructor(readonly bounds: Bounds) {}
  sample(n: number, rng: Rng): number[][] {
    const { lower, upper } = this.bounds;
    return Array.from({ length: n }, () => lower.map((lo, i) => lo + rng.random() * (upper[i] - lo)));
  }
}

export class SimulatedBinaryCrossover implements Crossover<number[]> {
  constructor(
    readonly bounds: Bounds,
    readonly eta = 15,
    readonly probability = 0.9,
    readonly perVariable = 0.5,
  ) {}

  cross(a: number[], b: number[], rng: Rng): [number[], number[]] {
    const c1 = [...a];
    const c2 = [...b];
    if (rng.random() > this.probability) return [c1, c2];
    const { lower, upper } = this.bounds;
    const e = this.eta + 1;
    for (let i = 0; i < a.length; i++) {
      if (rng.random() > this.perVariable || Math.abs(a[i] - b[i]) <= 1e-14) continue;
      const y1 = Math.min(a[i], b[i]);
      const y2 = Math.max(a[i], b[i]);
      const xl = lower[i];
      const xu = upper[i];
      const u = rng.random();
      const spread = (beta: number) => {
        const alpha = 2 - beta ** -e;
        return u <= 1 / alpha ? (u * alpha) ** (1 / e) : (1 / (2 - u * alpha)) ** (1 / e);
      };
      const lo = 0.5 * (y1 + y2 - spread(1 + (2 * (y1 - xl)) / (y2 - y1)) * (y2 - y1));
      const hi = 0.5 * (y1 + y2 + spread(1 + (2 * (xu - y2)) / (y2 - y1)) * (y2 - y1));
      const [v1, v2] = rng.random() < 0.5 ? [hi, lo] : [lo, hi];
      c1[i] = clamp(v1, xl, xu);
      c2[i] = clamp(v2, xl, xu);
    }
    return [c1, c2];
  }
}

export class PolynomialMutation implements Mutation<number[]> {
  constructor(
    readonly bounds: Bounds,
    readonly eta = 20,
    readonly perVariable?: number,
  ) {}

  mutate(x: number[], rng: Rng): number[] {
    const p = this.perVariable ?? 1 / x.length;
    const { lower, upper } = this.bounds;
    const power = 1 / (this.eta + 1);
    return x.map((v, i) => {
      if (rng.random() >= p) return v;
      const xl = lower[i];
      const xu = upper[i];
      const d1 = (v - xl) / (xu - xl);
      const d2 = (xu - v) / (xu - xl);
      const u = rng.random();
      let dq: number;
      if (u < 0.5) {
        const val = 2 * u + (1 - 2 * u) * (1 - d1) ** (this.eta + 1);
        dq = val ** power - 1;
      } else {
        const val = 2 * (1 - u) + 2 * (u - 0.5) * (1 - d2) ** (this.eta + 1);
        dq = 1 - val ** power;
      }
      return clamp(v + dq * (xu - xl), xl, xu);
    });
  }
}

/** Real vectors closer than 1e-12 per coordinate count as duplicates. */
export const roundedReals: DuplicateCheck<number[]> = { key: (x) => x.map((v) => v.toExponential(11)).join(',') };

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
