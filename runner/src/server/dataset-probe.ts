// The `dataset/check` and `dataset/list` methods: what a config's `dataset` names on the runner's host,
// for the editor's language server (diagnostics, genome hovers that need the input shape, completion).
// Only directory names and dataset.json manifests are read: no image array is loaded. Paths resolve
// as `search/start` resolves them (against the server's working directory), so the check and the
// search agree on which folder is meant.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DatasetCheckResult, DatasetListResult } from '../../../common/protocol';
import { DEFAULT_DATASET, DEFAULT_VAL_FRACTION, defaultDatasetDir, MANIFEST_FILE, openDatasetSync } from '../data';
import { STRUCTURE_SOURCES } from '../data/xfel/structures';

export function checkDataset(path: string): DatasetCheckResult {
  const dir = path === 'default' ? defaultDatasetDir() : resolve(path);
  try {
    const { manifest } = openDatasetSync(dir);
    const { shape, classes, name, splits } = manifest;
    return { dir, ok: true, dataset: { name, shape, classes, train: splits.train.count, val: splits.val.count } };
  } catch (e) {
    if (path === 'default') return { dir, ok: true, dataset: defaultDatasetToBe() };
    return { dir, ok: false, error: (e as Error).message };
  }
}

/** The demo dataset before its first use simulates it: its shape and classes are known already. */
function defaultDatasetToBe(): NonNullable<DatasetCheckResult['dataset']> {
  const val = Math.round(DEFAULT_DATASET.count * DEFAULT_VAL_FRACTION); // approximately: the split rounds per class
  return {
    name: DEFAULT_DATASET.name,
    shape: [1, DEFAULT_DATASET.size, DEFAULT_DATASET.size],
    classes: STRUCTURE_SOURCES.map((s) => s.name),
    train: DEFAULT_DATASET.count - val,
    val,
  };
}

export function listDatasets(folder: string): DatasetListResult {
  const dir = resolve(folder);
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
      .map((d) => d.name);
  } catch (e) {
    return { dir, entries: [], error: (e as Error).message };
  }
  const entries = names
    .map((name) => ({ name, path: join(dir, name), dataset: existsSync(join(dir, name, MANIFEST_FILE)) }))
    .sort((a, b) => Number(b.dataset) - Number(a.dataset) || a.name.localeCompare(b.name));
  return { dir, entries };
}
