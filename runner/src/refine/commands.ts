// CLI: `pareto-nas refine <run> (--cutoff <MFLOPs> | --ids a,b) [--epochs 500]`.
import { resolve } from 'node:path';
import { MultiBar, type SingleBar } from 'cli-progress';
import { Option, type Command } from 'commander';
import { positiveInt, positiveNumber } from '../cli-args';
import type { RefineRecord } from '../../../common/protocol';
import { DEFAULT_REFINE_EPOCHS } from '../../../common/config';
import { refine, type RefineProgress, type RefineSelection } from './refine';

interface RefineCliOptions {
  cutoff?: number;
  ids?: string[];
  epochs: number;
  batchSize?: number;
  engine?: 'auto' | 'torch' | 'tfjs';
  python?: string;
  workers?: number;
  dataset?: string;
  json?: boolean;
}

export function registerRefineCommands(program: Command): void {
  program
    .command('refine')
    .description('train selected Pareto networks of a run from scratch for the long schedule (resumable)')
    .argument('<run>', 'run directory')
    .option('--cutoff <MFLOPs>', 'refine every Pareto network at or below this many MFLOPs', positiveNumber)
    .option('--ids <a,b>', 'refine these candidates (comma-separated ids, e.g. g3-07,g5-01)', list)
    .option('--epochs <n>', 'epochs of the long schedule', positiveInt, DEFAULT_REFINE_EPOCHS)
    .option('--batch-size <n>', 'override the run’s batch size', positiveInt)
    .addOption(new Option('--engine <name>', 'training engine (default: the run’s)').choices(['auto', 'torch', 'tfjs']))
    .option('--python <path>', 'Python with PyTorch (default: the run’s engine.python)')
    .option('--workers <n>', 'networks refined in parallel (default: one per GPU, else per core)', positiveInt)
    .option('--dataset <dir>', 'dataset folder, when it moved since the search')
    .option('--json', 'print the final records as JSON lines')
    .action(async (run: string, o: RefineCliOptions) => {
      if ((o.cutoff === undefined) === (o.ids === undefined))
        throw new Error('give exactly one of --cutoff <MFLOPs> or --ids <a,b>');
      const select: RefineSelection = o.cutoff !== undefined ? { cutoff: o.cutoff } : { ids: o.ids! };
      const controller = new AbortController();
      const cancel = () => controller.abort();
      process.once('SIGINT', cancel);
      process.once('SIGTERM', cancel);
      const progress = reporter(o.epochs);
      try {
        const records = await refine({
          runDir: resolve(run),
          select,
          epochs: o.epochs,
          training: o.batchSize ? { batchSize: o.batchSize } : undefined,
          engine: { ...(o.engine && { name: o.engine }), ...(o.python && { python: o.python }) },
          workers: o.workers,
          dataset: o.dataset && resolve(o.dataset),
          signal: controller.signal,
          onProgress: progress.update,
        });
        progress.stop();
        for (const r of records) console.log(o.json ? JSON.stringify(r) : summary(r));
        if (controller.signal.aborted) {
          process.stderr.write(`refine: cancelled; run the same command again to resume from the last checkpoint\n`);
          process.exitCode = 130;
        } else if (records.some((r) => r.status !== 'done')) process.exitCode = 1;
      } finally {
        progress.stop();
        process.off('SIGINT', cancel);
        process.off('SIGTERM', cancel);
      }
    });
}

function summary(r: RefineRecord): string {
  const acc = (a: number | null) => (a === null ? '—' : `${a.toFixed(2)}%`);
  const inf = r.inference
    ? `, inference ${r.inference.seconds.toFixed(3)} s for ${r.inference.images} images (${r.inference.perImageMs.toFixed(3)} ms/image)`
    : '';
  const state =
    r.status === 'done' ? '' : ` [${r.status}${r.failure ? `: ${r.failure.kind}: ${r.failure.message}` : ''}]`;
  return `${r.id}  ${r.mflops} MFLOPs  search ${acc(r.searchAccuracy)} → refined ${acc(r.valAccuracy)} after ${r.epochs.length}/${r.epochsPlanned} epochs${inf}${state}`;
}

function reporter(epochs: number) {
  const tty = process.stderr.isTTY;
  const multi = tty
    ? new MultiBar({ format: '{id} [{bar}] {value}/{total} epochs | {acc}', stream: process.stderr, hideCursor: true })
    : undefined;
  const bars = new Map<string, SingleBar>();
  let stopped = false;
  return {
    update(p: RefineProgress) {
      if (stopped) return;
      const done = p.record?.epochs.length ?? 0;
      const acc = p.record?.valAccuracy == null ? '' : `val ${p.record.valAccuracy.toFixed(2)}%`;
      if (multi) {
        let bar = bars.get(p.id);
        if (!bar) {
          bar = multi.create(epochs, done, { id: p.id, acc });
          bars.set(p.id, bar);
        }
        bar.update(done, { id: p.id, acc });
      } else if (p.state !== 'epoch' || (p.epoch && ((p.epoch.epoch + 1) % 10 === 0 || p.epoch.epoch === 0))) {
        process.stderr.write(`refine ${p.id}: ${p.state}${p.state === 'epoch' ? ` ${done}/${epochs}` : ''} ${acc}\n`);
      }
    },
    stop() {
      if (!stopped) multi?.stop();
      stopped = true;
    },
  };
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
