// The search CLI as a user runs it: exact FLOPs, the optimizer check against pymoo's bands,
// and clear errors on bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { runCli } from '../helpers/cli';
import { fixturePath } from '../helpers/paths';

test('flops --json reproduces the PD-size test vectors, many genomes per call', () => {
  const rows = (
    parse(readFileSync(fixturePath('nsganet/flops-vectors.csv'), 'utf8'), { columns: true }) as Array<
      Record<string, string>
    >
  ).filter((r) => r.H === '127');
  assert.ok(rows.length >= 5);
  const r = runCli([
    'flops',
    '--json',
    '--input',
    '1,127,127',
    '--classes',
    '2',
    '--init-channels',
    '24',
    ...rows.map((x) => x.bits),
  ]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { genome: string; mflops: number; params: number });
  assert.deepEqual(
    lines.map((l) => [l.genome, l.mflops, l.params]),
    rows.map((x) => [x.bits, Number(x.mflops_reported), Number(x.params)]),
  );
});

const bands = JSON.parse(readFileSync(fixturePath('nsganet/zdt-nsga2-reference.json'), 'utf8')) as unknown;
const minHv: Record<string, number> = { zdt1: 0.868, zdt2: 0.535, zdt3: 1.326 };

for (const problem of ['zdt1', 'zdt2', 'zdt3']) {
  test(`nsga2-check --problem ${problem} reaches pymoo's band (HV ≥ ${minHv[problem]}, IGD ≤ 0.006)`, () => {
    assert.ok(bands, 'reference file is readable');
    const r = runCli(['nsga2-check', '--problem', problem, '--pop', '100', '--gens', '250', '--seed', '1']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { problem: string; hv: number; igd: number };
    assert.equal(out.problem, problem);
    assert.ok(out.hv >= minHv[problem], `hv ${out.hv}`);
    assert.ok(out.igd <= 0.006, `igd ${out.igd}`);
  });
}

test('bad input: a wrong-length genome, a bad shape and a malformed config fail with a clear message', () => {
  const short = runCli(['flops', '0101']);
  assert.equal(short.status, 1);
  assert.match(short.stderr, /genome "0101" has 4 bits; 3 phases of 4 nodes need 21/);
  const shape = runCli(['flops', '000110111000000110010', '--input', '1,127']);
  assert.notEqual(shape.status, 0);
  assert.match(shape.stderr, /"1,127" is not a shape/);
  const cfg = runCli(['search', '--config', fixturePath('nsganet/zdt-nsga2-reference.json')]);
  assert.equal(cfg.status, 1);
  assert.match(cfg.stderr, /zdt-nsga2-reference\.json is not a valid search config:\n\s+dataset: /);
  const neither = runCli(['search']);
  assert.match(neither.stderr, /exactly one of --config <file> or --preset <name>/);
});
