// The network spec: the contract between the search (which decodes genomes, in TypeScript, once)
// and every training engine (which builds its network from this JSON, never from the genome).
// Node 0 of a phase is the phase input after the entry conv; nodes 1..N compute; the output
// node concatenates its inputs. See docs/network-spec.md in the README for the field reference.

export const SPEC_FORMAT = 'pareto-nas.network/1';

export interface TensorShape {
  channels: number;
  height: number;
  width: number;
}

export interface EntryConv {
  /** 3 (valid, no padding) for the first active phase, 1 for later ones. */
  kernel: 1 | 3;
  /** False when the phase's input and output channels are equal: the conv exists (its weights count
   * as parameters, as in NSGA-Net's PyTorch model) but is never applied. */
  applied: boolean;
}

export interface NodeSpec {
  /** 1..N within the phase. */
  id: number;
  /** Ordered inputs: 0 is the phase input, k is node k. More than one input means concat + 1×1 conv. */
  inputs: number[];
}

export interface PhaseSpec {
  /** Which genome phase (0-based) this active phase came from. */
  genomePhase: number;
  inChannels: number;
  channels: number;
  entryConv: EntryConv;
  /** Spatial size inside the phase (after the entry conv). */
  height: number;
  width: number;
  /** Active computation nodes (conv 3×3 no bias → BN → ReLU), in ascending id. */
  nodes: NodeSpec[];
  /** Nodes dropped because they had neither inputs nor outputs (kept for display). */
  isolated: number[];
  /** Output node: concat of inputs (then 1×1 conv if more than one) → BN → ReLU. */
  output: { inputs: number[] };
  /** 2×2 max-pool, stride 2, after this phase (every active phase but the last). */
  poolAfter: boolean;
}

export interface NetworkSpec {
  format: typeof SPEC_FORMAT;
  input: TensorShape;
  classes: number;
  /** The active phases in order; empty for the all-inactive genome (GAP over the raw input + linear). */
  phases: PhaseSpec[];
  /** Global average pooling over (poolHeight × poolWidth), then Linear(inChannels → classes) with bias. */
  head: { inChannels: number; poolHeight: number; poolWidth: number; classes: number };
}

/** How phase channels are chosen: NSGA-Net's doubling (c_in,C),(C,2C),(2C,4C) or an explicit list. */
export type ChannelScheme = 'doubling' | Array<[number, number]>;

export interface DecodeOptions {
  nodes: number;
  initChannels: number;
  input: TensorShape;
  classes: number;
  channels?: ChannelScheme;
}
