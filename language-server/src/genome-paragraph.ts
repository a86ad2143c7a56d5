// A genome in one paragraph for its hover: per phase the active nodes and their edges, channels,
// spatial size and the skip connection, then MFLOPs and parameters. Decoded with the runner's model
// code (common/model: decode + cost), so the numbers are the ones the search will record.
import {
  cost,
  decode,
  decodePhase,
  nodesForLength,
  parseGenome,
  phaseBits,
  PHASES,
  type NetworkSpec,
  type TensorShape,
} from '../../common/model';

export interface GenomeContext {
  nodes: number;
  initChannels: number;
  /** The dataset's shape and classes on the target host; undefined when it could not be read. */
  input?: TensorShape;
  classes?: number;
  /** Why the input is unknown (shown instead of MFLOPs). */
  inputUnknown?: string;
}

/** Markdown for a genome string, or undefined when the text is not a genome at all. */
export function genomeMarkdown(text: string, ctx: GenomeContext): string | undefined {
  const bits = text.replace(/[\s_|]/g, '');
  if (bits.length < 3 || /[^01]/.test(bits)) return undefined;
  let nodes = ctx.nodes;
  let note = '';
  try {
    parseGenome(text, nodes);
  } catch (e) {
    const fits = nodesForLength(bits.length);
    if (fits === undefined) return `**Genome** (${bits.length} bits): ${(e as Error).message}`;
    note = ` (${bits.length} bits fit ${fits} nodes per phase, not search.nodes = ${nodes}: decoded with ${fits})`;
    nodes = fits;
  }
  const phases = Array.from({ length: PHASES }, (_, p) => phaseSentence(phaseBits(bits, nodes, p), nodes, p));
  const head = `**Genome** \`${bits}\`, ${PHASES} phases of ${nodes} nodes${note}.`;
  if (!ctx.input || ctx.classes === undefined) {
    return `${head} ${phases.join(' ')} MFLOPs and params need the dataset's shape: ${ctx.inputUnknown ?? 'unknown'}.`;
  }
  let spec: NetworkSpec;
  try {
    spec = decode(bits, { nodes, initChannels: ctx.initChannels, input: ctx.input, classes: ctx.classes });
  } catch (e) {
    return `${head} ${phases.join(' ')} Cannot be built for this input: ${(e as Error).message}.`;
  }
  const c = cost(spec);
  const shape = `${ctx.input.channels}×${ctx.input.height}×${ctx.input.width}`;
  const channels = spec.phases.map(
    (p) => `${p.inChannels}→${p.channels} at ${p.height}×${p.width} (phase ${p.genomePhase + 1})`,
  );
  return (
    `${head} ${phases.join(' ')} ` +
    (channels.length ? `Channels: ${channels.join(', ')}. ` : 'No active phase: global pooling over the input. ') +
    `For ${shape} input and ${ctx.classes} classes: **${c.mflops} MFLOPs**, **${c.params.toLocaleString('en-US')} params**.`
  );
}

function phaseSentence(bits: string, nodes: number, p: number): string {
  const g = decodePhase(bits, nodes);
  const name = `Phase ${p + 1}`;
  if (!g.active) return `${name}: inactive (no connection bits set), skipped.`;
  const active = Array.from({ length: nodes }, (_, i) => i + 1).filter((i) => !g.isolated.includes(i));
  const edges: string[] = [];
  for (let j = 1; j <= nodes; j++) for (const i of g.deps[j]) if (i > 0) edges.push(`${i}→${j}`);
  const skip = g.deps[nodes + 1].includes(0);
  return (
    `${name}: nodes ${active.join(', ')} active${g.isolated.length ? ` (${g.isolated.join(', ')} isolated)` : ''}` +
    `${edges.length ? `, edges ${edges.join(' ')}` : ''}, ${skip ? 'with' : 'no'} skip connection.`
  );
}
