// `executor.workersPerGpu: "auto"`: how many candidates train at once on one GPU. Small NSGA-Net
// networks leave a large GPU mostly idle (their kernels are short and launched one at a time by a
// Python process), so several workers per GPU add throughput until the GPU is busy, its memory is
// full, or the host has no core left to feed another worker. The rule uses a measured model:
// with one worker keeping the GPU busy a fraction u of the time, k workers give about
// k / (1 + (k − 1) u) times the throughput of one, which approaches 1/u; enough workers to fill
// the GPU is ceil(1/u). `npm run bench:search` measures u on the device it runs on and prints it.

export interface WorkerCostModel {
  /** Fraction of the time one training worker keeps the GPU busy (0 < u ≤ 1). */
  utilisation: number;
  /** GPU memory one worker takes: CUDA context, the resident dataset, activations, MiB. */
  memoryMiB: number;
  /** Host cores one worker needs to keep its GPU queue fed (the Python loop plus the runner's share). */
  coresPerWorker: number;
  /** Upper bound, so one GPU's failures or OOMs never take down a crowd. */
  maxWorkers: number;
}

/**
 * Provisional until bench:search has run on a GPU (README, "Search throughput"): u = 0.3 is an estimate
 * for the seed-size network on an H100/H200; the memory is the paper-scale dataset resident as float32
 * (63,508 + 15,876 images of 127×127 = 4.9 GiB) plus the context and batch-128 activations of the
 * largest sampled network; two cores per worker.
 */
export const DEFAULT_WORKER_COST: WorkerCostModel = {
  utilisation: 0.3,
  memoryMiB: 10_240,
  coresPerWorker: 2,
  maxWorkers: 8,
};

export interface GpuHost {
  /** Memory of the smallest visible GPU, MiB (undefined when the probe could not tell). */
  gpuMemoryMiB?: number;
  gpus: number;
  cpus: number;
}

/** Workers per GPU for "auto": the fewest that fill the GPU, within its memory and the host's cores; at least 1. */
export function autoWorkersPerGpu(host: GpuHost, model: WorkerCostModel = DEFAULT_WORKER_COST): number {
  if (host.gpus < 1) return 1;
  const fill = Math.ceil(1 / Math.min(1, Math.max(model.utilisation, 1e-3)));
  const memory = !host.gpuMemoryMiB ? 1 : Math.floor((0.9 * host.gpuMemoryMiB) / model.memoryMiB);
  const cores = Math.floor(host.cpus / host.gpus / model.coresPerWorker);
  return Math.max(1, Math.min(fill, memory, cores, model.maxWorkers));
}

/** The utilisation u that explains a measured speed-up s = T(k)/T(1) with k workers (inverse of the model). */
export function utilisationFromSpeedup(k: number, speedup: number): number | undefined {
  if (k < 2 || !(speedup > 0)) return undefined;
  const u = (k / speedup - 1) / (k - 1);
  return Math.min(1, Math.max(1e-3, u));
}
