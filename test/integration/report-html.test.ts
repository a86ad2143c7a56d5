// `pareto-nas report` on the run-small fixture, through the built runner bundle copied away from the
// repository (so it must find webview.js next to itself), then the report opened in Debian's Chromium:
// the plotted points, the front and the selection are read from the page and checked against the
// runner's own Pareto code; the cutoff is typed and dragged; exports download.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { CandidateRecord } from '../../common/protocol';
import { paretoFront } from '../../common/pareto';
import { readCandidates } from '../../runner/src/store';
import { generateRun, writeRun } from '../fixtures/gen-run-small';
import { repoRoot } from '../helpers/paths';
import type { ExplorerTestHook } from '../../webview/src/explorer';

const fixture = join(repoRoot, 'test', 'fixtures', 'run-small');
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const artifacts = join(repoRoot, 'test-artifacts');
let work: string;
let out: string;
let cli: { status: number | null; stdout: string; stderr: string };
let ctx: BrowserContext;
let page: Page;
const pageErrors: string[] = [];
const requests: string[] = [];

declare const __paretoExplorer: ExplorerTestHook;

before(async () => {
  for (const f of ['runner.js', 'webview.js', 'webview.css']) {
    assert.ok(existsSync(join(repoRoot, 'dist', f)), `dist/${f} is missing; run \`npm run build\` first`);
  }
  work = mkdtempSync(join(tmpdir(), 'pareto-report-'));
  const bin = join(work, 'bin');
  mkdirSync(bin);
  for (const f of ['runner.js', 'webview.js', 'webview.css']) copyFileSync(join(repoRoot, 'dist', f), join(bin, f));
  out = join(work, 'out');
  const r = spawnSync(process.execPath, [join(bin, 'runner.js'), 'report', fixture, '--out', out], {
    cwd: work,
    encoding: 'utf8',
    timeout: 60_000,
  });
  cli = { status: r.status, stdout: r.stdout, stderr: r.stderr };

  const profile = join(work, 'chrome-profile');
  ctx = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: 1400, height: 900 },
    acceptDownloads: true,
  });
  await ctx.route(/^(?!file:|data:|blob:)/, (route) => {
    requests.push(route.request().url());
    return route.abort();
  });
  page = ctx.pages()[0] ?? (await ctx.newPage());
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
});

after(async () => {
  await ctx?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the fixture is what its generator writes (no hand edits)', () => {
  const dir = join(work, 'regen');
  writeRun(dir, generateRun());
  for (const f of ['candidates.jsonl', 'events.jsonl', 'config.json', 'run.json', 'generations/g0004.json']) {
    assert.equal(readFileSync(join(dir, f), 'utf8'), readFileSync(join(fixture, f), 'utf8'), f);
  }
});

test('report writes report.html, pareto.csv and table1.md from the bundled runner', () => {
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(cli.stdout, /wrote .*report\.html/);
  const records = readCandidates(fixture);
  const front = paretoFront(records);
  const csv = parse(readFileSync(join(out, 'pareto.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
  assert.deepEqual(
    csv.map((r) => r.id),
    front.map((r) => r.id),
  );
  assert.deepEqual(
    csv.map((r) => Number(r.mflops)),
    front.map((r) => r.mflops),
  );
  // default cutoff: the largest refined network; selected = Pareto networks at or below it
  const refined = ['g1-00', 'g1-02', 'g1-05', 'g2-04', 'g2-05', 'g4-00'].filter((id) =>
    existsSync(join(fixture, 'refine', id)),
  );
  const cutoff = Math.max(...refined.map((id) => records.find((r) => r.id === id)!.mflops));
  const below = front.filter((r) => r.mflops <= cutoff).map((r) => r.id);
  assert.deepEqual(
    csv.filter((r) => r.selected === 'yes').map((r) => r.id),
    below,
  );
  const md = readFileSync(join(out, 'table1.md'), 'utf8');
  const body = md.split('\n').filter((l) => /^\| g\d+-\d+ \|/.test(l));
  assert.equal(body.length, new Set([...below, ...refined]).size);
  assert.match(
    md,
    /\| Model \| MFLOPs \| Params \| Accuracy before refinement \(%\) \| Accuracy after refinement \(%\) \| Inference time \(ms\/image\) \|/,
  );
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.match(html, /default-src 'none'; script-src 'nonce-/);
  // self-contained: no external scripts or stylesheets (the page test below also blocks every request)
  assert.ok(!/<script[^>]+src=|<link[\s>]/i.test(html), 'report.html loads no external script or stylesheet');
  assert.ok(html.includes('id="pareto-data"') && html.length > 100_000, 'bundle and data are inlined');
});

test('a bad run directory is a clear error', () => {
  const r = spawnSync(process.execPath, [join(work, 'bin', 'runner.js'), 'report', join(work, 'nope')], {
    cwd: work,
    encoding: 'utf8',
  });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /nope is not a run directory \(no config\.json\)/);
});

test('report.html in Chromium: points, front and selection from the page; cutoff typed and dragged; exports', async () => {
  const records: CandidateRecord[] = readCandidates(fixture);
  const front = paretoFront(records);
  await page.goto('file://' + join(out, 'report.html'));
  await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 20_000 });
  const plotted = await page.evaluate(() => __paretoExplorer.plottedPoints());
  assert.equal(plotted, records.filter((r) => r.status !== 'failed').length);
  assert.deepEqual(
    await page.evaluate(() => __paretoExplorer.frontIds()),
    front.map((r) => r.id),
  );
  const cutoff0 = (await page.evaluate(() => __paretoExplorer.cutoff()))!;
  assert.deepEqual(
    await page.evaluate(() => __paretoExplorer.selectedIds()),
    front.filter((r) => r.mflops <= cutoff0).map((r) => r.id),
  );
  // Table I and the topologies of the selected networks are on the page
  const selectedCount = (await page.evaluate(() => __paretoExplorer.selectedIds())).length;
  assert.equal(await page.locator('#topologies figure.topology svg.topo').count(), selectedCount);
  assert.ok((await page.locator('#table1 tbody tr').count()) >= selectedCount);

  // type a cutoff
  const typed = front[2].mflops;
  await page.fill('#cutoff', String(typed));
  await page.press('#cutoff', 'Enter');
  assert.equal(await page.evaluate(() => __paretoExplorer.cutoff()), typed);
  assert.deepEqual(
    await page.evaluate(() => __paretoExplorer.selectedIds()),
    front.slice(0, 3).map((r) => r.id),
  );

  // drag the cutoff line to just right of the last front member
  const box = (await page.locator('#pareto-chart').boundingBox())!;
  const handle = (await page.evaluate(() => __paretoExplorer.cutoffHandle()))!;
  const target = front.at(-1)!.mflops;
  const tx = await page.evaluate((v) => __paretoExplorer.pixelForMflops(v), target * 1.01);
  await page.mouse.move(box.x + handle.x, box.y + (handle.top + handle.bottom) / 2);
  await page.mouse.down();
  for (let k = 1; k <= 5; k++)
    await page.mouse.move(box.x + handle.x + ((tx - handle.x) * k) / 5, box.y + (handle.top + handle.bottom) / 2);
  await page.mouse.up();
  const dragged = (await page.evaluate(() => __paretoExplorer.cutoff()))!;
  assert.ok(dragged >= target && dragged <= target * 1.05, `dragged cutoff ${dragged} should be just above ${target}`);
  assert.deepEqual(
    await page.evaluate(() => __paretoExplorer.selectedIds()),
    front.map((r) => r.id),
  );

  // shift-click a dominated point adds it to the selection. The new selection adds topologies below
  // the chart and the chart resizes on its own schedule (a ResizeObserver), so measure until two
  // reads a few frames apart agree.
  const dominated = records.find((r) => r.status === 'ok' && !front.some((f) => f.id === r.id))!;
  const { chartBox, pos } = await settledPointPosition(page, dominated.id);
  await page.keyboard.down('Shift');
  await page.mouse.click(chartBox.x + pos.x, chartBox.y + pos.y);
  await page.keyboard.up('Shift');
  assert.ok((await page.evaluate(() => __paretoExplorer.selectedIds())).includes(dominated.id));

  // exports download (the standalone host saves through a download)
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  const csvPath = join(work, 'table1-download.csv');
  await dl.saveAs(csvPath);
  const rows = parse(readFileSync(csvPath, 'utf8'), { columns: true }) as Array<Record<string, string>>;
  assert.ok(rows.some((r) => r.model === dominated.id));
  const [svgDl] = await Promise.all([page.waitForEvent('download'), page.click('#export-svg')]);
  const svgPath = join(work, 'plot.svg');
  await svgDl.saveAs(svgPath);
  const svg = readFileSync(svgPath, 'utf8');
  assert.equal(
    (
      svg
        .split('<g class="points">')[1]
        .split('</g>')[0]
        .match(/<circle /g) ?? []
    ).length,
    plotted,
  );
  const [pngDl] = await Promise.all([page.waitForEvent('download'), page.click('#export-png')]);
  const pngPath = join(work, 'plot.png');
  await pngDl.saveAs(pngPath);
  assert.deepEqual([...readFileSync(pngPath).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, 'report-explorer.png') });
  assert.deepEqual(pageErrors, [], 'no script errors or CSP violations');
  assert.deepEqual(requests, [], 'the report reaches nothing outside itself');
});

/** The chart's box and a point's position in it, once a layout change has finished moving them. */
async function settledPointPosition(page: Page, id: string) {
  const read = async () => ({
    chartBox: (await page.locator('#pareto-chart').boundingBox())!,
    pos: (await page.evaluate((pid) => __paretoExplorer.pointPosition(pid), id))!,
  });
  const frames = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  let last = await read();
  for (;;) {
    await frames();
    const next = await read();
    if (JSON.stringify(next) === JSON.stringify(last)) return next;
    last = next;
  }
}
