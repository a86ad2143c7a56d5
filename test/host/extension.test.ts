// Host tests in a real VS Code workbench (code-server + Debian Chromium + playwright-core, offline).
// Mode C: the extension-host suite (test/host/suite) runs inside the real extension host.
// Mode A: what a user sees: the palette runs our commands, the Runs view shows a search started from
// quick picks on the local target, and the status bar follows it. Screenshots go to test-artifacts/
// (and, with UPDATE_SCREENSHOTS=1, the README's view screenshot to media/screenshots/).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot } from '../helpers/paths';
import { ensureBuilt, hostMissing, Workbench } from '../helpers/workbench';
import { buildHostSuite } from './build-suite';

const missing = hostMissing();
if (missing) console.error(`host tests: ${missing}`);

let runsDir: string;
before(() => {
  assert.equal(missing, null, missing ?? '');
  ensureBuilt();
  runsDir = mkdtempSync(join(tmpdir(), 'pareto-nas-host-runs-'));
});
after(() => {
  if (runsDir && process.env.KEEP_RUN !== '1') rmSync(runsDir, { recursive: true, force: true });
});

describe('VS Code extension in a real workbench', { concurrency: false }, () => {
  test('extension-host suite (mode C) passes', { timeout: 240_000 }, async () => {
    const suite = buildHostSuite();
    const wb = await Workbench.start({
      extensionTestsPath: suite,
      settings: { 'paretoNas.local.runsDir': join(runsDir, 'mode-c') },
    });
    try {
      const code = await wb.testsExitCode(200_000);
      assert.equal(code, 0, `extension-host tests exit code ${code}\n${wb.serverLog().slice(-4000)}`);
    } finally {
      await wb.close();
    }
  });

  test('palette, Runs view and status bar follow a search started from quick picks (mode A)', { timeout: 240_000 }, async () => {
    const wb = await Workbench.start({
      settings: { 'paretoNas.local.runsDir': join(runsDir, 'mode-a'), 'paretoNas.defaultPreset': 'demo' },
    });
    try {
      // the view container: "This machine" is listed and gets connected when the view shows
      await wb.openViewContainer('Pareto NAS');
      await wb.treeItem('This machine').first().waitFor({ timeout: 60_000 });
      for (const title of ['Connect to Host', 'Start Search', 'Attach to Run', 'Cancel Run', 'Open Pareto Explorer',
        'Inspect Topology', 'Refine Selected Models', 'Show Runner Log', 'Run Doctor']) {
        assert.ok(await wb.paletteHas(`Pareto NAS: ${title}`), `palette lacks "Pareto NAS: ${title}"`);
      }

      // Start Search: target → preset → dataset, exactly as a user picks them
      await wb.runCommand('Pareto NAS: Start Search');
      await wb.quickPick('This machine');
      await wb.quickPick('demo');
      await wb.quickPick('default');

      // the view shows the run, with its generation progress
      const runRow = wb.treeItem(/demo\s.*(running|completed)/).first();
      await runRow.waitFor({ timeout: 90_000 });
      await wb.treeItem(/gen \d+\/\d+/).first().waitFor({ timeout: 120_000 });
      // the status bar follows it: "Pareto NAS g<gen>/<gens> · <done>/<total>"
      const status = wb.statusBarItem(/Pareto NAS g\d+\/\d+/).first();
      await status.waitFor({ timeout: 120_000 });
      const first = (await status.innerText()).trim();
      assert.match(first, /Pareto NAS g\d+\/3/);
      // a candidate finishes: the status bar count moves, and the run row counts evaluations
      await wb.treeItem(/[1-9]\d* evals/).first().waitFor({ timeout: 150_000 });
      await runRow.click();
      await wb.page.keyboard.press('ArrowRight');
      await wb.treeItem(/Generation 1/).first().waitFor({ timeout: 30_000 });
      await wb.screenshot('host-runs-view');
      if (process.env.UPDATE_SCREENSHOTS === '1') {
        await wb.screenshot('runs-view', join(repoRoot, 'media', 'screenshots', 'runs-view.png'));
      }

      // Cancel Run from the palette: pick the run, confirm; the status bar clears
      await wb.runCommand('Pareto NAS: Cancel Run');
      await wb.quickPick('demo');
      await wb.page.getByRole('button', { name: 'Cancel Run' }).click();
      await wb.treeItem(/demo\s.*(cancelled|completed)/).first().waitFor({ timeout: 60_000 });
      await status.waitFor({ state: 'detached', timeout: 30_000 });
    } catch (e) {
      await wb.screenshot('host-runs-view-failure').catch(() => undefined);
      throw e;
    } finally {
      await wb.close();
    }
  });
});

