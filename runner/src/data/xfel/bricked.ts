// The fast path of the XFEL simulator: a cubic B-spline grid (grid.ts) re-laid out in bricks in
// the memory of a SliceKernel (kernel.ts), and the lookups of whole batches of images on it.
//
// Layout. The column layout puts the 4×4 columns of one 4×4×4 stencil up to ~1 MB apart (16 pages
// per lookup). Here the grid is cut into B×B×B bricks, each stored with a 3-voxel apron on the high
// side ((B+3)³ voxels, interleaved Re, Im, z fastest), so every stencil lies inside one brick.
//
// Batches. One image's lookups read ≈ 2 MB of a ≈ 100 MB grid at an orientation unrelated to the
// previous image's, so one image at a time nearly every stencil comes from DRAM (≈ 600 ns a lookup,
// ≈ 150 ns when the same lookups hit the cache). So the lookups of all images of a batch are first
// counting-sorted by the brick their stencil lies in and then done brick by brick: a brick is
// fetched once and reused by every image whose slice crosses it (≈ 1 in 5 of them).
//
// Kernel. The lookups themselves run in slice-kernel.wat (WebAssembly SIMD, ≈ 3× the speed of
// the same loop in JavaScript), with the arithmetic of grid.ts `sliceAmplitudesSpline` in the same
// order: results are bit-identical to the column layout's.
//
// Sharing. The bricks live in the kernel's shared memory: `shared()` describes where, and
// `BrickedGrid.attach` gives a worker thread the same grid without a copy (sim-worker.ts).
import { GridFrame, Z_MIN, type AmplitudeGrid } from './grid';
import { SliceKernel } from './kernel';

/** Where a bricked grid lies in a shared kernel memory: what a worker thread needs to look it up. */
export interface SharedBrickedGrid {
  memory: WebAssembly.Memory;
  dq: number;
  qMax: number;
  m: number;
  B: number;
  nbx: number;
  nbz: number;
  brickOffsetAt: number;
  dataAt: number;
  /** Floats of brick data at dataAt. */
  floats: number;
}

/** Cache file layout: magic, u32 length of a JSON header, the header, then brick offsets (i32) and data (f32). */
const MAGIC = 'PNBRICK1';

export class BrickedGrid {
  readonly dq: number;
  readonly qMax: number;
  /** Half-width in voxels of the source grid (x and y indices run over [−m, m]). */
  readonly m: number;
  /** Stored voxels per brick side (B own + 3 apron); bricks along x and y, and along z. */
  readonly S: number;
  readonly nbx: number;
  readonly nbz: number;
  /** Always a cubic B-spline grid (as AmplitudeGrid.kernel). */
  readonly kernelKind = 'bspline3' as const;
  private readonly bricks: number;
  private readonly brickOffsetAt: number;
  private readonly dataAt: number;
  private readonly floats: number;
  private keys = new Int32Array(0);

  /** The grid of `shared` (in another kernel's memory), looked up with this thread's own kernel on that memory. */
  static attach(shared: SharedBrickedGrid): BrickedGrid {
    return new BrickedGrid(shared, shared.B, new SliceKernel(shared.memory));
  }

  /** What `attach` needs, to post to a worker thread. */
  shared(): SharedBrickedGrid {
    const { dq, qMax, m, B, nbx, nbz, brickOffsetAt, dataAt, floats } = this;
    return { memory: this.kernel.memory, dq, qMax, m, B, nbx, nbz, brickOffsetAt, dataAt, floats };
  }

  /** The grid as bytes for the cache (simulate.ts): a later run loads it without computing or bricking. */
  encode(): Buffer {
    const { dq, qMax, m, B, nbx, nbz, floats } = this;
    const header = Buffer.from(JSON.stringify({ dq, qMax, m, B, nbx, nbz, floats }));
    const head = Buffer.alloc(12);
    head.write(MAGIC, 0, 'latin1');
    head.writeUInt32LE(header.length, 8);
    const offsets = this.kernel.i32(this.brickOffsetAt, this.bricks);
    const data = this.kernel.f32(this.dataAt, floats);
    return Buffer.concat([
      head,
      header,
      Buffer.from(offsets.buffer, offsets.byteOffset, offsets.byteLength),
      Buffer.from(data.buffer, data.byteOffset, data.byteLength),
    ]);
  }

  /** A grid from `encode`'s bytes (in a new kernel memory); `file` names it in errors. */
  static decode(bytes: Uint8Array, file: string): BrickedGrid {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (buf.length < 12 || buf.toString('latin1', 0, 8) !== MAGIC) throw new Error(`${file}: not a bricked grid`);
    const len = buf.readUInt32LE(8);
    let h: Omit<SharedBrickedGrid, 'memory' | 'brickOffsetAt' | 'dataAt'>;
    try {
      h = JSON.parse(buf.toString('utf8', 12, 12 + len));
    } catch (e) {
      throw new Error(`${file}: damaged bricked grid header (${(e as Error).message})`, { cause: e });
    }
    const bricks = h.nbx * h.nbx * h.nbz;
    if (buf.length !== 12 + len + 4 * bricks + 4 * h.floats)
      throw new Error(`${file}: ${buf.length} bytes, the header promises ${12 + len + 4 * bricks + 4 * h.floats}`);
    const kernel = new SliceKernel();
    const brickOffsetAt = kernel.region('grid.brickOffset', 4 * bricks);
    const dataAt = kernel.region('grid.data', 4 * h.floats);
    kernel.u8(brickOffsetAt, 4 * bricks).set(buf.subarray(12 + len, 12 + len + 4 * bricks));
    kernel.u8(dataAt, 4 * h.floats).set(buf.subarray(12 + len + 4 * bricks));
    return new BrickedGrid({ ...h, memory: kernel.memory, brickOffsetAt, dataAt }, h.B, kernel);
  }

  constructor(
    grid: AmplitudeGrid | SharedBrickedGrid,
    /** Own voxels per brick side (16: a brick with its apron is 55 KB, and stays in L2 while used). */
    readonly B = 16,
    /** Where the grid lives and the lookups run (detector-interp.ts shares it for the fill). */
    readonly kernel = new SliceKernel(),
  ) {
    if ('memory' in grid) {
      ({
        dq: this.dq,
        qMax: this.qMax,
        m: this.m,
        nbx: this.nbx,
        nbz: this.nbz,
        brickOffsetAt: this.brickOffsetAt,
        dataAt: this.dataAt,
        floats: this.floats,
      } = grid);
      this.S = B + 3;
      this.bricks = this.nbx * this.nbx * this.nbz;
      return;
    }
    if (grid.kernel !== 'bspline3') throw new Error('a bricked grid needs a cubic B-spline grid');
    const { m, colOffset, colLength, data: src } = grid;
    this.dq = grid.dq;
    this.qMax = grid.qMax;
    this.m = m;
    const W = 2 * m + 1;
    let maxLen = 0;
    for (const l of colLength) maxLen = Math.max(maxLen, l);
    const S = (this.S = B + 3);
    const nbx = (this.nbx = Math.ceil(W / B));
    const nbz = (this.nbz = Math.ceil(maxLen / B));
    this.bricks = nbx * nbx * nbz;
    // A brick is kept when one of its own voxels is stored: a valid stencil starts at such a voxel.
    const brickOffset = new Int32Array(this.bricks).fill(-1);
    let count = 0;
    for (let bx = 0; bx < nbx; bx++) {
      for (let by = 0; by < nbx; by++) {
        for (let bz = 0; bz < nbz; bz++) {
          let any = false;
          for (let X = bx * B; X < Math.min(W, bx * B + B) && !any; X++) {
            for (let Y = by * B; Y < Math.min(W, by * B + B) && !any; Y++) {
              const c = X * W + Y;
              if (colOffset[c] >= 0 && colLength[c] > bz * B) any = true;
            }
          }
          if (any) brickOffset[(bx * nbx + by) * nbz + bz] = 2 * S * S * S * count++;
        }
      }
    }
    const floats = (this.floats = 2 * S * S * S * count);
    this.brickOffsetAt = kernel.region('grid.brickOffset', 4 * this.bricks);
    this.dataAt = kernel.region('grid.data', 4 * floats);
    kernel.i32(this.brickOffsetAt, this.bricks).set(brickOffset);
    const data = kernel.f32(this.dataAt, floats);
    for (let bx = 0; bx < nbx; bx++) {
      for (let by = 0; by < nbx; by++) {
        for (let bz = 0; bz < nbz; bz++) {
          const base = brickOffset[(bx * nbx + by) * nbz + bz];
          if (base < 0) continue;
          for (let lx = 0; lx < S; lx++) {
            const X = bx * B + lx;
            if (X >= W) break;
            for (let ly = 0; ly < S; ly++) {
              const Y = by * B + ly;
              if (Y >= W) break;
              const c = X * W + Y;
              if (colOffset[c] < 0) continue;
              const z0 = bz * B,
                z1 = Math.min(colLength[c], z0 + S);
              const o = base + 2 * (lx * S + ly) * S;
              data.set(src.subarray(2 * (colOffset[c] + z0), 2 * (colOffset[c] + z1)), o);
            }
          }
        }
      }
    }
  }

  /**
   * F(R_iᵀ q_p) for every rotation R_i and point p (points with `skip` set get 0): the byte offset
   * in kernel memory of f64 pairs (Re, Im), entry i·np + p; valid until the next `slice`.
   */
  slice(
    qx: Float64Array,
    qy: Float64Array,
    qz: Float64Array,
    Rs: readonly ArrayLike<number>[],
    skip: Uint8Array,
  ): number {
    const np = qx.length,
      images = Rs.length,
      entries = images * np;
    const kernel = this.kernel;
    // Regions sized for a power of two of images: batches of varying size reuse them (kernel.ts).
    const room = 2 ** Math.ceil(Math.log2(Math.max(1, images))),
      roomEntries = room * np;
    const orderAt = kernel.region('slice.order', 4 * roomEntries),
      rotAt = kernel.region('slice.rot', 72 * room);
    const qAt = kernel.region('slice.q', 24 * np),
      outAt = kernel.region('slice.out', 16 * roomEntries);
    const order = kernel.i32(orderAt, entries),
      rot = kernel.f64(rotAt, 9 * images),
      q = kernel.f64(qAt, 3 * np),
      out = kernel.f64(outAt, 2 * entries);
    for (let p = 0; p < np; p++) {
      q[3 * p] = qx[p];
      q[3 * p + 1] = qy[p];
      q[3 * p + 2] = qz[p];
    }
    if (this.keys.length < entries) this.keys = new Int32Array(roomEntries);
    const keys = this.keys;
    const { B, nbx, nbz, m } = this;
    const zshift = -1 - Z_MIN; // stored z index of the stencil's first tap is jz + zshift
    // Pass 1: the brick of every lookup (skipped points get key −1 and 0 here).
    const start = new Int32Array(this.bricks + 1);
    for (let i = 0; i < images; i++) {
      const frame = new GridFrame(this, Rs[i]);
      rot.set(frame.r, 9 * i);
      for (let p = 0; p < np; p++) {
        const e = i * np + p;
        if (skip[p] !== 0) {
          keys[e] = -1;
          out[2 * e] = 0;
          out[2 * e + 1] = 0;
          continue;
        }
        frame.map(qx[p], qy[p], qz[p]);
        const gx = frame.gx,
          gy = frame.gy,
          gz = frame.gz;
        const X = ((gx + m) | 0) - 1,
          Y = ((gy + m) | 0) - 1,
          Z = (gz | 0) + zshift;
        const key = (((X / B) | 0) * nbx + ((Y / B) | 0)) * nbz + ((Z / B) | 0);
        keys[e] = key;
        start[key + 1]++;
      }
    }
    // Pass 2: counting sort (stable: within a brick, image by image along the detector rows).
    for (let k = 0; k < this.bricks; k++) start[k + 1] += start[k];
    let sorted = 0;
    for (let e = 0; e < entries; e++) {
      const key = keys[e];
      if (key >= 0) {
        order[start[key]++] = e;
        sorted++;
      }
    }
    // Pass 3: the lookups, brick by brick.
    kernel.lookups(sorted, orderAt, np, rotAt, qAt, m, B, nbx, nbz, this.brickOffsetAt, this.dataAt, this.S, outAt);
    return outAt;
  }
}
