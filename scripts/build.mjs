// One bundler (esbuild) for the bundles: the runner CLI, the VS Code extension, its language server and the webview.
// Each entry is built only when its source exists, so the tree can grow one part at a time.
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const bundles = [
  // onnxruntime-node is a native addon loaded on demand (optional dependency): resolved from node_modules at run time.
  {
    entry: 'runner/src/cli.ts',
    outfile: 'dist/runner.js',
    platform: 'node',
    banner: '#!/usr/bin/env node',
    external: ['onnxruntime-node'],
  },
  {
    entry: 'extension/src/extension.ts',
    outfile: 'dist/extension.js',
    platform: 'node',
    external: ['vscode', 'cpu-features', '*.node'],
  }, // ssh2's optional native addons stay outside the bundle: it falls back to pure JS
  // The language server for *.pareto-nas.json configs (the extension's client starts it; other editors: `node dist/language-server.js --stdio`).
  // jsonc-parser's main entry is a UMD build esbuild cannot follow: its ES module entry is bundled instead.
  {
    entry: 'language-server/src/server.ts',
    outfile: 'dist/language-server.js',
    platform: 'node',
    mainFields: ['module', 'main'],
  },
  { entry: 'webview/src/main.ts', outfile: 'dist/webview.js', platform: 'browser', format: 'iife' },
  // The tfjs engine's worker process (TF.js + wasm backend), forked by the runner.
  { entry: 'runner/src/engines/tfjs/worker.ts', outfile: 'dist/tfjs-worker.js', platform: 'node' },
  // The XFEL simulator's worker thread (`dataset simulate --workers`), started by the runner.
  { entry: 'runner/src/data/xfel/sim-worker.ts', outfile: 'dist/sim-worker.js', platform: 'node' },
  // Its grid worker threads (the one-off F(q) grid, computed row by row on every core).
  { entry: 'runner/src/data/xfel/grid-worker.ts', outfile: 'dist/grid-worker.js', platform: 'node' },
];

// Files the runner reads at run time next to its bundle (the torch worker, wasm binaries, ...).
const assets = [
  { from: 'runner/src/engines/torch/worker.py', to: 'dist/torch_worker.py' },
  { from: 'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm', to: 'dist/tfjs-backend-wasm.wasm' },
  {
    from: 'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
    to: 'dist/tfjs-backend-wasm-simd.wasm',
  },
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
    ...(b.mainFields ? { mainFields: b.mainFields } : {}),
    banner: b.banner ? { js: b.banner } : undefined,
    logLevel: 'warning',
  };
  await build(options);
}
for (const a of assets) {
  if (existsSync(join(root, a.from))) cpSync(join(root, a.from), join(root, a.to));
}
// h5wasm (HDF5 import) is an ES module whose Node build finds itself through `import.meta.url`, which
// a CommonJS bundle loses: it gets its own ESM bundle (libhdf5's wasm is inlined in it), one flat file
// next to the runner, so an installed extension and a runner deployed over SSH need no node_modules.
const h5wasmEntry = 'node_modules/h5wasm/dist/node/hdf5_hl.js';
if (existsSync(join(root, h5wasmEntry))) {
  await build({
    absWorkingDir: root,
    entryPoints: [h5wasmEntry],
    outfile: 'dist/h5wasm.mjs',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    charset: 'utf8',
    logLevel: 'warning',
  });
}
console.log('build: dist/ up to date');

// --- Search-config JSON Schema for the extension's `jsonValidation` (media/search-config.schema.json).
// Generated from common/config.ts `configJsonSchema()` (the same zod definition the runner
// validates with), so editors and the runner never disagree. Bundled to a temporary ESM file and imported.
{
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { pathToFileURL } = await import('node:url');
  const tmp = mkdtempSync(join(tmpdir(), 'pareto-nas-schema-'));
  try {
    const out = join(tmp, 'schema.mjs');
    await build({
      absWorkingDir: root,
      stdin: { contents: "export { configJsonSchema } from './common/config';", resolveDir: root, loader: 'ts' },
      outfile: out,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'warning',
    });
    const { configJsonSchema } = await import(pathToFileURL(out).href);
    const schema = { title: 'Pareto NAS search configuration', ...configJsonSchema() };
    mkdirSync(join(root, 'media'), { recursive: true });
    writeFileSync(join(root, 'media', 'search-config.schema.json'), JSON.stringify(schema, null, 2) + '\n');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
