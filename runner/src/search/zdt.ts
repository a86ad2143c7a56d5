// ZDT1–3 test problems and the quality indicators used to validate the NSGA-II port against
// pymoo (reference bands: test/fixtures/nsganet/zdt-nsga2-reference.json): 2-D hypervolume and IGD against pymoo's 100-point front.
import { nonDominated, type Objectives } from './dominance';
import { NSGA2 } from './nsga2';
import { PolynomialMutation, RandomRealSampling, roundedReals, SimulatedBinaryCrossover } from './operators/real';

export type ZdtName = 'zdt1' | 'zdt2' | 'zdt3';
export const ZDT_NAMES: ZdtName[] = ['zdt1', 'zdt2', 'zdt3'];

const ZDT3_REGIONS: Array<[number, number]> = [
  [0, 0.0830015349],
  [0.18222878, 0.2577623634],
  [0.4093136748, 0.4538821041],
  [0.6183967944, 0.6525117038],
  [0.8233317983, 0.8518328654],
];

export function zdt(name: ZdtName, x: number[]): [number, number] {
  const f1 = x[0];
  let sum = 0;
  for (let i = 1; i < x.length; i++) sum += x[i];
  const g = 1 + (9 / (x.length - 1)) * sum;
  const r = f1 / g;
  const h =
    name === 'zdt1'
      ? 1 - Math.sqrt(r)
      : name === 'zdt2'
        ? 1 - r * r
        : 1 - Math.sqrt(r) - r * Math.sin(10 * Math.PI * f1);
  return [f1, g * h];
}

/** pymoo's reference front: 100 points (ZDT3: 20 per disconnected region). */
export function zdtParetoFront(name: ZdtName): Array<[number, number]> {
  const f2 = (f1: number): number =>
    name === 'zdt1'
      ? 1 - Math.sqrt(f1)
      : name === 'zdt2'
        ? 1 - f1 * f1
        : 1 - Math.sqrt(f1) - f1 * Math.sin(10 * Math.PI * f1);
  const xs = name === 'zdt3' ? ZDT3_REGIONS.flatMap(([a, b]) => linspace(a, b, 20)) : linspace(0, 1, 100);
  return xs.map((f1) => [f1, f2(f1)]);
}

/** Hypervolume of a 2-D minimisation set with respect to a reference point. */
export function hypervolume2d(points: readonly Objectives[], ref: [number, number]): number {
  const inside = points.filter((p) => p[0] < ref[0] && p[1] < ref[1]);
  const front = nonDominated(inside).map((i) => inside[i]);
  front.sort((a, b) => a[0] - b[0]);
  let hv = 0;
  let prevF2 = ref[1];
  for (const p of front) {
    if (p[1] >= prevF2) continue;
    hv += (ref[0] - p[0]) * (prevF2 - p[1]);
    prevF2 = p[1];
  }
  return hv;
}

/** Inverted generational distance: mean distance from each reference point to the nearest point. */
export function igd(points: readonly Objectives[], reference: readonly Objectives[]): number {
  let total = 0;
  for (const r of reference) {
    let best = Infinity;
    for (const p of points) best = Math.min(best, Math.hypot(p[0] - r[0], p[1] - r[1]));
    total += best;
  }
  return total / reference.length;
}

export interface ZdtCheck {
  problem: ZdtName;
  pop: number;
  gens: number;
  seed: number;
  hv: number;
  igd: number;
}

/** Runs NSGA-II with pymoo's defaults on a ZDT problem (n = 30) and scores the final non-dominated set. */
export function runZdtCheck(problem: ZdtName, pop = 100, gens = 250, seed = 1, nVar = 30): ZdtCheck {
  const bounds = { lower: new Array<number>(nVar).fill(0), upper: new Array<number>(nVar).fill(1) };
  const algorithm = new NSGA2<number[]>({
    popSize: pop,
    nOffspring: pop,
    sampling: new RandomRealSampling(bounds),
    crossover: new SimulatedBinaryCrossover(bounds, 15, 0.9),
    mutation: new PolynomialMutation(bounds, 20),
    duplicates: roundedReals,
    seed,
  });
  while (algorithm.generation < gens) {
    const xs = algorithm.ask().map((p) => p.x);
    algorithm.tell(
      xs,
      xs.map((x) => zdt(problem, x)),
    );
  }
  const F = algorithm.population.map((p) => p.F);
  const front = nonDominated(F).map((i) => F[i]);
  return { problem, pop, gens, seed, hv: hypervolume2d(front, [1.1, 1.1]), igd: igd(front, zdtParetoFront(problem)) };
}

function linspace(a: number, b: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
}
