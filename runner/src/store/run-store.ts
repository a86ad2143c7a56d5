// The run directory, append-only and the single source of truth of a search (README: The run directory).
// RunStore writes; the functions below it read, for the CLI, `serve` and the report.
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type SearchConfig } from '../../../common/config';
import type {
  CandidateRecord,
  GenerationSnapshot,
  RefineRecord,
  RunEvent,
  RunInfo,
  RunSummary,
  StoredEvent,
} from '../../../common/protocol';
import {
  appendJsonLine,
  parseJsonLines,
  parseJsonText,
  readJsonLines,
  repairJsonLines,
  writeJsonAtomic,
} from './files';
import { generationFile, refineDir, RUN_FILES, runFile } from './layout';
import { withFileLock } from './lock';
import { acquireWriterLock, currentWriter, WRITER_LOCK_FILE, type WriterLock, type WriterPurpose } from './run-lock';

export class RunStoreError extends Error {
  override name = 'RunStoreError';
}

export class RunStore {
  private constructor(
    readonly dir: string,
    readonly config: SearchConfig,
    readonly info: RunInfo,
    private readonly lock: WriterLock,
  ) {}

  /**
   * Starts a new run directory, holding its writer lock until close(). Atomic: the lock is taken
   * before config.json is looked for, so of two searches started on one folder exactly one writes.
   * Refuses a folder that already holds a run, and a non-empty folder that is not a run.
   */
  static create(dir: string, config: SearchConfig, info: RunInfo): RunStore {
    mkdirSync(dir, { recursive: true });
    const lock = acquireWriterLock(dir, 'search');
    try {
      if (existsSync(runFile(dir, 'config'))) {
        throw new RunStoreError(`${dir} already holds a run; use \`pareto-nas resume ${dir}\` to continue it`);
      }
      const strangers = foreignEntries(dir);
      if (strangers.length) {
        throw new RunStoreError(
          `${dir} is not empty and not a run (it holds ${strangers.slice(0, 5).join(', ')}${strangers.length > 5 ? ', …' : ''}); ` +
            `choose a new or empty folder`,
        );
      }
      mkdirSync(join(dir, RUN_FILES.generations), { recursive: true });
      writeJsonAtomic(runFile(dir, 'info'), info);
      writeJsonAtomic(runFile(dir, 'config'), config); // last: its presence marks a complete run directory
    } catch (e) {
      lock.release();
      throw e;
    }
    return new RunStore(dir, config, info, lock);
  }

  /**
   * Opens an existing run for writing (resume, refine), holding its writer lock until close():
   * cuts any append left unfinished by a crash and restores candidate-finished events that a
   * crash between a record and its event left out.
   */
  static open(dir: string, purpose: WriterPurpose = 'resume'): RunStore {
    const config = readRunConfig(dir);
    const info = readRunInfo(dir);
    const lock = acquireWriterLock(dir, purpose);
    try {
      repairJsonLines(runFile(dir, 'events'));
      repairJsonLines(runFile(dir, 'candidates'));
      mkdirSync(join(dir, RUN_FILES.generations), { recursive: true });
      const store = new RunStore(dir, config, info, lock);
      store.restoreMissingEvents();
      return store;
    } catch (e) {
      lock.release();
      throw e;
    }
  }

  /** Releases the writer lock (also released when the process exits). */
  close(): void {
    this.lock.release();
  }

  private restoreMissingEvents(): void {
    const announced = new Set(
      readEvents(this.dir).flatMap((e) => (e.type === 'candidate-finished' ? [e.record.id] : [])),
    );
    for (const record of readCandidates(this.dir)) {
      if (!announced.has(record.id)) this.appendEvent({ type: 'candidate-finished', record });
    }
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
    json = parseJsonText(readFileSync(file, 'utf8'), file);
  } catch (e) {
    throw new RunStoreError((e as Error).message);
  }
  return parseConfig(json, file);
}

export function readRunInfo(dir: string): RunInfo {
  const file = runFile(dir, 'info');
  try {
    return parseJsonText<RunInfo>(readFileSync(file, 'utf8'), file);
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
    .map((f) => parseJsonText<GenerationSnapshot>(readFileSync(join(folder, f), 'utf8'), join(folder, f)));
}

export function readSnapshot(dir: string, generation: number): GenerationSnapshot | undefined {
  const file = generationFile(dir, generation);
  return existsSync(file) ? parseJsonText<GenerationSnapshot>(readFileSync(file, 'utf8'), file) : undefined;
}

/** refine/<id>/result.json of one refinement, if it was started. */
export function readRefineRecord(dir: string, id: string): RefineRecord | undefined {
  const file = join(refineDir(dir, id), 'result.json');
  if (!existsSync(file)) return undefined;
  try {
    return parseJsonText<RefineRecord>(readFileSync(file, 'utf8'), file);
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
        if (complete[i].trim()) return parseJsonText<StoredEvent>(complete[i], file).seq;
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
    else if (e.type === 'run-requeued')
      state = 'running'; // queued again; Slurm starts it later
    else if (e.type === 'generation-started') generation = Math.max(generation, e.generation);
  }
  // running only while the process that started it still holds the writer lock (pid reuse-proof);
  // a run requeued by Slurm waits for its job to start again
  const requeued = events.at(-1)?.type === 'run-requeued';
  if (
    state === 'running' &&
    !requeued &&
    started?.type === 'run-started' &&
    started.host === hostname() &&
    currentWriter(dir)?.pid !== started.pid
  ) {
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

/** What `serve` puts into a run folder before the search starts (launch.ts); anything else is foreign. */
// What a launch (serve, sbatch) or `train` puts in a run folder before the run is created.
const LAUNCH_ENTRIES = new Set([
  RUN_FILES.train,
  'launch.json',
  'launch.json.tmp',
  'launch-config.json',
  'runner.log',
  'search.sbatch',
  WRITER_LOCK_FILE,
  `${WRITER_LOCK_FILE}.takeover`,
  RUN_FILES.eventsLock,
]);

/** Entries of a folder that neither a run nor its launch put there (an empty events file is the launch's). */
function foreignEntries(dir: string): string[] {
  return readdirSync(dir).filter((name) => {
    if (LAUNCH_ENTRIES.has(name)) return false;
    if (name === RUN_FILES.events) return statSync(join(dir, name)).size > 0;
    return true;
  });
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
