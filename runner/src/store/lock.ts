// Cross-process locks on O_EXCL lock files that name their owner (pid, process start time, boot id,
// host: see process.ts), so a lock left by a killed process (kill -9 inside the critical section)
// is taken over at once, and a pid reused by an unrelated process does not keep it held.
// withFileLock / withFileLockAsync: for the short writes several processes make to one run
// (events.jsonl) and for generating a cached dataset once. run-lock.ts builds the long-lived
// writer lock of a run on the same primitives.
import { closeSync, fsyncSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { identityOf, isOwnerAlive, type ProcessIdentity } from './process';

/** A lock held this long counts as stale in withFileLock (an owner on another host, or stuck). */
const STALE_MS = 30_000;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** What a lock file holds: its owner and since when. */
export interface LockOwner extends ProcessIdentity {
  since: string;
}

/** Runs `fn` holding the lock: for short critical sections (waits synchronously, 5 ms at a time). */
export function withFileLock<T>(lockFile: string, fn: () => T, timeoutMs = 60_000): T {
  const started = Date.now();
  while (!tryAcquire(lockFile, STALE_MS)) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for lock ${lockFile}`);
    Atomics.wait(sleeper, 0, 0, 5);
  }
  try {
    return fn();
  } finally {
    rmSync(lockFile, { force: true });
  }
}

/**
 * Runs `fn` holding the lock, for long work (generating a cached dataset): waits without blocking
 * the event loop, and takes the lock over only from a dead owner (a live one may hold it for minutes).
 */
export async function withFileLockAsync<T>(lockFile: string, fn: () => Promise<T>, pollMs = 500): Promise<T> {
  while (!tryAcquire(lockFile, Infinity)) await new Promise((r) => setTimeout(r, pollMs));
  try {
    return await fn();
  } finally {
    rmSync(lockFile, { force: true });
  }
}

/** Creates the lock file naming this process; false when it exists. Other errors are thrown. */
export function createLockFile(lockFile: string, extra: Record<string, unknown> = {}): boolean {
  let fd: number;
  try {
    fd = openSync(lockFile, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    const owner: LockOwner = { ...identityOf(), since: new Date().toISOString() };
    writeSync(fd, `${JSON.stringify({ ...owner, ...extra })}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * The owner a lock file names; undefined when it is gone; null when it names none (killed between
 * create and write). A bare pid (the format before owners were recorded) is read as a pid.
 */
export function readLockOwner(lockFile: string): LockOwner | null | undefined {
  let text: string;
  try {
    text = readFileSync(lockFile, 'utf8').trim();
  } catch {
    return undefined;
  }
  if (/^\d+$/.test(text)) return { pid: Number(text), host: identityOf().host, since: '' };
  try {
    const owner = JSON.parse(text) as LockOwner;
    return Number.isInteger(owner.pid) && owner.pid > 0 && typeof owner.host === 'string' ? owner : null;
  } catch {
    return null;
  }
}

/** Age of the lock file in ms (Infinity when it is gone). */
export function lockAge(lockFile: string): number {
  try {
    return Date.now() - statSync(lockFile).mtimeMs;
  } catch {
    return Infinity;
  }
}

/** Creates the lock file; false while another owner holds it (a stale one is removed). */
function tryAcquire(lockFile: string, liveOwnerMs: number): boolean {
  if (createLockFile(lockFile)) return true;
  if (!isStale(lockFile, liveOwnerMs)) return false;
  rmSync(lockFile, { force: true });
  return createLockFile(lockFile);
}

/** Dead owner: stale. No owner written (killed between create and write): stale after STALE_MS. */
function isStale(lockFile: string, liveOwnerMs: number): boolean {
  const owner = readLockOwner(lockFile);
  if (owner === undefined) return false; // released between our attempts
  const age = lockAge(lockFile);
  if (owner === null) return age > STALE_MS;
  if (!isOwnerAlive(owner)) return true;
  return age > liveOwnerMs; // a holder on another host, or a stuck one
}
