// Training kernels the TF.js wasm backend lacks (or has only slowly), registered on it.
// - Conv2DBackpropFilter is missing on wasm: computed as a forward Conv2D over transposed tensors
//   (input channels become the batch, the batch becomes the channels, dy becomes the filter).
// - Conv2DBackpropInput exists on wasm but is slow; for stride 1 (every conv here) it is a forward
//   Conv2D of dy with the spatially rotated, in/out-swapped filter and the complementary padding.
// The BatchNorm gradient (whose stock form uses Tile) is a custom gradient in batchnorm.ts instead.
// All of this runs through the bundled tfjs-core, where the wasm backend is registered.
import { bundledCore as tf, type Tensor, type Tensor4D } from './tf';

type KernelConfig = Parameters<typeof tf.registerKernel>[0];
type KernelFunc = KernelConfig['kernelFunc'];
type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

interface Conv2DBackpropAttrs {
  strides: [number, number] | number;
  pad: Pad;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const registered = new Set<string>();

function asTensor(t: unknown): Tensor {
  if (t instanceof tf.Tensor) return t;
  const info = t as { dataId: object; shape: number[]; dtype: tf.DataType };
  return tf.engine().makeTensorFromTensorInfo(info);
}

function stridesOne(strides: [number, number] | number): boolean {
  return Array.isArray(strides) ? strides[0] === 1 && strides[1] === 1 : strides === 1;
}

function padInfo(
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  attrs: Conv2DBackpropAttrs,
) {
  return tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    1,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  ).padInfo;
}

/** dW[kh,kw,ci,co] = Σ_{n,i,j} x[n, i+kh-top, j+kw-left, ci] · dy[n,i,j,co], for stride 1, NHWC. */
export function conv2dBackpropFilterAsConv(
  x: Tensor4D,
  dy: Tensor4D,
  filterShape: [number, number, number, number],
  pad: Pad,
  dimRoundingMode?: Conv2DBackpropAttrs['dimRoundingMode'],
): Tensor4D {
  return tf.tidy(() => {
    const p = padInfo(x.shape, filterShape, { strides: 1, pad, dataFormat: 'NHWC', dimRoundingMode });
    const xT = tf.transpose(x, [3, 1, 2, 0]); // [Ci, H, W, N]
    const dyT = tf.transpose(dy, [1, 2, 0, 3]); // [Ho, Wo, N, Co]
    const out = tf.conv2d(xT, dyT, 1, [
      [0, 0],
      [p.top, p.bottom],
      [p.left, p.right],
      [0, 0],
    ]); // [Ci, kh, kw, Co]
    const dw = tf.transpose(out, [1, 2, 0, 3]);
    if (dw.shape.join() !== filterShape.join()) {
      throw new Error(`Conv2DBackpropFilter: got ${dw.shape} for filter ${filterShape}`);
    }
    return dw;
  });
}

/** dx for a stride-1 NHWC conv: conv2d(dy, rot180(W) with in/out swapped, padding k-1-p). */
export function conv2dBackpropInputAsConv(
  xShape: [number, number, number, number],
  dy: Tensor4D,
  filter: Tensor4D,
  pad: Pad,
  dimRoundingMode?: Conv2DBackpropAttrs['dimRoundingMode'],
): Tensor4D {
  return tf.tidy(() => {
    const [kh, kw] = filter.shape;
    const p = padInfo(xShape, filter.shape, { strides: 1, pad, dataFormat: 'NHWC', dimRoundingMode });
    const rotated = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]); // [kh, kw, Co, Ci]
    const dx = tf.conv2d(dy, rotated as Tensor4D, 1, [
      [0, 0],
      [kh - 1 - p.top, kh - 1 - p.bottom],
      [kw - 1 - p.left, kw - 1 - p.right],
      [0, 0],
    ]);
    if (dx.shape.join() !== xShape.join()) throw new Error(`Conv2DBackpropInput: got ${dx.shape} for input ${xShape}`);
    return dx;
  });
}

/**
 * Registers the training kernels on a backend (normally 'wasm'); idempotent. Returns the names of the
 * kernels it registered.
 */
export function registerTrainingKernels(backendName = 'wasm'): string[] {
  if (registered.has(backendName)) return [];
  const names: string[] = [];

  const filterKernel: KernelFunc = ({ inputs, attrs }) => {
    const a = attrs as unknown as Conv2DBackpropAttrs & { filterShape: [number, number, number, number] };
    if (!stridesOne(a.strides) || a.dataFormat === 'NCHW') {
      throw new Error(
        `Conv2DBackpropFilter on ${backendName} supports stride 1 NHWC only (got strides ${a.strides}, ${a.dataFormat})`,
      );
    }
    return conv2dBackpropFilterAsConv(
      asTensor(inputs.x) as Tensor4D,
      asTensor(inputs.dy) as Tensor4D,
      a.filterShape,
      a.pad,
      a.dimRoundingMode,
    );
  };
  replaceKernel({ kernelName: 'Conv2DBackpropFilter', backendName, kernelFunc: filterKernel });
  names.push('Conv2DBackpropFilter');

  const stock = tf.getKernel('Conv2DBackpropInput', backendName);
  const inputKernel: KernelFunc = (args) => {
    const a = args.attrs as unknown as Conv2DBackpropAttrs & { inputShape: [number, number, number, number] };
    if (!stridesOne(a.strides) || a.dataFormat === 'NCHW') {
      if (stock) return stock.kernelFunc(args);
      throw new Error(`Conv2DBackpropInput on ${backendName} supports stride 1 NHWC only`);
    }
    return conv2dBackpropInputAsConv(
      a.inputShape,
      asTensor(args.inputs.dy) as Tensor4D,
      asTensor(args.inputs.filter) as Tensor4D,
      a.pad,
      a.dimRoundingMode,
    );
  };
  replaceKernel({ kernelName: 'Conv2DBackpropInput', backendName, kernelFunc: inputKernel });
  names.push('Conv2DBackpropInput');

  registered.add(backendName);
  return names;
}

function replaceKernel(config: KernelConfig): void {
  if (tf.getKernel(config.kernelName, config.backendName)) tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
}
