// How long each step of a case study took, kept in <out>/steps.json across invocations: a step
// interrupted and continued later adds up its wall time; a step already done with the same
// settings is checked again (cheaply) but its time is not counted twice; other settings start it over.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../store/files';

export type StepName = 'simulate' | 'train' | 'refine' | 'search';

export interface StepEntry {
  /** The settings the step ran with; another key restarts its clock. */
  key: string;
  /** Wall seconds summed over the invocations that worked on it. */
  seconds: number;
  done: boolean;
  finishedAt?: string;
}

export type Ledger = Partial<Record<StepName, StepEntry>>;

export const LEDGER_FILE = 'steps.json';

export function readLedger(out: string): Ledger {
  const file = join(out, LEDGER_FILE);
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Ledger;
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message}); delete it to start the step clocks over`, {
      cause: e,
    });
  }
}

/** Runs a step and records its time; rethrows its error after recording the time it took. */
export async function timedStep<T>(out: string, name: StepName, key: string, run: () => Promise<T>): Promise<T> {
  const ledger = readLedger(out);
  const previous = ledger[name]?.key === key ? ledger[name] : undefined;
  const entry: StepEntry = previous ?? { key, seconds: 0, done: false };
  const t0 = performance.now();
  const save = (done: boolean) => {
    if (!entry.done) entry.seconds += (performance.now() - t0) / 1000;
    if (done && !entry.done) {
      entry.done = true;
      entry.finishedAt = new Date().toISOString();
    }
    writeJsonAtomic(join(out, LEDGER_FILE), { ...readLedger(out), [name]: entry });
  };
  try {
    const result = await run();
    save(true);
    return result;
  } catch (e) {
    save(false);
    throw e;
  }
}
