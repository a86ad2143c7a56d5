// `npm run test:electron`: the same extension-host suite in desktop VS Code, downloaded by
// @vscode/test-electron (needs internet access to update.code.visualstudio.com). CI runs the suite in
// code-server instead (test/host/extension.test.ts).
import { runTests } from '@vscode/test-electron';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt } from '../helpers/workbench';
import { repoRoot } from '../helpers/paths';
import { buildHostSuite } from './build-suite';

async function main(): Promise<void> {
  ensureBuilt();
  const extensionTestsPath = buildHostSuite();
  const workspace = mkdtempSync(join(tmpdir(), 'pareto-nas-electron-'));
  await runTests({
    version: process.env.VSCODE_VERSION ?? 'stable',
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath,
    launchArgs: [
      workspace,
      '--disable-extensions',
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
    ],
  });
}

main().catch((e) => {
  console.error(`test:electron: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
