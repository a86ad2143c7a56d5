// The tfjs engine's gradients, in process: the training kernels registered on the wasm backend
// (Conv2DBackpropFilter as a forward conv, stride-1 Conv2DBackpropInput as a rotated-filter conv)
// against the stock `cpu` kernels; whole-network gradients on wasm against cpu; and the hand-written
// gradients (BatchNorm+ReLU, cross-entropy, the registered gradient configs) against finite differences.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareWasm } from '../../runner/src/engines/tfjs/backend';
import { batchNormRelu, type BatchNormParams } from '../../runner/src/engines/tfjs/batchnorm';
import { crossEntropy, registerGradients } from '../../runner/src/engines/tfjs/gradients';
import { seededRandom, TfjsNetwork } from '../../runner/src/engines/tfjs/network';
import { bundledCore as tf, type Tensor, type Tensor4D, type Variable } from '../../runner/src/engines/tfjs/tf';
import { decode } from '../../common/model';

before(async () => {
  tf.enableProdMode(); // no 'install tfjs-node' banner from the cpu backend
  prepareWasm();
  registerGradients(tf);
  await tf.setBackend('cpu');
});

function randomArray(n: number, seed: number, scale = 1): Float32Array {
  const r = seededRandom(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
}

async function onBackend<T>(name: string, f: () => T | Promise<T>): Promise<T> {
  await tf.setBackend(name);
  try {
    return await f();
  } finally {
    await tf.setBackend('cpu');
  }
}

/** max |a−b| / max(1, max |b|). */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0;
  let m = 1;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return d / m;
}

const CASES: Array<{ x: [number, number, number, number]; k: number; co: number; pad: 'same' | 'valid' }> = [
  { x: [3, 7, 7, 5], k: 3, co: 4, pad: 'same' }, // node conv
  { x: [3, 9, 8, 1], k: 3, co: 6, pad: 'valid' }, // first entry conv (valid 3×3)
  { x: [2, 6, 6, 8], k: 1, co: 4, pad: 'valid' }, // 1×1 merge / later entry conv
];

test('registered wasm Conv2DBackpropFilter and Conv2DBackpropInput match the cpu kernels', async () => {
  for (const [i, c] of CASES.entries()) {
    const [n, h, w, ci] = c.x;
    const ho = c.pad === 'same' ? h : h - c.k + 1;
    const wo = c.pad === 'same' ? w : w - c.k + 1;
    const xv = randomArray(n * h * w * ci, 10 + i);
    const dyv = randomArray(n * ho * wo * c.co, 20 + i);
    const fv = randomArray(c.k * c.k * ci * c.co, 30 + i);
    const run = () => {
      const x = tf.tensor4d(xv, c.x);
      const dy = tf.tensor4d(dyv, [n, ho, wo, c.co]);
      const f = tf.tensor4d(fv, [c.k, c.k, ci, c.co]);
      const attrs = { strides: [1, 1], pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
      const dw = tf
        .engine()
        .runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: f.shape } as never) as Tensor;
      const dx = tf
        .engine()
        .runKernel('Conv2DBackpropInput', { dy, filter: f }, { ...attrs, inputShape: x.shape } as never) as Tensor;
      const out = { dw: dw.dataSync().slice(), dx: dx.dataSync().slice(), dwShape: dw.shape, dxShape: dx.shape };
      tf.dispose([x, dy, f, dw, dx]);
      return out;
    };
    const ref = await onBackend('cpu', run);
    const got = await onBackend('wasm', run);
    assert.deepEqual(got.dwShape, ref.dwShape);
    assert.deepEqual(got.dxShape, ref.dxShape);
    assert.ok(relDiff(got.dw, ref.dw) < 1e-5, `case ${i}: filter gradient differs by ${relDiff(got.dw, ref.dw)}`);
    assert.ok(relDiff(got.dx, ref.dx) < 1e-5, `case ${i}: input gradient differs by ${relDiff(got.dx, ref.dx)}`);
  }
});

const SPEC = decode('000110111000000110010', {
  nodes: 4,
  initChannels: 3,
  input: { channels: 1, height: 10, width: 10 },
  classes: 3,
});
const BATCH = 6;
const X = randomArray(BATCH * 10 * 10, 5);
const Y = Int32Array.from({ length: BATCH }, (_, i) => i % 3);

function networkGradients(): Map<string, Float32Array> {
  const net = new TfjsNetwork(SPEC, 3);
  try {
    const x = tf.tensor4d(X, [BATCH, 10, 10, 1]);
    const y = tf.tensor1d(Y, 'int32');
    const { value, grads } = tf.variableGrads(
      () => crossEntropy(net.forward(x, true), y) as never,
      net.trainableVariables(),
    );
    const out = new Map<string, Float32Array>();
    for (const p of net.params.values())
      if (p.trainable) out.set(p.name, grads[p.variable.name].dataSync() as Float32Array);
    out.set('loss', value.dataSync() as Float32Array);
    tf.dispose([x, y, value, ...Object.values(grads)]);
    return out;
  } finally {
    net.dispose();
  }
}

test('every gradient of a whole network on wasm matches the cpu backend', async () => {
  const ref = await onBackend('cpu', networkGradients);
  const got = await onBackend('wasm', networkGradients);
  assert.equal(got.size, ref.size);
  assert.ok(ref.size > 20, `${ref.size} gradients compared`);
  for (const [name, g] of ref) {
    const d = relDiff(got.get(name)!, g);
    assert.ok(d < 1e-5, `${name}: wasm differs from cpu by ${d}`);
  }
  // Not all zero: the comparison means something.
  assert.ok(
    [...ref.values()].every((g) => g.some((v) => v !== 0)),
    'every gradient is non-zero',
  );
});

test('the registered gradient configs (Conv2D, Concat, MaxPool, Mean, BatchMatMul, Reshape, Add) agree with finite differences', () => {
  // A smooth composite of exactly the kernels the network puts on the tape (BatchNorm+ReLU and the
  // loss have their own tests): loss = CE(mean(maxPool(conv(concat(a, b), W)), [1,2])·V + bias, y).
  const a = tf.variable(tf.tensor4d(randomArray(2 * 4 * 4 * 2, 61), [2, 4, 4, 2]));
  const b = tf.variable(tf.tensor4d(randomArray(2 * 4 * 4 * 1, 62), [2, 4, 4, 1]));
  const W = tf.variable(tf.tensor4d(randomArray(3 * 3 * 3 * 4, 63), [3, 3, 3, 4]));
  const V = tf.variable(tf.tensor2d(randomArray(4 * 3, 64), [4, 3]));
  const bias = tf.variable(tf.tensor1d(randomArray(3, 65)));
  const y = tf.tensor1d([2, 0], 'int32');
  const vars: Variable[] = [a, b, W, V, bias];
  const f = () => {
    const conv = tf.conv2d(tf.concat4d([a, b] as Tensor4D[], 3), W as Tensor4D, 1, 'same');
    const pooled = tf.mean(tf.maxPool(conv, 2, 2, 'valid'), [1, 2]);
    return crossEntropy(tf.add(tf.matMul(pooled as never, V as never), bias), y);
  };
  const { value, grads } = tf.variableGrads(f as never, vars);
  value.dispose();
  let checked = 0;
  for (const v of vars) {
    const g = grads[v.name].dataSync();
    const original = v.dataSync().slice();
    for (let k = 0; k < v.size; k++) {
      const h = 1e-3;
      const at = (s: number) => {
        const shifted = original.slice();
        shifted[k] += s * h;
        v.assign(tf.tensor(shifted, v.shape));
        return tf.tidy(() => f().dataSync()[0]);
      };
      const numeric = (at(1) - at(-1)) / (2 * h);
      assert.ok(
        Math.abs(numeric - g[k]) < 2e-3 * Math.max(1, Math.abs(g[k])) + 1e-4,
        `d/d${v.name}[${k}]: numeric ${numeric}, analytic ${g[k]}`,
      );
      checked++;
    }
    v.assign(tf.tensor(original, v.shape));
  }
  assert.equal(checked, 64 + 32 + 108 + 12 + 3);
  tf.dispose([y, ...vars, ...Object.values(grads)]);
});

test('BatchNorm+ReLU: training output, gradients and running statistics match a float64 reference', () => {
  const [n, h, w, c] = [4, 3, 3, 3];
  const xv = randomArray(n * h * w * c, 41, 2);
  const gv = Float64Array.from({ length: c }, (_, i) => [1.3, 0.7][i % 2]);
  const bv = Float64Array.from({ length: c }, (_, i) => [0.2, -0.1][i % 2]);
  const rv = randomArray(n * h * w * c, 42);
  const M = n * h * w;
  // Float64 reference: loss = Σ relu(BN(x))·r.
  const ref = (x: ArrayLike<number>, g: ArrayLike<number>, b: ArrayLike<number>) => {
    let loss = 0;
    const mean: number[] = [];
    const varB: number[] = [];
    for (let ch = 0; ch < c; ch++) {
      let s = 0;
      for (let i = ch; i < x.length; i += c) s += x[i];
      const m = s / M;
      let s2 = 0;
      for (let i = ch; i < x.length; i += c) s2 += (x[i] - m) ** 2;
      mean.push(m);
      varB.push(s2 / M);
      for (let i = ch; i < x.length; i += c)
        loss += Math.max(0, ((x[i] - m) / Math.sqrt(s2 / M + 1e-5)) * g[ch] + b[ch]) * rv[i];
    }
    return { loss, mean, varB };
  };
  const numGrad = (arr: Float64Array, which: 'x' | 'g' | 'b') =>
    Array.from(arr, (_, k) => {
      const e = 1e-6;
      const shift = (s: number) => {
        const a = Float64Array.from(arr);
        a[k] += s * e;
        const args = { x: Float64Array.from(xv), g: gv, b: bv, [which]: a };
        return ref(args.x, args.g, args.b).loss;
      };
      return (shift(1) - shift(-1)) / (2 * e);
    });
  const bn: BatchNormParams = {
    weight: tf.variable(tf.tensor1d(Float32Array.from(gv))),
    bias: tf.variable(tf.tensor1d(Float32Array.from(bv))),
    runningMean: tf.variable(tf.zeros([c]), false),
    runningVar: tf.variable(tf.ones([c]), false),
    eps: 1e-5,
    momentum: 0.1,
  };
  const x = tf.variable(tf.tensor4d(xv, [n, h, w, c]));
  const r = tf.tensor4d(rv, [n, h, w, c]);
  // loss = Σ y·r as a [1,K]×[K,1] product (the engine registers gradients only for the kernels it uses).
  const K = n * h * w * c;
  const rCol = tf.reshape(r, [K, 1]);
  const lossOf = () =>
    tf.reshape(tf.matMul(tf.reshape(batchNormRelu(x as unknown as Tensor4D, bn, true), [1, K]), rCol as never), []);
  const { value, grads } = tf.variableGrads(lossOf as never, [x, bn.weight, bn.bias]);
  const expected = ref(xv, gv, bv);
  assert.ok(Math.abs(value.dataSync()[0] - expected.loss) < 1e-4 * Math.max(1, Math.abs(expected.loss)));
  const check = (got: ArrayLike<number>, want: number[], what: string) => {
    for (let i = 0; i < want.length; i++)
      assert.ok(
        Math.abs(got[i] - want[i]) < 1e-4 * Math.max(1, Math.abs(want[i])),
        `${what}[${i}]: ${got[i]} vs ${want[i]}`,
      );
  };
  check(grads[x.name].dataSync(), numGrad(Float64Array.from(xv), 'x'), 'dx');
  check(grads[bn.weight.name].dataSync(), numGrad(gv, 'g'), 'dgamma');
  check(grads[bn.bias.name].dataSync(), numGrad(bv, 'b'), 'dbeta');
  // Running statistics as torch.nn.BatchNorm2d: momentum 0.1, unbiased variance (forward ran once).
  check(
    bn.runningMean.dataSync(),
    expected.mean.map((m) => 0.1 * m),
    'running_mean',
  );
  check(
    bn.runningVar.dataSync(),
    expected.varB.map((v) => 0.9 + (0.1 * v * M) / (M - 1)),
    'running_var',
  );
  // Eval mode uses the running statistics: y = relu((x − rm)/√(rv+eps)·γ + β).
  const evalOut = tf.tidy(() => batchNormRelu(x as unknown as Tensor4D, bn, false).dataSync());
  const rm = bn.runningMean.dataSync();
  const rvar = bn.runningVar.dataSync();
  const want = Array.from(xv, (v, i) =>
    Math.max(0, ((v - rm[i % c]) / Math.sqrt(rvar[i % c] + 1e-5)) * gv[i % c] + bv[i % c]),
  );
  check(evalOut, want, 'eval output');
  tf.dispose([x, r, rCol, value, bn.weight, bn.bias, bn.runningMean, bn.runningVar, ...Object.values(grads)]);
});

test('cross-entropy and its gradient match a float64 reference', () => {
  const logits = randomArray(4 * 3, 77, 3);
  const labels = Int32Array.from([2, 0, 1, 2]);
  const ref = (z: ArrayLike<number>) => {
    let loss = 0;
    for (let i = 0; i < 4; i++) {
      const row = Array.from({ length: 3 }, (_, k) => z[i * 3 + k]);
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
      loss += lse - row[labels[i]];
    }
    return loss / 4;
  };
  const z = tf.variable(tf.tensor2d(logits, [4, 3]));
  const y = tf.tensor1d(labels, 'int32');
  const { value, grads } = tf.variableGrads(() => crossEntropy(z, y) as never, [z]);
  assert.ok(Math.abs(value.dataSync()[0] - ref(logits)) < 1e-5);
  const g = grads[z.name].dataSync();
  for (let k = 0; k < 12; k++) {
    const a = Float64Array.from(logits);
    const b = Float64Array.from(logits);
    a[k] += 1e-6;
    b[k] -= 1e-6;
    const numeric = (ref(a) - ref(b)) / 2e-6;
    assert.ok(Math.abs(g[k] - numeric) < 1e-5, `d/dz[${k}]: ${g[k]} vs ${numeric}`);
  }
  tf.dispose([z, y, value, ...Object.values(grads)]);
});

test('layout conversions: PyTorch OIHW / [out,in] ↔ HWIO / [in,out] round-trip', async () => {
  const { fromTorchLayout, toTorchLayout } = await import('../../runner/src/engines/tfjs/network');
  const oihw = tf.tensor4d(
    Float32Array.from({ length: 4 * 3 * 2 * 2 }, (_, i) => i),
    [4, 3, 2, 2],
  );
  const hwio = fromTorchLayout(oihw, 'conv');
  assert.deepEqual(hwio.shape, [2, 2, 3, 4]);
  // element (o=1, i=2, h=0, w=1) → [h][w][i][o]
  assert.equal((hwio.arraySync() as number[][][][])[0][1][2][1], ((1 * 3 + 2) * 2 + 0) * 2 + 1);
  assert.deepEqual(Array.from(toTorchLayout(hwio, 'conv').dataSync()), Array.from(oihw.dataSync()));
  const lin = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
  assert.deepEqual(fromTorchLayout(lin, 'linear').arraySync(), [
    [1, 4],
    [2, 5],
    [3, 6],
  ]);
  tf.dispose([oihw, hwio, lin]);
});
