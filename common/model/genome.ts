// The NSGA-Net macro genome: 3 phases of N(N-1)/2 connection bits plus one skip bit each
// (NSGA-Net's macro encoding). A genome is a string of '0'/'1' characters.

export const PHASES = 3;

export class GenomeError extends Error {
  override name = 'GenomeError';
}

/** Bits per phase for N nodes: N(N-1)/2 connection bits plus the skip bit. */
export function bitsPerPhase(nodes: number): number {
  return (nodes * (nodes - 1)) / 2 + 1;
}

export function genomeLength(nodes: number, phases = PHASES): number {
  return phases * bitsPerPhase(nodes);
}

/** Index of the edge i→j (1 ≤ i < j ≤ N) inside a phase's bits: grouped by target node. */
export function edgeIndex(i: number, j: number): number {
  return ((j - 1) * (j - 2)) / 2 + (i - 1);
}

/** Checks a genome string and returns it with whitespace removed (so "0001101 1100000 ..." is fine). */
export function parseGenome(text: string, nodes: number, phases = PHASES): string {
  if (!Number.isInteger(nodes) || nodes < 2)
    throw new GenomeError(`nodes per phase must be an integer ≥ 2, got ${nodes}`);
  const bits = text.replace(/[\s_|]/g, '');
  const bad = bits.search(/[^01]/);
  if (bad >= 0) {
    throw new GenomeError(`genome "${text}" has a character other than 0 or 1 ("${bits[bad]}" at position ${bad})`);
  }
  const expected = genomeLength(nodes, phases);
  if (bits.length !== expected) {
    throw new GenomeError(
      `genome "${text}" has ${bits.length} bits; ${phases} phases of ${nodes} nodes need ${expected} ` +
        `(${bitsPerPhase(nodes)} per phase)`,
    );
  }
  return bits;
}

/** The bits of phase p (0-based). */
export function phaseBits(genome: string, nodes: number, p: number): string {
  const L = bitsPerPhase(nodes);
  return genome.slice(p * L, (p + 1) * L);
}

/** Nodes per phase implied by a genome length (inverse of genomeLength), or undefined. */
export function nodesForLength(length: number, phases = PHASES): number | undefined {
  for (let n = 2; genomeLength(n, phases) <= length; n++) if (genomeLength(n, phases) === length) return n;
  return undefined;
}
