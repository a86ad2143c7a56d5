// Fewer 3D lookups per image: the complex amplitude F on the Ewald-sphere slice is smooth on the
// detector (band-limited by the particle radius: at most ≈ r_max·β ≈ 0.5 rad of phase per pixel for
// EF2 with the xpsi preset), so it is evaluated from the 3D grid only on every s-th pixel of every
// s-th row (s = 2: a quarter of the pixels) and interpolated in between along rows, then along
// columns, with the 12-point Lagrange rule for s = 2 (error ∝ ω¹² for ω ≤ 1 rad per coarse step:
// ≈ 1e-5) and the 16-point rule for s = 3. F is interpolated, not |F|² (twice the band-width);
// F(−q) = conj F(q) is applied per coarse point before interpolating. The coarse lattice extends
// half a stencil past every detector edge (10 pixels for s = 2) so edge pixels get centred stencils
// too; the grid must cover that lattice (`coarseLatticeQMax`). Coarse points whose stencils touch
// only beam-stop pixels are skipped.
import { pixelQ, type Detector, type DetectorSpec } from './geometry';
import { BrickedGrid } from './bricked';
import { SliceKernel } from './kernel';
import { sliceAmplitudesSpline, sliceIntensities, type AmplitudeGrid } from './grid';

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
  const half = points / 2,
    margin = half - 1;
  // Pixel u = s·j + r (0 < r < s) needs coarse j − (half − 1) … j + half, with s·j + 1 ≤ n − 1.
  const hi = Math.floor((n - 2) / stride) + half;
  const nc = hi + margin + 1;
  const np = nc * nc;
  const qx = new Float64Array(np),
    qy = new Float64Array(np),
    qz = new Float64Array(np);
  const skip = new Uint8Array(np);
  const c = (n - 1) / 2;
  // A coarse point feeds pixels within s·half − 1 px along u and v; skip it when all of those are in the beam stop.
  const reach = (stride * half - 1) * Math.SQRT2;
  let qMax = 0;
  for (let J = 0; J < nc; J++) {
    for (let I = 0; I < nc; I++) {
      const u = stride * (I - margin),
        v = stride * (J - margin);
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
export function coarseLatticeQMax(
  spec: DetectorSpec,
  stride: DetectorStride = 2,
  points = stencilPoints(stride),
): number {
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

/** |F(Rᵀq)|² on the whole detector from 3D lookups on every s-th pixel of every s-th row. */
export class DetectorInterpolator {
  private readonly lat: Lattice;
  /** Runs the lookups on a bricked grid (shared with it) and the detector fill (slice-kernel.wat). */
  private readonly kernel: SliceKernel;
  private readonly bricked?: BrickedGrid;
  /** Byte offset in kernel memory of the last batch's coarse amplitudes (f64 Re, Im; image k at k·nc²). */
  private coarseAt = 0;
  private batch = 0;
  /** Byte offsets in kernel memory of the fill's buffers. */
  private readonly at: { weights: number; stop: number; row: number; scale: number; out: number };
  /** The `scale` now in kernel memory (compared by identity; undefined: all 1). */
  private scale?: Float64Array;

  /** The column-layout grid, kept only when it is looked up (not bricked). */
  private readonly grid?: AmplitudeGrid;

  constructor(
    /** A grid, or one already bricked (e.g. attached in a worker thread: bricked.ts). */
    grid: AmplitudeGrid | BrickedGrid,
    readonly detector: Detector,
    readonly stride: DetectorStride = 2,
    /** Look up a bricked copy of a B-spline grid (faster; same numbers). false: the column layout. */
    bricks = true,
    /** Lagrange points per 1D interpolation (even; stride 2 always uses 12). */
    points = stencilPoints(stride),
  ) {
    const kind = grid instanceof BrickedGrid ? grid.kernelKind : grid.kernel;
    if (kind === 'bspline2') throw new Error('detector interpolation needs a cubic (Lagrange or B-spline) grid');
    if (stride !== 2 && stride !== 3) throw new Error(`detector stride ${String(stride)}: use 2 or 3`);
    if (stride === 2 && points !== 12) throw new Error('detector stride 2 uses 12-point interpolation');
    if (!(points > 0 && points % 2 === 0)) throw new Error(`${points}-point interpolation: use an even number`);
    this.lat = coarseLattice(detector.spec, stride, points);
    if (this.lat.qMax > grid.qMax * (1 + 1e-9)) {
      throw new Error(
        `detector interpolation reaches q = ${this.lat.qMax}, grid only ${grid.qMax} (use coarseLatticeQMax for the grid)`,
      );
    }
    if (grid instanceof BrickedGrid) this.bricked = grid;
    else if (bricks && grid.kernel === 'bspline3') this.bricked = new BrickedGrid(grid);
    else this.grid = grid;
    this.kernel = this.bricked?.kernel ?? new SliceKernel();
    // The fill's constant inputs: weights as f64x2 splats, and the beam stop.
    const w = lagrangeWeights(stride, points);
    const k = this.kernel,
      n = detector.spec.n;
    this.at = {
      weights: k.region('fill.weights', 16 * w.length),
      stop: k.region('fill.stop', n * n),
      row: k.region('fill.row', 16 * this.lat.nc * n),
      scale: k.region('fill.scale', 8 * n * n),
      out: k.region('fill.out', 8 * n * n),
    };
    const splats = k.f64(this.at.weights, 2 * w.length);
    w.forEach((v, i) => splats.fill(v, 2 * i, 2 * i + 2));
    k.u8(this.at.stop, n * n).set(detector.beamStop);
    k.f64(this.at.scale, n * n).fill(1);
  }

  /** |F|² per pixel into `out` (beam-stop pixels 0). */
  intensities(R: ArrayLike<number>, out: Float64Array): void {
    this.lookUp([R]);
    this.fill(0, out);
  }

  /**
   * The 3D lookups of a batch of images, done together (on a bricked grid that is what makes them
   * fast: bricked.ts); then `fill(k, …)` for each. A new batch replaces the last.
   */
  lookUp(Rs: readonly ArrayLike<number>[]): void {
    const { nc, qx, qy, qz, skip } = this.lat;
    const np = nc * nc;
    this.batch = Rs.length;
    if (this.bricked) {
      this.coarseAt = this.bricked.slice(qx, qy, qz, Rs, skip);
      return;
    }
    // The column layout (the reference): lookups in JavaScript, one image at a time.
    const re = new Float64Array(np),
      im = new Float64Array(np);
    this.coarseAt = this.kernel.region('coarse', 16 * Rs.length * np);
    const coarse = this.kernel.f64(this.coarseAt, 2 * Rs.length * np);
    const grid = this.grid!;
    Rs.forEach((R, k) => {
      if (grid.kernel === 'bspline3') sliceAmplitudesSpline(grid, qx, qy, qz, R, re, im, skip);
      else sliceIntensities(grid, qx, qy, qz, R, re, skip, im);
      for (let p = 0; p < np; p++) {
        coarse[2 * (k * np + p)] = re[p];
        coarse[2 * (k * np + p) + 1] = im[p];
      }
    });
  }

  /**
   * |F|² per pixel of image k of the last `lookUp` batch, times `scale[p]` (default 1; a new array
   * is copied in, the same one again is not), into `out` (beam-stop pixels 0): Lagrange
   * interpolation along u on every coarse row, then along v (slice-kernel.wat `fill`).
   */
  fill(k: number, out: Float64Array, scale?: Float64Array): void {
    if (!(k >= 0 && k < this.batch)) throw new Error(`image ${k} is not in the last batch of ${this.batch}`);
    const { nc, margin, points, stride } = this.lat;
    const kernel = this.kernel,
      n = this.detector.spec.n,
      at = this.at;
    if (scale !== this.scale) {
      const view = kernel.f64(at.scale, n * n);
      if (scale) view.set(scale);
      else view.fill(1);
      this.scale = scale;
    }
    kernel.fill(
      this.coarseAt + 16 * k * nc * nc,
      nc,
      n,
      stride,
      points,
      margin,
      at.weights,
      at.row,
      at.stop,
      at.scale,
      at.out,
    );
    out.set(kernel.f64(at.out, n * n));
  }
}
