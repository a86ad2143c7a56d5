// NumPy .npy files (format versions 1.0, 2.0 and 3.0): header parsing with clear errors, whole-file
// decoding, and a streaming writer for arrays too large to hold in memory.
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';

export type NpyDtype =
  'float32' | 'float64' | 'uint8' | 'uint16' | 'uint32' | 'int8' | 'int16' | 'int32' | 'int64' | 'bool';

export type NpyArray =
  | Float32Array
  | Float64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array;

const DTYPES: Record<string, { dtype: NpyDtype; size: number }> = {
  f4: { dtype: 'float32', size: 4 },
  f8: { dtype: 'float64', size: 8 },
  u1: { dtype: 'uint8', size: 1 },
  u2: { dtype: 'uint16', size: 2 },
  u4: { dtype: 'uint32', size: 4 },
  i1: { dtype: 'int8', size: 1 },
  i2: { dtype: 'int16', size: 2 },
  i4: { dtype: 'int32', size: 4 },
  i8: { dtype: 'int64', size: 8 },
  b1: { dtype: 'bool', size: 1 },
};
const DESCR: Record<NpyDtype, string> = {
  float32: '<f4',
  float64: '<f8',
  uint8: '|u1',
  uint16: '<u2',
  uint32: '<u4',
  int8: '|i1',
  int16: '<i2',
  int32: '<i4',
  int64: '<i8',
  bool: '|b1',
};

export interface NpyHeader {
  dtype: NpyDtype;
  littleEndian: boolean;
  fortranOrder: boolean;
  shape: number[];
  /** Byte offset of the data (magic + header). */
  dataOffset: number;
  /** Bytes of data the header promises. */
  dataBytes: number;
  itemSize: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Parses the header from the first bytes of a .npy file; `file` only names it in errors. */
export function parseNpyHeader(buf: Uint8Array, file: string): NpyHeader {
  if (buf.length < 10 || MAGIC.some((b, i) => buf[i] !== b))
    throw new Error(`${file}: not a .npy file (bad magic bytes)`);
  const major = buf[6];
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = buf[8] | (buf[9] << 8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (buf.length < 12) throw new Error(`${file}: truncated .npy header`);
    headerLen = (buf[8] | (buf[9] << 8) | (buf[10] << 16)) + buf[11] * 0x1000000;
    start = 12;
  } else {
    throw new Error(`${file}: unsupported .npy format version ${major}.${buf[7]}`);
  }
  if (buf.length < start + headerLen) throw new Error(`${file}: truncated .npy header`);
  const text = Buffer.from(buf.subarray(start, start + headerLen)).toString(major === 3 ? 'utf8' : 'latin1');
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new Error(`${file}: malformed .npy header ${JSON.stringify(text.trim())}`);
  }
  const order = descr[0];
  const kind = DTYPES[descr.slice(1)];
  if (!kind || !['<', '>', '|', '='].includes(order)) throw new Error(`${file}: unsupported .npy dtype '${descr}'`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const v = Number(s.replace(/L$/, ''));
      if (!Number.isInteger(v) || v < 0) throw new Error(`${file}: bad .npy shape (${shapeText})`);
      return v;
    });
  const count = shape.reduce((a, b) => a * b, 1);
  return {
    dtype: kind.dtype,
    littleEndian: order !== '>',
    fortranOrder: fortran === 'True',
    shape,
    dataOffset: start + headerLen,
    dataBytes: count * kind.size,
    itemSize: kind.size,
  };
}

/** Reads and checks the header of a .npy file on disk, including that its size matches the header. */
export function readNpyHeader(path: string): NpyHeader {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(size, 65536 + 12));
    readSync(fd, head, 0, head.length, 0);
    const h = parseNpyHeader(head, path);
    const expected = h.dataOffset + h.dataBytes;
    if (size < expected) {
      throw new Error(
        `${path}: truncated: header promises ${expected} bytes (shape [${h.shape}] ${h.dtype}), file has ${size}`,
      );
    }
    if (size > expected) throw new Error(`${path}: ${size - expected} unexpected bytes after the array data`);
    return h;
  } finally {
    closeSync(fd);
  }
}

function typedArray(dtype: NpyDtype, buf: ArrayBuffer, offset: number, length: number): NpyArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(buf, offset, length);
    case 'float64':
      return new Float64Array(buf, offset, length);
    case 'uint8':
    case 'bool':
      return new Uint8Array(buf, offset, length);
    case 'uint16':
      return new Uint16Array(buf, offset, length);
    case 'uint32':
      return new Uint32Array(buf, offset, length);
    case 'int8':
      return new Int8Array(buf, offset, length);
    case 'int16':
      return new Int16Array(buf, offset, length);
    case 'int32':
      return new Int32Array(buf, offset, length);
    case 'int64':
      return new BigInt64Array(buf, offset, length);
  }
}

/** Decodes `count` elements of raw little/big-endian data into a fresh, aligned typed array. */
export function decodeNpyData(
  h: Pick<NpyHeader, 'dtype' | 'littleEndian' | 'itemSize'>,
  bytes: Uint8Array,
  count: number,
): NpyArray {
  const copy = new Uint8Array(count * h.itemSize);
  copy.set(bytes.subarray(0, count * h.itemSize));
  if (!h.littleEndian && h.itemSize > 1) {
    for (let i = 0; i < copy.length; i += h.itemSize) copy.subarray(i, i + h.itemSize).reverse();
  }
  return typedArray(h.dtype, copy.buffer, 0, count);
}

/** Decodes a whole in-memory .npy file. Fortran-ordered arrays are transposed to C order. */
export function decodeNpy(buf: Uint8Array, file: string): { header: NpyHeader; data: NpyArray } {
  const header = parseNpyHeader(buf, file);
  const available = buf.length - header.dataOffset;
  if (available < header.dataBytes) {
    throw new Error(
      `${file}: truncated: header promises ${header.dataBytes} data bytes (shape [${header.shape}] ${header.dtype}), found ${available}`,
    );
  }
  const count = header.dataBytes / header.itemSize;
  let data = decodeNpyData(header, buf.subarray(header.dataOffset), count);
  if (header.fortranOrder && header.shape.length > 1) data = fortranToC(data, header.shape);
  return { header: { ...header, fortranOrder: false }, data };
}

function fortranToC(data: NpyArray, shape: number[]): NpyArray {
  const out = data.slice() as NpyArray;
  const nd = shape.length;
  const idx = new Array<number>(nd).fill(0);
  const fStride = new Array<number>(nd);
  fStride[0] = 1;
  for (let d = 1; d < nd; d++) fStride[d] = fStride[d - 1] * shape[d - 1];
  for (let c = 0; c < data.length; c++) {
    let f = 0;
    for (let d = 0; d < nd; d++) f += idx[d] * fStride[d];
    (out as unknown as number[])[c] = (data as unknown as number[])[f];
    for (let d = nd - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** A version 1.0 header (64-byte aligned, as NumPy writes it). */
export function encodeNpyHeader(dtype: NpyDtype, shape: number[]): Buffer {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + dict.length + 1;
  dict += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  if (dict.length > 65535) throw new Error('npy header too long');
  const head = Buffer.alloc(10 + dict.length);
  Buffer.from(MAGIC).copy(head, 0);
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(dict.length, 8);
  head.write(dict, 10, 'latin1');
  return head;
}

function bytesOf(a: NpyArray): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Writes an array as .npy into an open file, in pieces, checking the total against the shape. */
export class NpyWriter {
  private fd: number;
  private written = 0;
  private readonly expected: number;
  constructor(
    readonly path: string,
    readonly dtype: NpyDtype,
    readonly shape: number[],
  ) {
    this.fd = openSync(path, 'w');
    this.expected = shape.reduce((a, b) => a * b, 1);
    writeSync(this.fd, encodeNpyHeader(dtype, shape));
  }
  write(chunk: NpyArray): void {
    if (this.written + chunk.length > this.expected)
      throw new Error(`${this.path}: more data than shape [${this.shape}]`);
    const b = bytesOf(chunk);
    let off = 0;
    while (off < b.length) off += writeSync(this.fd, b, off, b.length - off);
    this.written += chunk.length;
  }
  close(): void {
    closeSync(this.fd);
    if (this.written !== this.expected) {
      throw new Error(`${this.path}: wrote ${this.written} of ${this.expected} elements of shape [${this.shape}]`);
    }
  }
  /** Closes without the completeness check (used when aborting). */
  abort(): void {
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
  }
}

export function writeNpy(path: string, dtype: NpyDtype, shape: number[], data: NpyArray): void {
  const w = new NpyWriter(path, dtype, shape);
  w.write(data);
  w.close();
}

export function encodeNpy(dtype: NpyDtype, shape: number[], data: NpyArray): Buffer {
  return Buffer.concat([encodeNpyHeader(dtype, shape), bytesOf(data)]);
}
