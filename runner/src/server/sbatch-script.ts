// The batch script of a Slurm search: one job holding every node of the search. The runner runs as
// the batch step on the first node and starts its training workers as job steps (exec/slurm-steps),
// so the job asks for one task slot per worker on each node. Pure: what it asks for is unit-tested.
import { join } from 'node:path';
import { gpusPerNode, type SlurmSettings } from '../../../common/config';

/** What a worker step needs from the allocation, and how many of them each node runs. */
export interface WorkerLayout {
  nodes: number;
  gpusPerNode: number;
  workersPerNode: number;
  cpusPerWorker: number;
}

/**
 * The batch job's task slots. workersPerGpu "auto" resolves from a GPU a local runner can probe; a
 * batch job is laid out before any of its nodes' GPUs is seen, so on Slurm "auto" means one per GPU.
 */
export function workerLayout(
  s: Partial<SlurmSettings> | undefined,
  workersPerGpuSetting: number | 'auto' = 1,
): WorkerLayout {
  const gpus = gpusPerNode(s);
  const workersPerGpu = workersPerGpuSetting === 'auto' ? 1 : workersPerGpuSetting;
  return {
    nodes: s?.nodes ?? 1,
    gpusPerNode: gpus,
    workersPerNode: gpus > 0 ? gpus * workersPerGpu : (s?.workersPerNode ?? 1),
    cpusPerWorker: s?.cpusPerWorker ?? 1,
  };
}

export interface BatchScriptInput {
  kind: string;
  runDir: string;
  logFile: string;
  /** The runner command line (node, script, args). */
  argv: string[];
  /** For a search: the command that resumes it, run instead when the job was requeued. */
  resumeArgv?: string[];
  /** A file whose presence means the search already started (config.json of the run). */
  startedMarker?: string;
  slurm?: Partial<SlurmSettings>;
  workersPerGpu?: number | 'auto';
}

/** Quotes one word for a POSIX sh script. */
export function shQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function batchScript(o: BatchScriptInput): string {
  const s = o.slurm;
  const layout = workerLayout(s, o.workersPerGpu);
  const directive = (flag: string, value?: string | number) =>
    value === undefined || value === '' ? '' : `#SBATCH --${flag}=${shQuote(String(value))}`;
  const warn = s?.signalSeconds ?? 120;
  const lines = [
    '#!/bin/sh',
    directive('job-name', `pareto-nas-${o.kind}`),
    directive('output', o.logFile),
    '#SBATCH --open-mode=append',
    directive('chdir', o.runDir),
    directive('partition', s?.partition),
    directive('account', s?.account),
    directive('time', s?.time),
    directive('nodes', layout.nodes),
    // one task slot per worker step on every node; the steps take their GPU from the node's GRES
    directive('ntasks-per-node', layout.workersPerNode),
    directive('cpus-per-task', layout.cpusPerWorker),
    layout.gpusPerNode > 0 ? directive('gres', `gpu:${layout.gpusPerNode}`) : '',
    // the warning goes to the batch shell only (B:), which is the runner itself (exec below)
    warn > 0 ? directive('signal', `B:TERM@${warn}`) : '',
    s?.requeue ? '#SBATCH --requeue' : '#SBATCH --no-requeue',
    // a requeued search finds its run directory started: it resumes instead of starting over
    ...(o.resumeArgv && o.startedMarker
      ? [`if [ -f ${shQuote(o.startedMarker)} ]; then`, `  exec ${o.resumeArgv.map(shQuote).join(' ')}`, 'fi']
      : []),
    // exec: the runner is the batch step, so Slurm's signals reach it directly
    `exec ${o.argv.map(shQuote).join(' ')}`,
  ].filter((l) => l !== '');
  return `${lines.join('\n')}\n`;
}

/** The sbatch file of a run. */
export function batchScriptFile(runDir: string, kind: string): string {
  return join(runDir, `${kind}.sbatch`);
}
