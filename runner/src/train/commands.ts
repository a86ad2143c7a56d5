// CLI: `pareto-nas train GENOME... --dataset D [--epochs E] [--nodes N --init-channels C] [--run-dir R]`.
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { CandidateRecord } from '../../../common/protocol';
import { formatRecord } from '../search/commands';
import { paretoFront } from '../../../common/pareto';
import { readCandidates } from '../store';
import { trainGenomes, trainRun, type TrainOutcome } from './train';
import type { RunStore } from '../store';

interface TrainCliOptions {
  dataset: string;
  epochs: number;
  nodes: number;
  initChannels: number;
  runDir?: string;
  name?: string;
  batchSize?: number;
  engine?: 'auto' | 'torch' | 'tfjs';
  python?: string;
  workers?: number;
  json?: boolean;
}

export function registerTrainCommands(program: Command): void {
  program
    .command('train')
    .description(
      'train given genomes outside a search, into a run directory that pareto, refine, report and the explorer read',
    )
    .argument('<genomes...>', 'bit strings, e.g. 010000100000000000001')
    .requiredOption('--dataset <dir>', 'dataset folder; "default" is the bundled demo data')
    .option('--epochs <n>', 'epochs per network (as a search candidate: 15)', positiveInt, 15)
    .option('--nodes <n>', 'nodes per phase', positiveInt, 4)
    .option('--init-channels <c>', 'C: channels (c_in,C),(C,2C),(2C,4C)', positiveInt, 24)
    .option(
      '--run-dir <dir>',
      'where to write the run (default: a new folder under the runs root); the same command again resumes it',
    )
    .option('--name <name>', 'run name', 'train')
    .option('--batch-size <n>', 'mini-batch size (default 128)', positiveInt)
    .addOption(new Option('--engine <name>', 'training engine').choices(['auto', 'torch', 'tfjs']))
    .option('--python <path>', 'Python with PyTorch')
    .option('--workers <n>', 'networks trained in parallel (default: one per GPU, else per core)', positiveInt)
    .option('--json', 'print the records as JSON lines')
    .action(async (genomes: string[], o: TrainCliOptions) => {
      const outcome = await withCancel((signal) =>
        trainGenomes(
          {
            genomes,
            dataset: o.dataset,
            runDir: o.runDir,
            name: o.name,
            nodes: o.nodes,
            initChannels: o.initChannels,
            training: { epochs: o.epochs, ...(o.batchSize && { batchSize: o.batchSize }) },
            engine: { ...(o.engine && { name: o.engine }), ...(o.python && { python: o.python }) },
            workers: o.workers,
          },
          { signal, onProgress: logProgress },
        ),
      );
      process.exitCode = finish(outcome, o.json);
    });
}

/** `pareto-nas resume` of a train run. */
export async function resumeTrainRun(store: RunStore): Promise<number> {
  const outcome = await withCancel((signal) => trainRun(store, { signal, onProgress: logProgress }));
  return finish(outcome, false);
}

/** Prints the records and what to do next; returns the exit code (130 cancelled, 1 if one failed). */
function finish({ store, outcome, records }: TrainOutcome, json?: boolean): number {
  for (const r of records) console.log(json ? JSON.stringify(r) : formatRecord(r));
  if (outcome === 'cancelled') {
    process.stderr.write(
      `train: cancelled; run the same command again (or pareto-nas resume ${store.dir}) to continue\n`,
    );
    return 130;
  }
  const front = paretoFront(readCandidates(store.dir));
  process.stderr.write(`run ${store.dir}: ${records.length} networks, ${front.length} on the Pareto front\n`);
  const best = front.at(-1)?.id ?? records[0]?.id;
  process.stderr.write(`next: pareto-nas report ${store.dir}   |   pareto-nas refine ${store.dir} --ids ${best}\n`);
  return records.some((r) => r.status === 'failed') ? 1 : 0;
}

function logProgress(done: number, total: number, latest?: CandidateRecord): void {
  if (!latest) return;
  const acc =
    latest.valAccuracy === null
      ? `failed (${latest.failure?.kind}: ${latest.failure?.message})`
      : `${latest.valAccuracy.toFixed(2)}%`;
  const reused = latest.status === 'reused' ? ` (same network as ${latest.reusedFrom})` : '';
  process.stderr.write(
    `train ${done}/${total}: ${latest.id} ${latest.genome} ${acc} at ${latest.mflops} MFLOPs${reused}\n`,
  );
}

/** Runs with an AbortSignal fired by Ctrl-C / SIGTERM, so an interrupted training stays resumable. */
async function withCancel<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const cancel = () => controller.abort();
  process.once('SIGINT', cancel);
  process.once('SIGTERM', cancel);
  try {
    return await run(controller.signal);
  } finally {
    process.off('SIGINT', cancel);
    process.off('SIGTERM', cancel);
  }
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${value}" is not a positive integer`);
  return n;
}
