// Detector geometry on the curved Ewald sphere (beam along +z, flat detector ⟂ z):
//   pixel (u, v), c = (n − 1)/2, X = (u − c)·α, Y = (v − c)·α, L = √(X² + Y² + 1),
//   q = k (X/L, Y/L, 1/L − 1), ΔΩ = α²/L³, with α = β/k the angular size of a pixel,
//   β the small-angle q per pixel and k = 2π/λ. Only α matters, not the distance or pixel size.

export type Polarisation = 'x' | 'y' | 'unpolarised' | 'none';

export interface DetectorSpec {
  /** Pixels per side. */
  n: number;
  /** Wavelength λ in Å. */
  wavelength: number;
  /** q per pixel at small angles, β, in Å⁻¹. */
  qPerPixel: number;
  /** Radius of the zeroed central beam stop, in pixels. */
  beamStopRadius: number;
  /** Beam polarisation: linear along x or y, unpolarised, or none (P = 1). */
  polarisation: Polarisation;
}

export interface Detector {
  spec: DetectorSpec;
  /** Scattering vectors per pixel (row-major, row = v = y, column = u = x), Å⁻¹. */
  qx: Float64Array;
  qy: Float64Array;
  qz: Float64Array;
  /** Solid angle × polarisation per pixel. */
  factor: Float64Array;
  /** 1 inside the beam stop. */
  beamStop: Uint8Array;
  /** Largest |q| on the detector. */
  qMax: number;
}

/** q (Å⁻¹) of pixel (u, v) of the detector, also for (u, v) outside it (same formula). */
export function pixelQ(spec: DetectorSpec, u: number, v: number): [number, number, number] {
  const k = (2 * Math.PI) / spec.wavelength;
  const alpha = spec.qPerPixel / k;
  const c = (spec.n - 1) / 2;
  const X = (u - c) * alpha;
  const Y = (v - c) * alpha;
  const L = Math.sqrt(X * X + Y * Y + 1);
  return [(k * X) / L, (k * Y) / L, k * (1 / L - 1)];
}

export function makeDetector(spec: DetectorSpec): Detector {
  const { n, wavelength, qPerPixel, beamStopRadius, polarisation } = spec;
  const k = (2 * Math.PI) / wavelength;
  const alpha = qPerPixel / k;
  const c = (n - 1) / 2;
  const np = n * n;
  const qx = new Float64Array(np),
    qy = new Float64Array(np),
    qz = new Float64Array(np);
  const factor = new Float64Array(np);
  const beamStop = new Uint8Array(np);
  let qMax = 0;
  for (let v = 0; v < n; v++) {
    for (let u = 0; u < n; u++) {
      const p = v * n + u;
      const X = (u - c) * alpha;
      const Y = (v - c) * alpha;
      const L = Math.sqrt(X * X + Y * Y + 1);
      qx[p] = (k * X) / L;
      qy[p] = (k * Y) / L;
      qz[p] = k * (1 / L - 1);
      const sx = X / L,
        sy = Y / L,
        cos2t = 1 / L;
      const P =
        polarisation === 'x'
          ? 1 - sx * sx
          : polarisation === 'y'
            ? 1 - sy * sy
            : polarisation === 'unpolarised'
              ? (1 + cos2t * cos2t) / 2
              : 1;
      factor[p] = ((alpha * alpha) / (L * L * L)) * P;
      beamStop[p] = (u - c) ** 2 + (v - c) ** 2 <= beamStopRadius * beamStopRadius ? 1 : 0;
      qMax = Math.max(qMax, Math.hypot(qx[p], qy[p], qz[p]));
    }
  }
  return { spec, qx, qy, qz, factor, beamStop, qMax };
}

/** Rotation matrix (row-major 3×3) of a unit quaternion (w, x, y, z). */
export function quaternionToMatrix(q: ArrayLike<number>): Float64Array {
  const [w, x, y, z] = [q[0], q[1], q[2], q[3]];
  return Float64Array.of(
    1 - 2 * (y * y + z * z),
    2 * (x * y - z * w),
    2 * (x * z + y * w),
    2 * (x * y + z * w),
    1 - 2 * (x * x + z * z),
    2 * (y * z - x * w),
    2 * (x * z - y * w),
    2 * (y * z + x * w),
    1 - 2 * (x * x + y * y),
  );
}

/**
 * ZYZ Euler angles in degrees (rot, tilt, psi) with R = Rz(psi)·Ry(tilt)·Rz(rot), the Xmipp
 * convention: rot ∈ (−180, 180], tilt ∈ [0, 180], psi ∈ (−180, 180].
 */
export function matrixToEulerZYZ(R: ArrayLike<number>): [number, number, number] {
  const deg = 180 / Math.PI;
  const tilt = Math.acos(Math.max(-1, Math.min(1, R[8])));
  if (Math.abs(Math.sin(tilt)) < 1e-9) {
    // Gimbal lock: only rot + psi (or psi − rot) is defined; put it all in psi.
    return [0, tilt * deg, Math.atan2(R[3], R[0]) * deg];
  }
  const psi = Math.atan2(R[5], R[2]);
  const rot = Math.atan2(R[7], -R[6]);
  return [rot * deg, tilt * deg, psi * deg];
}

/** Physical constants and the expected-photon scale J · r_e². */
export const CLASSICAL_ELECTRON_RADIUS = 2.8179403e-5; // Å
/** Fluence in photons/µm² → photons/Å². */
export const PER_UM2_TO_PER_A2 = 1e-8;
