// `pareto-nas case-study` end to end at CI scale with real PyTorch on CPU: 300 simulated 32×32
// patterns, one epoch of training and of refinement, a search of two candidates; Table I written
// as Markdown and JSON beside the paper's numbers; the same command again trains nothing; other
// settings on the same folder are refused with a message naming the option.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cost, decode } from '../../common/model';
import type { CaseStudyRow } from '../../runner/src/case-study/table';
import type { Ledger } from '../../runner/src/case-study/ledger';
import { runCli } from '../helpers/cli';

const tmp = mkdtempSync(join(tmpdir(), 'pnas-case-study-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const out = join(tmp, 'out');
// A grid cache of its own, so the test does the work a fresh machine does; a coarse grid keeps that to seconds.
const env = { PARETO_NAS_CACHE: join(tmp, 'cache') };
const args = [
  'case-study',
  '--count',
  '300',
  '--size',
  '32',
  '--epochs',
  '1',
  '--refine-epochs',
  '1',
  '--oversample',
  '0.5',
  '--search',
  '2,1',
  '--batch-size',
  '64',
  '--engine',
  'torch',
  '--workers',
  '1',
  '--out',
  out,
];
const lineCount = (file: string) => readFileSync(file, 'utf8').trim().split('\n').length;

interface TableJson {
  rows: CaseStudyRow[];
  steps: Ledger;
  dataset: { train: number; val: number; shape: number[] };
  search: { candidates: number; plot: string | null } | null;
}

test('case-study simulates, trains, refines, searches and writes Table I beside the paper; again, it only rewrites the table', () => {
  const r = runCli(args, env);
  assert.equal(r.status, 0, r.stderr);
  for (const step of ['1/4 dataset', '2/4 train', '3/4 refine', '4/4 search']) assert.match(r.stderr, new RegExp(step));

  const table = JSON.parse(readFileSync(join(out, 'table1.json'), 'utf8')) as TableJson;
  assert.deepEqual([table.dataset.train, table.dataset.val, table.dataset.shape], [240, 60, [1, 32, 32]]);
  assert.deepEqual(
    table.rows.map((row) => [
      row.network,
      row.genome,
      row.paper.mflops,
      row.paper.accuracyBefore,
      row.paper.accuracyAfter,
    ]),
    [
      ['740', '000000100000000000001', 0.0161, 57.1, 57.1],
      ['729', '010000000000000000001', 169.125, 92.4, 97.7],
      ['736', '010000100000000000001', 187.125, 94.6, 98.1],
    ],
  );
  for (const row of table.rows) {
    const spec = decode(row.genome, {
      nodes: 4,
      initChannels: 24,
      input: { channels: 1, height: 32, width: 32 },
      classes: 2,
    });
    assert.equal(row.measured.mflops, cost(spec).mflops, `${row.network}: MFLOPs at 32×32`);
    assert.equal(row.measured.refineStatus, 'done', `${row.network}: ${row.measured.failure}`);
    assert.equal(row.measured.refineEpochs, 1);
    for (const acc of [row.measured.accuracyBefore, row.measured.accuracyAfter])
      assert.ok(acc !== null && acc >= 0 && acc <= 100, `${row.network}: ${acc}`);
    assert.ok(row.measured.inferenceMsPerImage! > 0);
    assert.match(row.measured.device ?? '', /^torch/);
  }
  for (const step of ['simulate', 'train', 'refine', 'search'] as const) {
    assert.ok(table.steps[step]?.done && table.steps[step]!.seconds > 0, `${step} timed`);
  }
  assert.equal(table.search?.candidates, 2);
  assert.ok(existsSync(join(out, 'pareto.svg')) && existsSync(join(out, 'search', 'report.html')));
  assert.match(readFileSync(join(out, 'pareto.svg'), 'utf8'), /network 736/);

  const md = readFileSync(join(out, 'table1.md'), 'utf8');
  const rows = md.split('\n').filter((l) => /^\| (740|729|736) \|/.test(l));
  assert.equal(rows.length, 3);
  assert.match(
    rows[1],
    /^\| 729 \| `010000000000000000001` \| 169\.125 \| [\d.]+ \| 10778 \| 92\.4 \| [\d.]+ \| 97\.7 \| [\d.]+ \| 1 \| [\d.]+ \|$/,
  );
  assert.match(md, /\| simulate the dataset \(300 patterns, 32×32\) \| [\d.]+ s \| done \|/);
  assert.match(md, /!\[[^\]]*\]\(pareto\.svg\)/);
  assert.match(r.stdout, /\| 736 \| `010000100000000000001` \| 187\.125 \|/, 'the table is printed too');

  const again = runCli(args, env);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(lineCount(join(out, 'networks', 'candidates.jsonl')), 3, 'nothing trained twice');
  assert.equal(lineCount(join(out, 'search', 'candidates.jsonl')), 2);
  const second = JSON.parse(readFileSync(join(out, 'table1.json'), 'utf8')) as TableJson;
  assert.deepEqual(second.steps, table.steps, 'step times are not counted twice');
  assert.deepEqual(second.rows, table.rows);

  const other = runCli(['case-study', '--count', '300', '--size', '32', '--fluence', '1e15', '--out', out], env);
  assert.equal(other.status, 1);
  assert.match(other.stderr, /holds a dataset simulated with --fluence 1e14, not 1e15; choose another --out/);
});
