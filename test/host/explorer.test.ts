// The Pareto explorer in a real VS Code workbench (code-server + Debian Chromium, offline): open it on
// a fixture run through the palette, read the plotted points and the front from the webview, set and
// drag the cutoff, change the selection, press "Refine selected" (epochs asked in the workbench, real
// refinement on CPU) and see it start, open a topology, switch to dark and high-contrast themes.
// Screenshots go to test-artifacts/ (and with UPDATE_SCREENSHOTS=1 to media/screenshots/).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { kneeOf, paretoFront } from '../../common/pareto';
import { generateRun, writeRun } from '../fixtures/gen-run-small';
import { writeSyntheticDataset } from '../helpers/npy';
import { repoRoot } from '../helpers/paths';
import { ensureBuilt, hostMissing, Workbench } from '../helpers/workbench';
import { until, viewFrame } from '../helpers/webview-frames';
import type { ExplorerTestHook } from '../../webview/src/explorer';

const missing = hostMissing();
let tmp: string;
let runsDir: string;
const run = generateRun({ refineQuantile: 0 });
const front = paretoFront(run.candidates);
const knee = kneeOf(front)!;

before(() => {
  assert.equal(missing, null, missing ?? '');
  ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'pareto-explorer-host-'));
  runsDir = join(tmp, 'runs');
  const dataset = writeSyntheticDataset(join(tmp, 'dataset'), { size: 32, train: 32, val: 16 });
  // the fixture run, refinable for real: a 32×32 two-class dataset, torch on CPU, one worker
  const r = {
    ...run,
    config: {
      ...run.config,
      dataset,
      engine: { ...run.config.engine, device: 'cpu' as const },
      executor: { ...run.config.executor, workers: 1 },
      training: { ...run.config.training, batchSize: 16 },
    },
    info: { ...run.info, dataset: { ...run.info.dataset, dir: dataset } },
  };
  writeRun(join(runsDir, 'run-small'), r);
});
after(() => {
  if (tmp && process.env.KEEP_RUN !== '1') rmSync(tmp, { recursive: true, force: true });
});

declare const __paretoExplorer: ExplorerTestHook;

test(
  'explorer in VS Code: points, front, cutoff, selection, refine, topology, themes',
  { timeout: 180_000, skip: missing ?? false },
  async () => {
    const wb = await Workbench.start({
      settings: {
        'paretoNas.local.runsDir': runsDir,
        'workbench.colorTheme': 'Default Light Modern',
        'paretoNas.refine.defaultEpochs': 500,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
      },
    });
    const page = wb.page;
    const shots = process.env.UPDATE_SCREENSHOTS === '1';
    try {
      await wb.runCommand('Pareto NAS: Open Pareto Explorer');
      await wb.quickPick('run-small', 60_000);
      let web = await viewFrame(page, 'explorer');
      await wb.runCommand('View: Close Primary Side Bar').catch(() => undefined); // room for the panel
      const expected = run.candidates.filter((c) => c.status !== 'failed').length;
      await until(
        'plotted points',
        () => web.evaluate(() => __paretoExplorer.plottedPoints()),
        (n) => n === expected,
        60_000,
      );
      assert.deepEqual(
        await web.evaluate(() => __paretoExplorer.frontIds()),
        front.map((r) => r.id),
      );
      // nothing refined yet: the cutoff starts at the knee of the front, the Pareto networks up to it are selected
      assert.equal(await web.evaluate(() => __paretoExplorer.cutoff()), knee.mflops);
      assert.equal(await web.inputValue('#cutoff'), String(knee.mflops));
      assert.deepEqual(
        await web.evaluate(() => __paretoExplorer.selectedIds()),
        front.filter((r) => r.mflops <= knee.mflops).map((r) => r.id),
      );

      // set the cutoff by typing
      await web.fill('#cutoff', String(front[2].mflops));
      await web.press('#cutoff', 'Enter');
      assert.deepEqual(
        await web.evaluate(() => __paretoExplorer.selectedIds()),
        front.slice(0, 3).map((r) => r.id),
      );

      // drag it down to just above the cheapest Pareto network
      const box = (await web.locator('#pareto-chart').boundingBox())!;
      const handle = (await web.evaluate(() => __paretoExplorer.cutoffHandle()))!;
      const tx = await web.evaluate((v) => __paretoExplorer.pixelForMflops(v), front[0].mflops * 1.01);
      const y = box.y + (handle.top + handle.bottom) / 2;
      await page.mouse.move(box.x + handle.x, y);
      await page.mouse.down();
      for (let k = 1; k <= 6; k++) await page.mouse.move(box.x + handle.x + ((tx - handle.x) * k) / 6, y);
      await page.mouse.up();
      const cut = (await web.evaluate(() => __paretoExplorer.cutoff()))!;
      assert.ok(cut >= front[0].mflops && cut < front[1].mflops, `dragged cutoff ${cut}`);
      assert.deepEqual(await web.evaluate(() => __paretoExplorer.selectedIds()), [front[0].id]);

      // keyboard selection: add the second Pareto network with its checkbox
      await web.focus(`#sel-${front[1].id}`);
      await web.press(`#sel-${front[1].id}`, 'Space');
      assert.deepEqual(await web.evaluate(() => __paretoExplorer.selectedIds()), [front[0].id, front[1].id]);
      await web.press(`#sel-${front[1].id}`, 'Space');
      assert.deepEqual(await web.evaluate(() => __paretoExplorer.selectedIds()), [front[0].id]);
      await web.evaluate(() => window.scrollTo(0, 0));
      await wb.screenshot('explorer-light');
      if (shots) await wb.screenshot('explorer', join(repoRoot, 'media', 'screenshots', 'explorer.png'));

      // Refine selected: the workbench asks for epochs (default 500); 1 epoch keeps the test short
      await web.click('#refine-selected');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 15_000 });
      assert.equal(await input.inputValue(), '500');
      await input.fill('1');
      await input.press('Enter');
      await web.locator('#refine-section').waitFor({ state: 'visible', timeout: 90_000 });
      await web.locator('#refine-status', { hasText: /1 refinement\(s\)/ }).waitFor({ timeout: 30_000 });

      // topology of the selected network, from its "open" button
      await web.click(`button.link[data-id="${front[0].id}"]`);
      const topo = await viewFrame(page, 'topology');
      await topo.locator('svg.topo').waitFor({ timeout: 30_000 });
      assert.equal(Number(await topo.locator('svg.topo').getAttribute('data-mflops')), front[0].mflops);
      assert.equal(await topo.locator('h1.title').textContent(), `Topology — ${front[0].id}`);
      await wb.screenshot('topology-light');
      if (shots) await wb.screenshot('topology', join(repoRoot, 'media', 'screenshots', 'topology.png'));

      // the topology opened as a tab in the explorer's column: back to the explorer's tab
      await page.locator('.tabs-container .tab', { hasText: 'Pareto:' }).first().click();
      // themes: the webview follows VS Code's variables (canvas colours are re-read)
      web = await viewFrame(page, 'explorer');
      const light = await web.evaluate(() => __paretoExplorer.colors());
      for (const [theme, cls, shot] of [
        ['Dark Modern', 'vscode-dark', 'explorer-dark'],
        ['Dark High Contrast', 'vscode-high-contrast', 'explorer-high-contrast'],
      ] as const) {
        // the theme picker, as a user: palette → "Preferences: Color Theme" → type the theme → Enter
        await page.keyboard.press('F1');
        await page.locator('.quick-input-widget input').fill('>Preferences: Color Theme');
        await page
          .locator('.quick-input-list .monaco-list-row[aria-label^="Preferences: Color Theme"]')
          .first()
          .click({ timeout: 15_000 });
        await page
          .locator('.quick-input-list .monaco-list-row', { hasText: 'Light Modern' })
          .first()
          .waitFor({ state: 'visible', timeout: 15_000 });
        await page.keyboard.type(theme);
        await page
          .locator('.quick-input-list .monaco-list-row', { hasText: theme })
          .first()
          .waitFor({ state: 'visible', timeout: 15_000 });
        await page.keyboard.press('Enter');
        await until(
          `${theme} applied`,
          () => web.evaluate(() => document.body.className),
          (c) => c.split(/\s+/).includes(cls),
          30_000,
        );
        const colors = await until(
          `${theme} colours`,
          () => web.evaluate(() => __paretoExplorer.colors()),
          (c) => c.background !== light.background,
          10_000,
        );
        assert.notEqual(colors.front, light.front);
        await wb.screenshot(shot);
        if (shots && cls === 'vscode-dark')
          await wb.screenshot('explorer-dark', join(repoRoot, 'media', 'screenshots', 'explorer-dark.png'));
      }
    } catch (e) {
      await wb.screenshot('explorer-failure').catch(() => undefined);
      writeFileSync(join(repoRoot, 'test-artifacts', 'explorer-server.log'), wb.serverLog());
      throw e;
    } finally {
      await wb.close();
    }
  },
);
