// CLI: `pareto-nas dataset info|simulate|import|demo`.
import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { finiteNumber, integer, positiveInt } from '../cli-args';
import { defaultDatasetDir, ensureDefaultDataset } from './default';
import { datasetInfo, formatInfo } from './info';
import { importDataset, type ImportFormat } from './importers';
import {
  DEFAULT_SPLINE_OVERSAMPLE,
  fileConformation,
  PRESETS,
  simulateDataset,
  type Conformation,
  type Interpolation,
} from './xfel/simulate';

/** `--structure file.pdb[:chain][=class]`, one per class. */
function structureArg(value: string, previous: Conformation[] = []): Conformation[] {
  const m = /^(.+?)(?::([A-Za-z0-9]))?(?:=([\w.+-]+))?$/.exec(value);
  if (!m) throw new Error(`--structure ${value}: use FILE.pdb, FILE.pdb:CHAIN or FILE.pdb:CHAIN=CLASS`);
  return [...previous, fileConformation(m[1], m[2], m[3])];
}

function progressBar(): { update(phase: string, done: number, total: number, what: string): void; stop(): void } {
  let bar: SingleBar | undefined;
  let current = '';
  return {
    update(phase, done, total, what) {
      const key = `${phase}:${phase === 'grid' ? what : ''}`;
      if (key !== current) {
        bar?.stop();
        current = key;
        bar = new SingleBar(
          {
            format: `${phase === 'grid' ? `grid ${what}` : phase} [{bar}] {percentage}% {value}/{total} eta {eta_formatted}`,
            stream: process.stderr,
            hideCursor: true,
          },
          Presets.shades_classic,
        );
        bar.start(total, 0);
      }
      bar?.update(done);
    },
    stop() {
      bar?.stop();
    },
  };
}

/** The error of a command stopped by a signal: the CLI exits with 128 + the signal's number (130 for Ctrl-C). */
class Interrupted extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/**
 * An AbortSignal fired by Ctrl-C / SIGTERM while `run` is going, so writers clean up; the failure
 * it causes is rethrown as `Interrupted`.
 */
async function interruptible<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  let code = 0;
  const onSig = (sig: NodeJS.Signals) => {
    code = sig === 'SIGINT' ? 130 : 143;
    ac.abort();
  };
  process.once('SIGINT', onSig);
  process.once('SIGTERM', onSig);
  try {
    return await run(ac.signal);
  } catch (e) {
    if (code) throw new Interrupted((e as Error).message, code);
    throw e;
  } finally {
    process.off('SIGINT', onSig);
    process.off('SIGTERM', onSig);
  }
}

export function registerDataCommands(program: Command): void {
  const dataset = program
    .command('dataset')
    .description('dataset folders: inspect, simulate XFEL diffraction data, import images or arrays');

  dataset
    .command('info <dir>')
    .description('shape, classes, counts per split and class, value range (reads and checks every array)')
    .option('--json', 'print JSON')
    .action(async (dir: string, opts: { json?: boolean }) => {
      const info = await datasetInfo(dir);
      process.stdout.write(opts.json ? `${JSON.stringify(info, null, 2)}\n` : formatInfo(info));
    });

  dataset
    .command('simulate')
    .description(
      'simulate XFEL single-particle diffraction patterns: of the EF2 conformations 1n0u / 1n0vc, or of your own PDB structures',
    )
    .requiredOption('--out <dir>', 'dataset folder to create')
    .option('--preset <name>', `geometry preset (${Object.keys(PRESETS).join(', ')})`, 'xpsi')
    .option('--fluence <photons/µm²>', 'fluence per pulse, e.g. 1e14, 1e15, 1e16', finiteNumber, 1e14)
    .option('--count <n>', 'images in all (split evenly between the classes)', integer, 79384)
    .option('--size <px>', 'image size: 127, 128, or 64 / 32 / 16 (binned 128×128)', integer, 127)
    .option('--seed <n>', 'random seed (orientations, noise, split)', integer, 0)
    .option('--val-fraction <f>', 'validation fraction per class', finiteNumber, 0.2)
    .option(
      '--oversample <k>',
      `grid spacing = q per pixel / k (default ${DEFAULT_SPLINE_OVERSAMPLE} for spline, 2 for cubic / quadratic)`,
      finiteNumber,
    )
    .option(
      '--interp <kind>',
      'slice interpolation: spline (prefiltered B-spline grid, fast), cubic (Lagrange, previous default) or quadratic',
      'spline',
    )
    .option(
      '--detector-stride <k>',
      '2: look up F on every second pixel and row, interpolate the rest on the detector; 3: every third (16-point interpolation, larger grid); 1: every pixel (default 2, 1 for quadratic)',
      integer,
    )
    .option(
      '--structure <file[:chain][=class]>',
      'a class from a PDB file (ATOM records of the chain; repeat, at least twice; default: the built-in 1n0u and 1n0vc)',
      structureArg,
    )
    .option(
      '--workers <n>',
      `worker threads for the grids and the images (default: all ${availableParallelism()} cores); the output is identical for any number`,
      positiveInt,
    )
    .option('--no-grid-cache', 'do not read or write cached grids')
    .option('--force', 'replace --out if it exists')
    .action(
      async (o: {
        out: string;
        preset: string;
        fluence: number;
        count: number;
        size: number;
        seed: number;
        valFraction: number;
        oversample?: number;
        interp: string;
        detectorStride?: number;
        structure?: Conformation[];
        gridCache: boolean;
        force?: boolean;
        workers?: number;
      }) => {
        if (o.workers !== undefined && o.workers < 1) throw new Error(`--workers ${o.workers}: must be at least 1`);
        if (o.interp !== 'spline' && o.interp !== 'cubic' && o.interp !== 'quadratic')
          throw new Error(`--interp ${o.interp}: use spline, cubic or quadratic`);
        if (
          o.detectorStride !== undefined &&
          o.detectorStride !== 1 &&
          o.detectorStride !== 2 &&
          o.detectorStride !== 3
        )
          throw new Error(`--detector-stride ${o.detectorStride}: use 1, 2 or 3`);
        const bar = progressBar();
        try {
          const r = await interruptible((signal) =>
            simulateDataset({
              out: o.out,
              preset: o.preset,
              fluence: o.fluence,
              count: o.count,
              size: o.size,
              seed: o.seed,
              valFraction: o.valFraction,
              oversample: o.oversample,
              interpolation: o.interp as Interpolation,
              detectorStride: o.detectorStride as 1 | 2 | 3 | undefined,
              conformations: o.structure,
              cacheGrids: o.gridCache,
              overwrite: o.force,
              workers: o.workers,
              signal,
              onProgress: (phase, done, total, what) => bar.update(phase, done, total, what),
            }),
          );
          bar.stop();
          process.stdout.write(
            `wrote ${r.dir}: ${r.counts.train} train + ${r.counts.val} val images; ` +
              `mean expected photons per pattern ${r.meanPhotons.map((p) => p.toFixed(1)).join(' / ')}; ` +
              `${((r.counts.train + r.counts.val) / Math.max(r.imageSeconds, 1e-3)) | 0} images/s\n`,
          );
        } finally {
          bar.stop();
        }
      },
    );

  dataset
    .command('import <source>')
    .description(
      'import a folder of TIFF images (class in folder or file name, incl. the A4NN trainset/testset layout), an HDF5 file, or .npz/.npy arrays',
    )
    .requiredOption('--out <dir>', 'dataset folder to create')
    .option('--format <kind>', 'auto | folder | hdf5 | npz | npy', 'auto')
    .option('--images <name>', 'HDF5 dataset / .npz array holding the images')
    .option('--labels <name>', 'HDF5 dataset / .npz array holding the labels')
    .option('--labels-file <file>', 'labels .npy for an images .npy')
    .option('--classes <names>', 'comma-separated class names, in label order')
    .option('--class-pattern <regex>', 'folder import: regex whose first group, on the relative path, is the class')
    .option('--channels-last', 'arrays are [N, H, W, C]')
    .option('--val-fraction <f>', 'validation fraction per class (when the source has no split)', finiteNumber, 0.2)
    .option('--seed <n>', 'split seed', integer, 0)
    .option('--name <name>', 'dataset name')
    .option('--force', 'replace --out if it exists')
    .action(
      async (
        source: string,
        o: {
          out: string;
          format: string;
          images?: string;
          labels?: string;
          labelsFile?: string;
          classes?: string;
          classPattern?: string;
          channelsLast?: boolean;
          valFraction: number;
          seed: number;
          name?: string;
          force?: boolean;
        },
      ) => {
        const bar = progressBar();
        try {
          const dir = await importDataset(source, {
            out: o.out,
            format: o.format as ImportFormat,
            imagesKey: o.images,
            labelsKey: o.labels,
            labelsFile: o.labelsFile,
            classes: o.classes?.split(',').map((s) => s.trim()),
            classPattern: o.classPattern,
            channelsLast: o.channelsLast,
            valFraction: o.valFraction,
            seed: o.seed,
            name: o.name,
            overwrite: o.force,
            onProgress: (done, total) => bar.update('import', done, total, ''),
          });
          bar.stop();
          process.stdout.write(formatInfo(await datasetInfo(dir)));
        } finally {
          bar.stop();
        }
      },
    );

  dataset
    .command('demo')
    .description(`print the folder of the cached demo dataset, simulating it first if needed (${defaultDatasetDir()})`)
    .action(async () => {
      const bar = progressBar();
      try {
        const dir = await ensureDefaultDataset({
          onProgress: (phase, done, total, what) => bar.update(phase, done, total, what),
        });
        bar.stop();
        process.stdout.write(`${dir}\n`);
      } finally {
        bar.stop();
      }
    });
}
