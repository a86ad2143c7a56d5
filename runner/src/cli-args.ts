// Option parsers for the `pareto-nas` commands: one set, so every command accepts and refuses
// numbers the same way. Commander prefixes the message with the option and the value given.
import { InvalidArgumentError } from 'commander';

function toNumber(value: string): number {
  return value.trim() === '' ? NaN : Number(value);
}

/** Any finite number, e.g. 1e14 or 0.2. */
export function finiteNumber(value: string): number {
  const n = toNumber(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`"${value}" is not a number`);
  return n;
}

export function integer(value: string): number {
  const n = toNumber(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`"${value}" is not an integer`);
  return n;
}

export function positiveNumber(value: string): number {
  const n = toNumber(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`"${value}" is not a positive number`);
  return n;
}

export function positiveInt(value: string): number {
  const n = toNumber(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${value}" is not a positive integer`);
  return n;
}

/** An integer of at least `min`, e.g. a population (≥ 2) or a class count (≥ 2). */
export function atLeast(min: number): (value: string) => number {
  return (value) => {
    const n = integer(value);
    if (n < min) throw new InvalidArgumentError(`"${value}" must be an integer of at least ${min}`);
    return n;
  };
}
