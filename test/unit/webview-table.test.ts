// Table I rows, sorting and the CSV / Markdown / SVG exports.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { paretoFrontOf } from '../../common/explorer/front';
import { plotSvg } from '../../common/explorer/plotSvg';
import { selectedIds } from '../../common/explorer/selection';
import { paretoCsv, sortRows, table1Csv, table1Markdown, table1Rows, toCsv } from '../../common/explorer/table';
import { generateRun } from '../fixtures/gen-run-small';

function setup() {
  const run = generateRun({ seed: 7 });
  const records = new Map(run.candidates.map((c) => [c.id, c]));
  const front = paretoFrontOf(run.candidates);
  const frontIds = new Set(front.map((p) => p.id));
  return { run, records, front, frontIds };
}

test('Table I rows: selected and refined networks with accuracy before/after and inference time', () => {
  const { run, records, front, frontIds } = setup();
  const cutoff = front[1].mflops;
  const sel = selectedIds(records, front, { cutoff, added: [], removed: [] });
  const rows = table1Rows(records, run.refinements, sel, frontIds);
  const expectIds = new Set([...sel, ...run.refinements.map((r) => r.candidate)]);
  assert.deepEqual(new Set(rows.map((r) => r.id)), expectIds);
  for (const row of rows) {
    const c = records.get(row.id)!;
    const ref = run.refinements.find((r) => r.candidate === row.id);
    assert.equal(row.mflops, c.mflops);
    assert.equal(row.searchAccuracy, c.valAccuracy);
    if (ref?.status === 'done') {
      assert.equal(row.refinedAccuracy, ref.valAccuracy);
      assert.equal(row.inferenceMsPerImage, ref.inference!.perImageMs);
    } else {
      assert.equal(row.refinedAccuracy, null);
      assert.equal(row.inferenceMsPerImage, null);
    }
    assert.equal(row.refineStatus, ref ? ref.status : 'none');
  }
  assert.ok(
    rows.some((r) => r.refineStatus === 'running'),
    'fixture has a running refinement',
  );
  assert.deepEqual(
    rows.map((r) => r.mflops),
    [...rows.map((r) => r.mflops)].sort((a, b) => a - b),
  );
});

test('sorting: by any column both ways, missing values last, stable', () => {
  const { run, records, front, frontIds } = setup();
  const rows = table1Rows(
    records,
    run.refinements,
    front.map((p) => p.id),
    frontIds,
  );
  const desc = sortRows(rows, 'refinedAccuracy', 'desc');
  const vals = desc.map((r) => r.refinedAccuracy);
  const firstNull = vals.indexOf(null);
  assert.ok(firstNull > 0, 'some rows refined, some not');
  assert.ok(vals.slice(firstNull).every((v) => v === null));
  const nn = vals.slice(0, firstNull) as number[];
  assert.deepEqual(
    nn,
    [...nn].sort((a, b) => b - a),
  );
  const asc = sortRows(rows, 'refinedAccuracy', 'asc').map((r) => r.refinedAccuracy);
  assert.deepEqual(asc.slice(0, firstNull), [...nn].reverse());
  assert.deepEqual(
    sortRows(rows, 'id', 'asc').map((r) => r.id),
    rows.map((r) => r.id).sort((a, b) => a.localeCompare(b, 'en', { numeric: true })),
  );
});

test('CSV exports parse back to the same values; quoting works', () => {
  const { run, records, front, frontIds } = setup();
  const rows = table1Rows(
    records,
    run.refinements,
    front.map((p) => p.id),
    frontIds,
  );
  const parsed = parse(table1Csv(rows), { columns: true }) as Array<Record<string, string>>;
  assert.equal(parsed.length, rows.length);
  parsed.forEach((p, i) => {
    assert.equal(p.model, rows[i].id);
    assert.equal(Number(p.mflops), rows[i].mflops);
    assert.equal(
      p.accuracy_after_refinement === '' ? null : Number(p.accuracy_after_refinement),
      rows[i].refinedAccuracy,
    );
    assert.equal(p.genome, rows[i].genome);
  });
  const pc = parse(
    paretoCsv(
      records,
      front.map((p) => p.id),
      new Set([front[0].id]),
    ),
    { columns: true },
  ) as Array<Record<string, string>>;
  assert.deepEqual(
    pc.map((r) => r.id),
    front.map((p) => p.id),
  );
  assert.deepEqual(
    pc.map((r) => r.selected),
    front.map((_, i) => (i === 0 ? 'yes' : 'no')),
  );
  assert.deepEqual(parse(toCsv(['a', 'b'], [['x,"y"', 'line\nbreak']])), [
    ['a', 'b'],
    ['x,"y"', 'line\nbreak'],
  ]);
});

test('Markdown Table I: header, alignment row, one line per row, dashes for missing', () => {
  const { run, records, front, frontIds } = setup();
  const rows = table1Rows(
    records,
    run.refinements,
    front.map((p) => p.id),
    frontIds,
  );
  const md = table1Markdown(rows, '## Table I');
  const lines = md.trim().split('\n');
  assert.equal(lines[0], '## Table I');
  assert.match(
    lines[2],
    /^\| Model \| MFLOPs \| Params \| Accuracy before refinement \(%\) \| Accuracy after refinement \(%\) \| Inference time \(ms\/image\) \|$/,
  );
  assert.equal(lines[3], '| --- | ---: | ---: | ---: | ---: | ---: |');
  const body = lines.slice(4);
  assert.equal(body.length, rows.length);
  body.forEach((l, i) => {
    const cells = l
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    assert.equal(cells.length, 6);
    assert.equal(cells[0], rows[i].id);
    assert.equal(Number(cells[1]), Number(rows[i].mflops.toFixed(4)));
    assert.equal(cells[4], rows[i].refinedAccuracy === null ? '—' : rows[i].refinedAccuracy!.toFixed(2));
  });
});

test('plot SVG export draws every point, the front as steps, the cutoff and the selection', () => {
  const { run, front } = setup();
  const pts = run.candidates
    .filter((c) => c.valAccuracy !== null)
    .map((c) => ({ id: c.id, x: c.mflops, y: c.valAccuracy!, color: '#123456', selected: c.id === front[0].id }));
  const svg = plotSvg({
    width: 800,
    height: 500,
    title: 'run <small>',
    xLabel: 'MFLOPs',
    yLabel: 'accuracy (%)',
    points: pts,
    front: front.map((p) => ({ x: p.mflops, y: p.accuracy })),
    cutoff: front[1].mflops,
    legend: [{ label: 'generation 1', color: '#123456' }],
    colors: { background: '#fff', foreground: '#000', grid: '#ddd', front: '#f00', cutoff: '#00f', selected: '#0a0' },
  });
  assert.ok(svg.startsWith('<svg') && svg.endsWith('</svg>'));
  assert.ok(svg.includes('run &lt;small&gt;'));
  const points = svg.split('<g class="points">')[1].split('</g>')[0];
  assert.equal((points.match(/<circle /g) ?? []).length, pts.length);
  const d = /class="front" d="([^"]+)"/.exec(svg)![1];
  assert.equal((d.match(/H/g) ?? []).length, front.length - 1);
  assert.equal((svg.match(/class="cutoff"/g) ?? []).length, 1);
  const sel = svg.split('<g class="selected">')[1].split('</g>')[0];
  assert.equal((sel.match(/<circle /g) ?? []).length, 1);
});
