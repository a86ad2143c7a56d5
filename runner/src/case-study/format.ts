// Small text formats of the case study's log lines and tables.

/** 1e14 rather than 100000000000000 or 1e+14. */
export function formatFluence(f: number): string {
  return f.toExponential().replace('e+', 'e');
}

/** "1 epoch", "15 epochs". */
export function epochs(n: number): string {
  return `${n} epoch${n === 1 ? '' : 's'}`;
}
