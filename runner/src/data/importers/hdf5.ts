// HDF5 files (read with h5wasm, the wasm build of libhdf5) holding a numeric image dataset and a
// label dataset, e.g. /images [N, H, W] and /labels [N]; names are given with --images/--labels
// or found among common ones. An optional string dataset /classes names the classes.
import fs from 'node:fs'; // the module object itself (a namespace import would be a copy in the bundle)
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { classNamesFor, toNCHW, writeArrays } from './common';
import { checkFiniteArray, pickKey, type ArrayImportOptions } from './numpy';

type H5Module = typeof import('h5wasm');

/** libhdf5's diagnostics of the current import, collected by quietly(). */
const diagnostics: string[] = [];
let h5: Promise<H5Module> | undefined;

/**
 * h5wasm is an ES module whose Node build reads `import.meta.url`, which does not survive bundling
 * into the CommonJS runner; it is therefore loaded at run time: the ESM bundle the build puts next to
 * the runner (dist/h5wasm.mjs: installed extension, SSH deploy), else the package in node_modules.
 */
function loadH5wasm(): Promise<H5Module> {
  h5 ??= loadH5wasmOnce();
  return h5;
}

async function loadH5wasmOnce(): Promise<H5Module> {
  const bundled = join(__dirname, 'h5wasm.mjs');
  if (existsSync(bundled)) return importH5wasm(bundled);
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, 'node_modules', 'h5wasm', 'dist', 'node', 'hdf5_hl.js');
    if (existsSync(candidate)) return importH5wasm(candidate);
    const up = dirname(dir);
    if (up === dir) throw new Error('the h5wasm package is not installed next to the runner (npm install h5wasm)');
    dir = up;
  }
}

async function importH5wasm(file: string): Promise<H5Module> {
  const dynamicImport = new Function('u', 'return import(u)') as (u: string) => Promise<H5Module>;
  const mod = await dynamicImport(pathToFileURL(file).href);
  await mod.ready;
  return mod;
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
  diagnostics.length = 0;
  let f: InstanceType<H5Module['File']>;
  try {
    f = quietly(() => new h5.File(file, 'r'));
  } catch (e) {
    throw new Error(`${file}: not a readable HDF5 file (${(e as Error).message}${libraryReason()})`, { cause: e });
  }
  if (!(Number(f.file_id) > 0)) {
    throw new Error(`${file}: not a readable HDF5 file (truncated or corrupt${libraryReason()})`);
  }
  let arrays: ReturnType<typeof readArrays>;
  try {
    arrays = quietly(() => readArrays(f, file, o));
  } catch (e) {
    const message = (e as Error).message;
    throw new Error(
      message.includes(file) ? message : `${file}: cannot be read as HDF5 (${message}${libraryReason()})`,
      { cause: e },
    );
  } finally {
    quietly(() => f.close());
  }
  const { data, shape, labels, classes, ik, lk } = arrays;
  return writeArrays(data, shape, labels, classes, o, {
    source: 'import: HDF5',
    path: basename(file),
    images: ik,
    labels: lk,
  });
}

/**
 * Runs a synchronous libhdf5 call with its diagnostics (dozens of "HDF5-DIAG" lines for one bad
 * file, which h5wasm writes straight to fd 2) collected instead of printed, so the import can
 * report one line naming the file. Synchronous, so nothing else writes to fd 2 meanwhile.
 */
function quietly<T>(fn: () => T): T {
  const original = fs.writeSync;
  (fs as { writeSync: unknown }).writeSync = (fd: number, buffer: unknown, ...rest: unknown[]) => {
    if (fd !== 2) return (original as (...a: unknown[]) => number)(fd, buffer, ...rest);
    const text =
      typeof buffer === 'string'
        ? buffer
        : Buffer.from(buffer as Uint8Array).toString(
            'utf8',
            (rest[0] as number) ?? 0,
            ((rest[0] as number) ?? 0) + ((rest[1] as number) ?? (buffer as Uint8Array).length),
          );
    diagnostics.push(...text.split('\n'));
    return typeof buffer === 'string'
      ? Buffer.byteLength(buffer)
      : ((rest[1] as number) ?? (buffer as Uint8Array).length);
  };
  try {
    return fn();
  } finally {
    (fs as { writeSync: unknown }).writeSync = original;
  }
}

/** The innermost reason libhdf5 gave (its last "minor:" line), if it said one. */
function libraryReason(): string {
  const minor = diagnostics
    .map((l) => /minor:\s*(.+)/.exec(l)?.[1])
    .filter(Boolean)
    .at(-1);
  return minor ? `: ${minor.trim()}` : '';
}

function readArrays(f: InstanceType<H5Module['File']>, file: string, o: ArrayImportOptions) {
  {
    const names = listDatasets(f);
    const ik = pickKey(names, o.imagesKey, ['images', 'data', 'X', 'x', 'patterns', 'imgs'], 'images', file);
    const lk = pickKey(names, o.labelsKey, ['labels', 'label', 'y', 'Y', 'targets'], 'labels', file);
    const ids = f.get(ik) as InstanceType<H5Module['Dataset']>;
    const lds = f.get(lk) as InstanceType<H5Module['Dataset']>;
    const ishape = ids.shape ?? [];
    const lshape = lds.shape ?? [];
    const raw = ids.value as unknown;
    if (!ArrayBuffer.isView(raw))
      throw new Error(`${file}:${ik}: images must be a numeric dataset (dtype ${JSON.stringify(ids.dtype)})`);
    const lraw = lds.value as unknown;
    if (!ArrayBuffer.isView(lraw)) throw new Error(`${file}:${lk}: labels must be a numeric dataset`);
    const labels =
      lraw instanceof BigInt64Array || lraw instanceof BigUint64Array
        ? Float64Array.from(lraw, Number)
        : (lraw as unknown as ArrayLike<number>);
    if (lshape.length !== 1) throw new Error(`${file}:${lk}: labels must be 1-D, got shape [${lshape}]`);
    if (ishape[0] !== labels.length)
      throw new Error(`${file}:${ik}: ${ishape[0]} images but ${labels.length} labels in ${lk}`);
    const images =
      raw instanceof BigInt64Array || raw instanceof BigUint64Array
        ? Float64Array.from(raw, Number)
        : (raw as unknown as ArrayLike<number>);
    const { shape, data } = toNCHW(images, ishape, !!o.channelsLast, `${file}:${ik}`);
    checkFiniteArray(data, `${file}:${ik}`);
    let given = o.classes;
    if (!given && names.includes('classes')) {
      const cv = (f.get('classes') as InstanceType<H5Module['Dataset']>).value;
      if (Array.isArray(cv) && cv.every((c) => typeof c === 'string')) given = cv as string[];
    }
    const classes = classNamesFor(labels, given, `${file}:${lk}`);
    return { data, shape, labels, classes, ik, lk };
  }
}
