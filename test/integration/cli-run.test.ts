// A real search from the command line (real PyTorch on CPU, a tiny separable dataset): status,
// pareto and inspect on its run directory; kill -9 mid-run then resume reaching the same final
// population as an uninterrupted run; SIGTERM as a clean, resumable cancel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import type { CandidateRecord, GenerationSnapshot, StoredEvent } from '../../common/protocol';
import { runCli, startCli } from '../helpers/cli';
import { writeSyntheticDataset } from '../helpers/npy';

const work = mkdtempSync(join(tmpdir(), 'pnas-cli-run-'));
const dataset = writeSyntheticDataset(join(work, 'data'), { size: 12, train: 320, val: 64, seed: 5 });
const configFile = join(work, 'search.json');
writeFileSync(
  configFile,
  JSON.stringify({
    name: 'cli-run',
    dataset,
    search: { population: 4, offspring: 2, generations: 3, initChannels: 4, seed: 11 },
    training: { epochs: 3, batchSize: 32 },
    engine: { name: 'torch' },
    executor: { workers: 1 },
  }),
);

const lines = <T>(file: string): T[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as T)
    : [];
const finalPopulation = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, 'generations', 'g0003.json'), 'utf8')) as GenerationSnapshot).population;

async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const reference = join(work, 'reference');

test('search runs to completion with real training; status, pareto and inspect read the run', () => {
  const r = runCli(['search', '--config', configFile, '--run-dir', reference]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /completed: 8 evaluations/);
  const records = lines<CandidateRecord>(join(reference, 'candidates.jsonl'));
  assert.equal(records.length, 4 + 2 * 2);
  const trained = records.filter((x) => x.status === 'ok');
  assert.ok(trained.length > 0);
  assert.ok(trained.every((x) => x.epochs.length === 3 && x.valAccuracy !== null && x.trainSeconds > 0));
  assert.ok(Math.max(...trained.map((x) => x.valAccuracy!)) > 75, 'a separable set is learned well above chance');

  const status = runCli(['status', reference]);
  assert.match(status.stdout, /completed, generation 3\/3, 8 evaluations/);
  const front = runCli(['pareto', reference, '--json'])
    .stdout.trim()
    .split('\n')
    .map((l) => JSON.parse(l) as CandidateRecord);
  assert.ok(front.length >= 1);
  for (const a of front) {
    for (const b of front) {
      const dominates = a.error <= b.error && a.mflops <= b.mflops && (a.error < b.error || a.mflops < b.mflops);
      assert.ok(!dominates, `${a.id} does not dominate ${b.id} on the front`);
    }
  }
  const inspect = runCli(['inspect', reference, front[0].id]);
  assert.equal(inspect.status, 0, inspect.stderr);
  assert.match(inspect.stdout, new RegExp(`genome ${front[0].genome}`));
  assert.match(inspect.stdout, /head: global average pool/);
  assert.match(runCli(['inspect', reference, 'g9-99']).stderr, /has no candidate "g9-99"/);
});

test('kill -9 mid-run, then resume: the same final population as the uninterrupted run', async () => {
  const dir = join(work, 'killed');
  const child = startCli(['search', '--config', configFile, '--run-dir', dir]);
  await waitFor(() => lines(join(dir, 'candidates.jsonl')).length >= 4, 240_000, 'four recorded candidates');
  child.kill('SIGKILL');
  await once(child, 'exit');
  const before = lines<CandidateRecord>(join(dir, 'candidates.jsonl')).length;
  assert.ok(before < 8, 'killed before the end');

  const r = runCli(['resume', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(finalPopulation(dir), finalPopulation(reference));
  const events = lines<StoredEvent>(join(dir, 'events.jsonl'));
  assert.deepEqual(
    events.map((e) => e.seq),
    events.map((_, i) => i + 1),
  );
  assert.equal(events.filter((e) => e.type === 'run-started').length, 2);
});

test('SIGTERM cancels cleanly and resume finishes the run', async () => {
  const dir = join(work, 'cancelled');
  const child = startCli(['search', '--config', configFile, '--run-dir', dir]);
  await waitFor(() => lines(join(dir, 'candidates.jsonl')).length >= 2, 240_000, 'two recorded candidates');
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number];
  assert.equal(code, 130);
  const last = lines<StoredEvent>(join(dir, 'events.jsonl')).at(-1)!;
  assert.equal(last.type, 'run-finished');
  assert.equal(last.type === 'run-finished' && last.status, 'cancelled');
  assert.match(runCli(['status', dir]).stdout, /cancelled/);
  const r = runCli(['resume', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(finalPopulation(dir), finalPopulation(reference));
});
