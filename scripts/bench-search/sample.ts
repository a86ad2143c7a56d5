// Choosing the bench's sample: A4NN genome text to our bit string, and the stratified pick by MFLOPs
// (kept apart from make-sample.ts, which is a script, so the bench bundle can import it).

/** "[[0, 1, ...], [...], [...]]" → "01...": the three phase bit lists concatenated. */
export function genomeFromPhaseLists(text: string): string {
  const phases = JSON.parse(text) as number[][];
  return phases.map((p) => p.join('')).join('');
}

/** The entries at evenly spaced quantiles (i + ½)/count of a list sorted by key. */
export function stratified<T>(sorted: T[], count: number): T[] {
  if (sorted.length < count) throw new Error(`only ${sorted.length} unique genomes, need ${count}`);
  return Array.from({ length: count }, (_, i) => sorted[Math.floor(((i + 0.5) * sorted.length) / count)]);
}
