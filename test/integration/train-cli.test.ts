// `pareto-nas train` as a user runs it, with real PyTorch on CPU on a tiny synthetic dataset: the
// run directory holds the same records as a search, so status, pareto and report read it;
// duplicates are reused; the same command again trains nothing; bad genomes fail as in `flops`.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CandidateRecord, GenerationSnapshot, StoredEvent } from '../../common/protocol';
import { runCli } from '../helpers/cli';
import { writeSyntheticDataset } from '../helpers/npy';

const tmp = mkdtempSync(join(tmpdir(), 'pnas-train-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const dataset = writeSyntheticDataset(join(tmp, 'ds'), { size: 12, train: 32, val: 16 });

// 736 of the paper, 740 (every phase inactive: the head alone) and a genome that decodes to 740's network.
const genomes = ['010000100000000000001', '000000100000000000001', '000000000000000000000'];
const trainArgs = (runDir: string) => [
  'train',
  ...genomes,
  '--dataset',
  dataset,
  '--epochs',
  '1',
  '--init-channels',
  '4',
  '--batch-size',
  '16',
  '--run-dir',
  runDir,
  '--engine',
  'torch',
  '--workers',
  '1',
];
const lines = <T>(file: string): T[] =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as T);

test('train writes a one-generation run that status, pareto and report read; again, it trains nothing', () => {
  const run = join(tmp, 'run');
  const first = runCli(trainArgs(run));
  assert.equal(first.status, 0, first.stderr);
  const records = lines<CandidateRecord>(join(run, 'candidates.jsonl'));
  assert.deepEqual(records.map((r) => [r.id, r.genome]).sort(), [
    ['g1-0', genomes[0]],
    ['g1-1', genomes[1]],
    ['g1-2', genomes[2]],
  ]);
  const byId = new Map(records.map((r) => [r.id, r]));
  assert.equal(byId.get('g1-0')!.status, 'ok');
  assert.match(byId.get('g1-0')!.device ?? '', /^torch/);
  assert.equal(byId.get('g1-0')!.epochs.length, 1);
  assert.equal(byId.get('g1-2')!.status, 'reused', 'same network as g1-1');
  assert.equal(byId.get('g1-2')!.reusedFrom, 'g1-1');
  assert.equal(byId.get('g1-1')!.params, 2 * 1 + 2, 'no active phase: the linear head on one channel');

  const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
  assert.equal(config.training.epochs, 1);
  assert.equal(config.search.initChannels, 4);
  const snapshot = JSON.parse(readFileSync(join(run, 'generations', 'g0001.json'), 'utf8')) as GenerationSnapshot;
  assert.deepEqual(snapshot.population.map((m) => m.id).sort(), ['g1-0', 'g1-1', 'g1-2']);
  const events = lines<StoredEvent>(join(run, 'events.jsonl'));
  assert.deepEqual(
    [...new Set(events.map((e) => e.type))],
    [
      'run-started',
      'generation-started',
      'candidate-started',
      'candidate-epoch',
      'candidate-finished',
      'generation-finished',
      'run-finished',
    ],
  );

  const status = runCli(['status', run, '--json']);
  assert.equal(status.status, 0, status.stderr);
  assert.deepEqual(
    (({ state, generation, generations, evaluations }) => ({ state, generation, generations, evaluations }))(
      JSON.parse(status.stdout),
    ),
    { state: 'completed', generation: 1, generations: 1, evaluations: 3 },
  );
  const pareto = runCli(['pareto', run, '--json']);
  assert.equal(pareto.status, 0, pareto.stderr);
  assert.ok(
    pareto.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as CandidateRecord).id)
      .includes('g1-1'),
    'the cheapest network is on the front',
  );
  const report = runCli(['report', run]);
  assert.equal(report.status, 0, report.stderr);
  assert.ok(existsSync(join(run, 'report.html')) && existsSync(join(run, 'table1.md')));

  const again = runCli(trainArgs(run));
  assert.equal(again.status, 0, again.stderr);
  assert.equal(lines<CandidateRecord>(join(run, 'candidates.jsonl')).length, 3, 'nothing trained twice');
  const resumed = runCli(['resume', run]);
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.equal(lines<CandidateRecord>(join(run, 'candidates.jsonl')).length, 3);

  const other = runCli(['train', genomes[0], '--dataset', dataset, '--init-channels', '4', '--run-dir', run]);
  assert.equal(other.status, 1);
  assert.match(
    other.stderr,
    /trains 010000100000000000001 000000100000000000001 000000000000000000000, not 010000100000000000001; give another --run-dir/,
  );
});

test('bad genomes and datasets fail with the message of flops, and nothing is written', () => {
  const runDir = join(tmp, 'bad');
  const short = runCli(['train', '0101', '--dataset', dataset, '--run-dir', runDir]);
  assert.equal(short.status, 1);
  const flops = runCli(['flops', '0101']);
  assert.equal(short.stderr, flops.stderr);
  assert.match(short.stderr, /genome "0101" has 4 bits; 3 phases of 4 nodes need 21/);
  const letters = runCli(['train', '01000010000000000000x', '--dataset', dataset, '--run-dir', runDir]);
  assert.match(letters.stderr, /character other than 0 or 1 \("x" at position 20\)/);
  const missing = runCli(['train', genomes[0], '--dataset', join(tmp, 'nope'), '--run-dir', runDir]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /nope/);
  assert.ok(!existsSync(runDir));
});
