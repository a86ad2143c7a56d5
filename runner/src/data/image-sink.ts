// The images .npy of one split, written image by image in bounded memory (a 4 MB buffer). With
// dtype 'auto' (photon counts and other integer data) the values are stored in the narrowest of
// uint8 / uint16 that holds every value seen so far, else float32: when a value does not fit, the
// part already on disk is re-encoded once into the wider type (at most twice per file), so the
// stored dtype is the narrowest for the whole array without knowing its maximum in advance.
import { closeSync, openSync, readSync, renameSync, rmSync } from 'node:fs';
import type { ImageDtype } from './format';
import { NpyWriter, decodeNpyData } from './npy';

export type ImageBuffer = Float32Array | Uint8Array | Uint16Array;

/** Narrow to wide: a value that fits one fits every later one. */
const ORDER: readonly ImageDtype[] = ['uint8', 'uint16', 'float32'];
const MAX: Record<ImageDtype, number> = { uint8: 255, uint16: 65535, float32: Infinity };

export function allocImages(dtype: ImageDtype, n: number): ImageBuffer {
  return dtype === 'float32' ? new Float32Array(n) : dtype === 'uint8' ? new Uint8Array(n) : new Uint16Array(n);
}

/** The narrowest dtype that holds v exactly (integers 0…65535 as uint8/uint16, the rest float32). */
export function dtypeFor(v: number): ImageDtype {
  if (!Number.isInteger(v) || v < 0 || v > MAX.uint16) return 'float32';
  return v > MAX.uint8 ? 'uint16' : 'uint8';
}

export function widest(a: ImageDtype, b: ImageDtype): ImageDtype {
  return ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b;
}

export class ImageSink {
  private writer: NpyWriter;
  private buffer: ImageBuffer;
  private buffered = 0;
  /** Images already on disk. */
  private written = 0;
  private current: ImageDtype;

  constructor(
    readonly path: string,
    /** 'auto': the narrowest integer type that holds the data (see the module comment). */
    readonly requested: ImageDtype | 'auto',
    /** [count, C, H, W]. */
    readonly shape: number[],
  ) {
    this.current = requested === 'auto' ? 'uint8' : requested;
    this.writer = new NpyWriter(path, this.current, shape);
    this.buffer = allocImages(this.current, this.chunkImages() * this.imageSize);
  }

  get dtype(): ImageDtype {
    return this.current;
  }

  private get imageSize(): number {
    return this.shape[1] * this.shape[2] * this.shape[3];
  }

  private chunkImages(): number {
    return Math.max(1, Math.floor((4 << 20) / (this.imageSize * 4)));
  }

  /** Appends one image; `what` names it in errors. */
  add(image: ArrayLike<number>, what: string): void {
    const size = this.imageSize;
    if (this.requested === 'auto') this.fit(image);
    const isFloat = this.current === 'float32';
    const max = MAX[this.current];
    const off = this.buffered * size;
    for (let i = 0; i < size; i++) {
      const v = image[i];
      if (isFloat ? !Number.isFinite(v) : !(Number.isInteger(v) && v >= 0 && v <= max)) {
        throw new Error(`${what}: value ${v} at ${i} ${isFloat ? 'is not finite' : `does not fit ${this.current}`}`);
      }
      this.buffer[off + i] = v;
    }
    this.buffered++;
    if (this.buffered * size === this.buffer.length) this.flush();
  }

  /** Widens the stored type when `image` holds a value the current one cannot. */
  private fit(image: ArrayLike<number>): void {
    if (this.current === 'float32') return;
    let need: ImageDtype = this.current;
    for (let i = 0; i < image.length && need !== 'float32'; i++) {
      const v = image[i];
      if (v > MAX[need] || !Number.isInteger(v) || v < 0) need = widest(need, dtypeFor(v));
    }
    if (need !== this.current) this.widenTo(need);
  }

  private flush(): void {
    if (this.buffered === 0) return;
    this.writer.write(this.buffer.subarray(0, this.buffered * this.imageSize));
    this.written += this.buffered;
    this.buffered = 0;
  }

  /** Re-encodes what is written so far as `dtype` (wider than the current one) and continues in it. */
  widenTo(dtype: ImageDtype): void {
    if (ORDER.indexOf(dtype) <= ORDER.indexOf(this.current)) return;
    const pending = this.buffer.subarray(0, this.buffered * this.imageSize);
    const old = `${this.path}.narrow`;
    this.writer.abort();
    renameSync(this.path, old);
    const from = { dtype: this.current, littleEndian: true, itemSize: this.current === 'uint8' ? 1 : 2 } as const;
    this.current = dtype;
    this.writer = new NpyWriter(this.path, dtype, this.shape);
    copyConverted(old, from, this.written * this.imageSize, this.writer, dtype);
    rmSync(old);
    const next = allocImages(dtype, this.buffer.length);
    next.set(pending);
    this.buffer = next;
  }

  close(): void {
    this.flush();
    this.writer.close();
  }

  abort(): void {
    this.writer.abort();
  }
}

/** Streams `elements` values of the .npy `file` (dtype `from`) into `out` as `to`, 4 MB at a time. */
function copyConverted(
  file: string,
  from: { dtype: ImageDtype; littleEndian: boolean; itemSize: number },
  elements: number,
  out: NpyWriter,
  to: ImageDtype,
): void {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(12);
    readSync(fd, head, 0, 12, 0);
    const dataOffset = 10 + head.readUInt16LE(8);
    const step = 4 << 20;
    const bytes = Buffer.alloc(step * from.itemSize);
    for (let done = 0; done < elements; done += step) {
      const n = Math.min(step, elements - done);
      let got = 0;
      while (got < n * from.itemSize) {
        const r = readSync(fd, bytes, got, n * from.itemSize - got, dataOffset + done * from.itemSize + got);
        if (r === 0) throw new Error(`${file}: truncated while widening`);
        got += r;
      }
      const src = decodeNpyData(from, bytes, n) as ImageBuffer;
      const dst = allocImages(to, n);
      dst.set(src);
      out.write(dst);
    }
  } finally {
    closeSync(fd);
  }
}
