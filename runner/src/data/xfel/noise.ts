// Poisson photon noise on a pattern of expected counts. Two exact ways to draw the same
// distribution (independent Poisson counts per pixel):
//   dense:  one Poisson variate per pixel;
//   sparse: the total N ~ Poisson(Λ = Σ λ_p), then each of the N photons lands in pixel p with
//           probability λ_p / Λ (a Poisson process split into pixels is independent Poisson per
//           pixel). At the xpsi fluences a pattern has ≈ 80 / 800 / 8,000 photons on 15,000
//           pixels, so this draws 1 to 60 times fewer random numbers.
import type { Rng } from '../../rng';

/** Use the sparse draw while the expected total is below this fraction of the pixel count. */
const SPARSE_BELOW = 0.25;

/** Cumulative sums for the sparse draw, reused between calls (grown on demand). */
let cdf = new Float64Array(0);

/**
 * Poisson counts with means `expected` into `counts` (pixels with `stop` set get exactly 0).
 * Returns Σ expected (outside the beam stop).
 */
export function poissonPattern(expected: Float64Array, stop: Uint8Array, rng: Rng, counts: Float32Array): number {
  const n = expected.length;
  if (cdf.length < n) cdf = new Float64Array(n);
  let total = 0;
  for (let p = 0; p < n; p++) {
    if (stop[p] === 0) total += expected[p];
    cdf[p] = total;
  }
  if (total >= SPARSE_BELOW * n) {
    for (let p = 0; p < n; p++) counts[p] = stop[p] ? 0 : rng.poisson(expected[p]);
    return total;
  }
  counts.fill(0, 0, n);
  const photons = rng.poisson(total);
  for (let k = 0; k < photons; k++) {
    // The first pixel whose cumulative sum exceeds u (zero-width pixels, beam stop included, never match).
    const u = rng.random() * total;
    let lo = 0,
      hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    if (cdf[lo] > u) counts[lo]++;
    else k--; // u rounded up to the total: draw again
  }
  return total;
}
