// The run directory's durability rules: torn appends, seq continuity, following a growing file,
// locks left by killed processes, and the run state a summary reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../common/config';
import type { RunInfo, StoredEvent } from '../../common/protocol';
import { followEvents, lastSeq, readEvents, RunLockedError, RunStore, summarizeRun } from '../../runner/src/store';
import { identityOf } from '../../runner/src/store/process';
import { CorruptLineError, readJsonLines } from '../../runner/src/store/files';
import { withFileLock, withFileLockAsync } from '../../runner/src/store/lock';

const info: RunInfo = {
  runner: 'test',
  createdAt: new Date(0).toISOString(),
  dataset: { dir: '/data', name: 'd', shape: [1, 8, 8], classes: ['a', 'b'] },
};
const newStore = () =>
  RunStore.create(mkdtempSync(join(tmpdir(), 'pnas-store-')), parseConfig({ dataset: '/data' }), info);
const log = (store: RunStore, message: string) => store.appendEvent({ type: 'log', level: 'info', message });

test('a torn last line is ignored on read and cut when the run is reopened; seq continues', () => {
  const store = newStore();
  log(store, 'one');
  log(store, 'two');
  appendFileSync(join(store.dir, 'events.jsonl'), '{"seq":3,"type":"lo');
  assert.deepEqual(
    readEvents(store.dir).map((e) => e.seq),
    [1, 2],
  );
  assert.equal(lastSeq(store.dir), 2);
  const reopened = RunStore.open(store.dir);
  assert.equal(log(reopened, 'three').seq, 3);
  assert.deepEqual(
    readEvents(store.dir).map((e) => e.seq),
    [1, 2, 3],
  );
  assert.deepEqual(
    readEvents(store.dir, 2).map((e) => e.seq),
    [3],
  );
});

test('a malformed complete line is reported with file and line number', () => {
  const store = newStore();
  log(store, 'ok');
  appendFileSync(join(store.dir, 'events.jsonl'), 'not json\n');
  assert.throws(
    () => readJsonLines(join(store.dir, 'events.jsonl')),
    (e: Error) => e instanceof CorruptLineError && /events\.jsonl:2: not valid JSON/.test(e.message),
  );
});

test('creating a run where one exists is refused with the resume hint', () => {
  const store = newStore();
  assert.throws(() => RunStore.create(store.dir, store.config, info), /already holds a run; use `pareto-nas resume/);
});

test('followEvents replays after fromSeq, then follows appends in order', async () => {
  const store = newStore();
  for (const m of ['a', 'b', 'c']) log(store, m);
  const seen: number[] = [];
  const controller = new AbortController();
  const following = followEvents(store.dir, 1, (e: StoredEvent) => seen.push(e.seq), controller.signal, 20);
  await new Promise((r) => setTimeout(r, 60));
  for (const m of ['d', 'e']) log(store, m);
  appendFileSync(join(store.dir, 'events.jsonl'), '{"seq":6,'); // half-written: not delivered yet
  await new Promise((r) => setTimeout(r, 80));
  assert.deepEqual(seen, [2, 3, 4, 5]);
  appendFileSync(join(store.dir, 'events.jsonl'), '"time":"t","type":"log","level":"info","message":"f"}\n');
  await new Promise((r) => setTimeout(r, 80));
  controller.abort();
  await following;
  assert.deepEqual(seen, [2, 3, 4, 5, 6]);
});

test('a lock left by a killed process is taken over at once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pnas-lock-'));
  const lock = join(dir, '.events.lock');
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  writeFileSync(lock, dead.stdout);
  const started = Date.now();
  assert.equal(
    withFileLock(lock, () => 'held'),
    'held',
  );
  assert.ok(Date.now() - started < 1000, 'no waiting for a dead holder');
  writeFileSync(lock, String(process.pid)); // a live holder: wait, then time out
  assert.throws(() => withFileLock(lock, () => 'never', 100), /timed out waiting for lock/);
});

test('the async lock (long work): callers take turns, and a dead holder is taken over at once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pnas-lock-'));
  const lock = join(dir, 'dataset.lock');
  const order: string[] = [];
  const work = (name: string) =>
    withFileLockAsync(
      lock,
      async () => {
        order.push(`${name} in`);
        await new Promise((r) => setTimeout(r, 60));
        order.push(`${name} out`);
        return name;
      },
      10,
    );
  assert.deepEqual(await Promise.all([work('a'), work('b')]), ['a', 'b']);
  assert.deepEqual(order, ['a in', 'a out', 'b in', 'b out']);
  assert.ok(!existsSync(lock));
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  writeFileSync(lock, dead.stdout);
  const started = Date.now();
  assert.equal(await withFileLockAsync(lock, async () => 'held'), 'held');
  assert.ok(Date.now() - started < 1000, 'no waiting for a dead holder');
});

test('summary: running while the recorded pid lives, stopped after it died, else the finish status', () => {
  const store = newStore();
  store.appendEvent({ type: 'run-started', config: store.config, resumed: false, pid: process.pid, host: hostname() });
  assert.equal(summarizeRun(store.dir).state, 'running');
  const dead = Number(
    spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout,
  );
  store.appendEvent({ type: 'run-started', config: store.config, resumed: true, pid: dead, host: hostname() });
  assert.equal(summarizeRun(store.dir).state, 'stopped');
  store.appendEvent({ type: 'run-finished', status: 'cancelled' });
  const s = summarizeRun(store.dir);
  assert.equal(s.state, 'cancelled');
  assert.equal(s.lastSeq, 3);
  assert.ok(readFileSync(join(store.dir, 'run.json'), 'utf8').includes('"shape"'));
});

test('reopening a run restores a candidate-finished event that a crash left out', () => {
  const store = newStore();
  const record = {
    id: 'g1-00',
    generation: 1,
    index: 0,
    genome: '0',
    specHash: 'h',
    mflops: 1,
    params: 1,
    status: 'ok' as const,
    valAccuracy: 90,
    error: 10,
    epochs: [],
    trainSeconds: 1,
    parents: [],
    finishedAt: new Date(0).toISOString(),
  };
  store.appendCandidate(record); // the crash: the record is on disk, its event is not
  store.close();
  RunStore.open(store.dir).close();
  const finished = readEvents(store.dir).filter((e) => e.type === 'candidate-finished');
  assert.deepEqual(
    finished.map((e) => e.type === 'candidate-finished' && e.record.id),
    ['g1-00'],
  );
  RunStore.open(store.dir).close(); // and only once
  assert.equal(readEvents(store.dir).filter((e) => e.type === 'candidate-finished').length, 1);
});

test('a new run refuses a non-empty folder that is not a run, and keeps its files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pnas-store-'));
  writeFileSync(join(dir, 'candidates.jsonl'), '{"stray":true}\n');
  writeFileSync(join(dir, 'notes.txt'), 'mine');
  assert.throws(
    () => RunStore.create(dir, parseConfig({ dataset: '/data' }), info),
    /is not empty and not a run \(it holds (candidates\.jsonl, notes\.txt|notes\.txt, candidates\.jsonl)\)/,
  );
  assert.ok(!existsSync(join(dir, 'config.json')));
  assert.equal(readFileSync(join(dir, 'notes.txt'), 'utf8'), 'mine');
});

test('writer lock: a live pid with another start time (pid reuse) is taken over; another host only after its heartbeat stops', () => {
  const store = newStore();
  store.close();
  const lock = join(store.dir, '.writer.lock');
  // the pid of a live process (the test runner's parent), but recorded with another start time
  const reused = { ...identityOf(process.ppid), start: '1', since: new Date(0).toISOString(), purpose: 'search' };
  writeFileSync(lock, JSON.stringify(reused));
  RunStore.open(store.dir).close();
  assert.ok(!existsSync(lock));

  const remote = { pid: 4242, host: 'another-node', since: '2026-01-01T00:00:00.000Z', purpose: 'resume' };
  writeFileSync(lock, JSON.stringify(remote));
  assert.throws(
    () => RunStore.open(store.dir),
    (e: Error) =>
      e instanceof RunLockedError &&
      /being written by a resume \(pid 4242 on another-node since 2026-01-01T00:00:00.000Z\).*delete .*\.writer\.lock/.test(
        e.message,
      ),
  );
  const old = new Date(Date.now() - 11 * 60_000);
  utimesSync(lock, old, old);
  RunStore.open(store.dir).close();
  assert.ok(!existsSync(lock));
});
