// CLI: `pareto-nas case-study [--fluence F] [--count N] [--size S] [--epochs E] [--refine-epochs R]
// [--search POP,GENS] [--out DIR]`, a runner command so it runs the same locally, over SSH and in a Slurm job.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { runCaseStudy } from './case-study';
import { PAPER_SETTINGS } from './paper';

interface CaseStudyCliOptions {
  out: string;
  fluence: number;
  count: number;
  size: number;
  seed: number;
  oversample?: number;
  epochs: number;
  refineEpochs: number;
  search?: { population: number; generations: number };
  batchSize?: number;
  engine?: 'auto' | 'torch' | 'tfjs';
  python?: string;
  workers?: number;
}

export function registerCaseStudyCommand(program: Command): void {
  program
    .command('case-study')
    .description(
      "the paper's case study: simulate the XFEL data, train and refine networks 740, 729, 736, Table I beside the paper's (resumable)",
    )
    .option(
      '--out <dir>',
      'folder for the dataset, the runs and the tables; the same command again continues there',
      'case-study',
    )
    .option(
      '--fluence <photons/µm²>',
      'fluence of the simulated patterns (A4NN: 1e14, 1e15, 1e16)',
      positive,
      PAPER_SETTINGS.fluence,
    )
    .option('--count <n>', 'patterns in all, split 80/20 per class', positiveInt, PAPER_SETTINGS.count)
    .option('--size <px>', 'image size: 127 (the paper), 128, or 64 / 32 / 16', positiveInt, PAPER_SETTINGS.size)
    .option('--seed <n>', 'simulation seed', nonNegativeInt, 0)
    .option(
      '--oversample <k>',
      "simulator grid spacing q-per-pixel / k (default the simulator's; 0.5 is quick for small binned images)",
      positive,
    )
    .option(
      '--epochs <n>',
      'training epochs of the networks and of search candidates (paper: 15)',
      positiveInt,
      PAPER_SETTINGS.epochs,
    )
    .option('--refine-epochs <n>', 'refinement epochs (paper: 500)', positiveInt, PAPER_SETTINGS.refineEpochs)
    .option(
      '--search <pop,gens>',
      'also run a search of this population and generations (paper: 25,30); its Pareto plot goes into the report',
      popGens,
    )
    .option('--batch-size <n>', 'mini-batch size (default 128)', positiveInt)
    .addOption(new Option('--engine <name>', 'training engine').choices(['auto', 'torch', 'tfjs']))
    .option('--python <path>', 'Python with PyTorch')
    .option('--workers <n>', 'trainings in parallel (default: one per GPU, else per core)', positiveInt)
    .action(async (o: CaseStudyCliOptions) => {
      const controller = new AbortController();
      const cancel = () => controller.abort();
      process.once('SIGINT', cancel);
      process.once('SIGTERM', cancel);
      try {
        const result = await runCaseStudy({
          ...o,
          valFraction: PAPER_SETTINGS.valFraction,
          engine: { ...(o.engine && { name: o.engine }), ...(o.python && { python: o.python }) },
          signal: controller.signal,
          log: (line) => process.stderr.write(`${line.startsWith(' ') ? '' : '\n== '}${line}\n`),
          onSimulateProgress: simulateLogger(),
        });
        console.log(result.text);
        console.log(`Table I  ${result.markdown}`);
        console.log(`JSON     ${result.json}`);
        if (!result.completed) process.exitCode = 130;
      } finally {
        process.off('SIGINT', cancel);
        process.off('SIGTERM', cancel);
      }
    });
}

/** One line per tenth of the images, and per grid when it starts and ends (a Slurm log stays readable). */
function simulateLogger() {
  let last = '';
  return (phase: 'grid' | 'images', done: number, total: number, what: string) => {
    const tenth = Math.floor((10 * done) / Math.max(1, total));
    if (phase === 'grid' && tenth !== 0 && tenth !== 10) return;
    const line = `   ${phase === 'grid' ? `grid ${what}` : 'images'} ${tenth * 10}%`;
    if (line === last) return;
    last = line;
    process.stderr.write(`${line}\n`);
  };
}

function positive(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError(`"${value}" is not a positive number`);
  return n;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${value}" is not a positive integer`);
  return n;
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`"${value}" is not a non-negative integer`);
  return n;
}

function popGens(value: string): { population: number; generations: number } {
  const m = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(value);
  if (!m || Number(m[1]) < 2 || Number(m[2]) < 1) {
    throw new InvalidArgumentError(
      `"${value}" is not POPULATION,GENERATIONS (population ≥ 2, generations ≥ 1), e.g. 25,30`,
    );
  }
  return { population: Number(m[1]), generations: Number(m[2]) };
}
