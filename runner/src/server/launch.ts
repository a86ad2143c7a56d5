// Starting runner processes that outlive the connection: a local search/refine/resume is spawned
// with `detached: true` (Node calls setsid(2): new session and process group, no controlling
// terminal, so the SSH session's hang-up does not reach it), stdio to <run>/runner.log; with the
// slurm executor the same command line is submitted with `sbatch --parsable`.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SlurmSettings } from '../../../common/config';
import { batchScript, batchScriptFile, workerLayout } from './sbatch-script';

export { shQuote } from './sbatch-script';
import { identityOf, isGroupLeader, type ProcessIdentity } from '../store/process';

/** <run>/launch.json: how the server started the latest process for this run. */
export interface LaunchInfo {
  kind: 'search' | 'resume' | 'refine';
  executor: 'local' | 'slurm';
  pid?: number;
  /** The started process's identity (pid + start time), so a later pid reuse is not taken for it. */
  owner?: ProcessIdentity;
  jobId?: string;
  argv: string[];
  startedAt: string;
}

export const LAUNCH_FILE = 'launch.json';
export const LOG_FILE = 'runner.log';

export function readLaunch(runDir: string): LaunchInfo | undefined {
  const f = join(runDir, LAUNCH_FILE);
  if (!existsSync(f)) return undefined;
  try {
    return JSON.parse(readFileSync(f, 'utf8')) as LaunchInfo;
  } catch {
    return undefined;
  }
}

function writeLaunch(runDir: string, info: LaunchInfo): void {
  const f = join(runDir, LAUNCH_FILE);
  writeFileSync(`${f}.tmp`, `${JSON.stringify(info, null, 2)}\n`);
  // rename is atomic: a reader sees the old or the new file, never half of one
  renameSync(`${f}.tmp`, f);
}

export interface LaunchOptions {
  kind: LaunchInfo['kind'];
  runDir: string;
  /** Runner CLI arguments after the script, e.g. ['search', '--config', f, '--run-dir', d]. */
  args: string[];
  /** dist/runner.js (this very bundle, normally). */
  runnerScript: string;
  executor: 'local' | 'slurm';
  slurm?: Partial<SlurmSettings>;
  /** Workers per GPU (executor.workersPerGpu): the task slots the job asks for on each node. */
  workersPerGpu?: number | 'auto';
  env?: NodeJS.ProcessEnv;
}

/** sbatch refused the job (bad partition, more nodes or GPUs than there are, ...): nothing runs. */
export class SubmitError extends Error {
  override name = 'SubmitError';
}

/** Slurm's reason in one line: "sbatch: error: Batch job submission failed: X" → "X". */
export function sbatchReason(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const last = lines.filter((l) => /error/i.test(l)).at(-1) ?? lines.at(-1) ?? 'no reason given';
  return last.replace(/^sbatch:\s*(error:\s*)?/i, '').replace(/^Batch job submission failed:\s*/i, '');
}

/**
 * Pending reasons that never clear (more nodes than the partition has, a limit of the partition or
 * QOS): without EnforcePartLimits, sbatch accepts such a job and it would wait forever.
 */
const HOPELESS =
  /^(PartitionNodeLimit|PartitionTimeLimit|PartitionConfig|BadConstraints|InvalidQOS|InvalidAccount|QOS\w*Limit|AccountNotAllowed|ReqNodeNotAvail)/;

/** "3 nodes × 2 GPUs, 2 workers × 1 CPU per node, partition gpu": the ask, for error messages. */
function askedFor(o: LaunchOptions): string {
  const l = workerLayout(o.slurm, o.workersPerGpu);
  const gpus = l.gpusPerNode ? ` × ${l.gpusPerNode} GPUs` : '';
  return `asked for ${l.nodes} node${l.nodes === 1 ? '' : 's'}${gpus}, ${l.workersPerNode} workers × ${l.cpusPerWorker} CPU per node, partition ${o.slurm?.partition ?? '(default)'}`;
}

function refuseHopeless(jobId: string, asked: string, env: NodeJS.ProcessEnv): void {
  const q = spawnSync('squeue', ['-h', '-j', jobId, '-o', '%T|%r'], { encoding: 'utf8', env, timeout: 15_000 });
  const [state, reason = ''] = (q.status === 0 ? q.stdout.trim() : '').split('|');
  if (state !== 'PENDING' || !HOPELESS.test(reason)) return;
  spawnSync('scancel', [jobId], { env, timeout: 15_000 });
  const why = EXPLAINED[reason.replace(/[:(].*$/, '')] ?? 'check nodes, gpusPerNode, time and partition';
  throw new SubmitError(`Slurm cannot run this job: ${reason}: ${why}; ${asked} (job ${jobId} cancelled)`);
}

const EXPLAINED: Record<string, string> = {
  PartitionNodeLimit: 'more nodes than the partition has or allows',
  PartitionConfig: 'the partition has fewer nodes, or none with the GPUs and CPUs each node of the job asks for',
  PartitionTimeLimit: "the time is over the partition's limit",
  ReqNodeNotAvail: 'the nodes it needs are not available',
};

/** A search job resumes when it finds its run started (a requeued job, after preemption). */
function resumeInstead(o: LaunchOptions): { resumeArgv?: string[]; startedMarker?: string } {
  if (o.kind !== 'search') return {};
  return {
    resumeArgv: [process.execPath, o.runnerScript, 'resume', o.runDir],
    startedMarker: join(o.runDir, 'config.json'),
  };
}

export function launch(o: LaunchOptions): LaunchInfo {
  mkdirSync(o.runDir, { recursive: true });
  const argv = [process.execPath, o.runnerScript, ...o.args];
  const startedAt = new Date().toISOString();
  if (o.executor === 'slurm') {
    const script = batchScriptFile(o.runDir, o.kind);
    writeFileSync(script, batchScript({ ...o, logFile: join(o.runDir, LOG_FILE), argv, ...resumeInstead(o) }), {
      mode: 0o755,
    });
    const r = spawnSync('sbatch', ['--parsable', ...(o.slurm?.extraArgs ?? []), script], {
      encoding: 'utf8',
      env: o.env ?? process.env,
    });
    if (r.error)
      throw new SubmitError(`sbatch could not be started: ${r.error.message} (is Slurm installed on this host?)`);
    if (r.status !== 0)
      throw new SubmitError(`Slurm refused the job: ${sbatchReason(r.stderr || r.stdout)}; ${askedFor(o)}`);
    const jobId = r.stdout.trim().split(';')[0];
    refuseHopeless(jobId, askedFor(o), o.env ?? process.env);
    const info: LaunchInfo = { kind: o.kind, executor: 'slurm', jobId, argv, startedAt };
    writeLaunch(o.runDir, info);
    return info;
  }
  const log = openSync(join(o.runDir, LOG_FILE), 'a');
  try {
    const child = spawn(argv[0], argv.slice(1), {
      detached: true,
      stdio: ['ignore', log, log],
      env: o.env ?? process.env,
      cwd: o.runDir,
    });
    if (child.pid === undefined) throw new Error(`could not start ${argv.join(' ')}`);
    child.on('error', () => undefined);
    child.unref();
    const info: LaunchInfo = {
      kind: o.kind,
      executor: 'local',
      pid: child.pid,
      owner: identityOf(child.pid),
      argv,
      startedAt,
    };
    writeLaunch(o.runDir, info);
    return info;
  } finally {
    closeSync(log);
  }
}

/** SIGTERM to the process group pid leads (a detached search and its workers), else to pid alone. */
export function terminate(pid: number): boolean {
  try {
    if (!isGroupLeader(pid)) throw new Error('not a group leader');
    process.kill(-pid, 'SIGTERM');
    return true;
  } catch {
    try {
      process.kill(pid, 'SIGTERM');
      return true;
    } catch {
      return false;
    }
  }
}

/** The job's state from squeue (e.g. PENDING, RUNNING, COMPLETED); undefined when Slurm no longer
 * knows the job; null when squeue cannot be asked (not installed, controller down). */
export function slurmJobState(jobId: string, env: NodeJS.ProcessEnv = process.env): string | undefined | null {
  const r = spawnSync('squeue', ['-h', '-t', 'all', '-j', jobId, '-o', '%T'], {
    encoding: 'utf8',
    env,
    timeout: 15_000,
  });
  if (r.error) return null;
  if (r.status !== 0) return /invalid job id/i.test(r.stderr) ? undefined : null;
  return r.stdout.trim().split('\n')[0]?.trim() || undefined;
}

/** Job states in which the search is still queued or running. */
export const SLURM_ACTIVE = new Set([
  'PENDING',
  'CONFIGURING',
  'RUNNING',
  'COMPLETING',
  'SUSPENDED',
  'REQUEUED',
  'RESIZING',
  'STAGE_OUT',
]);

/**
 * Stops a Slurm search: a running job gets SIGTERM in every step (the search cancels cleanly and
 * exits), a job still queued is removed from the queue. Returns false when the job is not active.
 */
export function scancel(jobId: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const state = slurmJobState(jobId, env);
  if (state !== null && (state === undefined || !SLURM_ACTIVE.has(state))) return false;
  const args = state === 'PENDING' ? [jobId] : ['--signal=TERM', '--full', jobId];
  const r = spawnSync('scancel', args, { encoding: 'utf8', env });
  if (r.error) throw new Error(`scancel could not be started: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`scancel ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return true;
}
