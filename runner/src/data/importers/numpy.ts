// NumPy arrays: a .npz archive holding images and labels, or an images .npy with a labels .npy.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { unzipSync } from 'fflate';
import { decodeNpy, type NpyArray } from '../npy';
import { classNamesFor, toNCHW, writeArrays, type ImportOptions } from './common';

export interface ArrayImportOptions extends ImportOptions {
  imagesKey?: string;
  labelsKey?: string;
  channelsLast?: boolean;
}

const IMAGE_KEYS = ['images', 'x', 'X', 'data', 'x_train', 'imgs'];
const LABEL_KEYS = ['labels', 'y', 'Y', 'label', 'targets', 'y_train'];

export function toNumbers(a: NpyArray, file: string): ArrayLike<number> {
  if (a instanceof BigInt64Array) {
    const out = new Float64Array(a.length);
    for (let i = 0; i < a.length; i++) {
      if (a[i] > BigInt(Number.MAX_SAFE_INTEGER) || a[i] < -BigInt(Number.MAX_SAFE_INTEGER))
        throw new Error(`${file}: value ${a[i]} too large`);
      out[i] = Number(a[i]);
    }
    return out;
  }
  return a;
}

export function pickKey(
  keys: string[],
  wanted: string | undefined,
  defaults: string[],
  what: string,
  file: string,
): string {
  if (wanted) {
    if (!keys.includes(wanted)) throw new Error(`${file}: no ${what} array '${wanted}' (has: ${keys.join(', ')})`);
    return wanted;
  }
  const k = defaults.find((d) => keys.includes(d));
  if (!k) throw new Error(`${file}: cannot find the ${what} array (has: ${keys.join(', ')}); name it with --${what}`);
  return k;
}

export async function importNpz(file: string, o: ArrayImportOptions): Promise<string> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(readFileSync(file));
  } catch (e) {
    throw new Error(`${file}: not a readable .npz (zip) archive (${(e as Error).message})`, { cause: e });
  }
  const arrays: Record<string, Uint8Array> = {};
  for (const [name, bytes] of Object.entries(entries)) if (name.endsWith('.npy')) arrays[name.slice(0, -4)] = bytes;
  const keys = Object.keys(arrays);
  const ik = pickKey(keys, o.imagesKey, IMAGE_KEYS, 'images', file);
  const lk = pickKey(keys, o.labelsKey, LABEL_KEYS, 'labels', file);
  const img = decodeNpy(arrays[ik], `${file}:${ik}.npy`);
  const lab = decodeNpy(arrays[lk], `${file}:${lk}.npy`);
  return finishArrays(img, lab, `${file}:${ik}`, `${file}:${lk}`, o, {
    source: 'import: .npz',
    path: basename(file),
    images: ik,
    labels: lk,
  });
}

export async function importNpy(imagesFile: string, labelsFile: string, o: ArrayImportOptions): Promise<string> {
  const img = decodeNpy(readFileSync(imagesFile), imagesFile);
  const lab = decodeNpy(readFileSync(labelsFile), labelsFile);
  return finishArrays(img, lab, imagesFile, labelsFile, o, {
    source: 'import: .npy',
    path: basename(imagesFile),
    labels: basename(labelsFile),
  });
}

function finishArrays(
  img: ReturnType<typeof decodeNpy>,
  lab: ReturnType<typeof decodeNpy>,
  imgName: string,
  labName: string,
  o: ArrayImportOptions,
  provenance: Record<string, unknown>,
): string {
  const labels = toNumbers(lab.data, labName);
  if (lab.header.shape.length !== 1) throw new Error(`${labName}: labels must be 1-D, got shape [${lab.header.shape}]`);
  if (img.header.shape[0] !== labels.length)
    throw new Error(`${imgName}: ${img.header.shape[0]} images but ${labels.length} labels in ${labName}`);
  const { shape, data } = toNCHW(toNumbers(img.data, imgName), img.header.shape, !!o.channelsLast, imgName);
  checkFiniteArray(data, imgName);
  const classes = classNamesFor(labels, o.classes, labName);
  return writeArrays(data, shape, labels, classes, o, provenance);
}

export function checkFiniteArray(data: ArrayLike<number>, name: string): void {
  for (let i = 0; i < data.length; i++)
    if (!Number.isFinite(data[i])) throw new Error(`${name}: value ${data[i]} at flat index ${i} is not finite`);
}
