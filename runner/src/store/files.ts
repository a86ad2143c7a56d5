// Durable file primitives for the run directory: atomic replace (write, fsync, rename) and
// JSON-lines append with fsync, plus a reader that tolerates a line cut short by `kill -9`.
import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
  fstatSync,
  readSync,
} from 'node:fs';
import { dirname } from 'node:path';

export function writeFileAtomic(file: string, data: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  syncDir(dirname(file));
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Appends one JSON line and fsyncs it, so a record that was reported is on disk. */
export function appendJsonLine(file: string, value: unknown): void {
  const fd = openSync(file, 'a');
  try {
    writeSync(fd, `${JSON.stringify(value)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export class CorruptLineError extends Error {
  override name = 'CorruptLineError';
}

/**
 * Parses a JSON-lines file. A last line without its newline is an append cut short by a crash and
 * is ignored; a malformed complete line is corruption and is reported with file and line number.
 */
export function readJsonLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  return parseJsonLines<T>(readFileSync(file, 'utf8'), file);
}

export function parseJsonLines<T>(text: string, file: string, firstLine = 1): T[] {
  const lines = text.split('\n');
  lines.pop(); // the text after the last newline: empty, or an unfinished append
  return lines.flatMap((line, i) => {
    if (line.trim() === '') return [];
    try {
      return [JSON.parse(line) as T];
    } catch (e) {
      // no excerpt of the line: messages travel to clients of `serve`, which must not read files through them
      throw new CorruptLineError(`${file}:${firstLine + i}: not valid JSON${where(e)}`);
    }
  });
}

/** JSON.parse whose error names the file and position but quotes none of the text. */
export function parseJsonText<T = unknown>(text: string, file: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new SyntaxError(`${file}: not valid JSON${where(e)}`, { cause: e }); // the cause stays in this process
  }
}

/** " (at position N)" from a JSON.parse error, without the excerpt V8 puts into its message. */
function where(e: unknown): string {
  const m = /position (\d+)/.exec((e as Error).message);
  return m ? ` (at position ${m[1]})` : /end of JSON input/.test((e as Error).message) ? ' (ends early)' : '';
}

/** Cuts an unfinished last line (left by a crash mid-append) so the next append starts clean. */
export function repairJsonLines(file: string): void {
  if (!existsSync(file)) return;
  const fd = openSync(file, 'r+');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return;
    const chunk = Buffer.alloc(Math.min(size, 1 << 20));
    readSync(fd, chunk, 0, chunk.length, size - chunk.length);
    const lastNewline = chunk.lastIndexOf(0x0a);
    if (lastNewline === chunk.length - 1) return;
    ftruncateSync(fd, lastNewline < 0 ? size - chunk.length : size - chunk.length + lastNewline + 1);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some filesystems do not allow fsync on directories; the rename is still atomic.
  }
}
