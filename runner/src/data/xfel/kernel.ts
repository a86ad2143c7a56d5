// One instance of the simulator's WebAssembly kernels (slice-kernel.wat) with its memory, laid out
// in named regions: the bricked grid (bricked.ts), the batch of lookups, the detector fill
// (detector-interp.ts). Regions only grow: one that is too small is re-allocated at the top of the
// memory (its old contents are not kept), which happens a few times at most as batches grow.
// Views (typed arrays) of the memory must be taken after the last `region` call of an operation:
// growing the memory detaches the old ones.
//
// The memory is a shared WebAssembly.Memory (its buffer a SharedArrayBuffer): worker threads
// (sim-worker.ts) make their own SliceKernel on the memory holding the bricked grids and allocate
// their regions from it. The allocator's top lives in the memory (bytes 0–3, bumped atomically), so
// instances on one memory never hand out the same bytes; each has its own scratch for `lookups`.
import { SLICE_KERNEL_WASM } from './slice-kernel-wasm';

const PAGE = 65536;
/** The module's declared maximum (2 GB: byte offsets stay positive i32). */
const MAX_PAGES = 32768;
/** Bytes 0–15: the allocator's top (i32 at 0). */
const HEADER_BYTES = 16;
/** Per instance: the scratch of `lookups`. */
const SCRATCH_BYTES = 192;

type Lookups = (
  count: number,
  order: number,
  np: number,
  rot: number,
  q: number,
  m: number,
  B: number,
  nbx: number,
  nbz: number,
  boff: number,
  data: number,
  S: number,
  out: number,
) => void;
type Fill = (
  c: number,
  nc: number,
  n: number,
  stride: number,
  points: number,
  margin: number,
  w: number,
  row: number,
  stop: number,
  scale: number,
  out: number,
) => void;

let compiled: WebAssembly.Module | undefined;

export class SliceKernel {
  readonly memory: WebAssembly.Memory;
  readonly lookups: Lookups;
  readonly fill: Fill;
  private readonly regions = new Map<string, { at: number; bytes: number }>();

  /** A kernel on a new memory, or on `memory` (another kernel's, e.g. from the main thread). */
  constructor(memory?: WebAssembly.Memory) {
    if (memory) this.memory = memory;
    else {
      const shared = { initial: 1, maximum: MAX_PAGES, shared: true }; // (`shared` is missing from Node's typings)
      this.memory = new WebAssembly.Memory(shared);
      Atomics.store(new Int32Array(this.memory.buffer, 0, 1), 0, HEADER_BYTES);
    }
    const scratch = this.allocate(SCRATCH_BYTES);
    compiled ??= new WebAssembly.Module(Buffer.from(SLICE_KERNEL_WASM, 'base64'));
    const exports = new WebAssembly.Instance(compiled, { env: { memory: this.memory, scratch } }).exports;
    this.lookups = exports.lookups as Lookups;
    this.fill = exports.fill as Fill;
  }

  /** `bytes` (rounded up to 16) of the memory no other instance on it has, growing it if needed. */
  private allocate(bytes: number): number {
    const size = Math.ceil(bytes / 16) * 16;
    const at = Atomics.add(new Int32Array(this.memory.buffer, 0, 1), 0, size);
    const end = at + size;
    if (end > MAX_PAGES * PAGE)
      throw new Error(`the simulator's WebAssembly memory is full (${end} bytes asked, at most ${MAX_PAGES * PAGE})`);
    // Another thread may grow it meanwhile: growing a little more than needed is harmless.
    const pages = Math.ceil(end / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (pages > 0) this.memory.grow(pages);
    return at;
  }

  /** Byte offset (16-byte aligned) of region `name`, at least `bytes` long. */
  region(name: string, bytes: number): number {
    const have = this.regions.get(name);
    if (have && have.bytes >= bytes) return have.at;
    // The old region is not reused: growing by half at least keeps the waste bounded by a small
    // multiple of the largest batch, however many batches of slightly different sizes come.
    const size = have ? Math.max(bytes, Math.ceil(have.bytes * 1.5)) : bytes;
    const at = this.allocate(size);
    this.regions.set(name, { at, bytes: size });
    return at;
  }

  f64(at: number, length: number): Float64Array {
    return new Float64Array(this.memory.buffer, at, length);
  }

  f32(at: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, at, length);
  }

  i32(at: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, at, length);
  }

  u8(at: number, length: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, at, length);
  }
}
