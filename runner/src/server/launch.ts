// Starting runner processes that outlive the connection: a local search/refine/resume is spawned
// with `detached: true` (Node calls setsid(2): new session and process group, no controlling
// terminal, so the SSH session's hang-up does not reach it), stdio to <run>/runner.log; with the
// slurm executor the same command line is submitted with `sbatch --parsable`.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SearchConfig } from '../config';

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
      s?.partition ? `#SBATCH --partition=${shQuote(s.partition)}` : '',
      s?.account ? `#SBATCH --account=${shQuote(s.account)}` : '',
      s?.time ? `#SBATCH --time=${shQuote(s.time)}` : '',
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

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie (exited, not yet reaped) counts as gone.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
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

export function scancel(jobId: string): void {
  const r = spawnSync('scancel', ['--signal=TERM', '--full', jobId], { encoding: 'utf8' });
  if (r.error) throw new Error(`scancel could not be started: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`scancel ${jobId} failed: ${r.stderr.trim()}`);
}
