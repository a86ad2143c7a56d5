// FLOPs and parameters of a network spec by NSGA-Net's counting rule (nsganet-macro-spec §2.1–2.2):
// conv and linear multiply-accumulates, BatchNorm 2 per element, ReLU 1 per element, pooling counts
// its input elements, concat + 1×1 processors. Integer arithmetic, reported in millions to 4 decimals.
import type { NetworkSpec } from './spec';

export interface Cost {
  /** Exact count, as NSGA-Net's counter reports it. */
  flops: number;
  /** flops / 1e6 rounded to 4 decimals: the search objective. */
  mflops: number;
  params: number;
}

export function cost(spec: NetworkSpec): Cost {
  let flops = 0;
  let params = 0;
  for (const phase of spec.phases) {
    const c = phase.channels;
    const S = phase.height * phase.width;
    const k = phase.entryConv.kernel;
    params += k * k * phase.inChannels * c; // the entry conv's weights count even when it is not applied
    if (phase.entryConv.applied) flops += k * k * phase.inChannels * c * S;
    for (const node of phase.nodes) {
      flops += 9 * c * c * S + 3 * c * S; // conv 3×3 + BN + ReLU
      params += 9 * c * c + 2 * c;
      flops += processor(node.inputs.length, c, S);
      params += processor(node.inputs.length, c, 1);
    }
    flops += 3 * c * S; // output BN + ReLU
    params += 2 * c;
    flops += processor(phase.output.inputs.length, c, S);
    params += processor(phase.output.inputs.length, c, 1);
    if (phase.poolAfter) flops += c * S;
  }
  const { inChannels, poolHeight, poolWidth, classes } = spec.head;
  flops += inChannels * poolHeight * poolWidth + inChannels * classes;
  params += inChannels * classes + classes;
  return { flops, mflops: Math.round(flops / 100) / 1e4, params };
}

/** The 1×1 conv that merges d concatenated inputs of c channels (none for a single input). */
function processor(d: number, c: number, S: number): number {
  return d > 1 ? d * c * c * S : 0;
}
