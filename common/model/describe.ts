// A network spec as readable text, for `pareto-nas inspect` and logs.
import { cost } from './cost';
import type { NetworkSpec } from './spec';

export function describeSpec(spec: NetworkSpec): string {
  const { input, head } = spec;
  const c = cost(spec);
  const name = (k: number) => (k === 0 ? 'input' : `node ${k}`);
  const merge = (inputs: number[]) =>
    inputs.length > 1 ? `concat(${inputs.map(name).join(', ')}) → 1×1 conv` : name(inputs[0]);
  const lines = [
    `input ${input.channels}×${input.height}×${input.width} → ${spec.classes} classes; ` +
      `${c.mflops} MFLOPs, ${c.params.toLocaleString('en-US')} params`,
  ];
  spec.phases.forEach((p, j) => {
    const entry = p.entryConv.applied ? `entry conv ${p.entryConv.kernel}×${p.entryConv.kernel}` : 'no entry conv';
    lines.push(
      `phase ${j + 1} (genome phase ${p.genomePhase + 1}): ${p.inChannels}→${p.channels} channels, ${entry}, ${p.height}×${p.width}`,
    );
    for (const node of p.nodes) lines.push(`  node ${node.id} ← ${merge(node.inputs)} → conv 3×3 → BN → ReLU`);
    lines.push(`  output ← ${merge(p.output.inputs)} → BN → ReLU`);
    if (p.isolated.length) lines.push(`  isolated (dropped): ${p.isolated.map(name).join(', ')}`);
    if (p.poolAfter) lines.push(`  max-pool 2×2 → ${Math.floor(p.height / 2)}×${Math.floor(p.width / 2)}`);
  });
  if (spec.phases.length === 0) lines.push('no active phase: the body is the identity');
  lines.push(
    `head: global average pool ${head.poolHeight}×${head.poolWidth} → linear ${head.inChannels}→${head.classes}`,
  );
  return lines.join('\n');
}
