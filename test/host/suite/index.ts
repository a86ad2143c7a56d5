// Extension-host tests (mode C): run inside the real extension host with the `vscode` API.
// Contract of @vscode/test-electron's extensionTestsPath: export run(); a rejection means failure.
// Bundled to CommonJS by test/host/build-suite.ts; run by extension.test.ts (code-server) and by
// `npm run test:electron` (desktop VS Code via @vscode/test-electron).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ParetoNasApi } from '../../../extension/src/extension';
import type { RunRef } from '../../../extension/src/runs/api';

const EXTENSION_ID = 'pareto-nas.pareto-nas';
const cases: Array<[string, () => Promise<void>]> = [];
const it = (name: string, fn: () => Promise<void>) => cases.push([name, fn]);

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

let api: ParetoNasApi;

it('activates and exports its API', async () => {
  const ext = vscode.extensions.getExtension<ParetoNasApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not installed`);
  api = await ext.activate();
  assert.ok(ext.isActive);
  assert.ok(api.runs, 'exports.runs');
  assert.ok(api.runs.host('local'), 'the local host is listed');
});

it('registers every contributed command', async () => {
  const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
  const contributed: string[] = ext.packageJSON.contributes.commands.map((c: { command: string }) => c.command);
  const registered = new Set(await vscode.commands.getCommands(true));
  for (const id of contributed) assert.ok(registered.has(id), `${id} is contributed but not registered`);
  for (const id of [
    'paretoNas.connect',
    'paretoNas.startSearch',
    'paretoNas.attachRun',
    'paretoNas.cancelRun',
    'paretoNas.openExplorer',
    'paretoNas.inspectTopology',
    'paretoNas.refineSelected',
    'paretoNas.showLog',
    'paretoNas.doctor',
  ]) {
    assert.ok(contributed.includes(id), `${id} missing from contributes.commands`);
  }
  assert.ok(registered.has('paretoNas.runs.focus'), 'the Runs view is contributed');
});

it('contributes the search-config schema', async () => {
  const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
  const [entry] = ext.packageJSON.contributes.jsonValidation;
  const schema = JSON.parse(fs.readFileSync(path.join(ext.extensionPath, entry.url), 'utf8'));
  assert.ok(schema.properties.dataset && schema.properties.search, 'schema describes dataset and search');
});

it('runs the doctor on the local runner', async () => {
  const d = await vscode.commands.executeCommand<{ node: { version: string } }>('paretoNas.doctor', 'local');
  assert.match(d.node.version, /^v?\d+\./);
  assert.equal(api.runs.host('local')!.state, 'connected');
});

it('lists a run found on the host, replays its events, and opens the explorer', async () => {
  // a finished run (the shared fixture) copied into the local runs folder the settings name
  const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
  const runsDir = vscode.workspace.getConfiguration('paretoNas').get<string>('local.runsDir');
  assert.ok(runsDir, 'the test sets paretoNas.local.runsDir');
  fs.cpSync(path.join(ext.extensionPath, 'test', 'fixtures', 'run-small'), path.join(runsDir, 'xfel-ef2-fixture'), {
    recursive: true,
  });
  await vscode.commands.executeCommand('paretoNas.refresh');
  const ref = { host: 'local', run: 'xfel-ef2-fixture' };
  assert.ok(
    api.runs.get(ref),
    `runs/list did not report the fixture run: ${api.runs
      .runs()
      .map((r) => r.id)
      .join(', ')}`,
  );
  const opened = await vscode.commands.executeCommand<RunRef>('paretoNas.openExplorer', ref);
  assert.deepEqual(opened, ref);
  const m = api.runs.get(ref)!;
  await until('replayed events', () => m.lastSeq >= 195 && m.candidates.size > 0, 30_000); // run-finished is seq 195
  assert.ok(m.generationsById.size >= 2, 'generations in the model');
  const tab = await until(
    'explorer tab',
    () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('paretoNas.explorer')),
    30_000,
  );
  assert.ok(tab.label.length > 0);
});

it('inspects a candidate topology from a tree node argument (inline action / context menu)', async () => {
  const ref = { host: 'local', run: 'xfel-ef2-fixture' };
  const m = api.runs.get(ref)!;
  const id = [...m.candidates.values()].find((c) => c.record?.status === 'ok')!.id;
  const shown = await vscode.commands.executeCommand<{ ref: RunRef; id: string }>('paretoNas.inspectTopology', {
    kind: 'candidate',
    ...ref,
    id,
  });
  assert.deepEqual(shown, { ref, id });
  await until(
    'topology tab',
    () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('paretoNas.topology')),
    30_000,
  );
  const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
  const menus = ext.packageJSON.contributes.menus['view/item/context'] as Array<{
    command: string;
    when: string;
    group: string;
  }>;
  const topo = menus.filter((e) => e.command === 'paretoNas.inspectTopology');
  assert.ok(
    topo.some((e) => e.group.startsWith('inline') && /candidate/.test(e.when)),
    'inline action on candidates',
  );
  assert.ok(
    topo.some((e) => !e.group.startsWith('inline') && /candidate/.test(e.when)),
    'context menu on candidates',
  );
});

it('starts a search on the local target and follows it to the status bar', async () => {
  const ref = await vscode.commands.executeCommand<RunRef>('paretoNas.startSearch', {
    host: 'local',
    preset: 'demo',
    dataset: 'default',
    overrides: { name: 'ext-host-test' },
  });
  assert.ok(ref && ref.host === 'local' && ref.run, `startSearch returned ${JSON.stringify(ref)}`);
  const model = await until('run events', () => {
    const m = api.runs.get(ref);
    return m && m.lastSeq > 0 && m.generation >= 1 ? m : undefined;
  });
  assert.equal(model.name, 'ext-host-test');
  assert.ok(api.runs.isAttached(ref));
  await until('status bar text', () => /Pareto NAS g\d+\/\d+/.test(api.statusText()));
  // cancel: the run ends as cancelled (or completed, if it was faster) and the status bar clears
  await vscode.commands.executeCommand('paretoNas.cancelRun', ref);
  await until('run end', () => api.runs.get(ref)!.state !== 'running', 60_000);
  assert.match(api.runs.get(ref)!.state, /cancelled|completed/);
  await until('status bar hidden', () => api.statusText() === '', 10_000);
});

export async function run(): Promise<void> {
  const failures: string[] = [];
  for (const [name, fn] of cases) {
    const t0 = Date.now();
    try {
      await fn();
      console.log(`ok - ${name} (${Date.now() - t0} ms)`);
    } catch (e) {
      failures.push(name);
      console.error(`not ok - ${name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }
  if (failures.length) throw new Error(`${failures.length} extension-host test(s) failed: ${failures.join('; ')}`);
}
