// The language server in the real workbench (code-server): the extension starts it through
// vscode-languageclient when a search config is opened; hovering a genome shows the network's MFLOPs
// (decoded for the dataset on this machine, asked through the extension's local runner), and a bad
// config shows a squiggle and its message in the Problems view.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { cost, decode } from '../../common/model';
import { writeSyntheticDataset } from '../helpers/npy';
import { ensureBuilt, hostMissing, Workbench } from '../helpers/workbench';

const skip = hostMissing() ?? false;
if (skip) console.error(`language server host test skipped: ${skip}`);
const GENOME = '0001101 1100000 0110010';

let tmp: string;
let workspace: string;

before(() => {
  if (skip) return;
  ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'pareto-nas-lsp-host-'));
  workspace = join(tmp, 'workspace');
  mkdirSync(workspace);
  const dataset = writeSyntheticDataset(join(tmp, 'data'), { size: 16, classes: 3, train: 8, val: 4 });
  const config = (search: object) => JSON.stringify({ name: 'lsp', dataset, search }, null, 2);
  writeFileSync(
    join(workspace, 'good.pareto-nas.json'),
    config({ nodes: 4, initChannels: 8, initialGenomes: [GENOME] }),
  );
  writeFileSync(join(workspace, 'bad.pareto-nas.json'), config({ nodes: 5, initialGenomes: [GENOME] }));
});

after(() => {
  if (tmp && process.env.KEEP_RUN !== '1') rmSync(tmp, { recursive: true, force: true });
});

async function openFile(wb: Workbench, name: string): Promise<void> {
  const input = wb.page.locator('.quick-input-widget input');
  await wb.page.keyboard.press('Control+P');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(name);
  await wb.page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 30_000 });
  await input.press('Enter');
  await wb.page.locator('.tab.active', { hasText: name }).waitFor({ timeout: 30_000 });
}

test(
  'a genome hover shows its MFLOPs; a bad config a squiggle and a Problems entry',
  { skip, timeout: 240_000 },
  async () => {
    const wb = await Workbench.start({ workspace, settings: { 'paretoNas.local.runsDir': join(tmp, 'runs') } });
    const page = wb.page;
    try {
      await openFile(wb, 'good.pareto-nas.json');
      const expected = cost(
        decode(GENOME, { nodes: 4, initChannels: 8, input: { channels: 1, height: 16, width: 16 }, classes: 3 }),
      );
      const genome = page.locator('.monaco-editor .view-line span', { hasText: '0001101' }).first();
      await genome.waitFor({ timeout: 30_000 });
      // hover until our server's answer is in (the server starts with the first config opened)
      const hover = page.locator('.monaco-hover', { hasText: `${expected.mflops} MFLOPs` });
      const deadline = Date.now() + 120_000;
      while (!(await hover.isVisible())) {
        if (Date.now() > deadline)
          throw new Error(`no hover with ${expected.mflops} MFLOPs\n${wb.serverLog().slice(-3000)}`);
        await page.mouse.move(0, 0);
        await genome.hover();
        await hover.waitFor({ timeout: 5_000 }).catch(() => undefined);
      }
      assert.match(await hover.innerText(), new RegExp(`${expected.params.toLocaleString('en-US')} params`));
      await wb.screenshot('host-lsp-hover');

      await openFile(wb, 'bad.pareto-nas.json');
      await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 60_000 });
      await wb.runCommand('View: Focus Problems');
      const problem = page.locator('.markers-panel .monaco-list-row', {
        hasText: /genome "0001101 1100000 0110010" has 21 bits; 3 phases of 5 nodes need 33/,
      });
      await problem.first().waitFor({ timeout: 60_000 });
      await wb.screenshot('host-lsp-problems');
    } finally {
      await wb.close();
    }
  },
);
