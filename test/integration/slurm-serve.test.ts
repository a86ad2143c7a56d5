// The slurm executor through `pareto-nas serve` on a real single-node Slurm cluster started by the
// test (test/helpers/slurm.ts): search/start submits the search with sbatch, the job shows in
// squeue, its events stream through run/attach, run/cancel scancels it (a clean, cancelled run), and
// a second tiny search (real PyTorch on CPU) completes inside its job.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RunnerClient } from '../../extension/src/runner/client';
import { LocalTransport } from '../../extension/src/runner/transports';
import type { SearchConfigInput } from '../../common/config';
import { Rpc, type LaunchResult, type StoredEvent } from '../../common/protocol';
import { writeSyntheticDataset } from '../helpers/npy';
import { repoRoot } from '../helpers/paths';
import { slurmUnavailable, startSlurm, type SlurmCluster } from '../helpers/slurm';

const runner = join(repoRoot, 'dist', 'runner.js');
const skip = slurmUnavailable() ?? (existsSync(runner) ? undefined : 'dist/runner.js missing (npm run build)');

async function until(
  what: string,
  cond: () => boolean,
  timeoutMs: number,
  detail: () => string = () => '',
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}\n${detail()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const ACTIVE = ['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING'];

describe('slurm executor through serve (real single-node cluster)', { skip, timeout: 240_000 }, () => {
  let cluster: SlurmCluster;
  let work: string;
  let client: RunnerClient;
  const logs: string[] = [];

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'pnas-slurm-serve-'));
    cluster = await startSlurm();
    // serve as a local child process whose environment finds the cluster (SLURM_CONF)
    client = await RunnerClient.connect(
      new LocalTransport({
        runnerScript: runner,
        nodePath: process.execPath,
        runsDir: join(work, 'runs'),
        env: cluster.env,
      }),
      { log: (l) => logs.push(l) },
    );
  });

  after(async () => {
    client?.dispose();
    await cluster?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('submits with sbatch, streams events, cancels with scancel, and completes a tiny run', async (t) => {
    const dataset = writeSyntheticDataset(join(work, 'data'), { size: 12, train: 320, val: 64, seed: 5 });
    const config = (name: string, generations: number): SearchConfigInput => ({
      name,
      dataset,
      search: { population: 2, offspring: 2, generations, initChannels: 4, seed: 11 },
      training: { epochs: 1, batchSize: 32 },
      engine: { name: 'torch', device: 'cpu' },
      // no GPUs on the test node: gpusPerTask 0 leaves --gres out of the script
      executor: {
        kind: 'slurm',
        workers: 1,
        slurm: { time: '00:10:00', gpusPerTask: 0, extraArgs: ['--cpus-per-task=1'] },
      },
    });
    const events = new Map<string, StoredEvent[]>();
    const start = async (name: string, generations: number): Promise<LaunchResult> => {
      const l = await client.request(Rpc.searchStart, { config: config(name, generations) });
      const got: StoredEvent[] = [];
      events.set(l.run, got);
      await client.attach(l.run, 0, (e) => got.push(e)); // at once: the run is queued, nothing written yet
      return l;
    };
    const has = (run: string, type: StoredEvent['type']) => (events.get(run) ?? []).some((e) => e.type === type);
    const detail = () => `${cluster.logs()}\n${logs.slice(-10).join('\n')}`;

    const t0 = Date.now();
    const doomed = await start('slurm-cancel', 3);
    const done = await start('slurm-done', 2);
    for (const l of [doomed, done]) {
      assert.equal(l.executor, 'slurm');
      assert.match(l.jobId ?? '', /^\d+$/);
      assert.equal(l.pid, undefined);
      assert.ok(ACTIVE.includes(cluster.jobState(l.jobId!) ?? ''), `job ${l.jobId} is in squeue`);
      const script = readFileSync(join(l.dir, 'search.sbatch'), 'utf8');
      assert.match(script, /#SBATCH --time=00:10:00\n/);
      assert.doesNotMatch(script, /--gres/);
    }
    const queued = await client.request(Rpc.runSummary, { run: doomed.run }).catch(() => undefined);
    if (queued) assert.equal(queued.state, 'running');

    // events of the job stream through the attachment; then cancel it mid-run
    await until(
      'the first candidate of the job to be cancelled',
      () => has(doomed.run, 'candidate-started'),
      90_000,
      detail,
    );
    assert.equal(cluster.jobState(doomed.jobId!), 'RUNNING');
    const cancel = await client.request(Rpc.runCancel, { run: doomed.run });
    assert.equal(cancel.how, 'scancel');
    await until('the cancelled run to finish', () => has(doomed.run, 'run-finished'), 30_000, detail);
    const last = events.get(doomed.run)!.at(-1)!;
    assert.equal(last.type === 'run-finished' && last.status, 'cancelled');
    await until(
      'the cancelled job to leave the queue',
      () => !ACTIVE.includes(cluster.jobState(doomed.jobId!) ?? ''),
      20_000,
      detail,
    );
    assert.equal((await client.request(Rpc.runSummary, { run: doomed.run })).state, 'cancelled');
    assert.equal((await client.request(Rpc.runCancel, { run: doomed.run })).how, 'not-running');

    // the other job runs to the end
    await until('the tiny run to complete', () => has(done.run, 'run-finished'), 180_000, detail);
    const finished = events.get(done.run)!.at(-1)!;
    assert.equal(finished.type === 'run-finished' && finished.status, 'completed');
    await until(
      'the completed job to leave the queue',
      () => cluster.jobState(done.jobId!) === 'COMPLETED',
      20_000,
      detail,
    );
    const onDisk = readFileSync(join(done.dir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as StoredEvent).seq);
    assert.deepEqual(
      events.get(done.run)!.map((e) => e.seq),
      onDisk,
      'every event once, in order',
    );
    assert.ok(existsSync(join(done.dir, 'generations', 'g0002.json')));
    const started = events.get(done.run)!.find((e) => e.type === 'run-started');
    assert.equal(started?.type === 'run-started' && started.config.executor.kind, 'slurm');
    const summary = await client.request(Rpc.runSummary, { run: done.run });
    assert.equal(summary.state, 'completed');
    assert.equal(summary.evaluations, 2 + 2);
    const list = await client.request(Rpc.runsList, {});
    assert.deepEqual(list.map((s) => s.state).sort(), ['cancelled', 'completed']);
    t.diagnostic(`two Slurm searches (one cancelled, one completed) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });
});
