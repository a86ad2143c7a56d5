// The network of a NetworkSpec in TF.js, built by a small declarative builder: the spec becomes a
// list of parameters (names and PyTorch shapes from weights.ts) and a forward function that walks
// the phases. Tensors are NHWC; conv weights live as HWIO and linear weights as [in, out] inside,
// and are converted to the shared PyTorch layout (OIHW, [out, in]) only on save/load.
import type { NetworkSpec, PhaseSpec } from '../../../../common/model/spec';
import { weightEntries, type WeightEntry } from '../weights';
import { batchNormRelu, type BatchNormParams } from './batchnorm';
import { tf, type Tensor, type Tensor2D, type Tensor4D, type Variable } from './tf';
import { Rng } from '../../rng';

/** How a tensor's PyTorch layout maps to the one used here. */
export type Layout = 'conv' | 'linear' | 'vector';

export interface Param {
  /** The shared name from weights.ts, e.g. "phases.0.nodes.1.conv.weight". */
  name: string;
  /** Shape in the PyTorch layout (as saved). */
  torchShape: number[];
  layout: Layout;
  trainable: boolean;
  variable: Variable;
}

export const BN_EPS = 1e-5;
export const BN_MOMENTUM = 0.1;

/** PyTorch-layout tensor → the layout used here (conv OIHW → HWIO, linear [out,in] → [in,out]). */
export function fromTorchLayout(t: Tensor, layout: Layout): Tensor {
  if (layout === 'conv') return tf().transpose(t, [2, 3, 1, 0]);
  if (layout === 'linear') return tf().transpose(t, [1, 0]);
  return t.clone();
}

export function toTorchLayout(t: Tensor, layout: Layout): Tensor {
  if (layout === 'conv') return tf().transpose(t, [3, 2, 0, 1]);
  if (layout === 'linear') return tf().transpose(t, [1, 0]);
  return t.clone();
}

function layoutOf(entry: WeightEntry): Layout {
  if (entry.shape.length === 4) return 'conv';
  if (entry.shape.length === 2) return 'linear';
  return 'vector';
}

/** Seeded uniform generator: the same seed gives the same initial weights and batch order. */
export function seededRandom(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.random();
}

/** PyTorch's default initialisation, in the PyTorch layout: conv and linear weights (kaiming uniform,
 * a=√5) and linear bias U(±1/√fan_in); BatchNorm weight 1, bias 0, running mean 0, running var 1. */
function initialValues(entry: WeightEntry, shapes: Map<string, number[]>, random: () => number): Float32Array {
  const size = entry.shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  const uniform = (bound: number) => {
    for (let i = 0; i < size; i++) values[i] = (random() * 2 - 1) * bound;
  };
  const n = entry.name;
  if (n.endsWith('.running_var') || (n.includes('.bn.') && n.endsWith('.weight'))) values.fill(1);
  else if (n.endsWith('.running_mean') || (n.includes('.bn.') && n.endsWith('.bias'))) values.fill(0);
  else if (entry.shape.length === 4) uniform(1 / Math.sqrt(entry.shape[1] * entry.shape[2] * entry.shape[3]));
  else if (entry.shape.length === 2) uniform(1 / Math.sqrt(entry.shape[1]));
  else if (n === 'head.bias') uniform(1 / Math.sqrt(shapes.get('head.weight')![1]));
  else throw new Error(`no initialiser for weight ${n}`);
  return values;
}

let networkCounter = 0;

export class TfjsNetwork {
  readonly params = new Map<string, Param>();
  /** Unique prefix of this network's TF.js variable names (they are global per process). */
  readonly id = `net${++networkCounter}`;
  private readonly bns = new Map<string, BatchNormParams>();

  constructor(
    readonly spec: NetworkSpec,
    seed = 0,
  ) {
    const entries = weightEntries(spec);
    const shapes = new Map(entries.map((e) => [e.name, e.shape]));
    const random = seededRandom(seed);
    for (const entry of entries) {
      const layout = layoutOf(entry);
      const values = initialValues(entry, shapes, random);
      const variable = tf().tidy(() =>
        tf().variable(
          fromTorchLayout(tf().tensor(values, entry.shape, 'float32'), layout),
          entry.trainable,
          `${this.id}/${entry.name}`,
        ),
      );
      this.params.set(entry.name, {
        name: entry.name,
        torchShape: entry.shape,
        layout,
        trainable: entry.trainable,
        variable,
      });
    }
    for (const name of this.params.keys()) {
      if (!name.endsWith('.running_mean')) continue;
      const prefix = name.slice(0, -'.running_mean'.length);
      this.bns.set(prefix, {
        weight: this.v(`${prefix}.weight`),
        bias: this.v(`${prefix}.bias`),
        runningMean: this.v(`${prefix}.running_mean`),
        runningVar: this.v(`${prefix}.running_var`),
        eps: BN_EPS,
        momentum: BN_MOMENTUM,
      });
    }
  }

  private v(name: string): Variable {
    const p = this.params.get(name);
    if (!p) throw new Error(`network has no weight ${name}`);
    return p.variable;
  }

  /** Trainable parameters, counted from the built variables. */
  countParams(): number {
    let n = 0;
    for (const p of this.params.values()) if (p.trainable) n += p.variable.size;
    return n;
  }

  trainableVariables(): Variable[] {
    return [...this.params.values()].filter((p) => p.trainable).map((p) => p.variable);
  }

  /** Logits [batch, classes] of an NHWC batch. training: BatchNorm uses (and updates) batch statistics. */
  forward(x: Tensor4D, training: boolean): Tensor2D {
    const t = tf();
    const { input } = this.spec;
    if (x.rank !== 4 || x.shape[3] !== input.channels || x.shape[1] !== input.height || x.shape[2] !== input.width) {
      throw new Error(
        `input batch ${x.shape} does not match the network's input [N,${input.height},${input.width},${input.channels}] (NHWC)`,
      );
    }
    let h: Tensor4D = x;
    this.spec.phases.forEach((phase, j) => {
      h = this.phase(h, phase, j, training);
      if (phase.poolAfter) h = t.maxPool(h, 2, 2, 'valid');
    });
    const pooled = t.mean(h, [1, 2]) as Tensor2D;
    return t.add(t.matMul(pooled, this.v('head.weight')), this.v('head.bias'));
  }

  private phase(x: Tensor4D, phase: PhaseSpec, j: number, training: boolean): Tensor4D {
    const t = tf();
    const p = `phases.${j}`;
    const outputs = new Map<number, Tensor4D>();
    // The entry conv (3×3 valid for the first phase, 1×1 later) runs only when channels change.
    outputs.set(0, phase.entryConv.applied ? t.conv2d(x, this.v(`${p}.entry.weight`) as Tensor4D, 1, 'valid') : x);
    const gather = (inputs: number[], merge: string): Tensor4D => {
      const parts = inputs.map((k) => {
        const o = outputs.get(k);
        if (!o) throw new Error(`${p}: input ${k} is not computed before its use`);
        return o;
      });
      if (parts.length === 1) return parts[0];
      return t.conv2d(t.concat4d(parts, 3), this.v(merge) as Tensor4D, 1, 'valid');
    };
    for (const node of phase.nodes) {
      const n = `${p}.nodes.${node.id}`;
      const input = gather(node.inputs, `${n}.merge.weight`);
      const conv = t.conv2d(input, this.v(`${n}.conv.weight`) as Tensor4D, 1, 'same');
      outputs.set(node.id, batchNormRelu(conv, this.bns.get(`${n}.bn`)!, training));
    }
    const out = gather(phase.output.inputs, `${p}.output.merge.weight`);
    return batchNormRelu(out, this.bns.get(`${p}.output.bn`)!, training);
  }

  dispose(): void {
    for (const p of this.params.values()) p.variable.dispose();
    this.params.clear();
    this.bns.clear();
  }
}
