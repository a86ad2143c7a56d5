// Writing a dataset folder safely: everything goes into a sibling temporary folder
// (`<out>.partial`), dataset.json is written last, and the folder is renamed into place only when
// every array is complete. An interrupted write therefore never leaves a folder that opens.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DATASET_FORMAT, MANIFEST_FILE, SPLIT_NAMES, type DatasetManifest, type ImageDtype, type SplitName } from './format';
import { NpyWriter, writeNpy, type NpyDtype } from './npy';

const PARTIAL_MARK = '.pareto-nas-partial';

export interface DatasetSpec {
  name: string;
  shape: [number, number, number];
  classes: string[];
  dtype: ImageDtype;
  counts: Record<SplitName, number>;
  /** Per-image float32 metadata: key → shape of one item (e.g. orientations → [4]). */
  metadata?: Record<string, number[]>;
}

type ImageInput = ArrayLike<number>;

interface SplitState {
  images: NpyWriter;
  labels: BigInt64Array;
  meta: Record<string, Float32Array>;
  n: number;
  buffer: Float32Array | Uint8Array | Uint16Array;
  buffered: number;
}

function alloc(dtype: ImageDtype, n: number): Float32Array | Uint8Array | Uint16Array {
  return dtype === 'float32' ? new Float32Array(n) : dtype === 'uint8' ? new Uint8Array(n) : new Uint16Array(n);
}

export class DatasetWriter {
  readonly tmpDir: string;
  private splits = {} as Record<SplitName, SplitState>;
  private readonly imageSize: number;
  private done = false;

  private constructor(readonly outDir: string, readonly spec: DatasetSpec, private readonly overwrite: boolean) {
    this.tmpDir = `${outDir}.partial`;
    this.imageSize = spec.shape[0] * spec.shape[1] * spec.shape[2];
  }

  /** Starts a dataset at `outDir` (which must not exist unless `overwrite`). */
  static create(outDir: string, spec: DatasetSpec, opts: { overwrite?: boolean } = {}): DatasetWriter {
    const out = resolve(outDir);
    if (existsSync(out) && !opts.overwrite) throw new Error(`${outDir}: already exists (choose another --out, or --force to replace it)`);
    if (spec.classes.length < 1) throw new Error('a dataset needs at least one class');
    const w = new DatasetWriter(out, spec, !!opts.overwrite);
    if (existsSync(w.tmpDir)) {
      if (!existsSync(join(w.tmpDir, PARTIAL_MARK))) throw new Error(`${w.tmpDir}: exists and is not an unfinished dataset; remove it first`);
      rmSync(w.tmpDir, { recursive: true, force: true });
    }
    mkdirSync(w.tmpDir, { recursive: true });
    writeFileSync(join(w.tmpDir, PARTIAL_MARK), 'unfinished dataset: safe to delete\n');
    const chunkImages = Math.max(1, Math.floor((4 << 20) / (w.imageSize * 4)));
    for (const name of SPLIT_NAMES) {
      const n = spec.counts[name];
      const meta: Record<string, Float32Array> = {};
      for (const [k, shape] of Object.entries(spec.metadata ?? {})) meta[k] = new Float32Array(n * shape.reduce((a, b) => a * b, 1));
      w.splits[name] = {
        images: new NpyWriter(join(w.tmpDir, `${name}_images.npy`), spec.dtype as NpyDtype, [n, ...spec.shape]),
        labels: new BigInt64Array(n),
        meta,
        n: 0,
        buffer: alloc(spec.dtype, chunkImages * w.imageSize),
        buffered: 0,
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
    if (s.n >= this.spec.counts[split]) throw new Error(`dataset ${split} split: more than the ${this.spec.counts[split]} images announced`);
    if (image.length !== this.imageSize) throw new Error(`image of ${image.length} values, expected ${this.imageSize} (shape ${this.spec.shape.join('×')})`);
    if (!Number.isInteger(label) || label < 0 || label >= this.spec.classes.length) throw new Error(`label ${label} out of range [0, ${this.spec.classes.length})`);
    const off = s.buffered * this.imageSize;
    const isFloat = this.spec.dtype === 'float32';
    for (let i = 0; i < this.imageSize; i++) {
      const v = image[i];
      if (isFloat && !Number.isFinite(v)) throw new Error(`${split} image ${s.n}: value ${v} at ${i} is not finite`);
      s.buffer[off + i] = v;
    }
    s.buffered++;
    if (s.buffered * this.imageSize === s.buffer.length) this.flush(s);
    s.labels[s.n] = BigInt(label);
    for (const [k, arr] of Object.entries(s.meta)) {
      const m = meta?.[k];
      const per = arr.length / this.spec.counts[split];
      if (!m || m.length !== per) throw new Error(`${split} image ${s.n}: metadata '${k}' needs ${per} values`);
      arr.set(Array.from(m), s.n * per);
    }
    s.n++;
  }

  private flush(s: SplitState): void {
    if (s.buffered === 0) return;
    s.images.write(s.buffer.subarray(0, s.buffered * this.imageSize));
    s.buffered = 0;
  }

  /** Completes the arrays, writes dataset.json last and moves the folder into place. */
  finish(provenance: Record<string, unknown>): DatasetManifest {
    const manifest: DatasetManifest = {
      format: DATASET_FORMAT,
      name: this.spec.name,
      shape: this.spec.shape,
      classes: this.spec.classes,
      dtype: this.spec.dtype,
      splits: {} as DatasetManifest['splits'],
      provenance,
    };
    for (const name of SPLIT_NAMES) {
      const s = this.splits[name];
      if (s.n !== this.spec.counts[name]) throw new Error(`dataset ${name} split: ${s.n} of ${this.spec.counts[name]} images written`);
      this.flush(s);
      s.images.close();
      writeNpy(join(this.tmpDir, `${name}_labels.npy`), 'int64', [s.n], s.labels);
      const metadata: Record<string, string> = {};
      for (const [k, arr] of Object.entries(s.meta)) {
        const file = `${name}_${k}.npy`;
        writeNpy(join(this.tmpDir, file), 'float32', [s.n, ...this.spec.metadata![k]], arr);
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
      if (!this.overwrite) throw new Error(`${this.outDir}: appeared while writing; the finished dataset is in ${this.tmpDir}`);
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
    for (const s of Object.values(this.splits)) s.images.abort();
    rmSync(this.tmpDir, { recursive: true, force: true });
    this.done = true;
  }
}
