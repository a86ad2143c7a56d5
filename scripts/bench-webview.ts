// Webview benchmark: how long the Pareto explorer takes to render a 5,000-candidate snapshot and to
// add 100 points live (one delta of 100, and 100 deltas of one), in headless Debian Chromium.
// Candidates are real decoded genomes with cost() (test/fixtures/gen-run-small.ts, synthetic accuracy).
// Usage: npm run bench:webview [-- --candidates 5000 --add 100 --repeat 5]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { generateRun } from '../test/fixtures/gen-run-small';
import type { HostToWebview } from '../common/explorer/messages';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}
const N = arg('candidates', 5000);
const ADD = arg('add', 100);
const REPEAT = arg('repeat', 5);
const root = join(__dirname, '..');

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'pareto-bench-'));
  try {
    await build({
      absWorkingDir: root,
      entryPoints: ['webview/src/main.ts'],
      outfile: join(work, 'webview.js'),
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      minify: true,
      logLevel: 'warning',
    });
    const population = 100;
    const generations = Math.ceil((N + ADD) / population);
    const t0 = performance.now();
    const run = generateRun({ population, generations, seed: 42, refineQuantile: 0, epochs: 3 });
    const genMs = performance.now() - t0;
    const base = run.candidates.slice(0, N);
    const extra = run.candidates.slice(N, N + ADD);
    const snapshot: HostToWebview = {
      type: 'snapshot',
      snapshot: {
        run: { id: 'bench', name: 'bench' },
        lastSeq: 1,
        decode: run.decode,
        candidates: base,
        refinements: [],
      },
      ui: { cutoff: null },
    };
    const html = `<!DOCTYPE html><html><head><meta charset="utf-8">
<style>${readFileSync(join(work, 'webview.css'), 'utf8')}${readFileSync(join(root, 'runner', 'src', 'report', 'theme.ts'), 'utf8').split('`')[1]}</style></head>
<body class="vscode-light" data-view="explorer"><main id="app"></main>
<script>/* the panel case: a stub of VS Code's webview API, so the explorer runs as in a WebviewPanel */
window.acquireVsCodeApi = () => ({ postMessage() {}, getState() { return undefined; }, setState() {} });</script>
<script src="webview.js"></script></body></html>`;
    writeFileSync(join(work, 'bench.html'), html);

    const profile = join(work, 'profile');
    const ctx = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      headless: true,
      viewport: { width: 1400, height: 900 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    try {
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      await page.goto('file://' + join(work, 'bench.html'));
      await page.waitForFunction(() => document.body.dataset.ready === 'true');
      await page.evaluate(`Object.assign(window, ${JSON.stringify({ __snap: snapshot, __extra: extra })})`);
      // plain JS source: tsx would wrap named functions in __name(), which the page does not have
      const result = (await page.evaluate(`(async (repeat) => {
        const w = window;
        const hook = w.__paretoExplorer;
        const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
        const snapMs = [], add1Ms = [], addEachMs = [];
        let plotted = 0, after = 0;
        for (let k = 0; k < repeat; k++) {
          await frame();
          let t = performance.now();
          hook.apply(w.__snap);
          await frame(); // until painted
          snapMs.push(performance.now() - t);
          plotted = hook.plottedPoints();
          let seq = w.__snap.snapshot.lastSeq;
          t = performance.now();
          hook.apply({ type: 'delta', delta: { seq: ++seq, candidates: w.__extra } });
          await frame();
          add1Ms.push(performance.now() - t);
          after = hook.plottedPoints();
          hook.apply(w.__snap); // back to the snapshot
          await frame();
          t = performance.now();
          for (const c of w.__extra) hook.apply({ type: 'delta', delta: { seq: ++seq, candidates: [c] } });
          await frame();
          addEachMs.push(performance.now() - t);
        }
        return { snapshot: median(snapMs), addBatch: median(add1Ms), addEach: median(addEachMs), plotted, after, snapMs, add1Ms, addEachMs };
      })(${REPEAT})`)) as {
        snapshot: number;
        addBatch: number;
        addEach: number;
        plotted: number;
        after: number;
        snapMs: number[];
        add1Ms: number[];
        addEachMs: number[];
      };
      const version = ctx.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent));
      const f = (x: number) => x.toFixed(1);
      console.log(
        `webview bench: Chromium ${version}, headless, software canvas, 1400×900; ${REPEAT} repeats, medians`,
      );
      console.log(`  generated ${N + ADD} candidates (decode + cost) in ${f(genMs)} ms`);
      console.log(`  render snapshot of ${N} candidates (${result.plotted} plotted):   ${f(result.snapshot)} ms`);
      console.log(
        `  add ${ADD} points in one delta (${result.after} plotted):        ${f(result.addBatch)} ms  (${(result.addBatch / result.snapshot).toFixed(2)}× the snapshot)`,
      );
      console.log(
        `  add ${ADD} points as ${ADD} deltas of one:                    ${f(result.addEach)} ms  (${f(result.addEach / ADD)} ms per point, ${(result.addEach / ADD / result.snapshot).toFixed(3)}× the snapshot)`,
      );
      console.log(
        `  all samples (ms): snapshot ${result.snapMs.map(f).join(', ')}; batch ${result.add1Ms.map(f).join(', ')}; one-by-one ${result.addEachMs.map(f).join(', ')}`,
      );
      const ok = (rs: typeof base) => rs.filter((c) => c.status !== 'failed').length;
      if (result.plotted !== ok(base) || result.after !== ok(base) + ok(extra)) {
        throw new Error(
          `plotted ${result.plotted} then ${result.after}; expected ${ok(base)} then ${ok(base) + ok(extra)}`,
        );
      }
    } finally {
      await ctx.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`bench:webview: ${(e as Error).message}`);
  process.exit(1);
});
