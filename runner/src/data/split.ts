// Class-balanced train/validation split, fixed by a seed: within every class the same fraction goes
// to validation (80/20 by default, as in the A4NN data), then each split is shuffled.
import { Rng } from '../rng';

export const DEFAULT_VAL_FRACTION = 0.2;

/** How many of `n` items of one class go to validation. */
export function valCount(n: number, valFraction: number): number {
  if (!(valFraction >= 0 && valFraction < 1)) throw new Error(`validation fraction ${valFraction} must be in [0, 1)`);
  return Math.round(n * valFraction);
}

/** Indices of `labels` per split; every class keeps the same train/val proportion. */
export function balancedSplit(
  labels: ArrayLike<number>,
  numClasses: number,
  valFraction = DEFAULT_VAL_FRACTION,
  seed = 0,
): { train: number[]; val: number[] } {
  const rng = new Rng(seed);
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]].push(i);
  const train: number[] = [];
  const val: number[] = [];
  for (const members of byClass) {
    rng.shuffle(members);
    const nv = valCount(members.length, valFraction);
    val.push(...members.slice(0, nv));
    train.push(...members.slice(nv));
  }
  return { train: rng.shuffle(train), val: rng.shuffle(val) };
}
