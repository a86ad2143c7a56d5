// The tfjs engine's worker process: owns one TF.js backend (wasm is single-threaded in Node, so the
// executor runs one worker per core) and runs one request at a time, sent by the parent over IPC.
// Bundled as dist/tfjs-worker.js; run from source (tsx) as worker.ts.
import { TrainingError, type FailureKind } from '../engine';
import { startBackend } from './backend';
import { registerGradients } from './gradients';
import type { FromWorker, ToWorker } from './protocol';
import { benchInProcess, predictInProcess, trainInProcess } from './train';

function send(msg: FromWorker): void {
  process.send?.(msg);
}

function kindOf(e: unknown): FailureKind {
  if (e instanceof TrainingError) return e.kind;
  const text = String((e as Error)?.message ?? e);
  if (/out of memory|Cannot allocate|memory access out of bounds|Array buffer allocation failed/i.test(text))
    return 'out-of-memory';
  return 'engine-error';
}

function fail(id: string | undefined, e: unknown): void {
  const err = e as Error;
  const message =
    e instanceof TrainingError
      ? err.message
      : `${err?.message ?? String(e)}${err?.stack ? `\n${err.stack.split('\n').slice(1, 4).join('\n')}` : ''}`;
  send({ type: 'error', id, kind: kindOf(e), message });
}

let running: { id: string; cancelled: boolean; stopped: boolean } | undefined;
let ready: Promise<void> | undefined;
const queue: ToWorker[] = [];
let busy = false;

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.type) {
    case 'init':
      ready = (async () => {
        const info = await startBackend(msg.backend);
        registerGradients();
        send({ type: 'hello', info });
      })();
      try {
        await ready;
      } catch (e) {
        fail(undefined, e);
      }
      return;
    case 'train':
    case 'predict':
    case 'bench': {
      if (!ready) return fail(msg.id, new TrainingError('engine-error', 'worker received a job before init'));
      running = { id: msg.id, cancelled: false, stopped: false };
      const job = running;
      const control = {
        cancelled: () => job.cancelled,
        stopped: () => job.stopped,
        onEpoch: (metrics: import('../engine').EpochMetrics) => send({ type: 'epoch', id: msg.id, metrics }),
        log: (line: string) => send({ type: 'log', line }),
      };
      try {
        await ready;
        if (msg.type === 'train') send({ type: 'result', id: msg.id, result: await trainInProcess(msg.job, control) });
        else if (msg.type === 'predict')
          send({ type: 'logits', id: msg.id, logits: await predictInProcess(msg.request) });
        else send({ type: 'bench', id: msg.id, result: await benchInProcess(msg.request, control) });
      } catch (e) {
        fail(msg.id, e);
      } finally {
        running = undefined;
      }
      return;
    }
    default:
      return;
  }
}

async function pump(): Promise<void> {
  if (busy) return;
  busy = true;
  try {
    while (queue.length) await handle(queue.shift()!);
  } finally {
    busy = false;
  }
}

process.on('message', (raw) => {
  const msg = raw as ToWorker;
  if (msg.type === 'cancel') {
    if (running?.id === msg.id) running.cancelled = true;
    return;
  }
  if (msg.type === 'stop') {
    if (running?.id === msg.id) running.stopped = true;
    return;
  }
  if (msg.type === 'shutdown') process.exit(0);
  queue.push(msg);
  void pump();
});
process.on('disconnect', () => process.exit(0));
process.on('uncaughtException', (e) => {
  fail(running?.id, e);
  process.exit(1);
});
