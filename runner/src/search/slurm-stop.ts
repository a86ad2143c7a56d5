// Why a search running as a Slurm batch job got SIGTERM: its time-limit warning (--signal=B:TERM@N,
// the job keeps RUNNING with little time left) or preemption, after which a job with `requeue`
// comes back and resumes; or a cancel (scancel: the job is no longer RUNNING, or plenty of time is
// left), which ends the run as cancelled (still resumable). Slurm requeueing the job itself
// (preemption in REQUEUE mode, `scontrol requeue`) shows as COMPLETING like a cancel does, so it is
// told by the job's restart count, which Slurm raises before it stops the job.
import { spawnSync } from 'node:child_process';

export interface SlurmStop {
  requeue: boolean;
  /** Slurm requeues the job itself (preemption); otherwise the runner asks for it. */
  bySlurm: boolean;
  reason: string;
}

/** squeue's %L: "M:SS", "H:MM:SS", "D-HH:MM:SS", "UNLIMITED", ...; seconds or Infinity. */
export function parseTimeLeft(text: string): number {
  const m = /^(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)$/.exec(text.trim());
  if (!m) return Infinity;
  const [, d, h, mm, ss] = m;
  return Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(mm) * 60 + Number(ss);
}

/**
 * Pure: the decision from the job's state, time left, and whether Slurm is requeueing it (its
 * restart count is above the one this start of the job was given).
 */
export function classifyStop(
  state: string,
  timeLeft: number,
  warnSeconds: number,
  requeue: boolean,
  requeuedBySlurm = false,
): SlurmStop {
  if (requeuedBySlurm)
    return { requeue: true, bySlurm: true, reason: 'requeued by Slurm (preemption or scontrol requeue)' };
  if (requeue && /PREEMPT|REQUEUE/.test(state)) return { requeue: true, bySlurm: true, reason: 'preempted' };
  if (requeue && state === 'RUNNING' && warnSeconds > 0 && timeLeft <= warnSeconds + 60) {
    return { requeue: true, bySlurm: false, reason: `time limit in ${timeLeft} s` };
  }
  return { requeue: false, bySlurm: false, reason: 'cancelled' };
}

export function slurmStopReason(
  jobId: string,
  warnSeconds: number,
  requeue: boolean,
  env: NodeJS.ProcessEnv = process.env,
): SlurmStop {
  const r = spawnSync('squeue', ['-h', '-j', jobId, '-o', '%T|%L'], { encoding: 'utf8', env, timeout: 10_000 });
  const [state = 'UNKNOWN', left = ''] = (r.status === 0 ? r.stdout.trim().split('\n')[0] : '').split('|');
  const restarts = jobRestarts(jobId, env);
  const requeuedBySlurm = restarts !== undefined && restarts > Number(env.SLURM_RESTART_COUNT ?? 0);
  return classifyStop(state, parseTimeLeft(left), warnSeconds, requeue, requeuedBySlurm);
}

/** `Restarts=N` of `scontrol show job`: how often Slurm requeued the job; undefined when unknown. */
export function parseRestarts(showJob: string): number | undefined {
  const m = /(?:^|\s)Restarts=(\d+)(?:\s|$)/.exec(showJob);
  return m ? Number(m[1]) : undefined;
}

function jobRestarts(jobId: string, env: NodeJS.ProcessEnv): number | undefined {
  const r = spawnSync('scontrol', ['show', 'job', '-o', jobId], { encoding: 'utf8', env, timeout: 10_000 });
  return r.status === 0 ? parseRestarts(r.stdout) : undefined;
}

/** Puts the job back in the queue; its next start resumes the run (see sbatch-script.ts). */
export function requeueJob(jobId: string, env: NodeJS.ProcessEnv = process.env): void {
  const r = spawnSync('scontrol', ['requeue', jobId], { encoding: 'utf8', env, timeout: 30_000 });
  if (r.error || r.status !== 0)
    throw new Error(`scontrol requeue ${jobId} failed: ${r.error?.message ?? r.stderr.trim()}`);
}
