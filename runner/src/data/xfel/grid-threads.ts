// Runs the rows of the F(q) grid (grid-compute.ts) on this thread or on worker threads. The workers
// (grid-worker.ts) read the phase tables and write the grid through SharedArrayBuffers, taking the
// next row from a shared atomic counter (rows near the centre are longer, so a fixed split would
// leave threads idle). Which thread computes a row does not change its numbers.
import { ColumnScratch, computeRow, type GridLayout, type PhaseTables } from './grid-compute';
import type { GridProgress } from './grid';
import { startWorker } from './worker-script';

export interface RowRun {
  tables: PhaseTables;
  layout: GridLayout;
  onProgress?: (p: GridProgress) => void;
  signal?: AbortSignal;
}

/** What a grid worker thread gets: tables and data on shared memory, and the shared row counter. */
export interface GridWorkerSetup {
  tables: PhaseTables;
  layout: GridLayout;
  data: Float32Array;
  nextRow: Int32Array;
}

export type GridWorkerReply = { written: number } | { finished: true };

/** Every row on this thread, yielding to the event loop now and then so progress and Ctrl-C work. */
export async function computeRowsHere({ tables, layout, onProgress, signal }: RowRun): Promise<Float32Array> {
  const data = new Float32Array(layout.total * 2);
  const scratch = new ColumnScratch(layout.maxLength);
  let done = 0;
  let lastYield = Date.now();
  for (let ix = -layout.m; ix <= layout.m; ix++) {
    done += computeRow(tables, layout, ix, scratch, data);
    if (Date.now() - lastYield > 200) {
      onProgress?.({ done, total: layout.total });
      await new Promise((r) => setImmediate(r));
      lastYield = Date.now();
      if (signal?.aborted) throw new Error('grid computation interrupted');
    }
  }
  return data;
}

/** Every row on `workers` threads; `tables` must live on shared memory (phaseTables(…, shared)). */
export function computeRowsInWorkers(
  { tables, layout, onProgress, signal }: RowRun,
  workers: number,
): Promise<Float32Array> {
  const setup: GridWorkerSetup = {
    tables,
    layout,
    data: new Float32Array(new SharedArrayBuffer(layout.total * 8)),
    nextRow: new Int32Array(new SharedArrayBuffer(4)),
  };
  return new Promise((resolve, reject) => {
    const threads = Array.from({ length: workers }, () => startWorker('grid-worker', setup));
    let done = 0;
    let finished = 0;
    const end = (error?: Error) => {
      signal?.removeEventListener('abort', onAbort);
      if (!error) return resolve(setup.data);
      for (const w of threads) void w.terminate();
      reject(error);
    };
    const onAbort = () => end(new Error('grid computation interrupted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    for (const w of threads) {
      w.on('message', (m: GridWorkerReply) => {
        if ('written' in m) onProgress?.({ done: (done += m.written), total: layout.total });
        else if (++finished === workers) end();
      });
      w.on('error', (e) => end(new Error(`grid worker: ${e.message}`)));
    }
  });
}
