// The dataset commands through the built CLI (npm run build first): simulate → info, determinism,
// import, error messages, Ctrl-C leaves nothing that looks like a dataset, and the cached demo dataset.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_DATASET, ensureDefaultDataset } from '../../runner/src/data/default';
import { encodeNpy } from '../../runner/src/data/npy';
import { openDataset } from '../../runner/src/data/reader';
import { repoRoot } from '../helpers/paths';

const cli = join(repoRoot, 'dist', 'runner.js');
const cache = mkdtempSync(join(tmpdir(), 'pnas-cache-'));
const env = { ...process.env, PARETO_NAS_CACHE: cache };
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env });

test('dataset simulate writes a readable uint8 dataset; same seed → identical files for 1 and 2 workers; info reports it', () => {
  assert.ok(existsSync(cli), 'run npm run build first');
  const base = mkdtempSync(join(tmpdir(), 'sim-'));
  const args = [
    'dataset',
    'simulate',
    '--count',
    '30',
    '--size',
    '32',
    '--fluence',
    '1e15',
    '--oversample',
    '0.5',
    '--seed',
    '4',
  ];
  // One worker (this thread) and two worker threads on the shared grids: the same bytes.
  const a = run(...args, '--workers', '1', '--out', join(base, 'a'));
  assert.equal(a.status, 0, a.stderr);
  assert.match(a.stdout, /24 train \+ 6 val images/);
  const b = run(...args, '--workers', '2', '--out', join(base, 'b'));
  assert.equal(b.status, 0, b.stderr);
  for (const f of [
    'dataset.json',
    'train_images.npy',
    'val_images.npy',
    'train_labels.npy',
    'train_orientations.npy',
    'val_euler.npy',
  ]) {
    assert.ok(
      readFileSync(join(base, 'a', f)).equals(readFileSync(join(base, 'b', f))),
      `${f} differs for the same seed`,
    );
  }
  const c = run(...args.slice(0, -1), '5', '--out', join(base, 'c'));
  assert.equal(c.status, 0, c.stderr);
  assert.ok(
    !readFileSync(join(base, 'a', 'train_images.npy')).equals(readFileSync(join(base, 'c', 'train_images.npy'))),
  );
  const info = run('dataset', 'info', join(base, 'a'), '--json');
  assert.equal(info.status, 0, info.stderr);
  const j = JSON.parse(info.stdout);
  assert.deepEqual(j.shape, [1, 32, 32]);
  assert.equal(j.dtype, 'uint8', 'photon counts are stored as small integers');
  assert.ok(j.bytes > 30 * 32 * 32 && j.bytes < 30 * 32 * 32 + 8192, `${j.bytes} bytes`);
  assert.deepEqual(j.classes, ['1n0u', '1n0vc']);
  assert.deepEqual(j.splits.train.perClass, [12, 12]);
  assert.deepEqual(j.splits.val.perClass, [3, 3]);
  assert.equal(j.min, 0);
  assert.ok(j.max >= 1 && Number.isInteger(j.max));
  // ~800 photons per pattern at 1e15 → mean per binned pixel ≈ 800/1024.
  assert.ok(j.mean > 0.5 && j.mean < 1.1, `mean ${j.mean}`);
  assert.match(run('dataset', 'info', join(base, 'a')).stdout, /train\s+24\s+12\s+12/);
  const again = run(...args, '--out', join(base, 'a'));
  assert.equal(again.status, 1);
  assert.match(again.stderr, /^pareto-nas: .*a: already exists/);
  const badSize = run('dataset', 'simulate', '--size', '50', '--out', join(base, 'd'));
  assert.match(badSize.stderr, /--size 50: use 127, 128, or 128\/k/);
});

/** A PDB ATOM record in the fixed columns of the format (name 13–16, chain 22, x/y/z 31–54, element 77–78). */
function atomLine(i: number, element: string, chain: string, [x, y, z]: number[]): string {
  const f = (v: number) => v.toFixed(3).padStart(8);
  return `ATOM  ${String(i).padStart(5)}  ${element.padEnd(3)} GLY ${chain}${String(i).padStart(4)}    ${f(x)}${f(y)}${f(z)}  1.00  0.00          ${element.padStart(2)}`;
}

test('dataset simulate --structure: classes from your own PDB files (chain, class name, phosphorus), with clear errors', () => {
  const base = mkdtempSync(join(tmpdir(), 'pdb-'));
  // Two small "conformations": a 40-atom helix-like chain A, and the same atoms bent, in chain B of a second file.
  const atoms = Array.from({ length: 40 }, (_, i) => [6 * Math.cos(i / 2), 6 * Math.sin(i / 2), 0.9 * i - 18]);
  const elements = (i: number) => ['C', 'N', 'O', 'P'][i % 4];
  const straight = atoms.map((a, i) => atomLine(i + 1, elements(i), 'A', a));
  const bent = atoms.map((a, i) => atomLine(i + 1, elements(i), 'B', [a[0] + 0.02 * a[2] ** 2, a[1], a[2]]));
  writeFileSync(join(base, 'open.pdb'), `${straight.join('\n')}\nEND\n`);
  writeFileSync(join(base, 'two.pdb'), `${[...straight, ...bent].join('\n')}\nEND\n`);
  const args = ['dataset', 'simulate', '--count', '20', '--size', '16', '--oversample', '0.5', '--seed', '1'];
  const r = run(
    ...args,
    '--structure',
    join(base, 'open.pdb'),
    '--structure',
    `${join(base, 'two.pdb')}:B=closed`,
    '--out',
    join(base, 'ds'),
  );
  assert.equal(r.status, 0, r.stderr);
  const manifest = JSON.parse(readFileSync(join(base, 'ds', 'dataset.json'), 'utf8'));
  assert.deepEqual(manifest.classes, ['open', 'closed']);
  const structures = manifest.provenance.structures as Array<{
    class: string;
    pdb: string;
    chain: string;
    atoms: number;
    elements: Record<string, number>;
  }>;
  assert.deepEqual(
    structures.map((s) => [s.class, s.pdb, s.chain, s.atoms]),
    [
      ['open', 'open.pdb', 'all', 40],
      ['closed', 'two.pdb', 'B', 40],
    ],
  );
  assert.deepEqual(structures[1].elements, { C: 10, N: 10, O: 10, P: 10 });
  // The default class name is the file name plus the chain; errors name the file and the problem.
  const named = run(
    ...args,
    '--structure',
    `${join(base, 'two.pdb')}:A`,
    '--structure',
    `${join(base, 'two.pdb')}:B`,
    '--out',
    join(base, 'ds2'),
  );
  assert.equal(named.status, 0, named.stderr);
  assert.deepEqual(JSON.parse(readFileSync(join(base, 'ds2', 'dataset.json'), 'utf8')).classes, ['twoa', 'twob']);
  writeFileSync(join(base, 'iron.pdb'), `${[...straight.slice(0, 5), atomLine(6, 'FE', 'A', [0, 0, 0])].join('\n')}\n`);
  const cases: Array<[string[], RegExp]> = [
    [['--structure', join(base, 'open.pdb')], /at least two structures \(got 1\)/],
    [
      ['--structure', join(base, 'open.pdb'), '--structure', join(base, 'nope.pdb')],
      /nope\.pdb: cannot read the structure \(ENOENT\)/,
    ],
    [
      ['--structure', join(base, 'open.pdb'), '--structure', `${join(base, 'two.pdb')}:C`],
      /two\.pdb: no ATOM records in chain 'C'/,
    ],
    [
      ['--structure', join(base, 'open.pdb'), '--structure', join(base, 'iron.pdb')],
      /iron\.pdb: no X-ray form factor for FE \(1 atoms\); supported: H, C, N, O, P, S/,
    ],
    [['--structure', join(base, 'open.pdb'), '--structure', join(base, 'open.pdb')], /both called 'open'/],
  ];
  for (const [extra, message] of cases) {
    const bad = run(...args, ...extra, '--out', join(base, 'bad'));
    assert.equal(bad.status, 1, `${extra.join(' ')}: ${bad.stdout}`);
    assert.match(bad.stderr, message);
    assert.ok(!existsSync(join(base, 'bad')));
  }
});

test('dataset info on a corrupt dataset exits 1 naming the file', () => {
  const base = mkdtempSync(join(tmpdir(), 'bad-'));
  const d = join(base, 'd');
  assert.equal(
    run('dataset', 'simulate', '--count', '10', '--size', '16', '--oversample', '0.5', '--out', d).status,
    0,
  );
  writeFileSync(join(d, 'val_labels.npy'), encodeNpy('int64', [1], BigInt64Array.of(5n)));
  const r = run('dataset', 'info', d);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /pareto-nas: .*val_labels\.npy: shape \[1\], expected \[2\]/);
});

test('dataset import through the CLI (.npz) and HDF5 from the bundle', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-imp-'));
  const npz = join(dir, 'a.npz');
  const { zipSync } = await import('fflate');
  writeFileSync(
    npz,
    zipSync({
      'images.npy': encodeNpy('float32', [10, 4, 4], new Float32Array(160).fill(2)),
      'labels.npy': encodeNpy(
        'int64',
        [10],
        BigInt64Array.from({ length: 10 }, (_, i) => BigInt(i % 2)),
      ),
    }),
  );
  const r = run('dataset', 'import', npz, '--out', join(dir, 'ds'), '--classes', 'u,v');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /classes\s+0=u\s+1=v/);
  const h5 = await import('h5wasm/node');
  await h5.ready;
  const f = new h5.File(join(dir, 'd.h5'), 'w');
  f.create_dataset({ name: 'images', data: new Float32Array(40).fill(1), shape: [10, 2, 2], dtype: '<f' });
  f.create_dataset({
    name: 'labels',
    data: Int32Array.from({ length: 10 }, (_, i) => i % 2),
    shape: [10],
    dtype: '<i',
  });
  f.close();
  const h = run('dataset', 'import', join(dir, 'd.h5'), '--out', join(dir, 'ds2'));
  assert.equal(h.status, 0, h.stderr);
  assert.match(h.stdout, /train\s+8\s+4\s+4/);
  // a truncated file: one line naming it, not libhdf5's diagnostics
  const cut = join(dir, 'cut.h5');
  writeFileSync(cut, readFileSync(join(dir, 'd.h5')).subarray(0, 1500));
  const c = run('dataset', 'import', cut, '--out', join(dir, 'ds3'));
  assert.equal(c.status, 1);
  assert.equal(
    c.stderr.trim(),
    `pareto-nas: ${cut}: not a readable HDF5 file (truncated or corrupt: File has been truncated)`,
  );
});

test('Ctrl-C during simulate exits 130 and leaves no dataset folder and no partial folder', async () => {
  const base = mkdtempSync(join(tmpdir(), 'int-'));
  const out = join(base, 'big');
  const child = spawn(
    process.execPath,
    [cli, 'dataset', 'simulate', '--count', '200000', '--size', '32', '--oversample', '0.5', '--out', out],
    { env },
  );
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => child.on('exit', r));
  // Interrupt once the writer has started (grids come from the cache the first test filled).
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (existsSync(`${out}.partial`)) {
        clearInterval(poll);
        setTimeout(() => {
          child.kill('SIGINT');
          resolve();
        }, 1500);
      }
    }, 50);
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await exited;
  clearTimeout(killer);
  assert.equal(code, 130, err); // interrupted by the user, like any command on Ctrl-C
  assert.match(err, /interrupted/);
  assert.deepEqual(readdirSync(base), []);
});

test('default demo dataset: generated once into the cache, then reused', async () => {
  process.env.PARETO_NAS_CACHE = cache;
  const t0 = Date.now();
  const dir = await ensureDefaultDataset();
  const first = Date.now() - t0;
  assert.ok(dir.startsWith(cache) && !dir.startsWith(repoRoot));
  const ds = await openDataset(dir);
  assert.deepEqual(ds.manifest.shape, [1, 32, 32]);
  assert.equal(ds.splits.train.count + ds.splits.val.count, DEFAULT_DATASET.count);
  const t1 = Date.now();
  assert.equal(await ensureDefaultDataset(), dir);
  assert.ok(Date.now() - t1 < Math.max(2000, first / 5), 'second call should reuse the cache');
});
