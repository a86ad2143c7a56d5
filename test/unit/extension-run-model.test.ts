// The extension's run model: events → tree/status-bar state, idempotent under replay (re-attach).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { presetConfig } from '../../common/config';
import type { CandidateRecord, EpochMetrics, RunEvent, StoredEvent } from '../../common/protocol';
import { applyEvent, frontOf, generationProgress, newRunModel } from '../../extension/src/runs/run-model';

function rec(
  id: string,
  generation: number,
  acc: number | null,
  mflops: number,
  status: CandidateRecord['status'] = 'ok',
): CandidateRecord {
  return {
    id,
    generation,
    index: Number(id.split('-')[1]),
    genome: '0',
    specHash: id,
    mflops,
    params: 1000,
    status,
    valAccuracy: acc,
    error: acc === null ? 100 : 100 - acc,
    epochs: [],
    trainSeconds: 1,
    parents: [],
    finishedAt: '2026-01-01T00:00:00Z',
  };
}

function epoch(index: number, valAccuracy: number): EpochMetrics {
  return { epoch: index, trainLoss: 1, trainAccuracy: 50, valAccuracy, learningRate: 0.1, seconds: 1 };
}

function stream(events: RunEvent[]): StoredEvent[] {
  return events.map((e, i) => ({ ...e, seq: i + 1, time: '2026-01-01T00:00:00Z' }) as StoredEvent);
}

const config = presetConfig('demo', 'default');
const events = stream([
  { type: 'run-started', config, resumed: false, pid: 1, host: 'h' },
  {
    type: 'generation-started',
    generation: 1,
    candidates: ['g1-00', 'g1-01', 'g1-02'].map((id) => ({ id, genome: '0', parents: [] })),
  },
  { type: 'candidate-started', id: 'g1-00', generation: 1 },
  { type: 'candidate-epoch', id: 'g1-00', metrics: epoch(0, 60) },
  { type: 'candidate-finished', record: rec('g1-00', 1, 80, 10) },
  { type: 'candidate-finished', record: rec('g1-01', 1, 90, 20) },
  { type: 'candidate-finished', record: rec('g1-02', 1, 70, 30) },
  { type: 'generation-finished', snapshot: { generation: 1, population: [], evaluations: 3, writtenAt: '' } },
  { type: 'generation-started', generation: 2, candidates: [{ id: 'g2-00', genome: '1', parents: ['g1-00'] }] },
  { type: 'candidate-finished', record: rec('g2-00', 2, null, 1, 'failed') },
]);

test('events build generations, candidates, progress and the Pareto front', () => {
  const m = newRunModel('local', 'r1');
  for (const e of events) assert.equal(applyEvent(m, e), true);
  assert.equal(m.state, 'running');
  assert.equal(m.name, 'demo');
  assert.equal(m.generations, config.search.generations);
  assert.equal(m.generation, 2);
  assert.equal(m.evaluations, 4);
  assert.deepEqual(generationProgress(m), { generation: 2, generations: config.search.generations, done: 1, total: 1 });
  assert.equal(m.candidates.get('g1-00')!.epochsDone, 0, 'the record (no epochs here) replaces live epoch progress');
  // g1-02 (70 %, 30 MFLOPs) is dominated by both others; the failed one never counts
  assert.deepEqual(
    frontOf(m).map((r) => r.id),
    ['g1-00', 'g1-01'],
  );
  assert.equal(m.lastSeq, events.length);
});

test('the front is the runner rule: a reused copy or a second record of the same network never adds a point', () => {
  const m = newRunModel('local', 'r1');
  for (const e of events) applyEvent(m, e);
  const before = frontOf(m);
  assert.equal(frontOf(m), before, 'cached until the next event');
  const more = stream([
    ...events, // placeholders: only the seqs after them matter
    // g2-01 reuses g1-01's network; g2-02 is the same network (spec hash) as g1-00, trained again, better
    { type: 'candidate-finished', record: { ...rec('g2-01', 2, 95, 0.5, 'reused'), reusedFrom: 'g1-01' } },
    { type: 'candidate-finished', record: { ...rec('g2-02', 2, 99, 10), specHash: 'g1-00' } },
    { type: 'candidate-finished', record: rec('g2-03', 2, 85, 15) },
  ] as RunEvent[]).slice(events.length);
  for (const e of more) applyEvent(m, e);
  assert.deepEqual(
    frontOf(m).map((r) => r.id),
    ['g1-00', 'g2-03', 'g1-01'],
  );
});

test('a replay after re-attach applies nothing twice', () => {
  const m = newRunModel('local', 'r1');
  for (const e of events.slice(0, 6)) applyEvent(m, e);
  // re-attach from seq 4: the server replays 5..n; 5 and 6 are already applied
  const applied = events.slice(4).map((e) => applyEvent(m, e));
  assert.deepEqual(applied, [false, false, true, true, true, true]);
  assert.equal(m.evaluations, 4);
  assert.equal(m.generationsById.get(1)!.finished, 3);
});

test('run-finished sets the final state', () => {
  const m = newRunModel('ssh:gpu', 'r2');
  for (const e of events) applyEvent(m, e);
  applyEvent(m, { type: 'run-finished', status: 'cancelled', message: 'by user', seq: 99, time: '' });
  assert.equal(m.state, 'cancelled');
  assert.equal(m.message, 'by user');
});

test('live progress counts finished epochs: the first epoch (index 0) makes one done', () => {
  const m = newRunModel('local', 'r3');
  const live = stream([
    ...events.slice(0, 3),
    { type: 'candidate-epoch', id: 'g1-00', metrics: epoch(0, 60) },
    { type: 'candidate-epoch', id: 'g1-00', metrics: epoch(1, 65) },
    { type: 'refine-started', id: 'ref-g1-00', candidate: 'g1-00', epochs: 500 },
    { type: 'refine-epoch', id: 'ref-g1-00', metrics: epoch(0, 70) },
  ]);
  for (const e of live.slice(0, 3)) applyEvent(m, e);
  assert.equal(m.candidates.get('g1-00')!.epochsDone, 0, 'started, nothing finished yet');
  applyEvent(m, live[3]);
  assert.equal(m.candidates.get('g1-00')!.epochsDone, 1);
  assert.equal(m.candidates.get('g1-00')!.lastValAccuracy, 60);
  applyEvent(m, live[4]);
  assert.equal(m.candidates.get('g1-00')!.epochsDone, 2);
  for (const e of live.slice(5)) applyEvent(m, e);
  assert.equal(m.refinements.get('ref-g1-00')!.epochsDone, 1);
});

test('worker events show each worker of a Slurm run: node, GPU, candidate, epoch, img/s, lost and excluded', () => {
  const m = newRunModel('local', 'r2');
  const n1 = { node: 'n1', gpu: '0' };
  const n2 = { node: 'n2', gpu: '1' };
  for (const e of stream([
    { type: 'run-started', config, resumed: false, pid: 1, host: 'h' },
    {
      type: 'generation-started',
      generation: 1,
      candidates: ['g1-00', 'g1-01'].map((id) => ({ id, genome: '0', parents: [] })),
    },
    { type: 'worker-started', slot: 0, worker: n1 },
    { type: 'worker-started', slot: 1, worker: n2 },
    { type: 'candidate-started', id: 'g1-00', generation: 1, worker: n1 },
    { type: 'candidate-started', id: 'g1-01', generation: 1, worker: n2 },
    {
      type: 'candidate-epoch',
      id: 'g1-00',
      metrics: {
        epoch: 0,
        trainLoss: 1,
        trainAccuracy: 50,
        valAccuracy: 60,
        learningRate: 0.1,
        seconds: 2,
        images: 1000,
      },
    },
    { type: 'worker-lost', slot: 1, worker: n2, candidate: 'g1-01', message: 'step died', requeued: true },
    { type: 'node-excluded', node: 'n2', failures: 2 },
  ]))
    applyEvent(m, e);
  const w1 = m.workers.get('n1/0')!;
  assert.deepEqual([w1.state, w1.candidate, w1.epoch, w1.imagesPerSecond], ['up', 'g1-00', 1, 500]);
  const w2 = m.workers.get('n2/1')!;
  assert.deepEqual([w2.state, w2.candidate, w2.lost], ['excluded', undefined, 1]);
});
