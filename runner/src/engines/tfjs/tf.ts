// The TF.js module the engine computes with. It is the bundled @tensorflow/tfjs-core (wasm and cpu
// backends) unless an optional package that brings its own copy of the core is loaded at run time
// (@tensorflow/tfjs-node[-gpu], or the webgpu backend from node_modules): then every op must go
// through that copy, where its backend is registered. backend.ts picks it once per process.
import * as bundledCore from '@tensorflow/tfjs-core';

export type TF = typeof bundledCore;

let current: TF = bundledCore;

/** The TF.js API in use in this process. */
export function tf(): TF {
  return current;
}

export function useTf(module: TF): void {
  current = module;
}

export { bundledCore };
export type { Tensor, Tensor1D, Tensor2D, Tensor4D, Variable, Rank } from '@tensorflow/tfjs-core';
