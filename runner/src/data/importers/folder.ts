// A folder of TIFF images with the class in the folder or file name:
//  - the A4NN/XPSI release: trainset/ and testset/ with ef2_<conformation>_ptm<NNNNN>.tiff
//    (class = <conformation>, trainset → train, testset → val, as published);
//  - <root>/<class>/*.tif, optionally under train/ and val|valid|validation|test/ folders;
//  - any other layout with --class-pattern, a regular expression whose first group, matched
//    against the path relative to the root, is the class.
// Images are read one at a time and streamed into the dataset, so large folders fit.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import type { SplitName } from '../format';
import { balancedSplit, DEFAULT_VAL_FRACTION } from '../split';
import { DatasetWriter } from '../writer';
import type { ImportOptions } from './common';
import { readTiff } from './tiff';

const IMAGE_EXT = /\.tiff?$/i;
const A4NN_NAME = /^ef2_(.+)_ptm\d+\.tiff?$/i;
const TRAIN_DIRS = new Set(['train', 'trainset', 'training']);
const VAL_DIRS = new Set(['val', 'valid', 'validation', 'test', 'testset']);

export interface FolderImportOptions extends ImportOptions {
  classPattern?: string;
}

function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (IMAGE_EXT.test(e.name)) out.push(p);
  }
}

interface Item {
  file: string;
  cls: string;
  split?: SplitName;
}

export function scanFolder(root: string, classPattern?: string): { items: Item[]; layout: string } {
  if (!statSync(root).isDirectory()) throw new Error(`${root}: not a folder`);
  const files: string[] = [];
  walk(root, files);
  if (files.length === 0) throw new Error(`${root}: no .tif/.tiff images found`);
  const re = classPattern ? new RegExp(classPattern) : undefined;
  let layout = classPattern ? 'class pattern' : 'class folders';
  const items = files.map((file): Item => {
    const rel = relative(root, file);
    const parts = rel.split(sep);
    const top = parts.length > 1 ? parts[0].toLowerCase() : '';
    const split: SplitName | undefined = TRAIN_DIRS.has(top) ? 'train' : VAL_DIRS.has(top) ? 'val' : undefined;
    let cls: string | undefined;
    if (re) {
      cls = re.exec(rel.split(sep).join('/'))?.[1];
      if (!cls) throw new Error(`${file}: --class-pattern ${classPattern} does not match (or has no group)`);
    } else {
      const m = A4NN_NAME.exec(basename(file));
      if (m) {
        cls = m[1];
        layout = 'A4NN/XPSI (ef2_<conformation>_ptm<N>.tiff)';
      } else {
        const folders = parts.slice(0, -1).filter((p, i) => !(i === 0 && split));
        cls = folders[folders.length - 1];
        if (!cls)
          throw new Error(
            `${file}: cannot tell its class: put images in <class>/ folders, name them ef2_<class>_ptm<N>.tiff, or give --class-pattern`,
          );
      }
    }
    return { file, cls, split };
  });
  const withSplit = items.filter((i) => i.split).length;
  if (withSplit !== 0 && withSplit !== items.length) {
    throw new Error(`${root}: some images are under train/test folders and some are not`);
  }
  return { items, layout };
}

export async function importFolder(root: string, o: FolderImportOptions): Promise<string> {
  const { items, layout } = scanFolder(root, o.classPattern);
  const classes = o.classes ?? [...new Set(items.map((i) => i.cls))].sort();
  const index = new Map(classes.map((c, i) => [c, i]));
  const labels = items.map((it) => {
    const l = index.get(it.cls);
    if (l === undefined) throw new Error(`${it.file}: class '${it.cls}' is not in --classes ${classes.join(',')}`);
    return l;
  });
  let split: Record<SplitName, number[]>;
  if (items[0].split) {
    split = { train: [], val: [] };
    items.forEach((it, i) => split[it.split!].push(i));
  } else {
    split = balancedSplit(labels, classes.length, o.valFraction ?? DEFAULT_VAL_FRACTION, o.seed ?? 0);
  }
  const first = await readTiff(readFileSync(items[0].file), items[0].file);
  const shape: [number, number, number] = [first.channels, first.height, first.width];
  const w = DatasetWriter.create(
    o.out,
    {
      name: o.name ?? basename(root),
      shape,
      classes,
      dtype: 'float32',
      counts: { train: split.train.length, val: split.val.length },
    },
    { overwrite: o.overwrite },
  );
  try {
    let done = 0;
    for (const s of ['train', 'val'] as SplitName[]) {
      for (const i of split[s]) {
        const img = await readTiff(readFileSync(items[i].file), items[i].file);
        if (img.channels !== shape[0] || img.height !== shape[1] || img.width !== shape[2]) {
          throw new Error(
            `${items[i].file}: ${img.channels}×${img.height}×${img.width}, but ${items[0].file} is ${shape.join('×')}; all images must have one size`,
          );
        }
        w.add(s, img.data, labels[i]);
        if (++done % 256 === 0) o.onProgress?.(done, items.length);
      }
    }
    o.onProgress?.(items.length, items.length);
    w.finish({
      source: 'import: image folder',
      path: basename(root),
      layout,
      files: items.length,
      split: items[0].split
        ? 'from the train/test folders'
        : { valFraction: o.valFraction ?? DEFAULT_VAL_FRACTION, seed: o.seed ?? 0 },
    });
    return w.outDir;
  } catch (e) {
    w.abort();
    throw e;
  }
}
