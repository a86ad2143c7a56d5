// The explorer's Workers section model (webview/src/model/workers.ts): the extension's snapshot,
// then deltas built from the run's events, folded by the same rule as the Runs view
// (common/workers.ts); rows name node, GPU, candidate, epoch and img/s; old deltas change nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { presetConfig } from '../../common/config';
import { deltaFromEvents } from '../../common/explorer/events';
import type { CandidateRecord, EpochMetrics, RunEvent, StoredEvent } from '../../common/protocol';
import { workerRows, type WorkerRow } from '../../common/workers';
import { applyEvent, newRunModel } from '../../extension/src/runs/run-model';
import { snapshotFromModel } from '../../extension/src/webview/data-source';
import { WorkersModel } from '../../webview/src/model/workers';

const n1 = { node: 'n1', gpu: '0' };
const n2 = { node: 'n2', gpu: '1' };
const n10 = { node: 'n10', gpu: '0' };

function rec(id: string): CandidateRecord {
  return {
    id,
    generation: 1,
    index: 0,
    genome: '0',
    specHash: id,
    mflops: 1,
    params: 10,
    status: 'ok',
    valAccuracy: 90,
    error: 10,
    epochs: [],
    trainSeconds: 1,
    parents: [],
    finishedAt: '2026-01-01T00:00:00Z',
  };
}

function epoch(id: string, index: number, images: number, seconds: number): RunEvent {
  const metrics: EpochMetrics = {
    epoch: index,
    trainLoss: 1,
    trainAccuracy: 50,
    valAccuracy: 60,
    learningRate: 0.1,
    seconds,
    images,
  };
  return { type: 'candidate-epoch', id, metrics };
}

const run: StoredEvent[] = (
  [
    { type: 'run-started', config: presetConfig('demo', 'default'), resumed: false, pid: 1, host: 'h' },
    {
      type: 'generation-started',
      generation: 1,
      candidates: ['g1-00', 'g1-01', 'g1-02'].map((id) => ({ id, genome: '0', parents: [] })),
    },
    { type: 'worker-started', slot: 0, worker: n1 },
    { type: 'worker-started', slot: 1, worker: n2 },
    { type: 'worker-started', slot: 2, worker: n10 },
    { type: 'candidate-started', id: 'g1-00', generation: 1, worker: n1 },
    { type: 'candidate-started', id: 'g1-01', generation: 1, worker: n2 },
    epoch('g1-00', 0, 1000, 2),
    { type: 'worker-lost', slot: 1, worker: n2, candidate: 'g1-01', message: 'step died', requeued: true },
    { type: 'candidate-started', id: 'g1-02', generation: 1, worker: n10 },
    epoch('g1-00', 1, 1000, 4),
    { type: 'candidate-finished', record: rec('g1-00') },
    { type: 'worker-started', slot: 1, worker: n2 },
    { type: 'candidate-started', id: 'g1-01', generation: 1, worker: n2 },
  ] satisfies RunEvent[]
).map((e, i) => ({ ...e, seq: i + 1, time: '2026-01-01T00:00:00Z' }) as StoredEvent);

const cells = (rows: WorkerRow[]) =>
  rows.map((r) => [r.label, r.candidate ?? '', r.epoch ?? '', r.imagesPerSecond ?? '', r.description]);

test('rows name each worker, the candidate it trains, the epoch and img/s, sorted by node and GPU', () => {
  const model = new WorkersModel();
  model.applySnapshot({ run: { id: 'r', name: 'r' }, lastSeq: 0, decode: null, candidates: [], refinements: [] });
  model.applyDelta(deltaFromEvents(run.slice(0, 11))!);
  assert.deepEqual(cells(model.rows()), [
    ['n1 GPU 0', 'g1-00', 2, 250, 'g1-00 epoch 2, 250 img/s'],
    ['n2 GPU 1', '', '', '', 'lost (restarts on its next candidate)'],
    ['n10 GPU 0', 'g1-02', 0, '', 'g1-02 epoch 0'],
  ]);
  assert.equal(model.summary(), '2/3 up on 2 node(s), 2 training');
  // the finished candidate frees its worker; the lost one's step came back and trains again
  model.applyDelta(deltaFromEvents(run, 11)!);
  assert.deepEqual(cells(model.rows()), [
    ['n1 GPU 0', '', '', '', 'idle'],
    ['n2 GPU 1', 'g1-01', 0, '', 'g1-01 epoch 0'],
    ['n10 GPU 0', 'g1-02', 0, '', 'g1-02 epoch 0'],
  ]);
  assert.match(model.rows()[1].detail, /lost 1×/);
});

test('the explorer shows what the Runs view shows, from a snapshot taken at any point and the deltas after it', () => {
  for (let cut = 0; cut <= run.length; cut++) {
    const m = newRunModel('local', 'r');
    for (const e of run.slice(0, cut)) applyEvent(m, e);
    const model = new WorkersModel();
    model.applySnapshot(snapshotFromModel({ host: 'local', run: 'r' }, m, null));
    for (let i = cut; i < run.length; i += 2) model.applyDelta(deltaFromEvents(run.slice(i, i + 2))!);
    for (const e of run.slice(cut)) applyEvent(m, e);
    assert.deepEqual(model.rows(), workerRows(m.workers.values()), `snapshot after ${cut} events`);
  }
});

test('an old or repeated delta changes nothing; a run without workers has none', () => {
  const model = new WorkersModel();
  model.applySnapshot({ run: { id: 'r', name: 'r' }, lastSeq: 0, decode: null, candidates: [], refinements: [] });
  const all = deltaFromEvents(run)!;
  assert.equal(model.applyDelta(all), true);
  const before = model.rows();
  assert.equal(model.applyDelta(all), false);
  assert.equal(model.applyDelta(deltaFromEvents(run.slice(0, 8))!), false);
  assert.deepEqual(model.rows(), before);

  const local = new WorkersModel();
  local.applySnapshot({ run: { id: 'l', name: 'l' }, lastSeq: 0, decode: null, candidates: [], refinements: [] });
  const plain = run.filter((e) => !e.type.startsWith('worker') && !(e.type === 'candidate-started' && e.worker));
  local.applyDelta(deltaFromEvents(plain)!);
  assert.equal(local.size, 0);
});
