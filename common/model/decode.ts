// Genome → network spec, exactly as NSGA-Net's residual macro decoder (root/leaf repair, channels by active phase).
import { edgeIndex, parseGenome, phaseBits, PHASES } from './genome';
import { SPEC_FORMAT, type ChannelScheme, type DecodeOptions, type NetworkSpec, type PhaseSpec } from './spec';

/** The repaired DAG of one phase: deps[k] for k = 0..N+1 (0 and the unused slots stay empty). */
export interface PhaseGraph {
  active: boolean;
  /** deps[k] for nodes 1..N and the output node N+1, after root/leaf repair (first pass if inactive). */
  deps: number[][];
  isolated: number[];
}

/** Decodes one phase's bits into its repaired dependency graph. */
export function decodePhase(bits: string, nodes: number): PhaseGraph {
  const N = nodes;
  const bit = (i: number, j: number) => bits[edgeIndex(i, j)] === '1';
  const deps: number[][] = Array.from({ length: N + 2 }, () => []);
  for (let j = 2; j <= N; j++) for (let i = 1; i < j; i++) if (bit(i, j)) deps[j].push(i);
  if (bits[bits.length - 1] === '1') deps[N + 1].push(0);

  const active = bits.slice(0, -1).includes('1');
  if (!active) return { active, deps, isolated: [] };

  const hasInput = (i: number) => deps[i].length > 0;
  const hasOutput = (i: number) => deps.some((d, j) => j > i && d.includes(i));
  const noInput = range(1, N).filter((i) => !hasInput(i));
  const noOutput = range(1, N).filter((i) => !hasOutput(i));
  const isolated = noInput.filter((i) => noOutput.includes(i));
  for (const i of noOutput) if (!isolated.includes(i)) deps[N + 1].push(i); // leaves feed the output
  for (const i of noInput) if (!isolated.includes(i)) deps[i] = [0]; // roots read the phase input
  return { active, deps, isolated };
}

/** Channel tuples (in, out) for the k active phases, assigned by position among the active phases. */
export function phaseChannels(
  scheme: ChannelScheme,
  inChannels: number,
  C: number,
  k: number,
): Array<[number, number]> {
  if (scheme === 'doubling') {
    return range(0, k - 1).map((j) => [j === 0 ? inChannels : C * 2 ** (j - 1), C * 2 ** j]);
  }
  if (scheme.length < k) throw new Error(`channel list has ${scheme.length} entries; ${k} active phases need ${k}`);
  return scheme.slice(0, k);
}

export function decode(genomeText: string, options: DecodeOptions): NetworkSpec {
  const { nodes, input, classes } = options;
  const genome = parseGenome(genomeText, nodes);
  const graphs = range(0, PHASES - 1).map((p) => ({ p, graph: decodePhase(phaseBits(genome, nodes, p), nodes) }));
  const active = graphs.filter((g) => g.graph.active);
  const channels = phaseChannels(options.channels ?? 'doubling', input.channels, options.initChannels, active.length);

  let h = input.height;
  let w = input.width;
  const phases: PhaseSpec[] = active.map(({ p, graph }, j) => {
    const [inChannels, c] = channels[j];
    const kernel = j === 0 ? 3 : 1;
    const applied = inChannels !== c;
    if (applied) {
      h -= kernel - 1;
      w -= kernel - 1;
    }
    if (h < 1 || w < 1) throw new Error(`input ${input.height}×${input.width} is too small for phase ${j + 1}`);
    const phase: PhaseSpec = {
      genomePhase: p,
      inChannels,
      channels: c,
      entryConv: { kernel, applied },
      height: h,
      width: w,
      nodes: range(1, nodes)
        .filter((i) => graph.deps[i].length > 0)
        .map((i) => ({ id: i, inputs: graph.deps[i] })),
      isolated: graph.isolated,
      output: { inputs: graph.deps[nodes + 1] },
      poolAfter: j < active.length - 1,
    };
    if (phase.poolAfter) {
      h = Math.floor(h / 2);
      w = Math.floor(w / 2);
    }
    return phase;
  });
  const last = phases.at(-1);
  return {
    format: SPEC_FORMAT,
    input: { ...input },
    classes,
    phases,
    head: { inChannels: last ? last.channels : input.channels, poolHeight: h, poolWidth: w, classes },
  };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}
