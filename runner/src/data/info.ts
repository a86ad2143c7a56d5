// `dataset info`: shape, classes, counts per split and class, value range; reading every array
// (in chunks) so that NaN values and bad labels are reported too.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SplitName } from './format';
import { SPLIT_NAMES } from './format';
import { openDatasetSync } from './reader';

export interface DatasetInfo {
  dir: string;
  name: string;
  shape: [number, number, number];
  dtype: string;
  /** Bytes of the dataset folder's files. */
  bytes: number;
  classes: string[];
  splits: Record<SplitName, { count: number; perClass: number[] }>;
  min: number;
  max: number;
  mean: number;
  provenance: Record<string, unknown>;
}

export async function datasetInfo(dir: string): Promise<DatasetInfo> {
  const ds = openDatasetSync(dir);
  let min = Infinity,
    max = -Infinity,
    sum = 0,
    n = 0;
  const splits = {} as DatasetInfo['splits'];
  for (const name of SPLIT_NAMES) {
    const s = ds.splits[name];
    const labels = await s.labels();
    const perClass = new Array<number>(ds.manifest.classes.length).fill(0);
    for (const l of labels) perClass[l]++;
    splits[name] = { count: s.count, perClass };
    const chunk = Math.max(1, Math.floor((8 << 20) / (ds.imageSize * 4)));
    for (let start = 0; start < s.count; start += chunk) {
      const data = s.readImages(start, Math.min(chunk, s.count - start));
      for (let i = 0; i < data.length; i++) {
        const v = data[i];
        if (v < min) min = v;
        if (v > max) max = v;
        sum += v;
      }
      n += data.length;
    }
  }
  return {
    dir,
    name: ds.manifest.name,
    shape: ds.manifest.shape,
    dtype: ds.manifest.dtype,
    bytes: folderBytes(dir),
    classes: ds.manifest.classes,
    splits,
    min: n ? min : NaN,
    max: n ? max : NaN,
    mean: n ? sum / n : NaN,
    provenance: ds.manifest.provenance,
  };
}

function folderBytes(dir: string): number {
  return readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
}

export function formatInfo(info: DatasetInfo): string {
  const lines = [
    `dataset   ${info.name}  (${info.dir})`,
    `shape     ${info.shape.join(' × ')} (channels × height × width), ${info.dtype}, ${megabytes(info.bytes)} on disk`,
    `classes   ${info.classes.map((c, i) => `${i}=${c}`).join('  ')}`,
  ];
  const w = Math.max(5, ...info.classes.map((c) => c.length));
  lines.push(`split     ${'total'.padStart(8)}  ${info.classes.map((c) => c.padStart(w)).join('  ')}`);
  for (const name of SPLIT_NAMES) {
    const s = info.splits[name];
    lines.push(
      `${name.padEnd(9)} ${String(s.count).padStart(8)}  ${s.perClass.map((v) => String(v).padStart(w)).join('  ')}`,
    );
  }
  lines.push(`values    min ${fmt(info.min)}  max ${fmt(info.max)}  mean ${fmt(info.mean)}`);
  const p = info.provenance;
  if (typeof p.source === 'string')
    lines.push(
      `source    ${p.source}${p.fluencePhotonsPerUm2 ? `, fluence ${p.fluencePhotonsPerUm2} photons/µm²` : ''}${p.seed !== undefined ? `, seed ${p.seed}` : ''}`,
    );
  return `${lines.join('\n')}\n`;
}

function megabytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(5);
}
