// Fewer 3D lookups per image: the complex amplitude F on the Ewald-sphere slice is smooth on the
// detector (band-limited by the particle radius: at most ≈ r_max·β ≈ 0.5 rad of phase per pixel for
// EF2 with the xpsi preset), so it is evaluated from the 3D grid only on every second pixel of every
// second row (a quarter of the pixels) and interpolated in between along rows, then along columns,
// with the 12-point midpoint Lagrange rule (error ∝ ω¹² for ω ≤ 1 rad per coarse step: ≈ 1e-5).
// F is interpolated, not |F|² (twice the band-width); F(−q) = conj F(q) is applied per coarse
// point before interpolating. The coarse lattice extends 5 coarse points (10 pixels) past every
// detector edge so edge pixels get centred stencils too; the grid must cover that lattice
// (`coarseLatticeQMax`). Coarse points whose stencils touch only beam-stop pixels are skipped.
import { pixelQ, type Detector, type DetectorSpec } from './geometry';
import { brickGrid, sliceAmplitudesBricked, sliceAmplitudesSpline, sliceIntensities, type AmplitudeGrid, type BrickedGrid } from './grid';

// Midpoint weights of the 12-point Lagrange rule, outermost W0 to innermost W5 (exact: k / 2^21).
const W0 = -252 / 2097152, W1 = 3388 / 2097152, W2 = -21780 / 2097152, W3 = 91476 / 2097152, W4 = -304920 / 2097152, W5 = 1280664 / 2097152;
/** Coarse points beyond the detector on each side (half the 12-point stencil, minus the centre). */
const MARGIN = 5;

/** Detector stride 2 or 3 (3D lookups on every s-th pixel of every s-th row). */
export type DetectorStride = 2 | 3;

/** Lagrange points per 1D interpolation: 12 (stride 2), 16 (stride 3: ω ≤ 1.5 rad per coarse step). */
export function stencilPoints(stride: DetectorStride): number {
  return stride === 2 ? 12 : 16;
}

interface Lattice {
  stride: DetectorStride;
  /** Lagrange points per 1D interpolation (even) and coarse points beyond each detector edge. */
  points: number;
  margin: number;
  /** Coarse points per side; coarse index J ↔ pixel stride·(J − margin). */
  nc: number;
  qx: Float64Array;
  qy: Float64Array;
  qz: Float64Array;
  skip: Uint8Array;
  qMax: number;
}

function coarseLattice(spec: DetectorSpec, stride: DetectorStride = 2, points = stencilPoints(stride)): Lattice {
  const n = spec.n;
  const half = points / 2, margin = half - 1;
  // Pixel u = s·j + r (0 < r < s) needs coarse j − (half − 1) … j + half, with s·j + 1 ≤ n − 1.
  const hi = Math.floor((n - 2) / stride) + half;
  const nc = hi + margin + 1;
  const np = nc * nc;
  const qx = new Float64Array(np), qy = new Float64Array(np), qz = new Float64Array(np);
  const skip = new Uint8Array(np);
  const c = (n - 1) / 2;
  // A coarse point feeds pixels within s·half − 1 px along u and v; skip it when all of those are in the beam stop.
  const reach = (stride * half - 1) * Math.SQRT2;
  let qMax = 0;
  for (let J = 0; J < nc; J++) {
    for (let I = 0; I < nc; I++) {
      const u = stride * (I - margin), v = stride * (J - margin);
      const k = J * nc + I;
      const q = pixelQ(spec, u, v);
      qx[k] = q[0];
      qy[k] = q[1];
      qz[k] = q[2];
      qMax = Math.max(qMax, Math.hypot(q[0], q[1], q[2]));
      if (Math.hypot(u - c, v - c) + reach < spec.beamStopRadius) skip[k] = 1;
    }
  }
  return { stride, points, margin, nc, qx, qy, qz, skip, qMax };
}

/** The largest |q| the detector interpolation looks up: the grid must reach it. */
export function coarseLatticeQMax(spec: DetectorSpec, stride: DetectorStride = 2, points = stencilPoints(stride)): number {
  return coarseLattice(spec, stride, points).qMax;
}

/** Lagrange weights at x = r/s (r = 1 … s−1) for nodes −(half−1) … half: weights[(r − 1)·points + k]. */
function lagrangeWeights(stride: number, points: number): Float64Array {
  const half = points / 2;
  const w = new Float64Array((stride - 1) * points);
  for (let r = 1; r < stride; r++) {
    const x = r / stride;
    for (let k = 0; k < points; k++) {
      const xk = k - half + 1;
      let p = 1;
      for (let l = 0; l < points; l++) if (l !== k) p *= (x - (l - half + 1)) / (xk - (l - half + 1));
      w[(r - 1) * points + k] = p;
    }
  }
  return w;
}

/** Brick side of the bricked grid copy (grid.ts `brickGrid`). */
export const BRICK = 16;

/** |F(Rᵀq)|² on the whole detector from 3D lookups on every s-th pixel of every s-th row. */
export class DetectorInterpolator {
  private readonly lat: Lattice;
  private readonly cRe: Float64Array;
  private readonly cIm: Float64Array;
  /** Coarse rows interpolated to full resolution along u: nc rows × n. */
  private readonly rRe: Float64Array;
  private readonly rIm: Float64Array;
  private readonly weights: Float64Array;
  /** One interpolated detector row (generic fill). */
  private readonly tRe: Float64Array;
  private readonly tIm: Float64Array;
  private readonly bricked?: BrickedGrid;

  constructor(
    readonly grid: AmplitudeGrid,
    readonly detector: Detector,
    readonly stride: DetectorStride = 2,
    /** Look up a bricked copy of a B-spline grid (faster; same numbers). false: the column layout. */
    bricks = true,
    /** Lagrange points per 1D interpolation (even; stride 2 always uses 12). */
    points = stencilPoints(stride),
  ) {
    if (grid.kernel === 'bspline2') throw new Error('detector interpolation needs a cubic (Lagrange or B-spline) grid');
    if (stride !== 2 && stride !== 3) throw new Error(`detector stride ${String(stride)}: use 2 or 3`);
    if (stride === 2 && points !== 12) throw new Error('detector stride 2 uses 12-point interpolation');
    this.lat = coarseLattice(detector.spec, stride, points);
    if (this.lat.qMax > grid.qMax * (1 + 1e-9)) {
      throw new Error(`detector interpolation reaches q = ${this.lat.qMax}, grid only ${grid.qMax} (use coarseLatticeQMax for the grid)`);
    }
    const np = this.lat.nc * this.lat.nc;
    this.cRe = new Float64Array(np);
    this.cIm = new Float64Array(np);
    this.rRe = new Float64Array(this.lat.nc * detector.spec.n);
    this.rIm = new Float64Array(this.lat.nc * detector.spec.n);
    this.weights = lagrangeWeights(stride, this.lat.points);
    this.tRe = new Float64Array(detector.spec.n);
    this.tIm = new Float64Array(detector.spec.n);
    if (bricks && grid.kernel === 'bspline3') this.bricked = brickGrid(grid, BRICK);
  }

  /** |F|² per pixel into `out` (beam-stop pixels 0). */
  intensities(R: ArrayLike<number>, out: Float64Array): void {
    const { nc, qx, qy, qz, skip } = this.lat;
    const { cRe, cIm, rRe, rIm } = this;
    if (this.bricked) sliceAmplitudesBricked(this.bricked, qx, qy, qz, R, cRe, cIm, skip);
    else if (this.grid.kernel === 'bspline3') sliceAmplitudesSpline(this.grid, qx, qy, qz, R, cRe, cIm, skip);
    else sliceIntensities(this.grid, qx, qy, qz, R, cRe, skip, cIm);
    if (this.stride === 3) {
      this.fillGeneric(out);
      return;
    }
    const n = this.detector.spec.n;
    // Along u, every coarse row: even pixel u = coarse point u/2 + MARGIN; odd u = 2j+1 from coarse j−5 … j+6.
    for (let J = 0; J < nc; J++) {
      const cb = J * nc + MARGIN, rb = J * n;
      for (let u = 0; u < n; u += 2) {
        rRe[rb + u] = cRe[cb + (u >> 1)];
        rIm[rb + u] = cIm[cb + (u >> 1)];
      }
      for (let u = 1; u < n; u += 2) {
        const k = cb + ((u - 1) >> 1);
        rRe[rb + u] = W0 * (cRe[k - 5] + cRe[k + 6]) + W1 * (cRe[k - 4] + cRe[k + 5]) + W2 * (cRe[k - 3] + cRe[k + 4]) +
          W3 * (cRe[k - 2] + cRe[k + 3]) + W4 * (cRe[k - 1] + cRe[k + 2]) + W5 * (cRe[k] + cRe[k + 1]);
        rIm[rb + u] = W0 * (cIm[k - 5] + cIm[k + 6]) + W1 * (cIm[k - 4] + cIm[k + 5]) + W2 * (cIm[k - 3] + cIm[k + 4]) +
          W3 * (cIm[k - 2] + cIm[k + 3]) + W4 * (cIm[k - 1] + cIm[k + 2]) + W5 * (cIm[k] + cIm[k + 1]);
      }
    }
    const stop = this.detector.beamStop;
    for (let v = 0; v < n; v++) {
      const o = v * n;
      if ((v & 1) === 0) {
        const rb = ((v >> 1) + MARGIN) * n;
        for (let u = 0; u < n; u++) {
          const re = rRe[rb + u], im = rIm[rb + u];
          out[o + u] = stop[o + u] ? 0 : re * re + im * im;
        }
      } else {
        const r0 = (((v - 1) >> 1) + MARGIN) * n;
        const a0 = r0 - 5 * n, a1 = r0 - 4 * n, a2 = r0 - 3 * n, a3 = r0 - 2 * n, a4 = r0 - n, a5 = r0;
        const b5 = r0 + n, b4 = r0 + 2 * n, b3 = r0 + 3 * n, b2 = r0 + 4 * n, b1 = r0 + 5 * n, b0 = r0 + 6 * n;
        for (let u = 0; u < n; u++) {
          if (stop[o + u]) {
            out[o + u] = 0;
            continue;
          }
          const re = W0 * (rRe[a0 + u] + rRe[b0 + u]) + W1 * (rRe[a1 + u] + rRe[b1 + u]) + W2 * (rRe[a2 + u] + rRe[b2 + u]) +
            W3 * (rRe[a3 + u] + rRe[b3 + u]) + W4 * (rRe[a4 + u] + rRe[b4 + u]) + W5 * (rRe[a5 + u] + rRe[b5 + u]);
          const im = W0 * (rIm[a0 + u] + rIm[b0 + u]) + W1 * (rIm[a1 + u] + rIm[b1 + u]) + W2 * (rIm[a2 + u] + rIm[b2 + u]) +
            W3 * (rIm[a3 + u] + rIm[b3 + u]) + W4 * (rIm[a4 + u] + rIm[b4 + u]) + W5 * (rIm[a5 + u] + rIm[b5 + u]);
          out[o + u] = re * re + im * im;
        }
      }
    }
  }

  /** Any stride: N-point Lagrange along u on every coarse row, then along v. */
  private fillGeneric(out: Float64Array): void {
    const { nc, margin, points, stride } = this.lat;
    const { cRe, cIm, rRe, rIm, weights } = this;
    const n = this.detector.spec.n;
    const lo = margin - points / 2 + 1; // coarse index of the first node for j = 0
    for (let J = 0; J < nc; J++) {
      const cb = J * nc, rb = J * n;
      for (let u = 0; u < n; u++) {
        const j = (u / stride) | 0, r = u - stride * j;
        if (r === 0) {
          rRe[rb + u] = cRe[cb + j + margin];
          rIm[rb + u] = cIm[cb + j + margin];
          continue;
        }
        const w0 = (r - 1) * points, k0 = cb + j + lo;
        let re = 0, im = 0;
        for (let k = 0; k < points; k++) {
          re += weights[w0 + k] * cRe[k0 + k];
          im += weights[w0 + k] * cIm[k0 + k];
        }
        rRe[rb + u] = re;
        rIm[rb + u] = im;
      }
    }
    const stop = this.detector.beamStop;
    const { tRe, tIm } = this;
    for (let v = 0; v < n; v++) {
      const o = v * n;
      const j = (v / stride) | 0, r = v - stride * j;
      if (r === 0) {
        const rb = (j + margin) * n;
        for (let u = 0; u < n; u++) {
          const re = rRe[rb + u], im = rIm[rb + u];
          out[o + u] = stop[o + u] ? 0 : re * re + im * im;
        }
        continue;
      }
      tRe.fill(0);
      tIm.fill(0);
      const w0 = (r - 1) * points;
      for (let k = 0; k < points; k++) {
        const w = weights[w0 + k], rb = (j + lo + k) * n;
        for (let u = 0; u < n; u++) {
          tRe[u] += w * rRe[rb + u];
          tIm[u] += w * rIm[rb + u];
        }
      }
      for (let u = 0; u < n; u++) out[o + u] = stop[o + u] ? 0 : tRe[u] * tRe[u] + tIm[u] * tIm[u];
    }
  }
}
