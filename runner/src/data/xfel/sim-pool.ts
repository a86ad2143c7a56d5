// Worker threads for `dataset simulate --workers N`: each attaches the shared bricked grids
// (sim-worker.ts) and simulates whole chunks; `run` hands a chunk to the next free worker. Which
// worker computes a chunk does not change its numbers (sim-chunk.ts), so output is bit-identical
// for any N.
import type { Worker } from 'node:worker_threads';
import type { SharedBrickedGrid } from './bricked';
import type { DetectorStride } from './detector-interp';
import type { DetectorSpec } from './geometry';
import type { ChunkResult } from './sim-chunk';
import type { Interpolation } from './simulate';
import { startWorker } from './worker-script';

export interface WorkerSetup {
  grids: SharedBrickedGrid[];
  detector: DetectorSpec;
  fluence: number;
  interpolation: Interpolation;
  detectorStride: DetectorStride;
  seed: number;
  bin: number;
}

export interface ChunkRequest {
  id: number;
  items: Int32Array;
}

export type ChunkReply =
  | { id: number; result: ChunkResult; error?: undefined }
  | { id: number; error: string; result?: undefined }
  | { ready: true; id?: undefined };

interface Task {
  request: ChunkRequest;
  resolve: (r: ChunkResult) => void;
  reject: (e: Error) => void;
}

export class SimPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Task>();
  private readonly queue: Task[] = [];
  private nextId = 0;
  private failed?: Error;
  private starting: number;
  private started!: () => void;
  /** Resolves when every worker has attached the grids (its start-up is not per-image work). */
  readonly ready = new Promise<void>((resolve) => (this.started = resolve));

  constructor(
    readonly size: number,
    setup: WorkerSetup,
  ) {
    this.starting = size;
    for (let i = 0; i < size; i++) {
      const w = startWorker('sim-worker', setup);
      w.on('message', (m: ChunkReply) => this.done(w, m));
      w.on('error', (e) => this.fail(new Error(`simulator worker: ${e.message}`)));
      w.on(
        'exit',
        (code) => code !== 0 && !this.closed && this.fail(new Error(`simulator worker exited with code ${code}`)),
      );
      this.idle.push(w);
    }
  }

  private closed = false;

  /** The chunk's images (items as flattened (class, index) pairs), from the next free worker. */
  run(items: Int32Array): Promise<ChunkResult> {
    return new Promise((resolve, reject) => {
      if (this.failed) return reject(this.failed);
      this.queue.push({ request: { id: this.nextId++, items }, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length && this.queue.length) {
      const w = this.idle.pop()!;
      const task = this.queue.shift()!;
      this.busy.set(w, task);
      w.postMessage(task.request);
    }
  }

  private done(w: Worker, m: ChunkReply): void {
    if ('ready' in m) {
      if (--this.starting === 0) this.started();
      return;
    }
    const task = this.busy.get(w);
    this.busy.delete(w);
    this.idle.push(w);
    if (task) {
      if (m.error !== undefined) task.reject(new Error(`simulator worker: ${m.error}`));
      else task.resolve(m.result);
    }
    this.dispatch();
  }

  private fail(e: Error): void {
    this.failed ??= e;
    this.started(); // the next run() rejects with the failure
    for (const t of [...this.busy.values(), ...this.queue]) t.reject(e);
    this.busy.clear();
    this.queue.length = 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.idle, ...this.busy.keys()].map((w) => w.terminate()));
  }
}
