// The local executor's scheduling, with stand-in engines (a unit test of the executor itself):
// worker planning, parallelism, completion-order reporting, failures as TrainingError, abort.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TrainingError,
  type Engine,
  type TrainHooks,
  type TrainJob,
  type TrainResult,
} from '../../runner/src/engines/engine';
import { LocalExecutor, planSlots, visibleGpus, type WorkerSlot } from '../../runner/src/exec/local';
import { EngineSettings } from '../../common/config';
import type { NetworkSpec } from '../../common/model';

test('planSlots: one worker per GPU, k per GPU round-robin, or one per core with a share of threads', () => {
  assert.deepEqual(planSlots({ gpus: ['0', '1'], cpus: 16, workers: null, workersPerGpu: 1 }), [
    { index: 0, gpu: '0' },
    { index: 1, gpu: '1' },
  ]);
  assert.deepEqual(
    planSlots({ gpus: ['3', '5'], cpus: 16, workers: null, workersPerGpu: 2 }).map((s) => s.gpu),
    ['3', '5', '3', '5'],
  );
  assert.deepEqual(
    planSlots({ gpus: ['0', '1'], cpus: 16, workers: 1, workersPerGpu: 4 }).map((s) => s.gpu),
    ['0'],
  );
  assert.deepEqual(
    planSlots({ gpus: [], cpus: 8, workers: null, workersPerGpu: 1 }).map((s) => s.threads),
    Array(8).fill(1),
  );
  assert.deepEqual(planSlots({ gpus: [], cpus: 8, workers: 2, workersPerGpu: 1 }), [
    { index: 0, threads: 4 },
    { index: 1, threads: 4 },
  ]);
});

test('visibleGpus honours CUDA_VISIBLE_DEVICES', () => {
  assert.deepEqual(visibleGpus(2, { CUDA_VISIBLE_DEVICES: '4,6' }), ['4', '6']);
  assert.deepEqual(visibleGpus(3, {}), ['0', '1', '2']);
  assert.deepEqual(visibleGpus(1, { CUDA_VISIBLE_DEVICES: 'GPU-abc, GPU-def' }), ['GPU-abc']);
});

const spec = {} as NetworkSpec;
const job = (id: string): TrainJob => ({ id, spec, dataset: '/nowhere', training: {} as TrainJob['training'] });

/** A stand-in engine: each job takes `ms` (from its id), "fail-*" ids fail, "throw-*" ids throw a plain Error. */
class FakeEngine implements Engine {
  readonly name = 'torch' as const;
  static running = 0;
  static peak = 0;
  closed = false;
  constructor(readonly slot: WorkerSlot) {}
  async info() {
    return { name: 'torch' as const, description: 'fake', gpus: [] };
  }
  async train(j: TrainJob, hooks: TrainHooks = {}): Promise<TrainResult> {
    FakeEngine.running++;
    FakeEngine.peak = Math.max(FakeEngine.peak, FakeEngine.running);
    try {
      const ms = Number(j.id.split('-').at(-1));
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, ms);
        hooks.signal?.addEventListener('abort', () => {
          clearTimeout(t);
          reject(new TrainingError('cancelled', `${j.id}: cancelled`));
        });
      });
      hooks.onEpoch?.({
        epoch: 0,
        trainLoss: 1,
        trainAccuracy: 50,
        valAccuracy: 50,
        learningRate: 0.1,
        seconds: ms / 1000,
      });
      if (j.id.startsWith('fail')) throw new TrainingError('nan-loss', `${j.id}: loss is nan`);
      if (j.id.startsWith('throw')) throw new Error('worker pipe broke');
      return { epochs: [], valAccuracy: 90, params: 1, device: `fake slot ${this.slot.index}` };
    } finally {
      FakeEngine.running--;
    }
  }
  async close() {
    this.closed = true;
  }
}

function executor(workers: number, engines: FakeEngine[] = []) {
  return new LocalExecutor({
    engine: EngineSettings.parse({ name: 'torch' }),
    executor: { workers },
    gpus: [],
    cpus: 4,
    createEngine: async (slot) => {
      const e = new FakeEngine(slot);
      engines.push(e);
      return { engine: e, reason: 'fake engine' };
    },
  });
}

test('runs jobs in parallel on N workers and reports each once, in completion order', async () => {
  FakeEngine.peak = 0;
  const engines: FakeEngine[] = [];
  const ex = executor(3, engines);
  const order: string[] = [];
  const started: string[] = [];
  const epochs: string[] = [];
  const ids = ['a-400', 'b-20', 'c-60', 'd-10', 'e-10', 'f-10'];
  await ex.evaluate(ids.map(job), {
    onStart: (id) => started.push(id),
    onEpoch: (id) => epochs.push(id),
    onResult: (id, outcome) => {
      assert.ok(!(outcome instanceof Error), `${id} failed`);
      order.push(id);
    },
  });
  assert.equal(FakeEngine.peak, 3);
  assert.deepEqual([...order].sort(), [...ids].sort());
  assert.deepEqual(started, ids, 'dispatched in job order');
  assert.equal(order.at(-1), 'a-400', 'the slow job reports last');
  assert.equal(epochs.length, 6);
  assert.match(ex.describe(), /^local: 3 workers on cpu×1, cpu×1, cpu×1 \(fake engine\)$/);
  await ex.close();
  assert.ok(engines.every((e) => e.closed));
});

test('failures come back as TrainingError through onResult, never as a throw', async () => {
  const ex = executor(2);
  const outcomes = new Map<string, unknown>();
  await ex.evaluate([job('ok-5'), job('fail-5'), job('throw-5')], { onResult: (id, o) => void outcomes.set(id, o) });
  assert.equal(outcomes.size, 3);
  assert.ok(!(outcomes.get('ok-5') instanceof Error));
  const nan = outcomes.get('fail-5');
  assert.ok(nan instanceof TrainingError && nan.kind === 'nan-loss');
  const crash = outcomes.get('throw-5');
  assert.ok(crash instanceof TrainingError && crash.kind === 'engine-error' && /pipe broke/.test(crash.message));
  await ex.close();
});

test('abort cancels running jobs, reports them as cancelled and starts no more', async () => {
  const ex = executor(2);
  const ac = new AbortController();
  const outcomes = new Map<string, unknown>();
  setTimeout(() => ac.abort(), 30);
  await ex.evaluate([job('a-5000'), job('b-5000'), job('c-10'), job('d-10')], {
    signal: ac.signal,
    onResult: (id, o) => void outcomes.set(id, o),
  });
  assert.deepEqual([...outcomes.keys()].sort(), ['a-5000', 'b-5000']);
  for (const o of outcomes.values()) assert.ok(o instanceof TrainingError && o.kind === 'cancelled');
  await ex.close();
});

test('an onResult that throws (the run store failed) stops dispatch and rejects evaluate', async () => {
  const ex = executor(1);
  const seen: string[] = [];
  await assert.rejects(
    ex.evaluate([job('a-5'), job('b-5'), job('c-5')], {
      onResult: (id) => {
        seen.push(id);
        throw new Error('disk full');
      },
    }),
    /disk full/,
  );
  assert.deepEqual(seen, ['a-5']);
  await ex.close();
});
