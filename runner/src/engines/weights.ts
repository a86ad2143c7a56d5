// Weight names and layout shared by every engine, so weights exported by one load in the other.
// Files use the TF.js layout (model.json with a weightsManifest + weights.bin, float32 little-endian);
// tensors keep PyTorch's layout: conv OIHW, linear [out, in], BatchNorm weight/bias/running_mean/running_var.
import type { NetworkSpec } from '../../../common/model/spec';

export interface WeightEntry {
  name: string;
  shape: number[];
  /** Counts towards trainable parameters (BatchNorm running statistics do not). */
  trainable: boolean;
}

function bn(prefix: string, c: number): WeightEntry[] {
  return [
    { name: `${prefix}.weight`, shape: [c], trainable: true },
    { name: `${prefix}.bias`, shape: [c], trainable: true },
    { name: `${prefix}.running_mean`, shape: [c], trainable: false },
    { name: `${prefix}.running_var`, shape: [c], trainable: false },
  ];
}

/** Every tensor of the network a spec describes, in a fixed order. */
export function weightEntries(spec: NetworkSpec): WeightEntry[] {
  const out: WeightEntry[] = [];
  spec.phases.forEach((phase, j) => {
    const c = phase.channels;
    const k = phase.entryConv.kernel;
    const p = `phases.${j}`;
    out.push({ name: `${p}.entry.weight`, shape: [c, phase.inChannels, k, k], trainable: true });
    for (const node of phase.nodes) {
      const n = `${p}.nodes.${node.id}`;
      if (node.inputs.length > 1)
        out.push({ name: `${n}.merge.weight`, shape: [c, node.inputs.length * c, 1, 1], trainable: true });
      out.push({ name: `${n}.conv.weight`, shape: [c, c, 3, 3], trainable: true });
      out.push(...bn(`${n}.bn`, c));
    }
    const d = phase.output.inputs.length;
    if (d > 1) out.push({ name: `${p}.output.merge.weight`, shape: [c, d * c, 1, 1], trainable: true });
    out.push(...bn(`${p}.output.bn`, c));
  });
  out.push({ name: 'head.weight', shape: [spec.head.classes, spec.head.inChannels], trainable: true });
  out.push({ name: 'head.bias', shape: [spec.head.classes], trainable: true });
  return out;
}
