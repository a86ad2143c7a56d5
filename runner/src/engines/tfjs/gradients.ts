// Gradients of the kernels the network puts on the tape. The node build of tfjs-core ships no
// gradient registry (the full @tensorflow/tfjs package adds one; tfjs-node brings it along), so the
// engine registers its own for exactly the kernels it uses, and only where none is registered yet.
// Each one routes through engine().runKernel, so the backend's (or kernels.ts's) kernels do the work.
// BatchNorm+ReLU and the cross-entropy loss carry their own custom gradients.
import { tf, type Tensor, type Tensor4D, type TF } from './tf';

type GradConfig = Parameters<TF['registerGradient']>[0];
type NamedAttrs = Record<string, unknown>;

function reduceTo(t: TF, dy: Tensor, shape: number[]): Tensor {
  const axes = t.backend_util.getReductionAxes(shape, dy.shape);
  return t.reshape(axes.length > 0 ? t.sum(dy, axes) : dy, shape);
}

function configs(t: TF): GradConfig[] {
  const run = (name: string, inputs: Record<string, Tensor>, attrs: NamedAttrs) =>
    t.engine().runKernel(name, inputs as never, attrs as never) as Tensor;
  return [
    {
      kernelName: 'Conv2D',
      inputsToSave: ['x', 'filter'],
      gradFunc: (dy, saved, attrs) => {
        const [x, filter] = saved as [Tensor4D, Tensor4D];
        const { strides, pad, dataFormat, dimRoundingMode, dilations } = attrs as NamedAttrs;
        const d = dilations as number | number[] | undefined;
        if (d != null && (Array.isArray(d) ? d.some((v) => v !== 1) : d !== 1))
          throw new Error('conv2d gradient: dilations > 1 are not supported');
        return {
          x: () =>
            run(
              'Conv2DBackpropInput',
              { dy: dy as Tensor, filter },
              { strides, pad, dataFormat, dimRoundingMode, inputShape: x.shape },
            ),
          filter: () =>
            run(
              'Conv2DBackpropFilter',
              { x, dy: dy as Tensor },
              { strides, pad, dataFormat, dimRoundingMode, filterShape: filter.shape },
            ),
        };
      },
    },
    {
      kernelName: 'MaxPool',
      inputsToSave: ['x'],
      outputsToSave: [true],
      gradFunc: (dy, saved, attrs) => {
        const [x, y] = saved;
        const { filterSize, strides, pad, dimRoundingMode } = attrs as NamedAttrs;
        return {
          x: () =>
            run(
              'MaxPoolGrad',
              { dy: dy as Tensor, input: x, output: y },
              { filterSize, strides, pad, dimRoundingMode },
            ),
        };
      },
    },
    {
      kernelName: 'Concat',
      saveAllInputs: true,
      gradFunc: (dy, saved, attrs) => {
        const rank = saved[0].rank;
        const raw = (attrs as NamedAttrs).axis as number | number[];
        const axis0 = Array.isArray(raw) ? raw[0] : raw;
        const axis = axis0 < 0 ? axis0 + rank : axis0;
        const parts = t.split(
          dy as Tensor,
          saved.map((s) => s.shape[axis]),
          axis,
        );
        return parts.map((p) => () => p) as unknown as Record<string, () => Tensor>;
      },
    },
    {
      kernelName: 'Mean',
      inputsToSave: ['x'],
      gradFunc: (dy, saved, attrs) => {
        const [x] = saved;
        const raw = (attrs as NamedAttrs).axis as number | number[];
        const axes = t.util.parseAxisParam(raw, x.shape);
        const expanded = x.shape.map((s, i) => (axes.includes(i) ? 1 : s));
        const count = axes.reduce((n, a) => n * x.shape[a], 1);
        return { x: () => t.div(t.mul(t.reshape(dy as Tensor, expanded), t.onesLike(x)), count) };
      },
    },
    {
      kernelName: 'BatchMatMul',
      inputsToSave: ['a', 'b'],
      gradFunc: (dy, saved, attrs) => {
        const [a, b] = saved as [Tensor, Tensor];
        const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
        const g = dy as Tensor;
        const mm = (p: Tensor, q: Tensor, tp: boolean, tq: boolean) => t.matMul(p as never, q as never, tp, tq);
        if (!transposeA && !transposeB) return { a: () => mm(g, b, false, true), b: () => mm(a, g, true, false) };
        if (!transposeA && transposeB) return { a: () => mm(g, b, false, false), b: () => mm(g, a, true, false) };
        if (transposeA && !transposeB) return { a: () => mm(b, g, false, true), b: () => mm(a, g, false, false) };
        return { a: () => mm(b, g, true, true), b: () => mm(g, a, true, true) };
      },
    },
    {
      kernelName: 'Reshape',
      inputsToSave: ['x'],
      gradFunc: (dy, saved) => ({ x: () => t.reshape(dy as Tensor, saved[0].shape) }),
    },
    {
      kernelName: 'Add',
      inputsToSave: ['a', 'b'],
      gradFunc: (dy, saved) => ({
        a: () => reduceTo(t, dy as Tensor, saved[0].shape),
        b: () => reduceTo(t, dy as Tensor, saved[1].shape),
      }),
    },
  ];
}

/** Registers the gradients above in the gradient registry (shared by every tfjs-core copy in the
 * process), skipping kernels that already have one. Returns the kernel names it registered. */
export function registerGradients(t: TF = tf()): string[] {
  const added: string[] = [];
  for (const config of configs(t)) {
    if (t.getGradient(config.kernelName)) continue;
    t.registerGradient(config);
    added.push(config.kernelName);
  }
  return added;
}

/** Mean softmax cross-entropy of logits [B, K] against integer labels [B], with the closed-form
 * gradient (softmax − onehot)/B. */
export function crossEntropy(logits: Tensor, labels: Tensor): Tensor {
  const t = tf();
  const [batch, classes] = logits.shape;
  const onehot = t.oneHot(t.cast(labels, 'int32') as never, classes);
  const op = t.customGrad((...args: unknown[]) => {
    const [z, save] = args as [Tensor, (ts: Tensor[]) => void];
    const logp = t.logSoftmax(z);
    const loss = t.neg(t.div(t.sum(t.mul(logp, onehot)), batch));
    save([logp, onehot]);
    return {
      value: loss,
      gradFunc: (dy: Tensor, saved: Tensor[]) => t.mul(dy, t.div(t.sub(t.exp(saved[0]), saved[1]), batch)),
    };
  });
  return op(logits);
}
