// A small cross-process lock (O_EXCL lock file holding the owner's pid) for the few writes that
// several processes make to one run directory: the search and a refinement both append to
// events.jsonl. A lock left by a killed process (kill -9 inside the critical section) is taken over.
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { isAlive } from './process';

const STALE_MS = 30_000;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

export function withFileLock<T>(lockFile: string, fn: () => T, timeoutMs = 60_000): T {
  const started = Date.now();
  for (;;) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (isStale(lockFile)) rmSync(lockFile, { force: true });
      else if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for lock ${lockFile}`);
      else Atomics.wait(sleeper, 0, 0, 5);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lockFile, { force: true });
  }
}

function isStale(lockFile: string): boolean {
  try {
    const pid = Number(readFileSync(lockFile, 'utf8').trim());
    if (pid > 0 && !isAlive(pid)) return true;
    return Date.now() - statSync(lockFile).mtimeMs > STALE_MS; // a holder on another host, or a stuck one
  } catch {
    return false; // released between our attempts
  }
}
