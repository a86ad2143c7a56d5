// Atomic X-ray form factors, Cromer–Mann 4-Gaussian fits of International Tables Vol. C (1992),
// Table 6.1.1.4 (values as in cctbx/eltbx/xray_scattering/it1992.cpp):
//   f(s) = Σ a_i exp(−b_i s²) + c,  s = sin θ / λ = |q| / 4π.

export interface CromerMann {
  a: [number, number, number, number];
  b: [number, number, number, number];
  c: number;
}

export const IT1992: Record<string, CromerMann> = {
  H: { a: [0.493002, 0.322912, 0.140191, 0.04081], b: [10.5109, 26.1257, 3.14236, 57.7997], c: 0.003038 },
  C: { a: [2.31, 1.02, 1.5886, 0.865], b: [20.8439, 10.2075, 0.5687, 51.6512], c: 0.2156 },
  N: { a: [12.2126, 3.1322, 2.0125, 1.1663], b: [0.0057, 9.8933, 28.9975, 0.5826], c: -11.529 },
  O: { a: [3.0485, 2.2868, 1.5463, 0.867], b: [13.2771, 5.7011, 0.3239, 32.9089], c: 0.2508 },
  // Phosphorus: the backbone of nucleic acids (ribosomes, DNA complexes in user structures).
  P: { a: [6.4345, 4.1791, 1.78, 1.4908], b: [1.9067, 27.157, 0.526, 68.1645], c: 1.1149 },
  S: { a: [6.9053, 5.2034, 1.4379, 1.5863], b: [1.4679, 22.2151, 0.2536, 56.172], c: 0.8669 },
};

/** Atomic number of the supported elements (f(0) ≈ Z). */
export const ATOMIC_NUMBER: Record<string, number> = { H: 1, C: 6, N: 7, O: 8, P: 15, S: 16 };

export function formFactorTable(element: string): CromerMann {
  const t = IT1992[element];
  if (!t) throw new Error(`no form factor for element '${element}' (supported: ${Object.keys(IT1992).join(', ')})`);
  return t;
}

/** f_e(|q|) in electrons, q in Å⁻¹. */
export function formFactor(element: string, q: number): number {
  const t = formFactorTable(element);
  const s2 = (q / (4 * Math.PI)) ** 2;
  return (
    t.c +
    t.a[0] * Math.exp(-t.b[0] * s2) +
    t.a[1] * Math.exp(-t.b[1] * s2) +
    t.a[2] * Math.exp(-t.b[2] * s2) +
    t.a[3] * Math.exp(-t.b[3] * s2)
  );
}
