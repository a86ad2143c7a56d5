// run/cancel for `pareto-nas serve`: signals only the process that owns the run, identified by
// pid and process start time (never a pid alone, which the system may since have given to an
// unrelated process). The owner is the run's writer (its .writer.lock, see store/run-lock.ts) or,
// before that process has taken the lock, the process launch.json recorded. A Slurm run is
// cancelled through its job. A run with no live owner is reported as not running, saying whether
// it finished. Also the check that a launch into a run would not meet a live writer.
import { ResponseError } from 'vscode-jsonrpc/node';
import { RpcErrorCode, type RunCancelResult } from '../../../common/protocol';
import { currentWriter, readEvents, RUN_FILES } from '../store';
import { lockedMessage } from '../store/run-lock';
import { identityOf, isOwnerAlive, type ProcessIdentity } from '../store/process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readLaunch, scancel, terminate, type LaunchInfo } from './launch';

export function cancelRun(dir: string): Omit<RunCancelResult, 'run'> {
  const l = readLaunch(dir);
  if (l?.executor === 'slurm' && l.jobId) {
    if (scancel(l.jobId)) return { how: 'scancel' };
    return { how: 'not-running', message: finishedNote(dir) ?? `Slurm job ${l.jobId} is no longer queued or running` };
  }
  const writer = currentWriter(dir);
  if (writer && writer.host === identityOf().host) {
    if (verifiedTerminate(writer)) return { how: 'sigterm' };
  }
  if (l && launchedProcessAlive(l) && verifiedTerminate(l.owner!)) return { how: 'sigterm' };
  if (writer)
    return {
      how: 'not-running',
      message: `the run's writer (pid ${writer.pid}) runs on ${writer.host}; cancel it there`,
    };
  return { how: 'not-running', message: finishedNote(dir) ?? 'no process is writing this run' };
}

/** The process launch.json recorded still runs (same pid and start time). */
export function launchedProcessAlive(l: LaunchInfo): boolean {
  return l.owner !== undefined && isOwnerAlive(l.owner);
}

/** Checks the identity (pid and start time) right before the signal: a reused pid is not signalled. */
function verifiedTerminate(owner: ProcessIdentity): boolean {
  return isOwnerAlive(owner) && terminate(owner.pid);
}

/** "the run has finished (completed)" when its last event says so. */
function finishedNote(dir: string): string | undefined {
  if (!existsSync(join(dir, RUN_FILES.events))) return undefined;
  const last = readEvents(dir)
    .filter((e) => e.type === 'run-finished' || e.type === 'run-started')
    .at(-1);
  return last?.type === 'run-finished' ? `the run has already finished (${last.status})` : undefined;
}

/** A launch (resume, refine) into a run another process writes would only be refused by it: refuse now. */
export function refuseIfWritten(dir: string): void {
  const writer = currentWriter(dir);
  if (writer) throw new ResponseError(RpcErrorCode.LaunchFailed, lockedMessage(dir, writer));
}
