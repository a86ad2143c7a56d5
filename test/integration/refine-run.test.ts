// Refinement on a small hand-made run directory with real torch training on CPU: selection by
// cutoff and by id, curves and events in the run directory, resume after a cancel, clear errors.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import type { CandidateRecord, RefineRecord, StoredEvent } from '../../common/protocol';
import { readRefineRecord, refine, RefineError, selectCandidates } from '../../runner/src/refine';
import { registerRefineCommands } from '../../runner/src/refine/commands';
import { readEvents } from '../../runner/src/store';
import { makeHandMadeRun } from '../helpers/hand-made-run';
import { writeSyntheticDataset } from '../helpers/npy';

const tmp = mkdtempSync(join(tmpdir(), 'pareto-refine-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const size = 12;
const dataset = writeSyntheticDataset(join(tmp, 'ds'), { size, train: 32, val: 16 });

/** A run whose search "found" three networks: g1-00 (small), g1-01 (bigger, better), g1-02 (dominated). */
const makeRun = (name: string) => makeHandMadeRun(tmp, name, dataset, size);

test('selection: --cutoff takes the Pareto networks at or below it; bad selections say why', () => {
  const run = makeRun('select');
  const records = readCandidatesSorted(run);
  const [small, big] = [records[0], records[1]];
  assert.ok(small.mflops < big.mflops);
  assert.deepEqual(
    selectCandidates(run, { cutoff: small.mflops }).map((r) => r.id),
    ['g1-00'],
  );
  assert.deepEqual(
    selectCandidates(run, { cutoff: big.mflops }).map((r) => r.id),
    ['g1-00', 'g1-01'],
  );
  assert.throws(
    () => selectCandidates(run, { cutoff: small.mflops / 2 }),
    (e: unknown) => e instanceof RefineError && /front spans/.test(e.message),
  );
  assert.throws(() => selectCandidates(run, { ids: ['g9-99'] }), /no candidate "g9-99"/);
});

function readCandidatesSorted(run: string): CandidateRecord[] {
  return readFileSync(join(run, 'candidates.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as CandidateRecord);
}

test('refine trains from scratch, records curves and events, and resumes after a cancel', async () => {
  const run = makeRun('resume');
  const ac = new AbortController();
  const first = await refine({
    runDir: run,
    select: { ids: ['g1-01'] },
    epochs: 4,
    signal: ac.signal,
    onProgress: (p) => p.state === 'epoch' && p.epoch?.epoch === 1 && ac.abort(),
  });
  assert.equal(first[0].status, 'failed');
  assert.equal(first[0].failure?.kind, 'cancelled');
  const partial = readRefineRecord(run, 'g1-01')!;
  // Cancelled after epoch 1 (or, on a busy machine, just after the next epoch it was already in).
  const done = partial.epochs.length;
  assert.ok(done >= 2 && done < 4, `${done} epochs before the cancel took effect`);
  assert.ok(existsSync(join(run, 'refine', 'g1-01', 'checkpoint', 'checkpoint.pt')));

  const newEpochs: number[] = [];
  const [rec] = await refine({
    runDir: run,
    select: { ids: ['g1-01'] },
    epochs: 4,
    onProgress: (p) => p.state === 'epoch' && newEpochs.push(p.epoch!.epoch),
  });
  assert.deepEqual(newEpochs, [2, 3].slice(done - 2), 'resumed after the last checkpointed epoch');
  assert.equal(rec.status, 'done');
  assert.deepEqual(
    rec.epochs.map((e) => e.epoch),
    [0, 1, 2, 3],
  );
  assert.equal(rec.searchAccuracy, 95);
  assert.equal(rec.valAccuracy, rec.epochs[3].valAccuracy);
  assert.ok(rec.inference && rec.inference.images === 16 && rec.inference.perImageMs > 0);
  assert.match(rec.device ?? '', /^torch/);
  const onDisk: RefineRecord = JSON.parse(readFileSync(join(run, 'refine', 'g1-01', 'result.json'), 'utf8'));
  assert.deepEqual(onDisk, rec);
  assert.ok(existsSync(join(run, 'refine', 'g1-01', 'weights', 'model.json')));
  // The learning-rate curve is the long cosine schedule of 4 epochs: lr/2 (1 + cos(pi e/4)).
  assert.ok(Math.abs(rec.epochs[2].learningRate - 0.025 / 2) < 1e-12);

  const events = readEvents(run).filter((e) => e.type.startsWith('refine-')) as StoredEvent[];
  const types = events.map((e) => e.type);
  assert.equal(types.filter((t) => t === 'refine-epoch').length, 4, 'each epoch recorded once');
  assert.equal(types.filter((t) => t === 'refine-started').length, 2);
  assert.equal(types.at(-1), 'refine-finished');
  const seqs = readEvents(run).map((e) => e.seq);
  assert.deepEqual(
    seqs,
    seqs.map((_, i) => i + 1),
    'events keep consecutive seqs',
  );

  // Asking again with the same schedule does nothing; another schedule over the checkpoint is refused.
  const again = await refine({ runDir: run, select: { ids: ['g1-01'] }, epochs: 4 });
  assert.deepEqual(again[0], rec);
  await assert.rejects(refine({ runDir: run, select: { ids: ['g1-01'] }, epochs: 6 }), /planned for 4 epochs/);
});

/** The refine command as cli.ts wires it (only this concern's commands, so the test does not depend on the others). */
function buildProgram(): Command {
  const program = new Command('pareto-nas').exitOverride();
  registerRefineCommands(program);
  return program;
}

test('CLI: pareto-nas refine needs exactly one of --cutoff and --ids, and runs', async () => {
  const run = makeRun('cli');
  await assert.rejects(buildProgram().parseAsync(['node', 'pareto-nas', 'refine', run]), /exactly one of --cutoff/);
  const out: string[] = [];
  const log = console.log;
  console.log = (line: string) => out.push(line);
  try {
    await buildProgram().parseAsync(['node', 'pareto-nas', 'refine', run, '--ids', 'g1-00', '--epochs', '1', '--json']);
  } finally {
    console.log = log;
  }
  const rec = JSON.parse(out.at(-1)!) as RefineRecord;
  assert.equal(rec.id, 'g1-00');
  assert.equal(rec.status, 'done');
  assert.equal(rec.epochs.length, 1);
});
