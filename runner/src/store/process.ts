// Whether a process recorded in the run directory (a search, a lock holder) is still running, and
// the identity that tells a process apart from a later one given the same pid (pid reuse): the
// pid plus its start time (field 22 of /proc/<pid>/stat, clock ticks since boot) plus the boot id
// and the host name.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Who holds a lock or owns a run; `start` and `boot` are absent where there is no /proc (macOS). */
export interface ProcessIdentity {
  pid: number;
  host: string;
  start?: string;
  boot?: string;
}

/** True while the process runs; a zombie (exited, not yet reaped by its parent) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  const stat = procStat(pid);
  return stat === undefined || stat.state !== 'Z'; // no /proc (macOS): signal 0 succeeded, so it exists
}

/** The identity of a running process (this one by default). */
export function identityOf(pid = process.pid): ProcessIdentity {
  const start = procStat(pid)?.start;
  const boot = bootId();
  return { pid, host: hostname(), ...(start && { start }), ...(boot && { boot }) };
}

/**
 * Whether the process that `owner` names still runs. Only decidable on its own host: an owner on
 * another host (a cluster node sharing the run folder) counts as alive, so it is never robbed.
 * A live pid with another start time (or after a reboot) is a different process: the owner is gone.
 */
export function isOwnerAlive(owner: ProcessIdentity): boolean {
  if (owner.host !== hostname()) return true;
  if (owner.boot && bootId() && owner.boot !== bootId()) return false;
  if (!isAlive(owner.pid)) return false;
  if (!owner.start) return true; // written without /proc: the pid alone is all we know
  const now = procStat(owner.pid)?.start;
  return now === undefined || now === owner.start;
}

export function sameProcess(a: ProcessIdentity, b: ProcessIdentity): boolean {
  return a.pid === b.pid && a.host === b.host && a.start === b.start && a.boot === b.boot;
}

/** True when pid leads its process group (a detached search); without /proc, assumed. */
export function isGroupLeader(pid: number): boolean {
  const stat = procStat(pid);
  return stat === undefined || stat.pgrp === String(pid);
}

function procStat(pid: number): { state: string; pgrp: string; start: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the command name (which may hold spaces and parentheses): state is field 3, starttime 22
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], pgrp: fields[2], start: fields[19] };
  } catch {
    return undefined;
  }
}

let cachedBootId: string | undefined | null = null;

function bootId(): string | undefined {
  if (cachedBootId === null) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      cachedBootId = undefined;
    }
  }
  return cachedBootId;
}
