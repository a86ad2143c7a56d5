// A real process that writes a run the way search/resume/refine do, for the writer-lock races in
// test/integration/run-writer.test.ts: it opens the run (creating it, or reopening it) through
// RunStore, which takes the writer lock, then appends nine candidate records stamped with its pid
// over `holdMs`, and closes. Refused (lock held, or the run exists): the message on stderr, exit 3.
// `hold` mode prints "ready" once it holds the lock and keeps it until killed.
// Usage: node contender.js <create|resume|hold> <runDir> [holdMs]
import { parseConfig } from '../../common/config';
import type { CandidateRecord, RunInfo } from '../../common/protocol';
import { RunStore } from '../../runner/src/store';

const [mode, dir, holdArg] = process.argv.slice(2);
const holdMs = Number(holdArg ?? 200);
const info: RunInfo = {
  runner: 'contender',
  createdAt: new Date().toISOString(),
  dataset: { dir: '/nonexistent', name: 'd', shape: [1, 8, 8], classes: ['a', 'b'] },
};

async function main(): Promise<void> {
  let store: RunStore;
  try {
    store =
      mode === 'create'
        ? RunStore.create(dir, parseConfig({ name: 'race', dataset: '/nonexistent' }), info)
        : RunStore.open(dir);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(3);
  }
  if (mode === 'hold') {
    process.stdout.write('ready\n');
    setInterval(() => undefined, 1000);
    return;
  }
  for (let i = 0; i < 9; i++) {
    store.appendCandidate(record(i));
    await new Promise((r) => setTimeout(r, holdMs / 9));
  }
  store.close();
}

function record(i: number): CandidateRecord & { writer: number } {
  return {
    id: `g1-0${i}`,
    generation: 1,
    index: i,
    genome: '0',
    specHash: 'h',
    mflops: 1,
    params: 1,
    status: 'ok',
    valAccuracy: 50,
    error: 50,
    epochs: [],
    trainSeconds: 0,
    parents: [],
    finishedAt: new Date().toISOString(),
    writer: process.pid,
  };
}

void main();
