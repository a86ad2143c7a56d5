// HDF5 files (read with h5wasm, the wasm build of libhdf5) holding a numeric image dataset and a
// label dataset, e.g. /images [N, H, W] and /labels [N]; names are given with --images/--labels
// or found among common ones. An optional string dataset /classes names the classes.
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { classNamesFor, toNCHW, writeArrays } from './common';
import { checkFiniteArray, pickKey, type ArrayImportOptions } from './numpy';

type H5Module = typeof import('h5wasm');

/**
 * h5wasm is an ES module whose Node build reads `import.meta.url`, which does not survive bundling
 * into the CommonJS runner; it is therefore loaded at run time from node_modules, not bundled.
 */
async function loadH5wasm(): Promise<H5Module> {
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, 'node_modules', 'h5wasm', 'dist', 'node', 'hdf5_hl.js');
    if (existsSync(candidate)) {
      const dynamicImport = new Function('u', 'return import(u)') as (u: string) => Promise<H5Module>;
      const mod = await dynamicImport(pathToFileURL(candidate).href);
      await mod.ready;
      return mod;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('the h5wasm package is not installed next to the runner (npm install h5wasm)');
    dir = up;
  }
}

function listDatasets(group: { keys(): string[]; get(k: string): unknown }, prefix = ''): string[] {
  const out: string[] = [];
  for (const k of group.keys()) {
    const item = group.get(k) as { type?: string; keys?: () => string[] } | null;
    if (!item) continue;
    if (item.type === 'Dataset') out.push(`${prefix}${k}`);
    else if (item.type === 'Group') out.push(...listDatasets(item as never, `${prefix}${k}/`));
  }
  return out;
}

export async function importHdf5(file: string, o: ArrayImportOptions): Promise<string> {
  if (!existsSync(file)) throw new Error(`${file}: no such file`);
  const h5 = await loadH5wasm();
  let f: InstanceType<H5Module['File']>;
  try {
    f = new h5.File(file, 'r');
  } catch (e) {
    throw new Error(`${file}: not a readable HDF5 file (${(e as Error).message})`, { cause: e });
  }
  try {
    const names = listDatasets(f);
    const ik = pickKey(names, o.imagesKey, ['images', 'data', 'X', 'x', 'patterns', 'imgs'], 'images', file);
    const lk = pickKey(names, o.labelsKey, ['labels', 'label', 'y', 'Y', 'targets'], 'labels', file);
    const ids = f.get(ik) as InstanceType<H5Module['Dataset']>;
    const lds = f.get(lk) as InstanceType<H5Module['Dataset']>;
    const ishape = ids.shape ?? [];
    const lshape = lds.shape ?? [];
    const raw = ids.value as unknown;
    if (!ArrayBuffer.isView(raw)) throw new Error(`${file}:${ik}: images must be a numeric dataset (dtype ${JSON.stringify(ids.dtype)})`);
    const lraw = lds.value as unknown;
    if (!ArrayBuffer.isView(lraw)) throw new Error(`${file}:${lk}: labels must be a numeric dataset`);
    const labels = lraw instanceof BigInt64Array || lraw instanceof BigUint64Array ? Float64Array.from(lraw, Number) : (lraw as unknown as ArrayLike<number>);
    if (lshape.length !== 1) throw new Error(`${file}:${lk}: labels must be 1-D, got shape [${lshape}]`);
    if (ishape[0] !== labels.length) throw new Error(`${file}:${ik}: ${ishape[0]} images but ${labels.length} labels in ${lk}`);
    const images = raw instanceof BigInt64Array || raw instanceof BigUint64Array ? Float64Array.from(raw, Number) : (raw as unknown as ArrayLike<number>);
    const { shape, data } = toNCHW(images, ishape, !!o.channelsLast, `${file}:${ik}`);
    checkFiniteArray(data, `${file}:${ik}`);
    let given = o.classes;
    if (!given && names.includes('classes')) {
      const cv = (f.get('classes') as InstanceType<H5Module['Dataset']>).value;
      if (Array.isArray(cv) && cv.every((c) => typeof c === 'string')) given = cv as string[];
    }
    const classes = classNamesFor(labels, given, `${file}:${lk}`);
    return writeArrays(data, shape, labels, classes, o, { source: 'import: HDF5', path: basename(file), images: ik, labels: lk });
  } finally {
    f.close();
  }
}
