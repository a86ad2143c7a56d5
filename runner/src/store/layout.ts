// Where things live in a run directory and where runs live by default.
import { homedir } from 'node:os';
import { join } from 'node:path';

export const RUN_FILES = {
  config: 'config.json',
  info: 'run.json',
  events: 'events.jsonl',
  candidates: 'candidates.jsonl',
  generations: 'generations',
  models: 'models',
  refine: 'refine',
  /** `pareto-nas train` runs only: the genomes it was given, written just before the run is created. */
  train: 'train.json',
  eventsLock: '.events.lock',
} as const;

export function runFile(runDir: string, name: keyof typeof RUN_FILES): string {
  return join(runDir, RUN_FILES[name]);
}

export function generationFile(runDir: string, generation: number): string {
  return join(runDir, RUN_FILES.generations, `g${String(generation).padStart(4, '0')}.json`);
}

/** The folder of one refinement: result.json, checkpoint/, weights/. */
export function refineDir(runDir: string, id: string): string {
  return join(runDir, RUN_FILES.refine, id);
}

/** Root folder of runs: $PARETO_NAS_RUNS, else ~/.pareto-nas/runs. */
export function runsRoot(): string {
  return process.env.PARETO_NAS_RUNS ?? join(homedir(), '.pareto-nas', 'runs');
}

/** A new run id: name plus UTC timestamp, e.g. "demo-20261127-221530". */
export function newRunId(name: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${name.replace(/[^A-Za-z0-9_.-]+/g, '-')}-${stamp}`;
}
