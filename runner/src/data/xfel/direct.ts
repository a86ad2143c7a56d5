// Reference direct sum F(q) = Σ_j f_e(j)(|q|) exp(i q·r_j): slow (atoms × points), exact; used to
// check the grid and in tests.
import { formFactor } from './formfactors';
import type { Atoms } from './pdb';

/** |F(Rᵀ q)|² at the given points (intensity of the molecule rotated by R). */
export function directIntensity(atoms: Atoms, q: [number, number, number][], R?: ArrayLike<number>): Float64Array {
  const out = new Float64Array(q.length);
  const elements = [...new Set(atoms.element)];
  for (let p = 0; p < q.length; p++) {
    let [a, b, c] = q[p];
    if (R) [a, b, c] = [R[0] * a + R[3] * b + R[6] * c, R[1] * a + R[4] * b + R[7] * c, R[2] * a + R[5] * b + R[8] * c];
    const qn = Math.hypot(a, b, c);
    const f: Record<string, number> = {};
    for (const e of elements) f[e] = formFactor(e, qn);
    let re = 0,
      im = 0;
    for (let j = 0; j < atoms.x.length; j++) {
      const ph = a * atoms.x[j] + b * atoms.y[j] + c * atoms.z[j];
      const fj = f[atoms.element[j]];
      re += fj * Math.cos(ph);
      im += fj * Math.sin(ph);
    }
    out[p] = re * re + im * im;
  }
  return out;
}

/**
 * Orientation-averaged intensity ⟨|F(q)|²⟩ by the Debye formula Σ_ij f_i f_j sinc(q r_ij), from
 * pair-distance histograms per element pair (bin width `bin` Å; exact as bin → 0).
 */
export function debyeIntensity(atoms: Atoms, qs: number[], bin = 0.02): number[] {
  const elements = [...new Set(atoms.element)].sort();
  const idx = atoms.element.map((e) => elements.indexOf(e));
  const ne = elements.length;
  const n = atoms.x.length;
  let rmax = 0;
  for (let i = 0; i < n; i++) rmax = Math.max(rmax, Math.hypot(atoms.x[i], atoms.y[i], atoms.z[i]));
  const nb = Math.ceil((2 * rmax) / bin) + 2;
  const hist = Array.from({ length: ne * ne }, () => new Float64Array(nb));
  const selfCount = new Float64Array(ne);
  for (let i = 0; i < n; i++) {
    selfCount[idx[i]]++;
    for (let j = i + 1; j < n; j++) {
      const r = Math.hypot(atoms.x[i] - atoms.x[j], atoms.y[i] - atoms.y[j], atoms.z[i] - atoms.z[j]);
      const a = idx[i],
        b = idx[j];
      hist[a <= b ? a * ne + b : b * ne + a][Math.round(r / bin)] += 2;
    }
  }
  return qs.map((q) => {
    const f = elements.map((e) => formFactor(e, q));
    let sum = 0;
    for (let a = 0; a < ne; a++) {
      sum += selfCount[a] * f[a] * f[a];
      for (let b = a; b < ne; b++) {
        const h = hist[a * ne + b];
        let s = 0;
        for (let k = 1; k < nb; k++) {
          if (h[k] === 0) continue;
          const x = q * k * bin;
          s += h[k] * (x === 0 ? 1 : Math.sin(x) / x);
        }
        s += h[0];
        sum += f[a] * f[b] * s;
      }
    }
    return sum;
  });
}
