// Seeded randomness (xoshiro128**, seeded through splitmix32): every random choice of a search and
// every simulated image is a function of a seed. Streams are derived from (seed, labels…) or
// `hashInts(seed, …)`, so a resumed search can recreate the generator of any generation, and every
// image has its own stream whatever order images are made in. Samplers: uniform doubles and
// integers, permutations, Poisson variates (Knuth below 30, Hörmann's PTRS above) and uniform
// rotations (Shoemake's unit quaternions). Never Math.random.

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function hashLabels(seed: number, labels: Array<string | number>): number {
  let h = (seed ^ 0x2545f491) >>> 0;
  for (const ch of labels.join('\u0000')) {
    h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  }
  return splitmix32(h)();
}

/** A 32-bit hash of a list of integers (derives independent per-item streams: new Rng(hashInts(seed, class, index))). */
export function hashInts(...values: number[]): number {
  let h = splitmix32(0x2545f491)();
  for (const v of values) h = splitmix32(h ^ (v >>> 0) ^ Math.floor(v / 4294967296))();
  return h;
}

export class Rng {
  // The four state words as separate numbers: measurably faster than a typed array in hot loops.
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** A generator for `seed`, optionally a named sub-stream, e.g. new Rng(7, 'generation', 3). */
  constructor(seed: number, ...labels: Array<string | number>) {
    const next = splitmix32(labels.length ? hashLabels(seed, labels) : seed);
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  /** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): number[] {
    return this.shuffle(Array.from({ length: n }, (_, i) => i));
  }

  /** Shuffles `a` in place (Fisher–Yates) and returns it. */
  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  }

  /** Poisson(lambda) variate, exact for every lambda ≥ 0. */
  poisson(lambda: number): number {
    if (!(lambda > 0)) return 0;
    if (lambda < 30) {
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = this.random();
      while (p > limit) {
        k++;
        p *= this.random();
      }
      return k;
    }
    return this.ptrs(lambda);
  }
  /** Hörmann (1993) transformed rejection with squeeze, as in NumPy's random_poisson_ptrs. */
  private ptrs(lam: number): number {
    const slam = Math.sqrt(lam);
    const loglam = Math.log(lam);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invalpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.random() - 0.5;
      const v = this.random();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + lam + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -lam + k * loglam - logGamma(k + 1))
        return k;
    }
  }
  /** Uniform random rotation as a unit quaternion (w, x, y, z), Shoemake 1992. */
  quaternion(): [number, number, number, number] {
    const u1 = this.random();
    const u2 = this.random();
    const u3 = this.random();
    const s1 = Math.sqrt(1 - u1);
    const s2 = Math.sqrt(u1);
    return [
      s1 * Math.sin(2 * Math.PI * u2),
      s1 * Math.cos(2 * Math.PI * u2),
      s2 * Math.sin(2 * Math.PI * u3),
      s2 * Math.cos(2 * Math.PI * u3),
    ];
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; relative error ~1e-15). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  x -= 1;
  let s = LANCZOS[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) s += LANCZOS[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(s);
}
