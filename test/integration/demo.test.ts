// The README's main job end to end: `pareto-nas demo` simulates (or reuses) the default dataset,
// searches, selects below the knee, refines and writes the report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CandidateRecord, RefineRecord } from '../../common/protocol';
import { runCli } from '../helpers/cli';

test('pareto-nas demo runs the whole method and says where the results are', () => {
  const runDir = join(mkdtempSync(join(tmpdir(), 'pnas-demo-')), 'run');
  const r = runCli(['demo', '--run-dir', runDir, '--refine-epochs', '2']);
  assert.equal(r.status, 0, r.stderr);
  for (const step of ['1/4 generate', '2/4 select', '3/4 refine', '4/4 report']) assert.match(r.stderr, new RegExp(step));
  assert.match(r.stdout, new RegExp(`report\\s+${join(runDir, 'report.html').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));

  const records = readFileSync(join(runDir, 'candidates.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as CandidateRecord);
  assert.equal(records.length, 5 + 2 * 5, 'demo preset: population 5, offspring 5, 3 generations');
  const table = readFileSync(join(runDir, 'table1.md'), 'utf8');
  // Table rows after the header and its separator: | Model | MFLOPs | ... |
  const rows = table.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---')).slice(1);
  const ids = rows.map((row) => row.split('|')[1].trim());
  assert.ok(ids.length >= 1, 'Table I lists the refined networks');
  for (const id of ids) {
    const result = JSON.parse(readFileSync(join(runDir, 'refine', id, 'result.json'), 'utf8')) as RefineRecord;
    assert.equal(result.status, 'done');
    assert.equal(result.epochs.length, 2);
    assert.ok(result.inference && result.inference.perImageMs > 0, 'inference time measured');
  }
  assert.ok(existsSync(join(runDir, 'pareto.csv')));
});
