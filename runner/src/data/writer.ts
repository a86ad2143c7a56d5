// Writing a dataset folder safely: everything goes into a sibling temporary folder
// (`<out>.partial`), dataset.json is written last, and the folder is renamed into place only when
// every array is complete. An interrupted write therefore never leaves a folder that opens.
// Every array is streamed to its .npy file (header first, with the final shape), so memory does not
// grow with the number of images.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import {
  DATASET_FORMAT,
  MANIFEST_FILE,
  SPLIT_NAMES,
  type DatasetManifest,
  type ImageDtype,
  type SplitName,
} from './format';
import { ImageSink, widest } from './image-sink';
import { NpyWriter } from './npy';

const PARTIAL_MARK = '.pareto-nas-partial';

export interface DatasetSpec {
  name: string;
  shape: [number, number, number];
  classes: string[];
  /** 'auto': the narrowest of uint8 / uint16 / float32 that holds every value (image-sink.ts). */
  dtype: ImageDtype | 'auto';
  counts: Record<SplitName, number>;
  /** Per-image float32 metadata: key → shape of one item (e.g. orientations → [4]). */
  metadata?: Record<string, number[]>;
}

type ImageInput = ArrayLike<number>;

/** A small array (labels, metadata) streamed in pieces of `chunk` values. */
class BufferedNpy<T extends Float32Array | BigInt64Array> {
  private readonly writer: NpyWriter;
  private filled = 0;
  constructor(
    path: string,
    shape: number[],
    private readonly buf: T,
  ) {
    this.writer = new NpyWriter(path, buf instanceof BigInt64Array ? 'int64' : 'float32', shape);
  }
  push(values: ArrayLike<number | bigint>): void {
    if (this.filled + values.length > this.buf.length) this.flush();
    (this.buf as unknown as { set(a: ArrayLike<number | bigint>, o: number): void }).set(values, this.filled);
    this.filled += values.length;
  }
  flush(): void {
    if (this.filled) this.writer.write(this.buf.subarray(0, this.filled) as T);
    this.filled = 0;
  }
  close(): void {
    this.flush();
    this.writer.close();
  }
  abort(): void {
    this.writer.abort();
  }
}

interface SplitState {
  images: ImageSink;
  labels: BufferedNpy<BigInt64Array>;
  meta: Record<string, { per: number; file: string; out: BufferedNpy<Float32Array> }>;
  n: number;
}

export class DatasetWriter {
  readonly tmpDir: string;
  private splits = {} as Record<SplitName, SplitState>;
  private readonly imageSize: number;
  private done = false;

  private constructor(
    readonly outDir: string,
    readonly spec: DatasetSpec,
    private readonly overwrite: boolean,
  ) {
    this.tmpDir = `${outDir}.partial`;
    this.imageSize = spec.shape[0] * spec.shape[1] * spec.shape[2];
  }

  /** Starts a dataset at `outDir` (which must not exist unless `overwrite`). */
  static create(outDir: string, spec: DatasetSpec, opts: { overwrite?: boolean } = {}): DatasetWriter {
    const out = resolve(outDir);
    if (existsSync(out) && !opts.overwrite)
      throw new Error(`${outDir}: already exists (choose another --out, or --force to replace it)`);
    if (spec.classes.length < 1) throw new Error('a dataset needs at least one class');
    const w = new DatasetWriter(out, spec, !!opts.overwrite);
    if (existsSync(w.tmpDir)) {
      if (!existsSync(join(w.tmpDir, PARTIAL_MARK)))
        throw new Error(`${w.tmpDir}: exists and is not an unfinished dataset; remove it first`);
      rmSync(w.tmpDir, { recursive: true, force: true });
    }
    mkdirSync(w.tmpDir, { recursive: true });
    writeFileSync(join(w.tmpDir, PARTIAL_MARK), 'unfinished dataset: safe to delete\n');
    for (const name of SPLIT_NAMES) {
      const n = spec.counts[name];
      const meta: SplitState['meta'] = {};
      for (const [k, shape] of Object.entries(spec.metadata ?? {})) {
        const per = shape.reduce((a, b) => a * b, 1);
        const file = `${name}_${k}.npy`;
        meta[k] = {
          per,
          file,
          out: new BufferedNpy(join(w.tmpDir, file), [n, ...shape], new Float32Array(per * 4096)),
        };
      }
      w.splits[name] = {
        images: new ImageSink(join(w.tmpDir, `${name}_images.npy`), spec.dtype, [n, ...spec.shape]),
        labels: new BufferedNpy(join(w.tmpDir, `${name}_labels.npy`), [n], new BigInt64Array(4096)),
        meta,
        n: 0,
      };
    }
    return w;
  }

  count(split: SplitName): number {
    return this.splits[split].n;
  }

  /** Appends one image (C·H·W values) with its class index and optional metadata. */
  add(split: SplitName, image: ImageInput, label: number, meta?: Record<string, ArrayLike<number>>): void {
    const s = this.splits[split];
    if (s.n >= this.spec.counts[split])
      throw new Error(`dataset ${split} split: more than the ${this.spec.counts[split]} images announced`);
    if (image.length !== this.imageSize)
      throw new Error(
        `image of ${image.length} values, expected ${this.imageSize} (shape ${this.spec.shape.join('×')})`,
      );
    if (!Number.isInteger(label) || label < 0 || label >= this.spec.classes.length)
      throw new Error(`label ${label} out of range [0, ${this.spec.classes.length})`);
    for (const [k, { per }] of Object.entries(s.meta)) {
      const m = meta?.[k];
      if (!m || m.length !== per) throw new Error(`${split} image ${s.n}: metadata '${k}' needs ${per} values`);
    }
    s.images.add(image, `${split} image ${s.n}`);
    s.labels.push([BigInt(label)]);
    for (const [k, { out }] of Object.entries(s.meta)) out.push(meta![k]);
    s.n++;
  }

  /** Completes the arrays, writes dataset.json last and moves the folder into place. */
  finish(provenance: Record<string, unknown>): DatasetManifest {
    const manifest: DatasetManifest = {
      format: DATASET_FORMAT,
      name: this.spec.name,
      shape: this.spec.shape,
      classes: this.spec.classes,
      dtype: SPLIT_NAMES.map((n) => this.splits[n].images.dtype).reduce(widest),
      splits: {} as DatasetManifest['splits'],
      provenance,
    };
    for (const name of SPLIT_NAMES) {
      const s = this.splits[name];
      if (s.n !== this.spec.counts[name])
        throw new Error(`dataset ${name} split: ${s.n} of ${this.spec.counts[name]} images written`);
      s.images.widenTo(manifest.dtype); // both splits in one dtype
      s.images.close();
      s.labels.close();
      const metadata: Record<string, string> = {};
      for (const [k, { file, out }] of Object.entries(s.meta)) {
        out.close();
        metadata[k] = file;
      }
      manifest.splits[name] = {
        count: s.n,
        images: `${name}_images.npy`,
        labels: `${name}_labels.npy`,
        ...(Object.keys(metadata).length ? { metadata } : {}),
      };
    }
    writeFileSync(join(this.tmpDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    rmSync(join(this.tmpDir, PARTIAL_MARK));
    let old: string | undefined;
    if (existsSync(this.outDir)) {
      if (!this.overwrite)
        throw new Error(`${this.outDir}: appeared while writing; the finished dataset is in ${this.tmpDir}`);
      old = join(dirname(this.outDir), `.${basename(this.outDir)}.old-${process.pid}`);
      renameSync(this.outDir, old);
    }
    renameSync(this.tmpDir, this.outDir);
    if (old) rmSync(old, { recursive: true, force: true });
    this.done = true;
    return manifest;
  }

  /** Drops everything written so far. */
  abort(): void {
    if (this.done) return;
    for (const s of Object.values(this.splits)) {
      s.images.abort();
      s.labels.abort();
      for (const m of Object.values(s.meta)) m.out.abort();
    }
    rmSync(this.tmpDir, { recursive: true, force: true });
    this.done = true;
  }
}
