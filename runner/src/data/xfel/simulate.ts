// XFEL single-particle diffraction patterns of the EF2 conformations (README: XFEL simulator):
// per image a uniformly random orientation, the expected photon count per pixel
//   I = J · r_e² · P · ΔΩ · |F(Rᵀq)|²   (J in photons/Å², q on the curved Ewald sphere)
// sliced from the conformation's one-off F(q) grid, Poisson photon noise, a zeroed central beam
// stop, and optional binning by summing counts. Every image has its own random stream derived
// from (seed, class, index), so output depends only on the seed.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { cacheDir } from '../cache';
import type { SplitName } from '../format';
import { hashInts, Rng } from '../../rng';
import { valCount, DEFAULT_VAL_FRACTION } from '../split';
import { DatasetWriter } from '../writer';
import {
  CLASSICAL_ELECTRON_RADIUS,
  makeDetector,
  PER_UM2_TO_PER_A2,
  quaternionToMatrix,
  type Detector,
  type DetectorSpec,
} from './geometry';
import { BrickedGrid } from './bricked';
import { simulateChunk, type ChunkResult } from './sim-chunk';
import { SimPool } from './sim-pool';
import { coarseLatticeQMax, DetectorInterpolator, type DetectorStride } from './detector-interp';
import {
  computeAmplitudeGrid,
  decodeGrid,
  encodeGrid,
  sliceIntensities,
  sliceIntensitiesQuadratic,
  type AmplitudeGrid,
  type GridProgress,
  type Kernel,
} from './grid';
import { poissonPattern } from './noise';
import { IT1992 } from './formfactors';
import { centred, elementCounts, parsePdb, type Atoms } from './pdb';
import { builtinAtoms, STRUCTURE_SOURCES } from './structures';
import { STRUCTURE_DATA } from './structures-data';

/** Recorded in each dataset's provenance. 2: WebAssembly detector fill (another summation order), sparse Poisson draw. */
export const SIMULATOR_VERSION = 2;
/** Part of the grid cache key: bump when the grid's numbers change (not with SIMULATOR_VERSION). */
const GRID_VERSION = 1;

export interface Preset {
  wavelength: number;
  qPerPixel: number;
  pixels: number;
  beamStopRadius: number;
  polarisation: DetectorSpec['polarisation'];
  fluences: number[];
}

/** "xpsi": the geometry fitted to the published XPSI / A4NN images. */
export const PRESETS: Record<string, Preset> = {
  xpsi: {
    wavelength: 1.0,
    qPerPixel: 0.007,
    pixels: 127,
    beamStopRadius: 16,
    polarisation: 'x',
    fluences: [1e14, 1e15, 1e16],
  },
};

/**
 * 'cubic' / 'quadratic': Lagrange interpolation of F samples (needs Δq = β/2 for < 1e-3).
 * 'spline' (the default): cubic B-spline of a prefiltered grid (grid.ts `Kernel`): as accurate at
 * Δq = β/1.5 with a grid 2–3× smaller.
 */
/** Default grid oversampling for 'spline' (Δq = β/1.5): max relative error < 1e-3 with detector stride 2. */
export const DEFAULT_SPLINE_OVERSAMPLE = 1.5;

/** Default detector stride for 'spline' / 'cubic' (detector-interp.ts). */
export const DEFAULT_DETECTOR_STRIDE: DetectorStride = 2;

/** The q_max a grid needs for a detector and stride (the coarse lattice reaches past the detector). */
export function gridQMaxFor(spec: DetectorSpec, detectorQMax: number, stride: 1 | DetectorStride): number {
  return stride === 1 ? detectorQMax : Math.max(detectorQMax, coarseLatticeQMax(spec, stride));
}

export type Interpolation = 'cubic' | 'quadratic' | 'spline';

export function kernelFor(interpolation: Interpolation): Kernel {
  return interpolation === 'spline' ? 'bspline3' : 'lagrange';
}

export interface Conformation {
  name: string;
  atoms: Atoms;
  /** Identifies the structure in cache keys and provenance. */
  sourceId: string;
  provenance: Record<string, unknown>;
}

export function builtinConformations(): Conformation[] {
  return STRUCTURE_SOURCES.map((s) => {
    const atoms = builtinAtoms(s.name);
    return {
      name: s.name,
      atoms,
      sourceId: `builtin:${s.name}:${STRUCTURE_DATA[s.name].fileSha256}:${s.chain}`,
      provenance: {
        class: s.name,
        pdb: s.file,
        chain: s.chain,
        description: s.description,
        pdbSha256: STRUCTURE_DATA[s.name].fileSha256,
        atoms: atoms.x.length,
        elements: elementCounts(atoms),
      },
    };
  });
}

/**
 * A conformation from a PDB file: ATOM records of `chain` (all chains when omitted), hydrogens
 * dropped, centred. Class name `name`, else the file's base name plus the chain in lower case
 * (1n0v.pdb chain C → "1n0vc", as the built-in classes). Every element must have a form factor.
 */
export function fileConformation(file: string, chain?: string, name?: string): Conformation {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(
      `${file}: cannot read the structure (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      { cause: e },
    );
  }
  const atoms = centred(parsePdb(text, file, { chain }));
  const counts = elementCounts(atoms);
  const missing = Object.keys(counts).filter((el) => !(el in IT1992));
  if (missing.length) {
    throw new Error(
      `${file}: no X-ray form factor for ${missing.map((el) => `${el} (${counts[el]} atoms)`).join(', ')}; supported: ${Object.keys(IT1992).join(', ')}`,
    );
  }
  const className = name ?? `${basename(file).replace(/\.(pdb|ent)$/i, '')}${chain?.toLowerCase() ?? ''}`;
  const sha = createHash('sha256').update(text).digest('hex');
  return {
    name: className,
    atoms,
    sourceId: `file:${sha}:${chain ?? '*'}`,
    provenance: {
      class: className,
      pdb: basename(file),
      chain: chain ?? 'all',
      pdbSha256: sha,
      atoms: atoms.x.length,
      elements: counts,
    },
  };
}

/** Fine detector and binning for an output size: 127 or 128 as is, 128/k by k×k binning of 128. */
export function detectorFor(preset: Preset, size: number): { spec: DetectorSpec; bin: number } {
  const base: Omit<DetectorSpec, 'n'> = {
    wavelength: preset.wavelength,
    qPerPixel: preset.qPerPixel,
    beamStopRadius: preset.beamStopRadius,
    polarisation: preset.polarisation,
  };
  if (size === preset.pixels || size === 128) return { spec: { ...base, n: size }, bin: 1 };
  if (Number.isInteger(size) && size > 0 && size < 128 && 128 % size === 0)
    return { spec: { ...base, n: 128 }, bin: 128 / size };
  throw new Error(
    `--size ${size}: use ${preset.pixels}, 128, or 128/k (64, 32, 16) for k×k binning of a 128×128 detector`,
  );
}

function gridKey(c: Conformation, dq: number, qMax: number, kernel: Kernel): string {
  const k = kernel === 'lagrange' ? {} : { kernel }; // Lagrange keys unchanged: existing caches stay valid
  return createHash('sha256')
    .update(JSON.stringify({ v: GRID_VERSION, src: c.sourceId, dq, qMax, ff: 'it1992', ...k }))
    .digest('hex')
    .slice(0, 24);
}

/** The conformation's F grid, from the cache when there, else computed and cached. */
export async function loadOrComputeGrid(
  c: Conformation,
  dq: number,
  qMax: number,
  opts: {
    cache?: boolean;
    kernel?: Kernel;
    onProgress?: (p: GridProgress) => void;
    signal?: AbortSignal;
    workers?: number;
  } = {},
): Promise<{ grid: AmplitudeGrid; cached: boolean; seconds: number }> {
  const kernel = opts.kernel ?? 'lagrange';
  const dir = join(cacheDir(), 'xfel-grids');
  const file = join(dir, `${c.name}-${gridKey(c, dq, qMax, kernel)}.grid`);
  const useCache = opts.cache !== false;
  if (useCache && existsSync(file)) {
    try {
      const grid = decodeGrid(readFileSync(file), file);
      if (grid.kernel === kernel) return { grid, cached: true, seconds: 0 };
    } catch {
      // A damaged cache file is recomputed below.
    }
  }
  const t0 = Date.now();
  const grid = await computeAmplitudeGrid(c.atoms, {
    dq,
    qMax,
    kernel,
    onProgress: opts.onProgress,
    signal: opts.signal,
    workers: opts.workers,
  });
  const seconds = (Date.now() - t0) / 1000;
  if (useCache) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, encodeGrid(grid));
    renameSync(tmp, file);
  }
  return { grid, cached: false, seconds };
}

/** Part of the bricked-grid cache key: bump when bricked.ts's layout or encoding changes. */
const BRICKED_VERSION = 1;

/**
 * The conformation's B-spline grid bricked in shared memory (bricked.ts), from the cache when there
 * (keyed by structure, grid parameters, grid/brick layout and simulator version: a second run starts
 * at once, without reading, decoding or bricking the column grid), else bricked from
 * `loadOrComputeGrid` and cached.
 */
export async function loadOrBrickGrid(
  c: Conformation,
  dq: number,
  qMax: number,
  opts: { cache?: boolean; onProgress?: (p: GridProgress) => void; signal?: AbortSignal; workers?: number } = {},
): Promise<{ grid: BrickedGrid; cached: boolean; seconds: number }> {
  const key = createHash('sha256')
    .update(
      JSON.stringify({
        grid: gridKey(c, dq, qMax, 'bspline3'),
        bricked: BRICKED_VERSION,
        sim: SIMULATOR_VERSION,
        B: 16,
      }),
    )
    .digest('hex')
    .slice(0, 24);
  const dir = join(cacheDir(), 'xfel-grids');
  const file = join(dir, `${c.name}-${key}.bricked`);
  const useCache = opts.cache !== false;
  if (useCache && existsSync(file)) {
    try {
      return { grid: BrickedGrid.decode(readFileSync(file), file), cached: true, seconds: 0 };
    } catch {
      // A damaged cache file is rebuilt below.
    }
  }
  const { grid, seconds } = await loadOrComputeGrid(c, dq, qMax, { ...opts, kernel: 'bspline3' });
  const bricked = new BrickedGrid(grid);
  if (useCache) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, bricked.encode());
    renameSync(tmp, file);
  }
  return { grid: bricked, cached: false, seconds };
}

/** Draws patterns of one conformation. */
export class PatternSimulator {
  readonly expected: Float64Array;
  readonly interpolation: Interpolation;
  /** Expected photons per unit |F|², per pixel: fluence × r_e² × solid angle × polarisation. */
  private readonly pixelScale: Float64Array;
  private readonly interp?: DetectorInterpolator;
  /** Counts `prepare` calls: a batch is valid until the next one. */
  private batches = 0;
  /** The grid, kept only for slicing every pixel (with a detector stride the interpolator holds what it needs). */
  private readonly grid?: AmplitudeGrid;
  constructor(
    /** A grid, or a bricked one (attached in a worker thread: sim-worker.ts; detector stride 2 or 3 only). */
    grid: AmplitudeGrid | BrickedGrid,
    readonly detector: Detector,
    /** Fluence in photons/µm². */
    readonly fluence: number,
    /** Default: 'spline' on a B-spline grid, else 'cubic'. */
    interpolation?: Interpolation,
    /** 2 / 3: 3D lookups on every second / third pixel and row only, the rest interpolated on the detector (detector-interp.ts). */
    readonly detectorStride: 1 | DetectorStride = 1,
    /** Stride 2/3 on a B-spline grid: look up a bricked copy of the grid (default; same numbers, fewer cache misses). */
    bricks = true,
  ) {
    const kind = grid instanceof BrickedGrid ? grid.kernelKind : grid.kernel;
    this.interpolation = interpolation ?? (kind === 'bspline3' ? 'spline' : 'cubic');
    interpolation = this.interpolation;
    if (detector.qMax > grid.qMax * (1 + 1e-9))
      throw new Error(`detector reaches q = ${detector.qMax}, grid only ${grid.qMax}`);
    if (detectorStride !== 1) {
      if (interpolation === 'quadratic')
        throw new Error(`detector stride ${detectorStride} needs cubic or spline interpolation`);
      this.interp = new DetectorInterpolator(grid, detector, detectorStride, bricks);
    } else if (grid instanceof BrickedGrid) throw new Error('a bricked grid needs detector stride 2 or 3');
    else this.grid = grid;
    if ((interpolation === 'spline') !== (kind !== 'lagrange')) {
      throw new Error(`interpolation '${interpolation}' does not fit a '${kind}' grid`);
    }
    this.expected = new Float64Array(detector.qx.length);
    const scale = fluence * PER_UM2_TO_PER_A2 * CLASSICAL_ELECTRON_RADIUS ** 2;
    this.pixelScale = detector.factor.map((f) => scale * f);
  }

  /** Expected photons per pixel for rotation R (beam stop 0), into this.expected. */
  expectedPhotons(R: ArrayLike<number>): Float64Array {
    if (this.interp) {
      this.batches++; // replaces a prepared batch's lookups
      this.interp.lookUp([R]);
      this.interp.fill(0, this.expected, this.pixelScale);
      return this.expected;
    }
    const d = this.detector;
    const slice = this.interpolation === 'quadratic' ? sliceIntensitiesQuadratic : sliceIntensities;
    return this.scaled((out) => slice(this.grid!, d.qx, d.qy, d.qz, R, out, d.beamStop));
  }

  /** |F|² from `intensities`, times `pixelScale`. */
  private scaled(intensities: (out: Float64Array) => void): Float64Array {
    const e = this.expected,
      scale = this.pixelScale;
    intensities(e);
    for (let p = 0; p < e.length; p++) e[p] *= scale[p];
    return e;
  }

  /** One noisy pattern: a random orientation from `rng`, Poisson counts, beam stop zeroed. */
  sample(rng: Rng, counts: Float32Array): PatternInfo {
    return this.prepare([rng]).sample(0, counts);
  }

  /**
   * Many patterns: draws each image's orientation from its own stream and does the 3D lookups of
   * all of them together (several times faster per image than one at a time on a bricked grid:
   * bricked.ts). Then `sample(k, …)` per image, in any order, until the next `prepare` or
   * `expectedPhotons` on this simulator. Each image's output equals `sample(rngs[k], …)`.
   */
  prepare(rngs: readonly Rng[]): PreparedPatterns {
    const quaternions = rngs.map((r) => r.quaternion());
    const Rs = quaternions.map(quaternionToMatrix);
    this.interp?.lookUp(Rs);
    const batch = ++this.batches;
    return {
      size: rngs.length,
      sample: (k, counts) => {
        if (batch !== this.batches)
          throw new Error('this batch was replaced by a later prepare() or expectedPhotons() on the same simulator');
        const e = this.expected;
        if (this.interp) this.interp.fill(k, e, this.pixelScale);
        else this.expectedPhotons(Rs[k]);
        const expectedTotal = poissonPattern(e, this.detector.beamStop, rngs[k], counts);
        return { quaternion: quaternions[k], R: Rs[k], expectedTotal };
      },
    };
  }
}

export interface PatternInfo {
  quaternion: [number, number, number, number];
  R: Float64Array;
  /** Expected photons in the pattern (before noise). */
  expectedTotal: number;
}

/** A batch of images whose 3D lookups are done (`PatternSimulator.prepare`). */
export interface PreparedPatterns {
  size: number;
  /** Image k of the batch: expected photons, then Poisson noise from its stream, into `counts`. */
  sample(k: number, counts: Float32Array): PatternInfo;
}

/** Sums bin×bin blocks of an n×n image. */
export function binImage(src: ArrayLike<number>, n: number, bin: number, out: Float32Array): Float32Array {
  const m = n / bin;
  out.fill(0);
  for (let v = 0; v < n; v++) {
    const ro = Math.floor(v / bin) * m;
    for (let u = 0; u < n; u++) out[ro + Math.floor(u / bin)] += src[v * n + u];
  }
  return out;
}

/** Images per chunk of the output order (sim-chunk.ts): ≈ 256 per class share their 3D lookups (`PatternSimulator.prepare`). */
const CHUNK = 512;

export interface SimulateOptions {
  out: string;
  preset?: string;
  /** photons/µm² per pulse */
  fluence: number;
  count: number;
  size: number;
  seed: number;
  valFraction?: number;
  /** Grid spacing is qPerPixel / oversample (default 1.5 for 'spline', 2 for the Lagrange ones). */
  oversample?: number;
  /** Default 'spline'. */
  interpolation?: Interpolation;
  /** Default DEFAULT_DETECTOR_STRIDE (1 for 'quadratic'): see PatternSimulator. */
  detectorStride?: 1 | DetectorStride;
  conformations?: Conformation[];
  name?: string;
  overwrite?: boolean;
  cacheGrids?: boolean;
  /** Worker threads for the grids and the images (default: all cores); the output is the same for any number. */
  workers?: number;
  signal?: AbortSignal;
  onProgress?: (phase: 'grid' | 'images', done: number, total: number, what: string) => void;
}

export interface SimulateResult {
  dir: string;
  counts: Record<SplitName, number>;
  gridSeconds: number[];
  imageSeconds: number;
  /** CPU seconds of the whole process (all worker threads) while the images were made. */
  imageCpuSeconds: number;
  meanPhotons: number[];
}

export async function simulateDataset(o: SimulateOptions): Promise<SimulateResult> {
  const settings = resolveSettings(o);
  const { presetName, spec, bin, confs } = settings;
  const splits = classSplits(confs.length, o.count, settings.valFraction);
  const outN = spec.n / bin;
  const writer = DatasetWriter.create(
    o.out,
    {
      name: o.name ?? `xfel-${presetName}-${o.fluence.toExponential(0).replace('+', '')}-${outN}px`,
      shape: [1, outN, outN],
      classes: confs.map((c) => c.name),
      dtype: 'auto', // photon counts: uint8, or uint16 where a pixel gets more than 255
      counts: splits.counts,
      metadata: { orientations: [4], euler: [3] },
    },
    { overwrite: o.overwrite },
  );
  try {
    // The fast path (B-spline grid, detector stride 2/3) bricks each grid in shared memory, which
    // worker threads look up in place; the other settings run in this thread only.
    const brickable = settings.interpolation === 'spline' && settings.detectorStride !== 1;
    const threads = Math.max(1, Math.floor(o.workers ?? availableParallelism()));
    const workers = brickable ? threads : 1;
    const grids = await prepareGrids(o, settings, brickable, threads, workers === 1);
    const chunks = chunkOrder(splits, o.seed);
    const pool =
      workers > 1
        ? new SimPool(workers, {
            grids: grids.bricked.map((b) => b.shared()),
            detector: spec,
            fluence: o.fluence,
            interpolation: settings.interpolation,
            detectorStride: settings.detectorStride as DetectorStride,
            seed: o.seed,
            bin,
          })
        : undefined;
    const compute = chunkComputer(pool, grids.sims, o.seed, spec.n, bin);
    await pool?.ready;
    const t0 = Date.now();
    const cpu0 = process.cpuUsage();
    let meanPhotons: number[];
    try {
      meanPhotons = await writeChunksInOrder(
        chunks,
        compute,
        writer,
        { classes: confs.length, pixels: outN * outN, ahead: 2 * workers, total: o.count },
        o,
      );
    } finally {
      await pool?.close();
    }
    const imageSeconds = (Date.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const imageCpuSeconds = (cpu.user + cpu.system) / 1e6;
    writer.finish(provenance(o, settings, meanPhotons));
    return {
      dir: writer.outDir,
      counts: splits.counts,
      gridSeconds: grids.seconds,
      imageSeconds,
      imageCpuSeconds,
      meanPhotons,
    };
  } catch (e) {
    writer.abort();
    throw e;
  }
}

/** The simulation's settings with their defaults, each option checked (a clear message naming the flag). */
function resolveSettings(o: SimulateOptions) {
  const presetName = o.preset ?? 'xpsi';
  const preset = PRESETS[presetName];
  if (!preset) throw new Error(`unknown preset '${presetName}' (have: ${Object.keys(PRESETS).join(', ')})`);
  if (!(o.fluence > 0)) throw new Error(`--fluence ${o.fluence}: must be a positive number of photons/µm²`);
  if (!Number.isInteger(o.count) || o.count < 2) throw new Error(`--count ${o.count}: must be an integer ≥ 2`);
  if (!Number.isInteger(o.seed) || o.seed < 0) throw new Error(`--seed ${o.seed}: must be a non-negative integer`);
  const valFraction = o.valFraction ?? DEFAULT_VAL_FRACTION;
  const interpolation = o.interpolation ?? 'spline';
  const oversample = o.oversample ?? (interpolation === 'spline' ? DEFAULT_SPLINE_OVERSAMPLE : 2);
  const detectorStride = o.detectorStride ?? (interpolation === 'quadratic' ? 1 : DEFAULT_DETECTOR_STRIDE);
  if (detectorStride !== 1 && detectorStride !== 2 && detectorStride !== 3)
    throw new Error(`--detector-stride ${String(detectorStride)}: use 1, 2 or 3`);
  const { spec, bin } = detectorFor(preset, o.size);
  const detector = makeDetector(spec);
  const gridQMax = gridQMaxFor(spec, detector.qMax, detectorStride);
  const confs = o.conformations ?? builtinConformations();
  if (confs.length < 2) throw new Error(`a classification dataset needs at least two structures (got ${confs.length})`);
  const dup = confs.find((c, i) => confs.findIndex((d) => d.name === c.name) !== i);
  if (dup) throw new Error(`two structures are both called '${dup.name}': give each a class name (file:chain=class)`);
  const dq = preset.qPerPixel / oversample;
  return {
    presetName,
    preset,
    valFraction,
    interpolation,
    oversample,
    detectorStride,
    spec,
    bin,
    detector,
    gridQMax,
    confs,
    dq,
  };
}
type SimSettings = ReturnType<typeof resolveSettings>;

interface ClassSplits {
  /** Images of each class, and how many of them are validation. */
  perClass: number[];
  valPer: number[];
  counts: Record<SplitName, number>;
}

/** Class-balanced counts: each class gets count / classes images (the first ones one more), valFraction of them validation. */
function classSplits(classes: number, count: number, valFraction: number): ClassSplits {
  const perClass = Array.from(
    { length: classes },
    (_, c) => Math.floor(count / classes) + (c < count % classes ? 1 : 0),
  );
  const valPer = perClass.map((n) => valCount(n, valFraction));
  const counts = {
    train: perClass.reduce((s, n, c) => s + n - valPer[c], 0),
    val: valPer.reduce((a, b) => a + b, 0),
  };
  return { perClass, valPer, counts };
}

/** Each structure's amplitude grid (cached, bricked on the fast path); in-thread simulators when no pool runs. */
async function prepareGrids(
  o: SimulateOptions,
  st: SimSettings,
  brickable: boolean,
  threads: number,
  inThread: boolean,
) {
  const sims: PatternSimulator[] = [];
  const bricked: BrickedGrid[] = [];
  const seconds: number[] = [];
  for (const c of st.confs) {
    const gridOpts = {
      cache: o.cacheGrids,
      signal: o.signal,
      workers: threads,
      onProgress: (p: GridProgress) => o.onProgress?.('grid', p.done, p.total, c.name),
    };
    const { grid: source, seconds: s } = brickable
      ? await loadOrBrickGrid(c, st.dq, st.gridQMax, gridOpts)
      : await loadOrComputeGrid(c, st.dq, st.gridQMax, { ...gridOpts, kernel: kernelFor(st.interpolation) });
    seconds.push(s);
    if (source instanceof BrickedGrid) bricked.push(source);
    if (inThread) sims.push(new PatternSimulator(source, st.detector, o.fluence, st.interpolation, st.detectorStride));
  }
  return { sims, bricked, seconds };
}

interface Chunk {
  split: SplitName;
  /** (class, index within class) pairs, flattened. */
  items: Int32Array;
}

/**
 * Which (class, index) goes where: the first valPer[c] images of each class are validation; each
 * split is then shuffled so classes interleave, and cut into chunks (sim-chunk.ts).
 */
function chunkOrder({ perClass, valPer }: ClassSplits, seed: number): Chunk[] {
  const order = (split: SplitName) => {
    const items: [number, number][] = [];
    perClass.forEach((n, c) => {
      const [from, to] = split === 'val' ? [0, valPer[c]] : [valPer[c], n];
      for (let i = from; i < to; i++) items.push([c, i]);
    });
    return new Rng(hashInts(seed, split === 'val' ? 1 : 2, 0x5117)).shuffle(items);
  };
  const chunks: Chunk[] = [];
  for (const split of ['train', 'val'] as SplitName[]) {
    const items = order(split);
    for (let from = 0; from < items.length; from += CHUNK)
      chunks.push({ split, items: Int32Array.from(items.slice(from, from + CHUNK).flat()) });
  }
  return chunks;
}

/** Computes a chunk on the worker pool, or in this thread (yielding to the event loop first) without one. */
function chunkComputer(pool: SimPool | undefined, sims: PatternSimulator[], seed: number, n: number, bin: number) {
  return (items: Int32Array): Promise<ChunkResult> => {
    const p: Promise<ChunkResult> = pool
      ? pool.run(items)
      : new Promise((resolve, reject) =>
          setImmediate(() => {
            try {
              resolve(simulateChunk(sims, items, seed, n, bin));
            } catch (e) {
              reject(e);
            }
          }),
        );
    p.catch(() => undefined); // a chunk still running when another fails is not awaited
    return p;
  };
}

/**
 * Runs chunks at most `ahead` in front of the writer (bounded memory) and writes them in order;
 * returns the mean expected photons per class.
 */
async function writeChunksInOrder(
  chunks: Chunk[],
  compute: (items: Int32Array) => Promise<ChunkResult>,
  writer: DatasetWriter,
  { classes, pixels, ahead, total }: { classes: number; pixels: number; ahead: number; total: number },
  o: Pick<SimulateOptions, 'signal' | 'onProgress'>,
): Promise<number[]> {
  const photonSum = new Array<number>(classes).fill(0);
  const photonN = new Array<number>(classes).fill(0);
  let done = 0;
  const running: Promise<ChunkResult>[] = [];
  for (let next = 0; next < Math.min(ahead, chunks.length); next++) running.push(compute(chunks[next].items));
  for (let ci = 0; ci < chunks.length; ci++) {
    const r = await running.shift()!;
    if (ci + ahead < chunks.length) running.push(compute(chunks[ci + ahead].items));
    if (o.signal?.aborted) throw new Error('simulation interrupted; nothing was kept');
    const { split, items } = chunks[ci];
    for (let j = 0; j < items.length / 2; j++) {
      const c = items[2 * j];
      photonSum[c] += r.expectedTotals[j];
      photonN[c]++;
      writer.add(split, r.images.subarray(j * pixels, (j + 1) * pixels), c, {
        orientations: r.quaternions.subarray(4 * j, 4 * j + 4),
        euler: r.euler.subarray(3 * j, 3 * j + 3),
      });
    }
    done += items.length / 2;
    o.onProgress?.('images', done, total, split);
  }
  o.onProgress?.('images', done, total, 'done');
  return photonSum.map((s, c) => s / Math.max(1, photonN[c]));
}

/** What dataset.json records about how the patterns were made. */
function provenance(o: SimulateOptions, st: SimSettings, meanPhotons: number[]) {
  const { spec } = st;
  return {
    source: 'pareto-nas XFEL simulator',
    simulatorVersion: SIMULATOR_VERSION,
    preset: st.presetName,
    wavelengthA: spec.wavelength,
    qPerPixel: spec.qPerPixel,
    detectorPixels: spec.n,
    binning: st.bin,
    beamStopRadiusPx: spec.beamStopRadius,
    polarisation: spec.polarisation,
    fluencePhotonsPerUm2: o.fluence,
    noise: 'poisson',
    orientations: 'uniform SO(3) (unit quaternions, Shoemake 1992)',
    seed: o.seed,
    valFraction: st.valFraction,
    grid: {
      dq: st.dq,
      oversample: st.oversample,
      interpolation: st.interpolation,
      detectorStride: st.detectorStride,
      formFactors: 'IT1992 Cromer-Mann',
    },
    structures: st.confs.map((c) => c.provenance),
    meanExpectedPhotons: Object.fromEntries(st.confs.map((c, i) => [c.name, Number(meanPhotons[i].toPrecision(5))])),
    metadata: {
      orientations: 'unit quaternion (w, x, y, z) rotating the molecule: F(q) of R·r',
      euler: 'ZYZ Euler angles (rot, tilt, psi) in degrees, R = Rz(psi)·Ry(tilt)·Rz(rot)',
    },
  };
}
