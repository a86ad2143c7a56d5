// The run directory, append-only and the single source of truth of a search (ARCHITECTURE.md §3).
// RunStore writes; the functions below it read, for the CLI, `serve` and the report.
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type SearchConfig } from '../../../common/config';
import type { CandidateRecord, GenerationSnapshot, RefineRecord, RunEvent, RunInfo, RunSummary, StoredEvent } from '../../../common/protocol';
import { appendJsonLine, parseJsonLines, readJsonLines, repairJsonLines, writeJsonAtomic } from './files';
import { generationFile, refineDir, RUN_FILES, runFile } from './layout';
import { withFileLock } from './lock';
import { isAlive } from './process';

export class RunStoreError extends Error {
  override name = 'RunStoreError';
}

export class RunStore {
  private constructor(
    readonly dir: string,
    readonly config: SearchConfig,
    readonly info: RunInfo,
  ) {}

  /** Starts a new run directory; refuses one that already holds a run. */
  static create(dir: string, config: SearchConfig, info: RunInfo): RunStore {
    if (existsSync(runFile(dir, 'config'))) {
      throw new RunStoreError(`${dir} already holds a run; use \`pareto-nas resume ${dir}\` to continue it`);
    }
    mkdirSync(join(dir, RUN_FILES.generations), { recursive: true });
    writeJsonAtomic(runFile(dir, 'info'), info);
    writeJsonAtomic(runFile(dir, 'config'), config); // last: its presence marks a complete run directory
    return new RunStore(dir, config, info);
  }

  /** Opens an existing run for writing, cutting any append left unfinished by a crash. */
  static open(dir: string): RunStore {
    const config = readRunConfig(dir);
    const info = readRunInfo(dir);
    repairJsonLines(runFile(dir, 'events'));
    repairJsonLines(runFile(dir, 'candidates'));
    mkdirSync(join(dir, RUN_FILES.generations), { recursive: true });
    return new RunStore(dir, config, info);
  }

  /** Appends an event with the next seq. Safe across processes (search and refinement). */
  appendEvent(event: RunEvent): StoredEvent {
    return withFileLock(runFile(this.dir, 'eventsLock'), () => {
      const stored = { seq: lastSeq(this.dir) + 1, time: new Date().toISOString(), ...event } as StoredEvent;
      appendJsonLine(runFile(this.dir, 'events'), stored);
      return stored;
    });
  }

  appendCandidate(record: CandidateRecord): void {
    appendJsonLine(runFile(this.dir, 'candidates'), record);
  }

  writeSnapshot(snapshot: GenerationSnapshot): void {
    writeJsonAtomic(generationFile(this.dir, snapshot.generation), snapshot);
  }

  modelDir(candidateId: string): string {
    return join(this.dir, RUN_FILES.models, candidateId);
  }
}

export function readRunConfig(dir: string): SearchConfig {
  const file = runFile(dir, 'config');
  if (!existsSync(file)) throw new RunStoreError(`${dir} is not a run directory (no ${RUN_FILES.config})`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new RunStoreError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  return parseConfig(json, file);
}

export function readRunInfo(dir: string): RunInfo {
  const file = runFile(dir, 'info');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RunInfo;
  } catch (e) {
    throw new RunStoreError(`cannot read ${file}: ${(e as Error).message}`);
  }
}

export function readCandidates(dir: string): CandidateRecord[] {
  return readJsonLines<CandidateRecord>(runFile(dir, 'candidates'));
}

export function readEvents(dir: string, fromSeq = 0): StoredEvent[] {
  return readJsonLines<StoredEvent>(runFile(dir, 'events')).filter((e) => e.seq > fromSeq);
}

export function readSnapshots(dir: string): GenerationSnapshot[] {
  const folder = join(dir, RUN_FILES.generations);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((f) => /^g\d+\.json$/.test(f))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(folder, f), 'utf8')) as GenerationSnapshot);
}

export function readSnapshot(dir: string, generation: number): GenerationSnapshot | undefined {
  const file = generationFile(dir, generation);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as GenerationSnapshot) : undefined;
}

/** refine/<id>/result.json of one refinement, if it was started. */
export function readRefineRecord(dir: string, id: string): RefineRecord | undefined {
  const file = join(refineDir(dir, id), 'result.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RefineRecord;
  } catch (e) {
    throw new RunStoreError(`cannot read ${file}: ${(e as Error).message}`);
  }
}

/** Every refinement of a run (written atomically, so never half a record), smallest network first. */
export function readRefineRecords(dir: string): RefineRecord[] {
  const folder = join(dir, RUN_FILES.refine);
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readRefineRecord(dir, d.name) ?? [])
    .sort((a, b) => a.mflops - b.mflops || a.id.localeCompare(b.id));
}

/** The seq of the last complete event line (0 for none), read from the file's tail. */
export function lastSeq(dir: string): number {
  const file = runFile(dir, 'events');
  if (!existsSync(file)) return 0;
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    for (let window = 64 * 1024; ; window *= 4) {
      const length = Math.min(size, window);
      const buf = Buffer.alloc(length);
      readSync(fd, buf, 0, length, size - length);
      const lines = buf.toString('utf8').split('\n');
      lines.pop();
      const complete = length === size ? lines : lines.slice(1); // the first may be cut by the window
      for (let i = complete.length - 1; i >= 0; i--) {
        if (complete[i].trim()) return (JSON.parse(complete[i]) as StoredEvent).seq;
      }
      if (length === size) return 0;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Calls onEvent for every event after fromSeq, then follows the file as it grows (polling, which
 * also works on the network filesystems of clusters) until the signal aborts.
 */
export async function followEvents(
  dir: string,
  fromSeq: number,
  onEvent: (event: StoredEvent) => void,
  signal: AbortSignal,
  pollMs = 200,
): Promise<void> {
  const file = runFile(dir, 'events');
  let offset = 0;
  let line = 1;
  let seen = fromSeq;
  while (!signal.aborted) {
    if (existsSync(file)) {
      const fd = openSync(file, 'r');
      try {
        const size = fstatSync(fd).size;
        if (size > offset) {
          const buf = Buffer.alloc(size - offset);
          readSync(fd, buf, 0, buf.length, offset);
          const end = buf.lastIndexOf(0x0a) + 1; // consume only complete lines
          const text = buf.subarray(0, end).toString('utf8');
          for (const event of parseJsonLines<StoredEvent>(text, file, line)) {
            if (event.seq > seen) {
              seen = event.seq;
              onEvent(event);
            }
          }
          offset += end;
          line += text.split('\n').length - 1;
        }
      } finally {
        closeSync(fd);
      }
    }
    await sleep(pollMs, signal);
  }
}

export function summarizeRun(dir: string): RunSummary {
  const config = readRunConfig(dir);
  const events = readEvents(dir);
  let state: RunSummary['state'] = 'stopped';
  let generation = 0;
  let started: StoredEvent | undefined;
  for (const e of events) {
    if (e.type === 'run-started') {
      started = e;
      state = 'running';
    } else if (e.type === 'run-finished') state = e.status;
    else if (e.type === 'generation-started') generation = Math.max(generation, e.generation);
  }
  if (state === 'running' && started?.type === 'run-started' && started.host === hostname() && !isAlive(started.pid)) {
    state = 'stopped';
  }
  return {
    id: dir.split(/[\\/]/).filter(Boolean).at(-1) ?? dir,
    dir,
    name: config.name,
    dataset: config.dataset,
    state,
    generation,
    generations: config.search.generations,
    evaluations: readCandidates(dir).length,
    lastSeq: events.at(-1)?.seq ?? 0,
    startedAt: events.find((e) => e.type === 'run-started')?.time,
    updatedAt: events.at(-1)?.time,
  };
}

/** Summaries of every run directory directly under root, newest first. */
export function listRuns(root: string): RunSummary[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, RUN_FILES.config)))
    .map((d) => summarizeRun(join(root, d.name)))
    .sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? ''));
}


function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
