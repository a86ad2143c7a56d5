// One writer per run, with real processes: two writers started together on one run (both creating
// it, or both reopening it) — 20 tries — always leave exactly one writer's records; the CLI's
// search/resume/refine refuse a run another process writes, naming that owner; a lock left by
// kill -9 is taken over at once. Also what a search refuses before it trains: a dataset with a
// label out of range or a NaN, a finished run, a non-empty folder that is not a run, and the
// small CLI argument checks.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { runCli } from '../helpers/cli';
import { writeNpy, writeSyntheticDataset } from '../helpers/npy';
import { repoRoot } from '../helpers/paths';

const tmp = mkdtempSync(join(tmpdir(), 'pnas-writer-'));
const contender = join(tmp, 'contender.js');
const dataset = writeSyntheticDataset(join(tmp, 'ds'), { size: 8, train: 8, val: 4 });
const TRIES = 20;

before(async () => {
  await build({
    entryPoints: [join(repoRoot, 'test/helpers/writer-contender.ts')],
    bundle: true,
    platform: 'node',
    outfile: contender,
    logLevel: 'error',
  });
});
after(() => rmSync(tmp, { recursive: true, force: true }));

interface Exit {
  code: number | null;
  stderr: string;
}

function run(args: string[]): { child: ChildProcess; exit: Promise<Exit> } {
  const child = spawn(process.execPath, [contender, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exit = new Promise<Exit>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`contender ${args.join(' ')} did not end within 30 s`));
    }, 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
  return { child, exit };
}

/** Starts a contender that holds the run's lock; resolves once it does. */
async function holder(dir: string): Promise<ChildProcess> {
  const { child } = run(['hold', dir]);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => String(d).includes('ready') && resolve());
    child.on('exit', (code) => reject(new Error(`holder exited with ${code}`)));
  });
  return child;
}

function writers(dir: string): number[] {
  const file = join(dir, 'candidates.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { writer: number }).writer);
}

/** The records of each writer form one block: no two writers were ever writing at the same time. */
function assertOneWriterAtATime(pids: number[], what: string): void {
  const blocks = pids.filter((p, i) => i === 0 || pids[i - 1] !== p);
  assert.equal(new Set(blocks).size, blocks.length, `${what}: writers interleaved: ${pids.join(',')}`);
  for (const p of new Set(pids))
    assert.equal(
      pids.filter((q) => q === p).length,
      9,
      `${what}: writer ${p} wrote ${pids.filter((q) => q === p).length} records`,
    );
}

test(`two processes creating one run together: exactly one writes it (${TRIES / 2} tries)`, async () => {
  for (let i = 0; i < TRIES / 2; i++) {
    const dir = join(tmp, `create-${i}`);
    const exits = await Promise.all([run(['create', dir]).exit, run(['create', dir]).exit]);
    const pids = writers(dir);
    assert.equal(pids.length, 9, `try ${i}: ${pids.length} records (${exits.map((e) => e.stderr).join(' | ')})`);
    assert.equal(new Set(pids).size, 1);
    assert.deepEqual(exits.map((e) => e.code).sort(), [0, 3], `try ${i}: ${JSON.stringify(exits)}`);
    const refusal = exits.find((e) => e.code === 3)!.stderr;
    assert.match(refusal, /is being written by a search \(pid \d+ on .+ since .+\)|already holds a run/);
  }
});

test(`two processes reopening one run together never write at the same time (${TRIES / 2} tries)`, async () => {
  for (let i = 0; i < TRIES / 2; i++) {
    const dir = join(tmp, `resume-${i}`);
    assert.equal((await run(['create', dir, '0']).exit).code, 0);
    rmSync(join(dir, 'candidates.jsonl'));
    const exits = await Promise.all([run(['resume', dir]).exit, run(['resume', dir]).exit]);
    assertOneWriterAtATime(writers(dir), `try ${i}`);
    for (const e of exits)
      if (e.code !== 0)
        assert.match(e.stderr, new RegExp(`is being written by a resume \\(pid \\d+ on ${hostname()} since \\d{4}-`));
    assert.ok(!existsSync(join(dir, '.writer.lock')), 'the lock is released');
  }
});

test('search, resume and refine of the CLI refuse a run another process writes, naming it', async () => {
  const dir = join(tmp, 'held');
  assert.equal((await run(['create', dir, '0']).exit).code, 0);
  const owner = await holder(dir);
  try {
    const config = join(tmp, 'held.json');
    writeFileSync(
      config,
      JSON.stringify({
        name: 'held',
        dataset,
        search: { population: 2, offspring: 2, generations: 1 },
        engine: { name: 'tfjs' },
      }),
    );
    const expected = new RegExp(
      `is being written by a resume \\(pid ${owner.pid} on ${hostname()} since \\d{4}-[^)]+\\); only one process may write a run at a time`,
    );
    for (const args of [
      ['search', '--config', config, '--run-dir', dir],
      ['resume', dir],
      ['refine', dir, '--ids', 'g1-00', '--epochs', '1'],
    ]) {
      const r = runCli(args, {}, 120_000);
      assert.equal(r.status, 1, `${args[0]}: ${r.stderr}`);
      assert.match(r.stderr, expected, args[0]);
    }
    assert.equal(writers(dir).length, 9, 'nothing was added');
  } finally {
    owner.kill('SIGKILL');
  }
});

test('a lock left by kill -9 is taken over at once', async () => {
  const dir = join(tmp, 'killed');
  assert.equal((await run(['create', dir, '0']).exit).code, 0);
  const owner = await holder(dir);
  const gone = new Promise((r) => owner.on('exit', r));
  owner.kill('SIGKILL');
  await gone;
  assert.ok(existsSync(join(dir, '.writer.lock')), 'the killed holder left its lock');
  const started = Date.now();
  const next = await run(['resume', dir, '0']).exit;
  assert.equal(next.code, 0, next.stderr);
  assert.ok(Date.now() - started < 20_000);
  assert.ok(!existsSync(join(dir, '.writer.lock')));
});

test('a search checks its dataset before training: a label out of range or a NaN refuses with the reader message', () => {
  const bad = writeSyntheticDataset(join(tmp, 'bad-label'), { size: 8, train: 8, val: 4 });
  writeNpy(join(bad, 'val_labels.npy'), 'int64', [4], [0, 1, 7, 0]);
  const nan = writeSyntheticDataset(join(tmp, 'nan'), { size: 8, train: 8, val: 4 });
  const values = new Float32Array(8 * 64).fill(0.5);
  values[3 * 64 + 10] = NaN;
  writeNpy(join(nan, 'train_images.npy'), 'float32', [8, 1, 8, 8], values);
  for (const [ds, message] of [
    [
      bad,
      /the dataset cannot be trained on, so the search did not start: .*val_labels\.npy: label 7 at index 2 is out of range \[0, 2\)/,
    ],
    [
      nan,
      /the dataset cannot be trained on, so the search did not start: .*train_images\.npy: image 3 holds NaN at pixel 10/,
    ],
  ] as const) {
    const runDir = join(tmp, `run-${ds.split('/').at(-1)}`);
    const r = runCli(['search', '--preset', 'demo', '--dataset', ds, '--run-dir', runDir], {}, 120_000);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, message);
    assert.ok(!existsSync(join(runDir, 'candidates.jsonl')), 'nothing was trained');
  }
});

test('resume refuses a finished run; search refuses a non-empty folder that is not a run', async () => {
  const dir = join(tmp, 'finished');
  assert.equal((await run(['create', dir, '0']).exit).code, 0);
  writeFileSync(
    join(dir, 'events.jsonl'),
    `${JSON.stringify({ seq: 1, time: '2026-01-01T00:00:00Z', type: 'run-finished', status: 'completed' })}\n`,
  );
  const r = runCli(['resume', dir]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /is finished \(completed at 2026-01-01T00:00:00Z\); nothing to resume/);
  assert.equal(readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n').length, 1, 'no events added');

  const foreign = join(tmp, 'foreign');
  mkdirSync(foreign);
  writeFileSync(join(foreign, 'candidates.jsonl'), '{"id":"stray"}\n');
  const s = runCli(['search', '--preset', 'demo', '--dataset', dataset, '--run-dir', foreign], {}, 120_000);
  assert.equal(s.status, 1);
  assert.match(s.stderr, /is not empty and not a run \(it holds candidates\.jsonl\); choose a new or empty folder/);
  assert.equal(readFileSync(join(foreign, 'candidates.jsonl'), 'utf8'), '{"id":"stray"}\n');
});

test('argument checks: pareto on a folder that is not a run, negative sizes', () => {
  const notRun = mkdtempSync(join(tmp, 'empty-'));
  const p = runCli(['pareto', notRun]);
  assert.equal(p.status, 1);
  assert.match(p.stderr, /is not a run directory \(no config\.json\)/);
  for (const [args, message] of [
    [['flops', '000000000000000000000', '--init-channels', '-1'], /"-1" is not a positive integer/],
    [['flops', '000000000000000000000', '--classes', '0'], /"0" must be an integer of at least 2/],
    [['nsga2-check', '--problem', 'zdt1', '--pop', '-5'], /"-5" must be an integer of at least 2/],
  ] as const) {
    const r = runCli([...args]);
    assert.notEqual(r.status, 0, args.join(' '));
    assert.match(r.stderr, message);
  }
});
