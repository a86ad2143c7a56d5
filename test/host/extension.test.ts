// Host tests in a real VS Code workbench (code-server + Debian Chromium + playwright-core, offline).
// Mode C: the extension-host suite (test/host/suite) runs inside the real extension host.
// Mode A: what a user sees: the palette runs our commands, the Runs view shows a search started from
// quick picks on the local target, and the status bar follows it. Screenshots go to test-artifacts/
// (and, with UPDATE_SCREENSHOTS=1, the README's view screenshot to media/screenshots/).
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CandidateRecord } from '../../common/protocol';
import { paretoFront } from '../../common/pareto';
import { writeSyntheticDataset } from '../helpers/npy';
import { repoRoot } from '../helpers/paths';
import { ensureBuilt, hostMissing, Workbench } from '../helpers/workbench';
import { buildHostSuite } from './build-suite';

const missing = hostMissing();
const fixtureFront = paretoFront(
  readFileSync(join(repoRoot, 'test', 'fixtures', 'run-small', 'candidates.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as CandidateRecord),
);
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

  test(
    'palette, Runs view and status bar follow a search started from quick picks (mode A)',
    { timeout: 240_000 },
    async () => {
      const wb = await Workbench.start({
        settings: { 'paretoNas.local.runsDir': join(runsDir, 'mode-a'), 'paretoNas.defaultPreset': 'demo' },
      });
      try {
        // a finished run on the host (the shared fixture), next to the one this test starts
        const fixtureDir = join(runsDir, 'mode-a', 'xfel-ef2-fixture');
        cpSync(join(repoRoot, 'test', 'fixtures', 'run-small'), fixtureDir, { recursive: true });
        // its dataset (1×32×32, two classes) exists on this host, so the runner can decode its networks
        const fixtureConfig = JSON.parse(readFileSync(join(fixtureDir, 'config.json'), 'utf8'));
        fixtureConfig.dataset = writeSyntheticDataset(join(runsDir, 'fixture-data'), { size: 32, train: 8, val: 4 });
        writeFileSync(join(fixtureDir, 'config.json'), JSON.stringify(fixtureConfig, null, 2));
        // the view container: "This machine" is listed and gets connected when the view shows
        await wb.openViewContainer('Pareto NAS');
        await wb.treeItem('This machine').first().waitFor({ timeout: 60_000 });
        for (const title of [
          'Connect to Host',
          'Start Search',
          'Attach to Run',
          'Cancel Run',
          'Open Pareto Explorer',
          'Inspect Topology',
          'Refine Selected Models',
          'Show Runner Log',
          'Run Doctor',
        ]) {
          assert.ok(await wb.paletteHas(`Pareto NAS: ${title}`), `palette lacks "Pareto NAS: ${title}"`);
        }

        // Start Search: target → preset → dataset → early termination, exactly as a user picks them
        await wb.runCommand('Pareto NAS: Start Search');
        await wb.quickPick('This machine');
        await wb.quickPick('demo');
        await wb.quickPick('default');
        await wb.quickPick('Train every candidate fully');

        // the view shows the new run, and the status bar follows it: "Pareto NAS g<gen>/<gens> · <done>/<total>"
        const runRow = wb.treeItem(/demo.*(running|completed).*\d\d-\d\d \d\d:\d\d/).first();
        await runRow.waitFor({ timeout: 90_000 });
        const status = wb.statusBarItem(/Pareto NAS g\d+\/\d+/).first();
        await status.waitFor({ timeout: 120_000 });
        assert.match((await status.innerText()).trim(), /Pareto NAS g\d+\/3 · \d+\/4/);
        await wb
          .treeItem(/demo.*gen \d+\/3/)
          .first()
          .waitFor({ timeout: 60_000 });

        // the finished run: expand it, its Pareto front and a generation show candidates
        const fixture = wb.treeItem('xfel-ef2-fixture').first();
        await fixture.waitFor({ timeout: 30_000 });
        await fixture.click(); // the row's command opens the explorer
        await fixture.locator('.monaco-tl-twistie').click(); // expand the run
        await wb
          .treeItem(/Pareto front.*networks/)
          .first()
          .waitFor({ timeout: 30_000 });
        await wb
          .treeItem(/Generation 1/)
          .first()
          .waitFor({ timeout: 30_000 });
        await wb
          .treeItem(/g\d+-\d+.*MFLOPs/)
          .first()
          .waitFor({ timeout: 30_000 });
        await wb.widenSideBar(420);
        await wb.screenshot('host-runs-view');
        if (process.env.UPDATE_SCREENSHOTS === '1') {
          await wb.screenshot('runs-view', join(repoRoot, 'media', 'screenshots', 'runs-view.png'));
        }

        // Cancel Run from the palette: pick the run, confirm; the status bar clears
        await wb.runCommand('Pareto NAS: Cancel Run');
        await wb.quickPick('demo-');
        await wb.page.getByRole('button', { name: 'Cancel Run' }).click();
        await wb
          .treeItem(/demo.*(cancelled|completed)/)
          .first()
          .waitFor({ timeout: 60_000 });
        await status.waitFor({ state: 'detached', timeout: 30_000 });

        // Inspect Topology from the tree: the inline action of a Pareto network's row (once the demo search
        // is over, so a busy machine answers quickly)
        const page = wb.page;
        const cand = wb.treeItem(new RegExp(`${fixtureFront[0].id}.*MFLOPs`)).first();
        await cand.hover();
        await cand.locator('.action-label[aria-label="Inspect Topology"]').click();
        await page
          .locator('.tab', { hasText: `Topology: ${fixtureFront[0].id}` })
          .first()
          .waitFor({ timeout: 60_000 });
        // ... and from the palette: the current run (its explorer is the active editor) needs no run
        // picker; its networks are offered, the Pareto front first
        await wb.runCommand('Pareto NAS: Inspect Topology');
        // the current run is used: no run picker, straight to its networks
        await page
          .locator('.quick-input-widget input[placeholder="Network"]')
          .waitFor({ state: 'visible', timeout: 30_000 });
        const labels = page.locator('.quick-input-list .monaco-list-row .label-name');
        await labels.first().waitFor({ timeout: 30_000 });
        const offered = (await labels.allInnerTexts()).slice(0, 2).map((t) => /g\d+-\d+/.exec(t)?.[0]);
        assert.deepEqual(
          offered,
          fixtureFront.slice(0, 2).map((r) => r.id),
          'Pareto networks first, by MFLOPs',
        );
        await wb.quickPick(fixtureFront[1].id);
        await page
          .locator('.tab', { hasText: `Topology: ${fixtureFront[1].id}` })
          .first()
          .waitFor({ timeout: 60_000 });
      } catch (e) {
        await wb.screenshot('host-runs-view-failure').catch(() => undefined);
        throw e;
      } finally {
        await wb.close();
      }
    },
  );
});
