// Opening a dataset folder: the manifest is checked against every .npy file it names (existence,
// header, size, shape, dtype) when the folder is opened; arrays are loaded lazily per split and
// checked for NaN / infinite values and out-of-range labels when they are loaded.
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import { z } from 'zod';
import { DATASET_FORMAT, MANIFEST_FILE, SPLIT_NAMES, type DatasetManifest, type SplitName } from './format';
import { decodeNpyData, readNpyHeader, type NpyHeader } from './npy';

export type ImageArray = Float32Array | Uint8Array | Uint16Array;

const relFile = z
  .string()
  .min(1)
  .refine((f) => !isAbsolute(f) && !normalize(f).startsWith('..'), 'must be a path inside the dataset folder');
const splitSchema = z.object({
  count: z.number().int().nonnegative(),
  images: relFile,
  labels: relFile,
  metadata: z.record(z.string(), relFile).optional(),
});
const manifestSchema = z.object({
  format: z.literal(DATASET_FORMAT),
  name: z.string().min(1),
  shape: z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]),
  classes: z
    .array(z.string().min(1))
    .min(1)
    .refine((c) => new Set(c).size === c.length, 'class names must be unique'),
  dtype: z.enum(['float32', 'uint8', 'uint16']),
  splits: z.object({ train: splitSchema, val: splitSchema }),
  provenance: z.record(z.string(), z.unknown()),
});

/** Parses and checks a dataset.json text; `file` names it in errors. */
export function parseManifest(text: string, file: string): DatasetManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
  const r = manifestSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new Error(`${file}: field '${issue.path.join('.') || '(root)'}': ${issue.message}`);
  }
  return r.data as DatasetManifest;
}

export interface DatasetSplit {
  name: SplitName;
  count: number;
  imagesFile: string;
  labelsFile: string;
  /** All images of the split, [count, C, H, W] flattened; loaded once, checked for NaN / Inf. */
  images(): Promise<ImageArray>;
  /** Class indices, checked to lie in [0, classes.length). */
  labels(): Promise<Int32Array>;
  /** Images [start, start + n) read straight from disk (for datasets larger than memory). */
  readImages(start: number, n: number): ImageArray;
  /** A per-image metadata array named in the manifest (e.g. 'orientations'), or undefined. */
  metadata(key: string): Promise<{ shape: number[]; data: Float32Array | Float64Array } | undefined>;
}

export interface Dataset {
  dir: string;
  manifest: DatasetManifest;
  /** Values per image: C·H·W. */
  imageSize: number;
  splits: Record<SplitName, DatasetSplit>;
}

function readRange(file: string, h: NpyHeader, startElem: number, n: number): ReturnType<typeof decodeNpyData> {
  const fd = openSync(file, 'r');
  try {
    const bytes = Buffer.alloc(n * h.itemSize);
    let got = 0;
    while (got < bytes.length) {
      const r = readSync(fd, bytes, got, bytes.length - got, h.dataOffset + startElem * h.itemSize + got);
      if (r === 0) throw new Error(`${file}: truncated while reading`);
      got += r;
    }
    return decodeNpyData(h, bytes, n);
  } finally {
    closeSync(fd);
  }
}

/** Throws naming the file and image when a float array holds NaN or an infinite value. */
export function checkFinite(data: ArrayLike<number>, file: string, imageSize: number, firstImage = 0): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v !== v || v === Infinity || v === -Infinity) {
      throw new Error(
        `${file}: image ${firstImage + Math.floor(i / imageSize)} holds ${v} at pixel ${i % imageSize} (flat index within the image)`,
      );
    }
  }
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Opens and checks a dataset folder (see the module comment for what is checked when). */
export async function openDataset(dir: string): Promise<Dataset> {
  return openDatasetSync(dir);
}

export function openDatasetSync(dir: string): Dataset {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir}: no such dataset folder`);
  const manifestPath = join(dir, MANIFEST_FILE);
  if (!existsSync(manifestPath))
    throw new Error(`${manifestPath}: missing (not a dataset folder, or an unfinished one)`);
  const manifest = parseManifest(readFileSync(manifestPath, 'utf8'), manifestPath);
  const [c, hgt, wid] = manifest.shape;
  const imageSize = c * hgt * wid;
  const splits = {} as Record<SplitName, DatasetSplit>;
  for (const name of SPLIT_NAMES) {
    const s = manifest.splits[name];
    const imagesFile = join(dir, s.images);
    const labelsFile = join(dir, s.labels);
    for (const f of [imagesFile, labelsFile, ...Object.values(s.metadata ?? {}).map((m) => join(dir, m))]) {
      if (!existsSync(f)) throw new Error(`${f}: missing (named in ${manifestPath}, splits.${name})`);
    }
    const ih = readNpyHeader(imagesFile);
    const expectShape = [s.count, c, hgt, wid];
    if (!sameShape(ih.shape, expectShape)) {
      throw new Error(
        `${imagesFile}: shape [${ih.shape}] does not match the manifest's [${expectShape}] (count, ...shape)`,
      );
    }
    if (ih.dtype !== manifest.dtype)
      throw new Error(`${imagesFile}: dtype ${ih.dtype}, manifest says ${manifest.dtype}`);
    if (ih.fortranOrder) throw new Error(`${imagesFile}: Fortran-ordered arrays are not supported in a dataset`);
    const lh = readNpyHeader(labelsFile);
    if (!sameShape(lh.shape, [s.count])) throw new Error(`${labelsFile}: shape [${lh.shape}], expected [${s.count}]`);
    if (lh.dtype !== 'int64') throw new Error(`${labelsFile}: dtype ${lh.dtype}, labels must be int64`);
    const metaHeaders: Record<string, NpyHeader> = {};
    for (const [key, rel] of Object.entries(s.metadata ?? {})) {
      const f = join(dir, rel);
      const mh = readNpyHeader(f);
      if (mh.shape[0] !== s.count)
        throw new Error(`${f}: first dimension ${mh.shape[0]}, expected ${s.count} (metadata '${key}')`);
      metaHeaders[key] = mh;
    }
    let imagesCache: ImageArray | undefined;
    let labelsCache: Int32Array | undefined;
    const split: DatasetSplit = {
      name,
      count: s.count,
      imagesFile,
      labelsFile,
      readImages(start, n) {
        if (!Number.isInteger(start) || !Number.isInteger(n) || start < 0 || n < 0 || start + n > s.count) {
          throw new Error(`${imagesFile}: image range [${start}, ${start + n}) outside [0, ${s.count})`);
        }
        const data = readRange(imagesFile, ih, start * imageSize, n * imageSize) as ImageArray;
        if (data instanceof Float32Array) checkFinite(data, imagesFile, imageSize, start);
        return data;
      },
      async images() {
        imagesCache ??= split.readImages(0, s.count);
        return imagesCache;
      },
      async labels() {
        if (!labelsCache) {
          const raw = readRange(labelsFile, lh, 0, s.count) as BigInt64Array;
          const out = new Int32Array(s.count);
          const k = BigInt(manifest.classes.length);
          for (let i = 0; i < raw.length; i++) {
            if (raw[i] < 0n || raw[i] >= k) {
              throw new Error(
                `${labelsFile}: label ${raw[i]} at index ${i} is out of range [0, ${manifest.classes.length})`,
              );
            }
            out[i] = Number(raw[i]);
          }
          labelsCache = out;
        }
        return labelsCache;
      },
      async metadata(key) {
        const mh = metaHeaders[key];
        if (!mh) return undefined;
        const f = join(dir, s.metadata![key]);
        const n = mh.dataBytes / mh.itemSize;
        const raw = readRange(f, mh, 0, n);
        const data =
          raw instanceof Float64Array || raw instanceof Float32Array
            ? raw
            : Float64Array.from(raw as ArrayLike<number>);
        return { shape: mh.shape, data };
      },
    };
    splits[name] = split;
  }
  return { dir, manifest, imageSize, splits };
}
