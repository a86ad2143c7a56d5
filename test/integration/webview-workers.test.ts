// The explorer's Workers table in Chromium, through the built webview bundle: a page made as
// `pareto-nas report` makes one, holding a snapshot of a Slurm run in progress, shows one row per
// worker (node, GPU, candidate, epoch, img/s); deltas posted as the extension posts them update the
// rows; a run without workers (a local run, a finished report) shows no Workers section.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { DEFAULT_UI, type ExplorerSnapshot, type HostToWebview } from '../../common/explorer/messages';
import { deltaFromEvents } from '../../common/explorer/events';
import type { RunEvent, StoredEvent } from '../../common/protocol';
import { applyWorkerEvent, type WorkerState } from '../../common/workers';
import { reportHtml } from '../../runner/src/report/report';
import { generateRun } from '../fixtures/gen-run-small';
import { repoRoot } from '../helpers/paths';

const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const assets = { js: join(repoRoot, 'dist', 'webview.js'), css: join(repoRoot, 'dist', 'webview.css') };
const skip = existsSync(assets.js)
  ? existsSync(chromiumPath)
    ? undefined
    : `${chromiumPath} missing`
  : 'dist/webview.js missing (npm run build)';
const run = generateRun();
let work: string;
let ctx: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

const n1 = { node: 'n1', gpu: '0' };
const n2 = { node: 'n2', gpu: '1' };
const stored = (events: RunEvent[], from: number): StoredEvent[] =>
  events.map((e, i) => ({ ...e, seq: from + i, time: '2026-01-01T00:00:00Z' }) as StoredEvent);
const before1 = stored(
  [
    { type: 'worker-started', slot: 0, worker: n1 },
    { type: 'worker-started', slot: 1, worker: n2 },
    { type: 'candidate-started', id: 'g2-00', generation: 2, worker: n1 },
    { type: 'candidate-started', id: 'g2-01', generation: 2, worker: n2 },
    {
      type: 'candidate-epoch',
      id: 'g2-00',
      metrics: {
        epoch: 2,
        trainLoss: 1,
        trainAccuracy: 50,
        valAccuracy: 60,
        learningRate: 0.1,
        seconds: 2,
        images: 5120,
      },
    },
  ],
  1,
);
const later = stored(
  [
    { type: 'worker-lost', slot: 1, worker: n2, candidate: 'g2-01', message: 'step died', requeued: true },
    {
      type: 'candidate-epoch',
      id: 'g2-00',
      metrics: {
        epoch: 3,
        trainLoss: 1,
        trainAccuracy: 50,
        valAccuracy: 60,
        learningRate: 0.1,
        seconds: 1,
        images: 5120,
      },
    },
  ],
  before1.length + 1,
);

function snapshot(workers: boolean): ExplorerSnapshot {
  const folded = new Map<string, WorkerState>();
  if (workers) for (const e of before1) applyWorkerEvent(folded, e);
  return {
    run: { id: 'slurm-run', name: 'slurm-run', state: 'running', generations: 4 },
    lastSeq: before1.length,
    decode: run.decode,
    candidates: run.candidates.filter((c) => c.generation === 1),
    refinements: [],
    workers: [...folded.values()],
  };
}

async function open(name: string, s: ExplorerSnapshot): Promise<void> {
  const file = join(work, `${name}.html`);
  writeFileSync(file, reportHtml(s, DEFAULT_UI, assets));
  await page.goto('file://' + file);
  await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 20_000 });
}

const rows = () =>
  page
    .locator('#workers tbody tr')
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));

before(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'pareto-workers-view-'));
  ctx = await chromium.launchPersistentContext(join(work, 'profile'), {
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
  });
  await ctx.route(/^(?!file:|data:|blob:)/, (route) => route.abort());
  page = ctx.pages()[0] ?? (await ctx.newPage());
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

after(async () => {
  await ctx?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the Workers table shows each worker of a Slurm run and follows the deltas', { skip }, async () => {
  await open('slurm', snapshot(true));
  assert.equal(await page.locator('#workers').isVisible(), true);
  assert.deepEqual(await rows(), [
    ['n1 GPU 0', 'g2-00', '3', '2560', 'training'],
    ['n2 GPU 1', 'g2-01', '0', '', 'training'],
  ]);
  assert.match((await page.locator('#workers-summary').textContent()) ?? '', /2\/2 up on 2 node\(s\), 2 training/);
  const delta: HostToWebview = { type: 'delta', delta: deltaFromEvents(later, before1.length)! };
  await page.evaluate((m) => window.postMessage(m, '*'), delta);
  await page.waitForFunction(
    () => document.querySelector('#workers tr[data-worker="n2/1"]')?.classList.contains('worker-lost'),
    null,
    { timeout: 10_000 },
  );
  assert.deepEqual(await rows(), [
    ['n1 GPU 0', 'g2-00', '4', '5120', 'training'],
    ['n2 GPU 1', '–', '', '', 'lost (restarts on its next candidate)'],
  ]);
  assert.deepEqual(pageErrors, []);
});

test('a run without workers shows no Workers section', { skip }, async () => {
  await open('local', snapshot(false));
  assert.equal(await page.locator('#workers').count(), 1);
  assert.equal(await page.locator('#workers').isVisible(), false);
  assert.deepEqual(pageErrors, []);
});
