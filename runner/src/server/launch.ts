// Starting runner processes that outlive the connection: a local search/refine/resume is spawned
// with `detached: true` (Node calls setsid(2): new session and process group, no controlling
// terminal, so the SSH session's hang-up does not reach it), stdio to <run>/runner.log; with the
// slurm executor the same command line is submitted with `sbatch --parsable`.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SearchConfig } from '../../../common/config';

/** <run>/launch.json: how the server started the latest process for this run. */
export interface LaunchInfo {
  kind: 'search' | 'resume' | 'refine';
  executor: 'local' | 'slurm';
  pid?: number;
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

/** Quotes one word for a POSIX sh script. */
export function shQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export interface LaunchOptions {
  kind: LaunchInfo['kind'];
  runDir: string;
  /** Runner CLI arguments after the script, e.g. ['search', '--config', f, '--run-dir', d]. */
  args: string[];
  /** dist/runner.js (this very bundle, normally). */
  runnerScript: string;
  executor: 'local' | 'slurm';
  slurm?: SearchConfig['executor']['slurm'];
  env?: NodeJS.ProcessEnv;
}

export function launch(o: LaunchOptions): LaunchInfo {
  mkdirSync(o.runDir, { recursive: true });
  const argv = [process.execPath, o.runnerScript, ...o.args];
  const startedAt = new Date().toISOString();
  if (o.executor === 'slurm') {
    const script = join(o.runDir, `${o.kind}.sbatch`);
    const s = o.slurm;
    const lines = [
      '#!/bin/sh',
      `#SBATCH --job-name=${shQuote(`pareto-nas-${o.kind}`)}`,
      `#SBATCH --output=${shQuote(join(o.runDir, LOG_FILE))}`,
      `#SBATCH --open-mode=append`,
      `#SBATCH --chdir=${shQuote(o.runDir)}`,
      s?.partition ? `#SBATCH --partition=${shQuote(s.partition)}` : '',
      s?.account ? `#SBATCH --account=${shQuote(s.account)}` : '',
      s?.time ? `#SBATCH --time=${shQuote(s.time)}` : '',
      // the search trains inside this one allocation, one local worker per granted GPU
      s?.gpusPerTask ? `#SBATCH --gres=${shQuote(`gpu:${s.gpusPerTask}`)}` : '',
      // exec: the search itself is the batch step, so scancel --signal=TERM reaches it directly
      `exec ${argv.map(shQuote).join(' ')}`,
      '',
    ].filter((l) => l !== '');
    writeFileSync(script, `${lines.join('\n')}\n`, { mode: 0o755 });
    const r = spawnSync('sbatch', ['--parsable', ...(s?.extraArgs ?? []), script], { encoding: 'utf8', env: o.env ?? process.env });
    if (r.error) throw new Error(`sbatch could not be started: ${r.error.message} (is Slurm installed on this host?)`);
    if (r.status !== 0) throw new Error(`sbatch failed (exit ${r.status}): ${r.stderr.trim() || r.stdout.trim()}`);
    const jobId = r.stdout.trim().split(';')[0];
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
    const info: LaunchInfo = { kind: o.kind, executor: 'local', pid: child.pid, argv, startedAt };
    writeLaunch(o.runDir, info);
    return info;
  } finally {
    closeSync(log);
  }
}

/** SIGTERM to the process group led by pid (the detached search), else to pid alone. */
export function terminate(pid: number): boolean {
  try {
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
  const r = spawnSync('squeue', ['-h', '-t', 'all', '-j', jobId, '-o', '%T'], { encoding: 'utf8', env, timeout: 15_000 });
  if (r.error) return null;
  if (r.status !== 0) return /invalid job id/i.test(r.stderr) ? undefined : null;
  return r.stdout.trim().split('\n')[0]?.trim() || undefined;
}

/** Job states in which the search is still queued or running. */
export const SLURM_ACTIVE = new Set(['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'RESIZING', 'STAGE_OUT']);

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
