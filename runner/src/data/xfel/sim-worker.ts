// A worker thread of `dataset simulate --workers N` (sim-pool.ts): attaches the bricked grids the
// main thread built in shared WebAssembly memory (no copy), then simulates the chunks it is sent.
import { parentPort, workerData } from 'node:worker_threads';
import { BrickedGrid } from './bricked';
import { makeDetector } from './geometry';
import { simulateChunk } from './sim-chunk';
import { PatternSimulator } from './simulate';
import type { ChunkRequest, ChunkReply, WorkerSetup } from './sim-pool';

const setup = workerData as WorkerSetup;
const detector = makeDetector(setup.detector);
const sims = setup.grids.map(
  (g) =>
    new PatternSimulator(BrickedGrid.attach(g), detector, setup.fluence, setup.interpolation, setup.detectorStride),
);

parentPort!.postMessage({ ready: true });
parentPort!.on('message', (m: ChunkRequest) => {
  let reply: ChunkReply;
  try {
    const result = simulateChunk(sims, m.items, setup.seed, setup.detector.n, setup.bin);
    reply = { id: m.id, result };
    const { images, quaternions, euler, expectedTotals } = result;
    parentPort!.postMessage(
      reply,
      [images, quaternions, euler, expectedTotals].map((a) => a.buffer as ArrayBuffer),
    );
  } catch (e) {
    reply = { id: m.id, error: (e as Error).stack ?? String(e) };
    parentPort!.postMessage(reply);
  }
});
