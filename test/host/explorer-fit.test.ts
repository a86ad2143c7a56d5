// The explorer and topology fitting a 1400×900 VS Code window (issue 16), in a real workbench
// (code-server + Chromium): on a run whose networks all cost 12.5–14.1 MFLOPs the points spread over
// most of the plot width with several readable x labels; wheel zoom narrows the axis and Reset zoom
// restores it; a cutoff set at a zoomed pixel is as precise as that pixel; the Table I tab hides the
// plot-only controls; the Candidate panel drops a hovered point when the selection changes and its
// Export Model… reaches the extension's export command; the
// Refinement section and its chart are above the fold; the topology opens as a tab in the explorer's
// column (the explorer keeps its width) and its drawing fits the panel at a legible scale.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Frame } from 'playwright-core';
import { paretoFront } from '../../common/pareto';
import { MIN_LEGIBLE_SCALE } from '../../webview/src/topology-fit';
import type { ExplorerTestHook } from '../../webview/src/explorer';
import { writeRun } from '../fixtures/gen-run-small';
import { narrowRun, NARROW_MFLOPS } from '../fixtures/narrow-run';
import { repoRoot } from '../helpers/paths';
import { until, viewFrame } from '../helpers/webview-frames';
import { ensureBuilt, hostMissing, Workbench } from '../helpers/workbench';

const missing = hostMissing();
let tmp: string;
let runsDir: string;
const run = narrowRun(0.5); // with refinements (one still running), so the Refinement section shows
const front = paretoFront(run.candidates);

before(() => {
  assert.equal(missing, null, missing ?? '');
  ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'pareto-explorer-fit-'));
  runsDir = join(tmp, 'runs');
  writeRun(join(runsDir, 'run-narrow'), run);
});
after(() => {
  if (tmp && process.env.KEEP_RUN !== '1') rmSync(tmp, { recursive: true, force: true });
});

declare const __paretoExplorer: ExplorerTestHook;

const axis = (web: Frame) => web.evaluate(() => __paretoExplorer.axis());

/** Whether the element is rendered (not hidden by itself or an ancestor). */
const shown = (web: Frame, sel: string) => web.locator(sel).isVisible();

test(
  'explorer and topology fit 1400×900: data-bound x axis, zoom, table controls, candidate panel, refinement, topology',
  { timeout: 180_000, skip: missing ?? false },
  async () => {
    const wb = await Workbench.start({
      settings: { 'paretoNas.local.runsDir': runsDir, 'workbench.colorTheme': 'Default Light Modern' },
      viewport: { width: 1400, height: 900 },
    });
    const page = wb.page;
    try {
      await wb.runCommand('Pareto NAS: Open Pareto Explorer');
      await wb.quickPick('run-narrow', 60_000);
      const web = await viewFrame(page, 'explorer');
      const expected = run.candidates.filter((c) => c.status !== 'failed').length;
      await until(
        'plotted points',
        () => web.evaluate(() => __paretoExplorer.plottedPoints()),
        (n) => n === expected,
        60_000,
      );

      // x axis from the data: the points spread over most of the plot width, with readable labels
      const a0 = await axis(web);
      assert.ok(
        a0.x[0] <= NARROW_MFLOPS[0] && a0.x[1] >= NARROW_MFLOPS[1] && a0.x[1] / a0.x[0] < 1.3,
        `x range ${a0.x}`,
      );
      const xs = await web.evaluate(
        (ids) => ids.map((id) => __paretoExplorer.pointPosition(id)?.x ?? NaN),
        run.candidates.filter((c) => c.status !== 'failed').map((c) => c.id),
      );
      const spread = (Math.max(...xs) - Math.min(...xs)) / (a0.area.right - a0.area.left);
      assert.ok(spread > 0.85, `points cover ${(spread * 100).toFixed(0)} % of the plot width`);
      assert.ok(a0.xLabels.length >= 4 && new Set(a0.xLabels).size === a0.xLabels.length, `x labels ${a0.xLabels}`);
      await wb.screenshot('explorer-fit-narrow');

      // wheel zoom around the middle of the plot narrows the x range; Reset zoom brings the data bounds back
      const box = (await web.locator('#pareto-chart').boundingBox())!;
      await page.mouse.move(box.x + (a0.area.left + a0.area.right) / 2, box.y + (a0.area.top + a0.area.bottom) / 2);
      for (let k = 0; k < 5; k++) await page.mouse.wheel(0, -200);
      const a1 = await until(
        'zoomed in',
        () => axis(web),
        (a) => Math.log(a.x[1] / a.x[0]) < 0.7 * Math.log(a0.x[1] / a0.x[0]),
      );
      assert.equal(await web.evaluate(() => __paretoExplorer.zoomed()), true);
      assert.equal(await web.locator('#zoom-reset').isEnabled(), true);

      // a cutoff put at a pixel while zoomed is that pixel's value, to the pixel's resolution
      const target = Math.sqrt(a1.x[0] * a1.x[1]);
      const px = await web.evaluate((v) => __paretoExplorer.pixelForMflops(v), target);
      await page.mouse.dblclick(box.x + px, box.y + (a1.area.top + a1.area.bottom) / 2);
      const perPixel = (target * Math.log(a1.x[1] / a1.x[0])) / (a1.area.right - a1.area.left);
      const cut = await until(
        'cutoff set',
        () => web.evaluate(() => __paretoExplorer.cutoff()),
        (c) => c !== null && Math.abs(c - target) <= 2 * perPixel,
      );
      assert.ok(Math.abs(cut! - target) <= 2 * perPixel, `cutoff ${cut} for ${target} (±${perPixel} per px)`);

      await web.click('#zoom-reset');
      const a2 = await until(
        'zoom reset',
        () => axis(web),
        (a) => Math.abs(a.x[0] - a0.x[0]) < 1e-9 && Math.abs(a.x[1] - a0.x[1]) < 1e-9,
      );
      assert.deepEqual(a2.x, a0.x);
      assert.equal(await web.locator('#zoom-reset').isEnabled(), false);

      // the Refinement section and its live chart are above the fold at 1400×900
      await web.locator('#refine-section').waitFor({ state: 'visible', timeout: 30_000 });
      await web.evaluate(() => window.scrollTo(0, 0));
      const fold = await web.evaluate(() => ({
        bottom: document.getElementById('refine-chart')!.getBoundingClientRect().bottom,
        height: window.innerHeight,
      }));
      assert.ok(fold.bottom <= fold.height, `refinement chart ends at ${fold.bottom} px of ${fold.height}`);

      // the Candidate panel follows the hover, and forgets it when the selection changes
      const p = (await web.evaluate((id) => __paretoExplorer.pointPosition(id), front[1].id))!;
      await page.mouse.move(box.x + p.x, box.y + p.y);
      await until(
        'hovered candidate shown',
        () => web.evaluate(() => __paretoExplorer.details()),
        (id) => id === front[1].id,
      );
      await page.mouse.move(box.x + 2, box.y + 2);
      await web.fill('#cutoff', String(front[0].mflops));
      await web.press('#cutoff', 'Enter');
      assert.equal(await web.evaluate(() => __paretoExplorer.details()), null);

      // Export Model… from the Candidate panel runs the extension's export command (it asks for the format)
      const refined = run.refinements.find((r) => r.status === 'done')!.candidate;
      await web.click(`#sel-${refined}`); // toggling pins the candidate in the panel
      await until(
        'refined candidate pinned',
        () => web.evaluate(() => __paretoExplorer.details()),
        (id) => id === refined,
      );
      await web.click('#details-export');
      const formats = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'TorchScript' });
      await formats.first().waitFor({ state: 'visible', timeout: 30_000 });
      await page.keyboard.press('Escape');
      await web.click(`#sel-${refined}`);

      // the Table I tab shows no plot-only controls; the plot tab shows them again
      await web.click('#tab-table');
      for (const sel of ['#y-metric', '#generation', '#replay', '#export-png', '#export-svg', '#zoom-reset'])
        assert.equal(await shown(web, sel), false, `${sel} on the table tab`);
      assert.equal(await shown(web, '#cutoff'), true);
      await web.click('#tab-plot');
      for (const sel of ['#y-metric', '#generation', '#replay', '#export-png'])
        assert.equal(await shown(web, sel), true, `${sel} on the plot tab`);

      // topology: a tab in the explorer's column (one editor group: the explorer is not squeezed), fitted
      const groupWidth = (await page.locator('.editor-group-container').first().boundingBox())!.width;
      await web.click(`button.link[data-id="${front[0].id}"]`);
      const topo = await viewFrame(page, 'topology');
      await topo.locator('svg.topo').waitFor({ timeout: 30_000 });
      assert.equal(await page.locator('.editor-group-container').count(), 1);
      assert.ok(
        Math.abs((await page.locator('.editor-group-container').first().boundingBox())!.width - groupWidth) < 2,
      );
      const fit = await until(
        'topology fitted',
        () =>
          topo.evaluate(() => {
            const box = document.getElementById('topology')!;
            const svg = box.querySelector('svg')!;
            return {
              scale: Number(box.dataset.scale),
              mode: box.dataset.mode,
              svgWidth: svg.getBoundingClientRect().width,
              boxWidth: box.clientWidth,
              natural: svg.viewBox.baseVal.width,
              scrolls: box.scrollWidth > box.clientWidth,
            };
          }),
        (f) => f.mode === 'fit' && f.scale > 0,
      );
      assert.ok(fit.scale >= MIN_LEGIBLE_SCALE && fit.scale <= 1, `scale ${fit.scale}`);
      assert.ok(
        Math.abs(fit.svgWidth - fit.natural * fit.scale) < 1.5,
        `drawn ${fit.svgWidth} px for ${fit.natural} at ${fit.scale}`,
      );
      // it fits the panel, unless that needed an illegible scale: then it scrolls
      if (fit.scale > MIN_LEGIBLE_SCALE)
        assert.ok(fit.svgWidth <= fit.boxWidth + 1 && !fit.scrolls, JSON.stringify(fit));
      else assert.ok(fit.scrolls, JSON.stringify(fit));
      await wb.screenshot('topology-fit');
      // 100 %: full size, scrolling
      await topo.click('#topology-actual');
      await until(
        'topology at 100 %',
        () => topo.evaluate(() => document.getElementById('topology')!.dataset.scale),
        (s) => s === '1.000',
      );
    } catch (e) {
      await wb.screenshot('explorer-fit-failure').catch(() => undefined);
      writeFileSync(join(repoRoot, 'test-artifacts', 'explorer-fit-server.log'), wb.serverLog());
      throw e;
    } finally {
      await wb.close();
    }
  },
);
