// A worker thread of the F(q) grid computation (grid-threads.ts): takes rows from the shared
// counter until none is left, computes them into the shared grid, and reports each row's size.
import { parentPort, workerData } from 'node:worker_threads';
import { ColumnScratch, computeRow } from './grid-compute';
import type { GridWorkerReply, GridWorkerSetup } from './grid-threads';

const { tables, layout, data, nextRow } = workerData as GridWorkerSetup;
const scratch = new ColumnScratch(layout.maxLength);
const post = (m: GridWorkerReply) => parentPort!.postMessage(m);
for (let row = Atomics.add(nextRow, 0, 1); row < layout.W; row = Atomics.add(nextRow, 0, 1)) {
  post({ written: computeRow(tables, layout, row - layout.m, scratch, data) });
}
post({ finished: true });
