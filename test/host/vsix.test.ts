// The extension as users get it: `npm run package` builds the VSIX, code-server installs it
// (`--install-extension`) into a workbench that has no development extension, and after a reload the
// palette runs Doctor and a local demo search from the installed copy (its runner, not the repo's,
// with no node_modules beside it). The Runs view's "Export Model…" on a refined network of a finished
// run then writes the ONNX file and its metadata, confirmed by a toast. One workbench for all steps
// (each start costs a 2-core CI box tens of seconds); they run in order.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { unzipSync } from 'fflate';
import { refine } from '../../runner/src/refine/refine';
import type { CandidateRecord } from '../../common/protocol';
import { paretoFront } from '../../common/pareto';
import { writeSyntheticDataset } from '../helpers/npy';
import { repoRoot } from '../helpers/paths';
import { artifactsDir, hostMissing, Workbench } from '../helpers/workbench';

const missing = hostMissing();
if (missing) console.error(`host tests: ${missing}`);
const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  name: string;
  publisher: string;
  version: string;
};
const extensionFolder = `${manifest.publisher}.${manifest.name}-${manifest.version}`;

let tmp: string;
let vsix: string;
let workspace: string;
let run: string;
/** The fixture's first Pareto network (fewest MFLOPs), the one refined and exported. */
const exported = paretoFront(
  readFileSync(join(repoRoot, 'test', 'fixtures', 'run-small', 'candidates.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as CandidateRecord),
)[0].id;
let wb: Workbench | undefined;

before(async () => {
  assert.equal(missing, null, missing ?? '');
  tmp = mkdtempSync(join(tmpdir(), 'pareto-nas-vsix-'));
  // the packaging script itself, with the file written here instead of the repository root
  vsix = join(tmp, `${manifest.name}-${manifest.version}.vsix`);
  const r = spawnSync('npm', ['run', 'package', '--', '--out', vsix], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 300_000,
  });
  assert.equal(r.status, 0, `npm run package failed:\n${r.stdout}\n${r.stderr}`);
  // a finished run (the shared fixture, its refinements dropped) with one Pareto network refined for
  // an epoch on a small dataset of its shape, in the workspace's runs/ folder where the local target
  // looks by default; only refined networks keep weights, so only they can be exported
  workspace = join(tmp, 'workspace');
  run = join(workspace, 'runs', 'xfel-ef2-finished');
  cpSync(join(repoRoot, 'test', 'fixtures', 'run-small'), run, { recursive: true });
  rmSync(join(run, 'refine'), { recursive: true, force: true });
  const dataset = writeSyntheticDataset(join(tmp, 'data'), { size: 32, train: 8, val: 4 });
  const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
  writeFileSync(join(run, 'config.json'), JSON.stringify({ ...config, dataset }, null, 2));
  const info = JSON.parse(readFileSync(join(run, 'run.json'), 'utf8'));
  writeFileSync(
    join(run, 'run.json'),
    JSON.stringify({ ...info, dataset: { ...info.dataset, dir: dataset } }, null, 2),
  );
  const [record] = await refine({ runDir: run, select: { ids: [exported] }, epochs: 1 });
  assert.equal(record.status, 'done', JSON.stringify(record.failure));
});

/** On failure: a screenshot and the server's log in test-artifacts/. */
async function keepEvidence(name: string): Promise<void> {
  if (!wb) return;
  await wb.page.keyboard.press('Escape').catch(() => undefined);
  await wb.runCommand('Notifications: Show Notifications', 10_000).catch(() => undefined);
  await wb.screenshot(`host-vsix-${name}-failure`).catch(() => undefined);
  mkdirSync(artifactsDir, { recursive: true });
  writeFileSync(join(artifactsDir, `host-vsix-${name}-server.log`), wb.serverLog());
}

after(async () => {
  await wb?.close();
  if (tmp && process.env.KEEP_RUN !== '1') rmSync(tmp, { recursive: true, force: true });
});

/** Command lines of this user's processes. */
function processes(): string[] {
  return spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout.split('\n');
}

describe('the packaged extension (VSIX) in a real workbench', { concurrency: false, timeout: 600_000 }, () => {
  test('the VSIX holds only dist/, media/, the manifest, README, LICENSE and CHANGELOG', () => {
    const names: string[] = [];
    unzipSync(readFileSync(vsix), { filter: (f) => (names.push(f.name), false) }); // lists, inflates nothing
    const files = names.filter((f) => f.startsWith('extension/'));
    const outside = files.filter(
      (f) => !/^extension\/(dist\/|media\/|package\.json$|readme\.md$|LICENSE\.txt$|changelog\.md$)/.test(f),
    );
    assert.deepEqual(outside, []);
    for (const f of [
      'dist/extension.js',
      'dist/runner.js',
      'dist/webview.js',
      'dist/torch_worker.py',
      'dist/h5wasm.mjs',
      'changelog.md',
    ]) {
      assert.ok(files.includes(`extension/${f}`), `the VSIX lacks ${f}`);
    }
    assert.ok(!files.some((f) => f.endsWith('.map') || f.includes('node_modules')), 'no source maps or node_modules');
  });

  test(
    'installed with --install-extension and reloaded, it runs Doctor and a demo search from the palette',
    { timeout: 420_000 },
    async () => {
      try {
        await installAndSearch();
      } catch (e) {
        await keepEvidence('install');
        throw e;
      }
    },
  );

  test(
    "the Runs view's Export Model… writes the ONNX file and its metadata, confirmed by a toast",
    { timeout: 240_000 },
    async () => {
      try {
        await exportFromView();
      } catch (e) {
        await keepEvidence('export');
        throw e;
      }
    },
  );
});

async function installAndSearch(): Promise<void> {
  wb = await Workbench.start({ extensionPath: null, workspace, settings: { 'paretoNas.defaultPreset': 'demo' } });
  assert.ok(!(await wb.paletteHas('Pareto NAS: Run Doctor')), 'nothing is installed yet');
  assert.match(wb.installExtension(vsix), /successfully installed/);
  await wb.reloadWindow();

  // Doctor, on this machine: the runner of the installed copy answers, with the Python it will use
  await wb.runCommand('Pareto NAS: Run Doctor');
  await wb.quickPick('This machine');
  const doctor = wb.page.locator('.notification-toast', { hasText: 'Pareto NAS doctor' }).first();
  await doctor.waitFor({ timeout: 120_000 });
  assert.match(await doctor.innerText(), /Node \d+\.\d+.*PyTorch \S+ \(\S*python\S*\)/s);
  const runner = join(wb.runDir, 'extensions', extensionFolder, 'dist', 'runner.js');
  assert.ok(
    processes().some((p) => p.includes(`${runner} serve`)),
    `the runner runs from the installed copy (${runner})`,
  );
  await doctor
    .locator('.codicon-notifications-clear')
    .click()
    .catch(() => undefined);

  // a demo search, picked as a user does; its first network trains to the end, then it is cancelled
  await wb.runCommand('Pareto NAS: Start Search');
  await wb.quickPick('This machine');
  await wb.quickPick('demo');
  await wb.quickPick('default');
  await wb.quickPick('Train every candidate fully');
  await showRunsView();
  await wb
    .treeItem(/demo.*running/)
    .first()
    .waitFor({ timeout: 120_000 });
  await wb
    .statusBarItem(/Pareto NAS g\d+\/\d+ · [1-9]\d*\/\d+/)
    .first()
    .waitFor({ timeout: 240_000 });
  await wb.runCommand('Pareto NAS: Cancel Run');
  await wb.quickPick('demo-');
  await wb.page.getByRole('button', { name: 'Cancel Run' }).click();
  await wb
    .statusBarItem(/Pareto NAS g\d+\/\d+/)
    .first()
    .waitFor({ state: 'detached', timeout: 60_000 });
}

/** Shows the Runs view; Start Search may have shown it already (a click on its icon would then hide it). */
async function showRunsView(): Promise<void> {
  const sideBar = wb!.page.locator('.part.sidebar');
  const shown =
    (await sideBar.isVisible()) &&
    /Pareto NAS/i.test(
      await sideBar
        .locator('.title-label')
        .first()
        .innerText()
        .catch(() => ''),
    );
  if (!shown) await wb!.openViewContainer('Pareto NAS');
  await wb!.treeItem('This machine').first().waitFor({ timeout: 60_000 });
}

async function exportFromView(): Promise<void> {
  assert.ok(wb, 'the workbench of the previous step');
  const page = wb.page;
  await showRunsView();
  const runRow = wb.treeItem(/xfel-ef2-finished/).first();
  await runRow.waitFor({ timeout: 60_000 });
  await runRow.locator('.label-name').click(); // opens its explorer, which follows the run
  if ((await runRow.getAttribute('aria-expanded')) !== 'true') await runRow.locator('.monaco-tl-twistie').click();
  await wb
    .treeItem(/Pareto front/)
    .first()
    .waitFor({ timeout: 60_000 });
  const candidate = wb.treeItem(new RegExp(`${exported}.*MFLOPs`)).first();
  await candidate.waitFor({ timeout: 60_000 });
  await candidate.click({ button: 'right' });
  await page.getByRole('menuitem', { name: /Export Model/ }).click();
  await wb.quickPick('ONNX');

  const toast = page.locator('.notification-toast', { hasText: `exported ${exported}` }).first();
  await toast.waitFor({ timeout: 180_000 });
  const text = (await toast.innerText()).replace(/\s+/g, ' ');
  const file = new RegExp(`exported ${exported} to (\\S+\\.onnx) on this machine`).exec(text)?.[1];
  assert.ok(file, `the toast names the file: ${text}`);
  assert.ok(existsSync(file), `${file} exists`);
  const meta = JSON.parse(readFileSync(`${file}.json`, 'utf8')) as {
    modelFormat: string;
    input: { shape: unknown[] };
    classes: string[];
  };
  assert.equal(meta.modelFormat, 'onnx');
  assert.deepEqual(meta.input.shape, ['batch', 1, 32, 32]);
  assert.equal(meta.classes.length, 2);
  // the toast's actions: the runs folder is in the workspace, so Reveal shows it in the Explorer
  for (const action of ['Reveal', 'Open Metadata', 'Copy Path']) {
    await toast.getByRole('button', { name: action }).waitFor({ timeout: 10_000 });
  }
  await toast.getByRole('button', { name: 'Open Metadata' }).click();
  await page
    .locator('.tab', { hasText: `${file.split('/').at(-1)}.json` })
    .first()
    .waitFor({ timeout: 30_000 });
}
