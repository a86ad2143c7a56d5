// The writer lock of a run: one process at a time writes a run directory (a search, its resume,
// a refinement), for its whole life. The lock is <run>/.writer.lock, created with O_EXCL (atomic)
// and naming its owner (pid, process start time, boot id, host, since, purpose). A second writer
// refuses with a message naming the owner; a lock whose owner is provably dead (killed with
// kill -9, or its pid now belongs to another process) is taken over at once. An owner on another
// host (a cluster node sharing the run folder) cannot be checked from here: the holder touches the
// lock every minute, and a lock untouched for REMOTE_STALE_MS counts as dead (a node that failed).
// Re-entrant within one process, so a test that creates a run and then refines it works.
import { rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { createLockFile, lockAge, readLockOwner, withFileLock, type LockOwner } from './lock';
import { identityOf, isOwnerAlive, sameProcess } from './process';

export const WRITER_LOCK_FILE = '.writer.lock';

export type WriterPurpose = 'search' | 'resume' | 'refine';

export interface WriterOwner extends LockOwner {
  purpose?: WriterPurpose;
}

export interface WriterLock {
  readonly file: string;
  /** Releases this hold; the file goes when the last hold of this process goes. */
  release(): void;
}

export class RunLockedError extends Error {
  override name = 'RunLockedError';
  constructor(
    readonly runDir: string,
    readonly owner: WriterOwner,
  ) {
    super(lockedMessage(runDir, owner));
  }
}

/** How often a holder touches its lock, and how long an untouched lock of another host is believed. */
const HEARTBEAT_MS = 60_000;
export const REMOTE_STALE_MS = 10 * 60_000;

/** Holds of this process, by lock file, with the timer that keeps the lock fresh. */
const held = new Map<string, number>();
const heartbeats = new Map<string, NodeJS.Timeout>();
let exitHookInstalled = false;

/** Takes the writer lock of runDir (which must exist) or throws RunLockedError. */
export function acquireWriterLock(runDir: string, purpose: WriterPurpose): WriterLock {
  const file = join(runDir, WRITER_LOCK_FILE);
  if (!held.has(file) && !tryCreate(file, purpose)) {
    const owner = readLockOwner(file);
    if (owner && sameProcess(owner, identityOf())) {
      // ours from an earlier hold that was not counted (cannot happen in practice): keep it
    } else if (!takeOverIfDead(file, purpose)) {
      throw new RunLockedError(runDir, settledOwner(file) ?? unknownOwner());
    }
  }
  held.set(file, (held.get(file) ?? 0) + 1);
  if (!heartbeats.has(file)) heartbeats.set(file, setInterval(() => touch(file), HEARTBEAT_MS).unref());
  installExitHook();
  let released = false;
  return {
    file,
    release() {
      if (released) return;
      released = true;
      const n = (held.get(file) ?? 1) - 1;
      if (n > 0) return void held.set(file, n);
      held.delete(file);
      clearInterval(heartbeats.get(file));
      heartbeats.delete(file);
      removeIfOurs(file);
    },
  };
}

/** The live writer of a run, if any (a dead owner's lock counts as none). */
export function currentWriter(runDir: string): WriterOwner | undefined {
  const file = join(runDir, WRITER_LOCK_FILE);
  const owner = readLockOwner(file) as WriterOwner | null | undefined;
  return owner && ownerAlive(file, owner) ? owner : undefined;
}

/** Alive: checked by pid and start time on this host; on another, a lock touched recently. */
function ownerAlive(file: string, owner: LockOwner): boolean {
  return owner.host === identityOf().host ? isOwnerAlive(owner) : lockAge(file) < REMOTE_STALE_MS;
}

export function lockedMessage(runDir: string, o: WriterOwner): string {
  const what = o.purpose ? `a ${o.purpose}` : 'another process';
  const since = o.since ? ` since ${o.since}` : '';
  const remote =
    o.host !== identityOf().host
      ? `; a lock of another host counts as abandoned ${REMOTE_STALE_MS / 60_000} minutes after its last heartbeat, or delete ${join(runDir, WRITER_LOCK_FILE)} if that process is gone`
      : '';
  return `${runDir} is being written by ${what} (pid ${o.pid} on ${o.host}${since}); only one process may write a run at a time${remote}`;
}

function tryCreate(file: string, purpose: WriterPurpose): boolean {
  return createLockFile(file, { purpose });
}

/**
 * Replaces a dead owner's lock. Serialized by a short guard lock so two processes that both saw
 * the dead owner cannot both take over: inside it the owner is read again before the file goes.
 */
function takeOverIfDead(file: string, purpose: WriterPurpose): boolean {
  return withFileLock(`${file}.takeover`, () => {
    const owner = readLockOwner(file);
    if (owner === undefined) return tryCreate(file, purpose); // released meanwhile
    const dead = owner === null ? lockAge(file) > 1000 : !ownerAlive(file, owner);
    if (!dead) return false;
    rmSync(file, { force: true });
    return tryCreate(file, purpose);
  });
}

function touch(file: string): void {
  try {
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    // gone (the run folder was deleted): nothing to keep fresh
  }
}

function removeIfOurs(file: string): void {
  const owner = readLockOwner(file);
  if (owner && sameProcess(owner, identityOf())) rmSync(file, { force: true });
}

/** The owner, waiting a moment for one whose creator has not written it yet (a race of microseconds). */
function settledOwner(file: string): WriterOwner | undefined {
  for (let i = 0; i < 40; i++) {
    const owner = readLockOwner(file) as WriterOwner | null | undefined;
    if (owner !== null) return owner;
    Atomics.wait(sleeper, 0, 0, 5);
  }
  return undefined;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

function unknownOwner(): WriterOwner {
  return { pid: 0, host: 'an unknown host', since: '' };
}

/** A process that exits without releasing (process.exit in the CLI) still leaves no lock behind. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const file of held.keys()) removeIfOurs(file);
    held.clear();
  });
}
