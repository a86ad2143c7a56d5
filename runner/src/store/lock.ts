// A small cross-process lock (O_EXCL lock file holding the owner's pid): for the few writes that
// several processes make to one run directory (the search and a refinement both append to
// events.jsonl), and for generating a cached dataset once. A lock left by a killed process
// (kill -9 inside the critical section) is taken over.
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { isAlive } from './process';

/** A lock held this long counts as stale in withFileLock (an owner on another host, or stuck). */
const STALE_MS = 30_000;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

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

/** Creates the lock file with our pid; false while another owner holds it (a stale one is removed). */
function tryAcquire(lockFile: string, liveOwnerMs: number): boolean {
  try {
    const fd = openSync(lockFile, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    if (!isStale(lockFile, liveOwnerMs)) return false;
    rmSync(lockFile, { force: true });
    return tryAcquire(lockFile, liveOwnerMs);
  }
}

/** Dead owner: stale. No pid written (killed between create and write): stale after STALE_MS. */
function isStale(lockFile: string, liveOwnerMs: number): boolean {
  try {
    const pid = Number(readFileSync(lockFile, 'utf8').trim());
    const age = Date.now() - statSync(lockFile).mtimeMs;
    if (!(pid > 0)) return age > STALE_MS;
    if (!isAlive(pid)) return true;
    return age > liveOwnerMs; // a holder on another host, or a stuck one
  } catch {
    return false; // released between our attempts
  }
}
