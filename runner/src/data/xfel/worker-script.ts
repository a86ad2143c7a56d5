// Starts one of the simulator's worker threads (sim-worker, grid-worker). The script lies next to
// the bundle (dist/<name>.js) or, run from source (tests, npm scripts), next to this file as
// TypeScript, which the thread then loads through tsx as this one does.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

export function startWorker(name: 'sim-worker' | 'grid-worker', workerData: unknown): Worker {
  const candidates = [join(__dirname, `${name}.js`), join(__dirname, `${name}.ts`)];
  const script = candidates.find((p) => existsSync(p));
  if (!script) throw new Error(`simulator worker script not found; looked in ${candidates.join(', ')}`);
  if (!script.endsWith('.ts')) return new Worker(script, { workerData });
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(script)});`, { eval: true, workerData });
}
