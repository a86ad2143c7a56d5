// The arithmetic of the one-off F(q) grid (grid.ts describes what it holds): the column layout, the
// per-atom phase tables, and one column at a time. Each column (fixed q_x, q_y) depends only on
// the tables, so any thread can compute any column with the same operations in the same order:
// the grid is bit-identical whichever thread computed which column (grid-pool.ts).
//
// Per column: for each element, the atoms' terms exp(i Δq (ix x + iy y + iz z)) are summed along
// q_z with a complex recurrence (no trigonometry in the inner loop), four atoms per pass, then
// multiplied by the element's form factor f_e(|q|) exactly.
import type { CromerMann } from './formfactors';
import { formFactorTable } from './formfactors';
import type { Atoms } from './pdb';
import type { Kernel } from './grid';

/** Stored z index 0 is z = Z_MIN (the stencil of a query at z ≥ 0 reaches down to z = −1). */
export const Z_MIN = -2;
/** Largest distance from a query point to a tap of its 4×4×4 stencil, in voxels (2√3), plus slack. */
const STENCIL_REACH = 3.5;

/** Which columns of the (2m+1)² square exist, where each starts in the data, and how long it is. */
export interface GridLayout {
  m: number;
  /** 2m + 1: columns per row. */
  W: number;
  /** Per (x, y) column: offset (in complex values) of its z = −2 voxel in the data, or −1. */
  colOffset: Int32Array;
  /** Per column: number of stored z values (z = −2 … len − 3). */
  colLength: Int32Array;
  /** Complex values in all. */
  total: number;
  maxLength: number;
}

/** Columns of the ball |q| ≤ qMax plus the stencil's reach, Friedel half (z ≥ Z_MIN). */
export function gridLayout(dq: number, qMax: number): GridLayout {
  const R = qMax / dq + STENCIL_REACH;
  const m = Math.ceil(R);
  const W = 2 * m + 1;
  const colOffset = new Int32Array(W * W).fill(-1);
  const colLength = new Int32Array(W * W);
  let total = 0;
  let maxLength = 0;
  for (let ix = -m; ix <= m; ix++) {
    for (let iy = -m; iy <= m; iy++) {
      const r2 = R * R - ix * ix - iy * iy;
      if (r2 < 0) continue;
      const c = (ix + m) * W + (iy + m);
      colOffset[c] = total;
      colLength[c] = Math.ceil(Math.sqrt(r2)) - Z_MIN + 1;
      total += colLength[c];
      maxLength = Math.max(maxLength, colLength[c]);
    }
  }
  return { m, W, colOffset, colLength, total, maxLength };
}

/**
 * Per-atom phase factors, atoms ordered by element: exz[ix][j] = w_j exp(i Δq (ix x_j + Z_MIN z_j)),
 * ey[iy][j] = exp(i Δq iy y_j), d[j] = exp(i Δq z_j), with w_j the B-spline prefilter (1 for Lagrange).
 * Plain data (typed arrays, on shared memory when asked), so worker threads read the same tables.
 */
export interface PhaseTables {
  dq: number;
  atoms: number;
  /** Per element: its atoms are [groupStart[g], groupStart[g + 1]) in the tables. */
  groupStart: number[];
  formFactors: CromerMann[];
  exz: Float64Array;
  ey: Float64Array;
  dRe: Float64Array;
  dIm: Float64Array;
}

export function phaseTables(atoms: Atoms, dq: number, m: number, kernel: Kernel, shared = false): PhaseTables {
  const elements = [...new Set(atoms.element)].sort();
  const groups = elements.map((e) => atoms.element.flatMap((el, j) => (el === e ? [j] : [])));
  const order = groups.flat();
  const n = order.length;
  const W = 2 * m + 1;
  const f64 = (length: number) =>
    new Float64Array(shared ? new SharedArrayBuffer(length * 8) : new ArrayBuffer(length * 8));
  const t: PhaseTables = {
    dq,
    atoms: n,
    groupStart: [0],
    formFactors: elements.map(formFactorTable),
    exz: f64(W * n * 2),
    ey: f64(W * n * 2),
    dRe: f64(n),
    dIm: f64(n),
  };
  for (const g of groups) t.groupStart.push(t.groupStart.at(-1)! + g.length);
  const weight = prefilterWeight(kernel, dq);
  for (let jj = 0; jj < n; jj++) {
    const j = order[jj];
    const x = atoms.x[j],
      y = atoms.y[j],
      z = atoms.z[j];
    t.dRe[jj] = Math.cos(dq * z);
    t.dIm[jj] = Math.sin(dq * z);
    const w = weight(x, y, z);
    for (let i = -m; i <= m; i++) {
      const o = ((i + m) * n + jj) * 2;
      const px = dq * (i * x + Z_MIN * z);
      t.exz[o] = w * Math.cos(px);
      t.exz[o + 1] = w * Math.sin(px);
      const py = dq * i * y;
      t.ey[o] = Math.cos(py);
      t.ey[o + 1] = Math.sin(py);
    }
  }
  return t;
}

/** 1 / (B̂(Δq x) B̂(Δq y) B̂(Δq z)) with B̂(θ) = sinc(θ/2)^(order+1): the B-spline prefilter (grid.ts). */
function prefilterWeight(kernel: Kernel, dq: number): (x: number, y: number, z: number) => number {
  const power = kernel === 'bspline3' ? 4 : kernel === 'bspline2' ? 3 : 0;
  if (power === 0) return () => 1;
  const bhat = (t: number) => (t === 0 ? 1 : (Math.sin(t / 2) / (t / 2)) ** power);
  return (x, y, z) => 1 / (bhat(dq * x) * bhat(dq * y) * bhat(dq * z));
}

/** Per-thread work buffers, one column long: the element's sum and the column's F. */
export class ColumnScratch {
  readonly sRe: Float64Array;
  readonly sIm: Float64Array;
  readonly fRe: Float64Array;
  readonly fIm: Float64Array;
  constructor(length: number) {
    [this.sRe, this.sIm, this.fRe, this.fIm] = [0, 1, 2, 3].map(() => new Float64Array(length));
  }
}

/** Computes every column of row ix into `data` (interleaved re, im); returns the values written. */
export function computeRow(
  t: PhaseTables,
  layout: GridLayout,
  ix: number,
  s: ColumnScratch,
  data: Float32Array,
): number {
  const { m, W, colOffset, colLength } = layout;
  let written = 0;
  for (let iy = -m; iy <= m; iy++) {
    const c = (ix + m) * W + (iy + m);
    if (colOffset[c] < 0) continue;
    computeColumn(t, m, ix, iy, colLength[c], s);
    const o = colOffset[c] * 2;
    for (let z = 0; z < colLength[c]; z++) {
      data[o + 2 * z] = s.fRe[z];
      data[o + 2 * z + 1] = s.fIm[z];
    }
    written += colLength[c];
  }
  return written;
}

/** F along the column (ix, iy), z = Z_MIN … Z_MIN + len − 1, into s.fRe / s.fIm. */
function computeColumn(t: PhaseTables, m: number, ix: number, iy: number, len: number, s: ColumnScratch): void {
  s.fRe.fill(0, 0, len);
  s.fIm.fill(0, 0, len);
  const xo = (ix + m) * t.atoms * 2;
  const yo = (iy + m) * t.atoms * 2;
  for (let g = 0; g < t.formFactors.length; g++) {
    sumElement(t, t.groupStart[g], t.groupStart[g + 1], xo, yo, len, s);
    addFormFactor(t.formFactors[g], (ix * ix + iy * iy) * t.dq * t.dq, t.dq, len, s);
  }
}

/** s.sRe/s.sIm[z] = Σ_j exz[ix][j] ey[iy][j] d[j]^z over atoms j0 … j1 − 1 (one element). */
function sumElement(
  t: PhaseTables,
  j0: number,
  j1: number,
  xo: number,
  yo: number,
  len: number,
  s: ColumnScratch,
): void {
  const { exz, ey, dRe, dIm } = t;
  const { sRe, sIm } = s;
  sRe.fill(0, 0, len);
  sIm.fill(0, 0, len);
  let j = j0;
  // Four atoms at a time: one pass over the column buffers for four independent recurrences.
  for (; j + 4 <= j1; j += 4) {
    let v0r: number, v0i: number, v1r: number, v1i: number, v2r: number, v2i: number, v3r: number, v3i: number;
    {
      const ar = exz[xo + 2 * j],
        ai = exz[xo + 2 * j + 1],
        br = ey[yo + 2 * j],
        bi = ey[yo + 2 * j + 1];
      v0r = ar * br - ai * bi;
      v0i = ar * bi + ai * br;
    }
    {
      const ar = exz[xo + 2 * j + 2],
        ai = exz[xo + 2 * j + 3],
        br = ey[yo + 2 * j + 2],
        bi = ey[yo + 2 * j + 3];
      v1r = ar * br - ai * bi;
      v1i = ar * bi + ai * br;
    }
    {
      const ar = exz[xo + 2 * j + 4],
        ai = exz[xo + 2 * j + 5],
        br = ey[yo + 2 * j + 4],
        bi = ey[yo + 2 * j + 5];
      v2r = ar * br - ai * bi;
      v2i = ar * bi + ai * br;
    }
    {
      const ar = exz[xo + 2 * j + 6],
        ai = exz[xo + 2 * j + 7],
        br = ey[yo + 2 * j + 6],
        bi = ey[yo + 2 * j + 7];
      v3r = ar * br - ai * bi;
      v3i = ar * bi + ai * br;
    }
    const d0r = dRe[j],
      d0i = dIm[j],
      d1r = dRe[j + 1],
      d1i = dIm[j + 1];
    const d2r = dRe[j + 2],
      d2i = dIm[j + 2],
      d3r = dRe[j + 3],
      d3i = dIm[j + 3];
    for (let z = 0; z < len; z++) {
      sRe[z] += v0r + v1r + v2r + v3r;
      sIm[z] += v0i + v1i + v2i + v3i;
      let u = v0r * d0r - v0i * d0i;
      v0i = v0r * d0i + v0i * d0r;
      v0r = u;
      u = v1r * d1r - v1i * d1i;
      v1i = v1r * d1i + v1i * d1r;
      v1r = u;
      u = v2r * d2r - v2i * d2i;
      v2i = v2r * d2i + v2i * d2r;
      v2r = u;
      u = v3r * d3r - v3i * d3i;
      v3i = v3r * d3i + v3i * d3r;
      v3r = u;
    }
  }
  for (; j < j1; j++) {
    const ar = exz[xo + 2 * j],
      ai = exz[xo + 2 * j + 1];
    const br = ey[yo + 2 * j],
      bi = ey[yo + 2 * j + 1];
    let vr = ar * br - ai * bi;
    let vi = ar * bi + ai * br;
    const dr = dRe[j],
      di = dIm[j];
    for (let z = 0; z < len; z++) {
      sRe[z] += vr;
      sIm[z] += vi;
      const u = vr * dr - vi * di;
      vi = vr * di + vi * dr;
      vr = u;
    }
  }
}

/** s.f += f_e(|q|) · s.s along the column, |q|² = rxy2 + (iz Δq)². */
function addFormFactor(tb: CromerMann, rxy2: number, dq: number, len: number, s: ColumnScratch): void {
  for (let z = 0; z < len; z++) {
    const iz = z + Z_MIN;
    const s2 = (rxy2 + iz * iz * dq * dq) / (16 * Math.PI * Math.PI);
    const f =
      tb.c +
      tb.a[0] * Math.exp(-tb.b[0] * s2) +
      tb.a[1] * Math.exp(-tb.b[1] * s2) +
      tb.a[2] * Math.exp(-tb.b[2] * s2) +
      tb.a[3] * Math.exp(-tb.b[3] * s2);
    s.fRe[z] += f * s.sRe[z];
    s.fIm[z] += f * s.sIm[z];
  }
}
