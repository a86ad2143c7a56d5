// Bundles the extension-host suite (test/host/suite/index.ts) to CommonJS, `vscode` external, so the
// extension host can require() it. Returns the bundle's path (in the git-ignored .cache/).
import { buildSync } from 'esbuild';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths';

export function buildHostSuite(): string {
  const outfile = join(repoRoot, '.cache', 'host-tests', 'suite.js');
  buildSync({
    absWorkingDir: repoRoot,
    entryPoints: [join(repoRoot, 'test', 'host', 'suite', 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return outfile;
}
