// One instance of the simulator's WebAssembly kernels (slice-kernel.wat) with its memory, laid out
// in named regions: the bricked grid (bricked.ts), the batch of lookups, the detector fill
// (detector-interp.ts). Regions only grow: one that is too small is re-allocated at the top of the
// memory (its old contents are not kept), which happens a few times at most as batches grow.
// Views (typed arrays) of the memory must be taken after the last `region` call of an operation:
// growing the memory detaches the old ones.
import { SLICE_KERNEL_WASM } from './slice-kernel-wasm';

const PAGE = 65536;
/** Memory bytes 0–191 are the scratch of `lookups`. */
const SCRATCH_BYTES = 256;

type Lookups = (
  count: number, order: number, np: number, rot: number, q: number, m: number, B: number, nbx: number, nbz: number,
  boff: number, data: number, S: number, out: number,
) => void;
type Fill = (
  c: number, nc: number, n: number, stride: number, points: number, margin: number,
  w: number, row: number, stop: number, scale: number, out: number,
) => void;

let compiled: WebAssembly.Module | undefined;

export class SliceKernel {
  private readonly memory = new WebAssembly.Memory({ initial: 1 });
  readonly lookups: Lookups;
  readonly fill: Fill;
  private top = SCRATCH_BYTES;
  private readonly regions = new Map<string, { at: number; bytes: number }>();

  constructor() {
    compiled ??= new WebAssembly.Module(Buffer.from(SLICE_KERNEL_WASM, 'base64'));
    const exports = new WebAssembly.Instance(compiled, { env: { memory: this.memory } }).exports;
    this.lookups = exports.lookups as Lookups;
    this.fill = exports.fill as Fill;
  }

  /** Byte offset (16-byte aligned) of region `name`, at least `bytes` long. */
  region(name: string, bytes: number): number {
    const have = this.regions.get(name);
    if (have && have.bytes >= bytes) return have.at;
    const at = this.top;
    this.top = Math.ceil((at + bytes) / 16) * 16;
    const pages = Math.ceil(this.top / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (pages > 0) this.memory.grow(pages);
    this.regions.set(name, { at, bytes });
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
