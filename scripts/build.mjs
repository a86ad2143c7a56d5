// One bundler (esbuild) for the three bundles: the runner CLI, the VS Code extension and the webview.
// Each entry is built only when its source exists, so the tree can grow one part at a time.
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');

const bundles = [
  { entry: 'runner/src/cli.ts', outfile: 'dist/runner.js', platform: 'node', banner: '#!/usr/bin/env node' },
  { entry: 'extension/src/extension.ts', outfile: 'dist/extension.js', platform: 'node', external: ['vscode'] },
  { entry: 'webview/src/main.ts', outfile: 'dist/webview.js', platform: 'browser', format: 'iife' },
];

// Files the runner reads at run time next to its bundle (the torch worker, wasm binaries, ...).
const assets = [
  { from: 'runner/src/engines/torch/worker.py', to: 'dist/torch_worker.py' },
];

mkdirSync(join(root, 'dist'), { recursive: true });
for (const b of bundles) {
  if (!existsSync(join(root, b.entry))) continue;
  const options = {
    absWorkingDir: root,
    entryPoints: [b.entry],
    outfile: b.outfile,
    bundle: true,
    platform: b.platform,
    format: b.format ?? 'cjs',
    target: b.platform === 'node' ? 'node20' : 'es2022',
    sourcemap: true,
    external: b.external ?? [],
    banner: b.banner ? { js: b.banner } : undefined,
    logLevel: 'warning',
  };
  await build(options);
}
for (const a of assets) {
  if (existsSync(join(root, a.from))) cpSync(join(root, a.from), join(root, a.to));
}
if (!watch) console.log('build: dist/ up to date');
