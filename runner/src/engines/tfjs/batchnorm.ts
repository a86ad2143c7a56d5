// BatchNorm2d (PyTorch semantics) followed by ReLU, NHWC, as one op with a hand-written gradient.
// Training: normalise with the batch mean and biased variance, and update the running statistics
// (momentum 0.1, unbiased variance), as torch.nn.BatchNorm2d does. Eval: use the running statistics.
// The gradient is the closed form, so it needs no Tile kernel (which TF.js's stock
// FusedBatchNorm gradient uses) and runs as a handful of elementwise ops and reductions:
//   dz = dy·[y>0];  dβ = Σdz;  dγ = Σdz·x̂;  dx = γ/(σ·M) · (M·dz − dβ − x̂·dγ)
import { tf, type Tensor, type Tensor1D, type Tensor4D, type Variable } from './tf';

export interface BatchNormParams {
  weight: Variable;
  bias: Variable;
  runningMean: Variable;
  runningVar: Variable;
  eps: number;
  momentum: number;
}

const AXES = [0, 1, 2];

export function batchNormRelu(x: Tensor4D, bn: BatchNormParams, training: boolean): Tensor4D {
  const t = tf();
  if (!training) {
    return t.tidy(() => {
      const scale = t.mul(bn.weight, t.rsqrt(t.add(bn.runningVar, bn.eps)));
      const shift = t.sub(bn.bias, t.mul(bn.runningMean, scale));
      return t.relu(t.add(t.mul(x, scale), shift)) as Tensor4D;
    });
  }
  const count = x.shape[0] * x.shape[1] * x.shape[2];
  if (count < 2) throw new Error(`BatchNorm in training needs more than one value per channel (got input ${x.shape})`);
  const op = t.customGrad((...args: unknown[]) => {
    const [input, gamma, beta, save] = args as [Tensor4D, Tensor1D, Tensor1D, (ts: Tensor[]) => void];
    const mean = t.mean(input, AXES);
    const centred = t.sub(input, mean);
    const variance = t.mean(t.square(centred), AXES);
    const invStd = t.rsqrt(t.add(variance, bn.eps));
    const xhat = t.mul(centred, invStd);
    const y = t.relu(t.add(t.mul(xhat, gamma), beta)) as Tensor4D;
    // Running statistics (a side effect outside the gradient tape, as in PyTorch).
    const m = bn.momentum;
    bn.runningMean.assign(t.add(t.mul(bn.runningMean, 1 - m), t.mul(mean, m)));
    bn.runningVar.assign(t.add(t.mul(bn.runningVar, 1 - m), t.mul(variance, (m * count) / (count - 1))));
    save([xhat, invStd, gamma, y]);
    return {
      value: y,
      gradFunc: (dy: Tensor4D, saved: Tensor[]) => {
        const [sx, sInv, sGamma, sy] = saved as [Tensor4D, Tensor1D, Tensor1D, Tensor4D];
        const dz = t.mul(dy, t.step(sy));
        const dBeta = t.sum(dz, AXES);
        const dGamma = t.sum(t.mul(dz, sx), AXES);
        const inner = t.sub(t.sub(t.mul(dz, count), dBeta), t.mul(sx, dGamma));
        const dx = t.mul(inner, t.div(t.mul(sGamma, sInv), count));
        return [dx, dGamma, dBeta];
      },
    };
  });
  return op(x, bn.weight, bn.bias) as Tensor4D;
}
