// Decode options recovered from a decoded spec (what `candidate/get` returns) plus the genome, so a
// panel can draw any candidate of a run without reading the run's files itself.
import { nodesForLength } from '../model/genome';
import type { DecodeOptions, NetworkSpec } from '../model/spec';

export function decodeOptionsFromSpec(
  spec: NetworkSpec,
  genome: string,
  search?: { nodes: number; initChannels: number },
): DecodeOptions {
  const bits = genome.replace(/[\s_|]/g, '').length;
  const nodes = search?.nodes ?? nodesForLength(bits);
  if (!nodes) throw new Error(`genome of ${bits} bits does not fit ${3} phases of any node count`);
  // with NSGA-Net's doubling scheme the first active phase has C channels
  const initChannels = search?.initChannels ?? spec.phases[0]?.channels ?? spec.input.channels;
  return { nodes, initChannels, input: { ...spec.input }, classes: spec.classes };
}
