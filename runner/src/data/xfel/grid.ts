// The one-off 3D grid of the complex structure factor F(q) of one conformation, and per-image
// slicing through it.
//
// F(q) = Σ_j f_e(j)(|q|) exp(i q·r_j) is sampled on a Cartesian grid of spacing Δq covering the
// ball |q| ≤ q_max (+ the interpolation stencil). Friedel symmetry F(−q) = conj F(q) (real form
// factors) means only q_z ≥ −2Δq is stored; a query with q_z < 0 uses −q (|F|² is the same).
// Each grid column (fixed q_x, q_y) is computed per element with a complex recurrence along q_z
// (no trigonometry in the inner loop), then multiplied by f_e(|q|) exactly (grid-compute.ts), on
// one thread or several (grid-threads.ts).
//
// Slicing interpolates F (not |F|²: F is band-limited to the particle radius, |F|² to its diameter,
// so F is twice as smooth) with 4-point Lagrange (tricubic) weights in each axis, then squares.

import type { Atoms } from './pdb';
import { gridLayout, phaseTables, Z_MIN } from './grid-compute';
import { computeRowsHere, computeRowsInWorkers } from './grid-threads';

/**
 * What the grid stores. 'lagrange': samples of F, for the Lagrange slicers. 'bspline3' / 'bspline2':
 * coefficients c_k such that F(q) = Σ_k c_k B(q/Δq − k) with the cubic / quadratic B-spline B, obtained
 * as in a non-uniform FFT: each atom's term is divided by the B-spline's Fourier transform at its
 * position, B̂(Δq·x)·B̂(Δq·y)·B̂(Δq·z) with B̂(θ) = sinc(θ/2)^(order+1). By Poisson summation the
 * spline sum then equals F exactly except for aliases B̂(θ − 2πn)/B̂(θ), n ≠ 0, of relative size
 * ≈ 2 (θ/2π)^(order+1) per axis with θ = Δq·|x| ≤ Δq·r_max. So a grid twice as coarse as the
 * Lagrange one is as accurate, and 8× smaller (it stays in the CPU cache).
 */
export type Kernel = 'lagrange' | 'bspline3' | 'bspline2';

export interface AmplitudeGrid {
  /** Grid spacing Δq in Å⁻¹. */
  dq: number;
  kernel: Kernel;
  /** q_max covered (every query with |q| ≤ qMax is exact up to interpolation). */
  qMax: number;
  /** Half-width in voxels: x and y indices run over [−m, m]. */
  m: number;
  /** Per (x, y) column: offset (in complex values) of its z = −2 voxel in `data`, or −1. */
  colOffset: Int32Array;
  /** Per column: number of stored z values (z = −2 … len − 3). */
  colLength: Int32Array;
  /** Interleaved re, im. */
  data: Float32Array;
}

/** Stored z index 0 is z = Z_MIN (the stencil of a query at z ≥ 0 reaches down to z = −1). */
export { Z_MIN } from './grid-compute';

export interface GridProgress {
  done: number;
  total: number;
}

export interface GridOptions {
  dq: number;
  qMax: number;
  /** Prefilter for B-spline slicing (`sliceBSpline`): see `Kernel`. Default 'lagrange' (plain F samples). */
  kernel?: Kernel;
  onProgress?: (p: GridProgress) => void;
  signal?: AbortSignal;
  /** Threads computing the grid's rows (grid-threads.ts); default 1, this thread. */
  workers?: number;
}

/**
 * Computes F on the grid (grid-compute.ts), on `workers` threads (default 1: this one, yielding to
 * the event loop now and then so progress and Ctrl-C work). Bit-identical for any number of threads.
 */
export async function computeAmplitudeGrid(atoms: Atoms, opts: GridOptions): Promise<AmplitudeGrid> {
  const { dq, qMax } = opts;
  const kernel = opts.kernel ?? 'lagrange';
  const workers = Math.max(1, Math.floor(opts.workers ?? 1));
  const layout = gridLayout(dq, qMax);
  const run = {
    tables: phaseTables(atoms, dq, layout.m, kernel, workers > 1),
    layout,
    onProgress: opts.onProgress,
    signal: opts.signal,
  };
  const data = workers > 1 ? await computeRowsInWorkers(run, workers) : await computeRowsHere(run);
  opts.onProgress?.({ done: layout.total, total: layout.total });
  return { dq, kernel, qMax, m: layout.m, colOffset: layout.colOffset, colLength: layout.colLength, data };
}

/**
 * Grid coordinates for one rotation R: g = (R/Δq)ᵀ q, folded into the stored half g_z ≥ 0 by
 * Friedel symmetry (F(−g) = conj F(g)) and checked against the grid's reach. Every slicer maps its
 * points through this; the WebAssembly kernel (slice-kernel.wat) repeats the arithmetic from `r`.
 */
export class GridFrame {
  /** R/Δq, row-major. */
  readonly r: Float64Array;
  /** The last mapped point. */
  gx = 0;
  gy = 0;
  gz = 0;
  private readonly r00: number;
  private readonly r01: number;
  private readonly r02: number;
  private readonly r10: number;
  private readonly r11: number;
  private readonly r12: number;
  private readonly r20: number;
  private readonly r21: number;
  private readonly r22: number;
  private readonly limit2: number;

  constructor(
    private readonly grid: Pick<AmplitudeGrid, 'dq' | 'qMax'>,
    R: ArrayLike<number>,
  ) {
    const inv = 1 / grid.dq;
    this.r = Float64Array.from({ length: 9 }, (_, k) => R[k] * inv);
    [this.r00, this.r01, this.r02, this.r10, this.r11, this.r12, this.r20, this.r21, this.r22] = this.r;
    this.limit2 = (grid.qMax * inv) ** 2 * (1 + 1e-9);
  }

  /** Sets gx, gy, gz for q = (a, b, c); returns −1 where folded (F there is conj F(g)), else 1. */
  map(a: number, b: number, c: number): number {
    let gx = this.r00 * a + this.r10 * b + this.r20 * c;
    let gy = this.r01 * a + this.r11 * b + this.r21 * c;
    let gz = this.r02 * a + this.r12 * b + this.r22 * c;
    let sign = 1;
    if (gz < 0) {
      gx = -gx;
      gy = -gy;
      gz = -gz;
      sign = -1;
    }
    if (gx * gx + gy * gy + gz * gz > this.limit2) outsideGrid(this.grid, a, b, c);
    this.gx = gx;
    this.gy = gy;
    this.gz = gz;
    return sign;
  }
}

/** |F(q)|² at one point (q in Å⁻¹), tricubic interpolation of F (Lagrange or cubic B-spline by grid kernel). */
export function sampleIntensity(grid: AmplitudeGrid, qx: number, qy: number, qz: number): number {
  const out = new Float64Array(1);
  sliceIntensities(grid, Float64Array.of(qx), Float64Array.of(qy), Float64Array.of(qz), IDENTITY, out);
  return out[0];
}

const IDENTITY = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);

/**
 * |F(Rᵀ q_p)|² for every pixel p (the intensity of the molecule rotated by R), into `out`.
 * Pixels with `skip[p]` set get 0. With `outIm`, writes the complex amplitude instead: Re F into
 * `out`, Im F into `outIm` (F(−q) = conj F(q) is applied for the Friedel half).
 */
export function sliceIntensities(
  grid: AmplitudeGrid,
  qx: Float64Array,
  qy: Float64Array,
  qz: Float64Array,
  R: ArrayLike<number>,
  out: Float64Array,
  skip?: Uint8Array,
  outIm?: Float64Array,
): void {
  const { m, colOffset, data } = grid;
  const W = 2 * m + 1;
  const frame = new GridFrame(grid, R);
  const np = qx.length;
  if (grid.kernel === 'bspline2') throw new Error('a quadratic B-spline grid needs sliceIntensitiesQuadratic');
  const spline = grid.kernel === 'bspline3';
  for (let p = 0; p < np; p++) {
    if (skip !== undefined && skip[p] !== 0) {
      out[p] = 0;
      if (outIm !== undefined) outIm[p] = 0;
      continue;
    }
    const sign = frame.map(qx[p], qy[p], qz[p]);
    const gx = frame.gx,
      gy = frame.gy,
      gz = frame.gz;
    const ix = Math.floor(gx),
      iy = Math.floor(gy),
      iz = Math.floor(gz);
    const tx = gx - ix,
      ty = gy - iy,
      tz = gz - iz;
    // Weights for nodes −1, 0, 1, 2: cubic B-spline (spline grids) or Lagrange.
    let x0, x1, x2, x3, y0, y1, y2, y3, z0, z1, z2, z3;
    if (spline) {
      let s = 1 - tx,
        t2 = tx * tx,
        t3 = t2 * tx;
      x0 = (s * s * s) / 6;
      x3 = t3 / 6;
      x1 = 0.5 * t3 - t2 + 2 / 3;
      x2 = 1 - x0 - x1 - x3;
      s = 1 - ty;
      t2 = ty * ty;
      t3 = t2 * ty;
      y0 = (s * s * s) / 6;
      y3 = t3 / 6;
      y1 = 0.5 * t3 - t2 + 2 / 3;
      y2 = 1 - y0 - y1 - y3;
      s = 1 - tz;
      t2 = tz * tz;
      t3 = t2 * tz;
      z0 = (s * s * s) / 6;
      z3 = t3 / 6;
      z1 = 0.5 * t3 - t2 + 2 / 3;
      z2 = 1 - z0 - z1 - z3;
    } else {
      x0 = (-tx * (tx - 1) * (tx - 2)) / 6;
      x1 = ((tx + 1) * (tx - 1) * (tx - 2)) / 2;
      x2 = (-(tx + 1) * tx * (tx - 2)) / 2;
      x3 = ((tx + 1) * tx * (tx - 1)) / 6;
      y0 = (-ty * (ty - 1) * (ty - 2)) / 6;
      y1 = ((ty + 1) * (ty - 1) * (ty - 2)) / 2;
      y2 = (-(ty + 1) * ty * (ty - 2)) / 2;
      y3 = ((ty + 1) * ty * (ty - 1)) / 6;
      z0 = (-tz * (tz - 1) * (tz - 2)) / 6;
      z1 = ((tz + 1) * (tz - 1) * (tz - 2)) / 2;
      z2 = (-(tz + 1) * tz * (tz - 2)) / 2;
      z3 = ((tz + 1) * tz * (tz - 1)) / 6;
    }
    const zoff = (iz - 1 - Z_MIN) * 2;
    const cb = (ix - 1 + m) * W + (iy - 1 + m);
    // Row ax of the stencil: Σ_by wy · Σ_z wz F, for the four x planes.
    let o = colOffset[cb] * 2 + zoff;
    let r0 = y0 * (z0 * data[o] + z1 * data[o + 2] + z2 * data[o + 4] + z3 * data[o + 6]);
    let i0 = y0 * (z0 * data[o + 1] + z1 * data[o + 3] + z2 * data[o + 5] + z3 * data[o + 7]);
    o = colOffset[cb + 1] * 2 + zoff;
    r0 += y1 * (z0 * data[o] + z1 * data[o + 2] + z2 * data[o + 4] + z3 * data[o + 6]);
    i0 += y1 * (z0 * data[o + 1] + z1 * data[o + 3] + z2 * data[o + 5] + z3 * data[o + 7]);
    o = colOffset[cb + 2] * 2 + zoff;
    r0 += y2 * (z0 * data[o] + z1 * data[o + 2] + z2 * data[o + 4] + z3 * data[o + 6]);
    i0 += y2 * (z0 * data[o + 1] + z1 * data[o + 3] + z2 * data[o + 5] + z3 * data[o + 7]);
    o = colOffset[cb + 3] * 2 + zoff;
    r0 += y3 * (z0 * data[o] + z1 * data[o + 2] + z2 * data[o + 4] + z3 * data[o + 6]);
    i0 += y3 * (z0 * data[o + 1] + z1 * data[o + 3] + z2 * data[o + 5] + z3 * data[o + 7]);
    o = colOffset[cb + W] * 2 + zoff;
    let r1 = y0 * (z0 * data[o] + z1 * data[o + 2] + z2 * data[o + 4] + z3 * data[o + 6]);
    let i1 = y0 * (z0 * data[o + 1] + z1 * data[o + 3] + z2 * data[o + 5] + z3 * data[o + 7]);
    o = colOffset[cb + W + 1] * 2 + zoff;
    r1 += y1 * (z0 * data[o] + z1 * data[o + 2] + z2 * data[o + 4] + z3 * data[o + 6]);
    i1 += y1 * (z0 * data[o + 1] + z1 * data[o + 3] + z2 * data[o + 5] + z3 * data[o + 7]);
    o = colOffset[cb + W + 2] * 2 + zoff;
    r1 += y2 * (z0 * data[o] + z1 * data[o + 2] + z2 * data[o + 4] + z3 * data[o + 6]);
    i1 += y2 * (z0 * data[o + 1] + z1 * data[o + 3] + z2 * data[o + 5] + z3 * data[o + 7]);
    o = colOffset[cb + W + 3] * 2 + zoff;
    r1 += y3 * (z0 * data[o] + z1 * data[o + 2] + z2 * data[o + 4] + z3 * data[o + 6]);
    i1 += y3 * (z0 * data[o + 1] + z1 * data[o + 3] + z2 * data[o + 5] + z3 * data[o + 7]);
    o = colOffset[cb + 2 * W] * 2 + zoff;
    let r2 = y0 * (z0 * data[o] + z1 * data[o + 2] + z2 * data[o + 4] + z3 * data[o + 6]);
    let i2 = y0 * (z0 * data[o + 1] + z1 * data[o + 3] + z2 * data[o + 5] + z3 * data[o + 7]);
    o = colOffset[cb + 2 * W + 1] * 2 + zoff;
    r2 += y1 * (z0 * data[o] + z1 * data[o + 2] + z2 * data[o + 4] + z3 * data[o + 6]);
    i2 += y1 * (z0 * data[o + 1] + z1 * data[o + 3] + z2 * data[o + 5] + z3 * data[o + 7]);
    o = colOffset[cb + 2 * W + 2] * 2 + zoff;
    r2 += y2 * (z0 * data[o] + z1 * data[o + 2] + z2 * data[o + 4] + z3 * data[o + 6]);
    i2 += y2 * (z0 * data[o + 1] + z1 * data[o + 3] + z2 * data[o + 5] + z3 * data[o + 7]);
    o = colOffset[cb + 2 * W + 3] * 2 + zoff;
    r2 += y3 * (z0 * data[o] + z1 * data[o + 2] + z2 * data[o + 4] + z3 * data[o + 6]);
    i2 += y3 * (z0 * data[o + 1] + z1 * data[o + 3] + z2 * data[o + 5] + z3 * data[o + 7]);
    o = colOffset[cb + 3 * W] * 2 + zoff;
    let r3 = y0 * (z0 * data[o] + z1 * data[o + 2] + z2 * data[o + 4] + z3 * data[o + 6]);
    let i3 = y0 * (z0 * data[o + 1] + z1 * data[o + 3] + z2 * data[o + 5] + z3 * data[o + 7]);
    o = colOffset[cb + 3 * W + 1] * 2 + zoff;
    r3 += y1 * (z0 * data[o] + z1 * data[o + 2] + z2 * data[o + 4] + z3 * data[o + 6]);
    i3 += y1 * (z0 * data[o + 1] + z1 * data[o + 3] + z2 * data[o + 5] + z3 * data[o + 7]);
    o = colOffset[cb + 3 * W + 2] * 2 + zoff;
    r3 += y2 * (z0 * data[o] + z1 * data[o + 2] + z2 * data[o + 4] + z3 * data[o + 6]);
    i3 += y2 * (z0 * data[o + 1] + z1 * data[o + 3] + z2 * data[o + 5] + z3 * data[o + 7]);
    o = colOffset[cb + 3 * W + 3] * 2 + zoff;
    r3 += y3 * (z0 * data[o] + z1 * data[o + 2] + z2 * data[o + 4] + z3 * data[o + 6]);
    i3 += y3 * (z0 * data[o + 1] + z1 * data[o + 3] + z2 * data[o + 5] + z3 * data[o + 7]);
    const fr = x0 * r0 + x1 * r1 + x2 * r2 + x3 * r3;
    const fi = x0 * i0 + x1 * i1 + x2 * i2 + x3 * i3;
    if (outIm === undefined) out[p] = fr * fr + fi * fi;
    else {
      out[p] = fr;
      outIm[p] = sign * fi;
    }
  }
}

/**
 * As `sliceIntensities`, with 3-point (triquadratic) Lagrange interpolation of F around the nearest
 * grid node: 27 taps instead of 64, about twice as fast, error O(Δq³) instead of O(Δq⁴).
 */
export function sliceIntensitiesQuadratic(
  grid: AmplitudeGrid,
  qx: Float64Array,
  qy: Float64Array,
  qz: Float64Array,
  R: ArrayLike<number>,
  out: Float64Array,
  skip?: Uint8Array,
): void {
  const { m, colOffset, data } = grid;
  const W = 2 * m + 1;
  const frame = new GridFrame(grid, R);
  const np = qx.length;
  if (grid.kernel === 'bspline3') throw new Error('a cubic B-spline grid needs sliceIntensities');
  const spline = grid.kernel === 'bspline2';
  const shift = m + 0.5;
  for (let p = 0; p < np; p++) {
    if (skip !== undefined && skip[p] !== 0) {
      out[p] = 0;
      continue;
    }
    frame.map(qx[p], qy[p], qz[p]); // |F|² only: the fold's conjugation does not matter
    const gx = frame.gx,
      gy = frame.gy,
      gz = frame.gz;
    // Nearest node (shifted to be positive so that truncation rounds).
    const jx = (gx + shift) | 0,
      jy = (gy + shift) | 0,
      jz = (gz + 0.5) | 0;
    const tx = gx + m - jx,
      ty = gy + m - jy,
      tz = gz - jz;
    let x0, x1, x2, y0, y1, y2, z0, z1, z2;
    if (spline) {
      // Quadratic B-spline weights for nodes −1, 0, 1 around the nearest node.
      let a = 0.5 - tx,
        b = 0.5 + tx;
      x0 = 0.5 * a * a;
      x2 = 0.5 * b * b;
      x1 = 1 - x0 - x2;
      a = 0.5 - ty;
      b = 0.5 + ty;
      y0 = 0.5 * a * a;
      y2 = 0.5 * b * b;
      y1 = 1 - y0 - y2;
      a = 0.5 - tz;
      b = 0.5 + tz;
      z0 = 0.5 * a * a;
      z2 = 0.5 * b * b;
      z1 = 1 - z0 - z2;
    } else {
      x0 = 0.5 * tx * (tx - 1);
      x1 = 1 - tx * tx;
      x2 = 0.5 * tx * (tx + 1);
      y0 = 0.5 * ty * (ty - 1);
      y1 = 1 - ty * ty;
      y2 = 0.5 * ty * (ty + 1);
      z0 = 0.5 * tz * (tz - 1);
      z1 = 1 - tz * tz;
      z2 = 0.5 * tz * (tz + 1);
    }
    const zoff = (jz - 1 - Z_MIN) * 2;
    const cb = (jx - 1) * W + (jy - 1);
    let o = colOffset[cb] * 2 + zoff;
    let r0 = y0 * (z0 * data[o] + z1 * data[o + 2] + z2 * data[o + 4]);
    let i0 = y0 * (z0 * data[o + 1] + z1 * data[o + 3] + z2 * data[o + 5]);
    o = colOffset[cb + 1] * 2 + zoff;
    r0 += y1 * (z0 * data[o] + z1 * data[o + 2] + z2 * data[o + 4]);
    i0 += y1 * (z0 * data[o + 1] + z1 * data[o + 3] + z2 * data[o + 5]);
    o = colOffset[cb + 2] * 2 + zoff;
    r0 += y2 * (z0 * data[o] + z1 * data[o + 2] + z2 * data[o + 4]);
    i0 += y2 * (z0 * data[o + 1] + z1 * data[o + 3] + z2 * data[o + 5]);
    o = colOffset[cb + W] * 2 + zoff;
    let r1 = y0 * (z0 * data[o] + z1 * data[o + 2] + z2 * data[o + 4]);
    let i1 = y0 * (z0 * data[o + 1] + z1 * data[o + 3] + z2 * data[o + 5]);
    o = colOffset[cb + W + 1] * 2 + zoff;
    r1 += y1 * (z0 * data[o] + z1 * data[o + 2] + z2 * data[o + 4]);
    i1 += y1 * (z0 * data[o + 1] + z1 * data[o + 3] + z2 * data[o + 5]);
    o = colOffset[cb + W + 2] * 2 + zoff;
    r1 += y2 * (z0 * data[o] + z1 * data[o + 2] + z2 * data[o + 4]);
    i1 += y2 * (z0 * data[o + 1] + z1 * data[o + 3] + z2 * data[o + 5]);
    o = colOffset[cb + 2 * W] * 2 + zoff;
    let r2 = y0 * (z0 * data[o] + z1 * data[o + 2] + z2 * data[o + 4]);
    let i2 = y0 * (z0 * data[o + 1] + z1 * data[o + 3] + z2 * data[o + 5]);
    o = colOffset[cb + 2 * W + 1] * 2 + zoff;
    r2 += y1 * (z0 * data[o] + z1 * data[o + 2] + z2 * data[o + 4]);
    i2 += y1 * (z0 * data[o + 1] + z1 * data[o + 3] + z2 * data[o + 5]);
    o = colOffset[cb + 2 * W + 2] * 2 + zoff;
    r2 += y2 * (z0 * data[o] + z1 * data[o + 2] + z2 * data[o + 4]);
    i2 += y2 * (z0 * data[o + 1] + z1 * data[o + 3] + z2 * data[o + 5]);
    const fr = x0 * r0 + x1 * r1 + x2 * r2;
    const fi = x0 * i0 + x1 * i1 + x2 * i2;
    out[p] = fr * fr + fi * fi;
  }
}

export function outsideGrid(grid: Pick<AmplitudeGrid, 'qMax'>, a: number, b: number, c: number): never {
  throw new Error(`q = ${Math.hypot(a, b, c)} Å⁻¹ lies outside the grid (q_max ${grid.qMax})`);
}

// ---- serialisation (for the on-disk cache) ----

export function encodeGrid(g: AmplitudeGrid): Buffer {
  const head = Buffer.from(JSON.stringify({ dq: g.dq, kernel: g.kernel, qMax: g.qMax, m: g.m, values: g.data.length }));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(head.length, 0);
  const pad = Buffer.alloc((8 - ((4 + head.length) % 8)) % 8, 0x20);
  return Buffer.concat([
    len,
    head,
    pad,
    Buffer.from(g.colOffset.buffer, g.colOffset.byteOffset, g.colOffset.byteLength),
    Buffer.from(g.colLength.buffer, g.colLength.byteOffset, g.colLength.byteLength),
    Buffer.from(g.data.buffer, g.data.byteOffset, g.data.byteLength),
  ]);
}

export function decodeGrid(buf: Buffer, file: string): AmplitudeGrid {
  const hl = buf.readUInt32LE(0);
  const head = JSON.parse(buf.subarray(4, 4 + hl).toString()) as {
    dq: number;
    kernel?: Kernel;
    qMax: number;
    m: number;
    values: number;
  };
  let off = 4 + hl;
  off += (8 - (off % 8)) % 8;
  const W = 2 * head.m + 1;
  const need = off + W * W * 8 + head.values * 4;
  if (buf.length !== need) throw new Error(`${file}: grid cache file is ${buf.length} bytes, expected ${need}`);
  const copy = (start: number, bytes: number) =>
    buf.buffer.slice(buf.byteOffset + start, buf.byteOffset + start + bytes);
  const colOffset = new Int32Array(copy(off, W * W * 4));
  const colLength = new Int32Array(copy(off + W * W * 4, W * W * 4));
  const data = new Float32Array(copy(off + W * W * 8, head.values * 4));
  return { dq: head.dq, kernel: head.kernel ?? 'lagrange', qMax: head.qMax, m: head.m, colOffset, colLength, data };
}

/**
 * Complex F(Rᵀq) at the given points from a cubic B-spline grid (Re into `re`, Im into `im`;
 * points with `skip` set get 0). The JavaScript twin of slice-kernel.wat `lookups` on the column
 * layout: the same arithmetic in the same order (fractions taken from g + m, as there), so the
 * bricked WebAssembly path is tested against it bit for bit.
 */
export function sliceAmplitudesSpline(
  grid: AmplitudeGrid,
  qx: Float64Array,
  qy: Float64Array,
  qz: Float64Array,
  R: ArrayLike<number>,
  re: Float64Array,
  im: Float64Array,
  skip: Uint8Array,
): void {
  if (grid.kernel !== 'bspline3') throw new Error('sliceAmplitudesSpline needs a cubic B-spline grid');
  const { m, colOffset, data } = grid;
  const W = 2 * m + 1;
  const frame = new GridFrame(grid, R);
  const np = qx.length;
  const shift = m; // gx + m ≥ 0 inside the grid
  for (let p = 0; p < np; p++) {
    if (skip[p] !== 0) {
      re[p] = 0;
      im[p] = 0;
      continue;
    }
    const sign = frame.map(qx[p], qy[p], qz[p]);
    const gz = frame.gz;
    const fx = frame.gx + shift,
      fy = frame.gy + shift;
    const jx = fx | 0,
      jy = fy | 0,
      jz = gz | 0;
    const tx = fx - jx,
      ty = fy - jy,
      tz = gz - jz;
    let s = 1 - tx,
      t2 = tx * tx,
      t3 = t2 * tx;
    const x0 = (s * s * s) / 6,
      x3 = t3 / 6,
      x1 = 0.5 * t3 - t2 + 2 / 3,
      x2 = 1 - x0 - x1 - x3;
    s = 1 - ty;
    t2 = ty * ty;
    t3 = t2 * ty;
    const y0 = (s * s * s) / 6,
      y3 = t3 / 6,
      y1 = 0.5 * t3 - t2 + 2 / 3,
      y2 = 1 - y0 - y1 - y3;
    s = 1 - tz;
    t2 = tz * tz;
    t3 = t2 * tz;
    const z0 = (s * s * s) / 6,
      z3 = t3 / 6,
      z1 = 0.5 * t3 - t2 + 2 / 3,
      z2 = 1 - z0 - z1 - z3;
    const zoff = (jz - 1 - Z_MIN) * 2;
    let fr = 0,
      fi = 0;
    for (let ax = 0; ax < 4; ax++) {
      const cb = (jx - 1 + ax) * W + (jy - 1);
      let o = colOffset[cb] * 2 + zoff;
      let pr = y0 * (z0 * data[o] + z1 * data[o + 2] + z2 * data[o + 4] + z3 * data[o + 6]);
      let pi = y0 * (z0 * data[o + 1] + z1 * data[o + 3] + z2 * data[o + 5] + z3 * data[o + 7]);
      o = colOffset[cb + 1] * 2 + zoff;
      pr += y1 * (z0 * data[o] + z1 * data[o + 2] + z2 * data[o + 4] + z3 * data[o + 6]);
      pi += y1 * (z0 * data[o + 1] + z1 * data[o + 3] + z2 * data[o + 5] + z3 * data[o + 7]);
      o = colOffset[cb + 2] * 2 + zoff;
      pr += y2 * (z0 * data[o] + z1 * data[o + 2] + z2 * data[o + 4] + z3 * data[o + 6]);
      pi += y2 * (z0 * data[o + 1] + z1 * data[o + 3] + z2 * data[o + 5] + z3 * data[o + 7]);
      o = colOffset[cb + 3] * 2 + zoff;
      pr += y3 * (z0 * data[o] + z1 * data[o + 2] + z2 * data[o + 4] + z3 * data[o + 6]);
      pi += y3 * (z0 * data[o + 1] + z1 * data[o + 3] + z2 * data[o + 5] + z3 * data[o + 7]);
      const w = ax === 0 ? x0 : ax === 1 ? x1 : ax === 2 ? x2 : x3;
      fr += w * pr;
      fi += w * pi;
    }
    re[p] = fr;
    im[p] = sign * fi;
  }
}
