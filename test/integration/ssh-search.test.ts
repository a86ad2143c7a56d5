// A real search started through `serve` over SSH (ProxyJump), followed by the RunnerClient: attach
// right after search/start; the SSH connection is killed and the host kept unreachable until the
// search has written events the client has not seen, then the client re-attaches and receives
// exactly those (every seq once, in order, as in events.jsonl); the search process is `kill -9`ed
// and continued with search/resume (`pareto-nas resume`), and its final population
// (generations/g0003.json) equals that of an uninterrupted run of the same config.
// The config is the demo preset with its search and training sections cut down (population and
// offspring 2, 3 generations, 1 epoch, C=4) on a tiny synthetic dataset (real PyTorch on CPU), so the
// whole test takes about a minute on two cores.
import assert from 'node:assert/strict';
import { chownSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { RunnerClient } from '../../extension/src/runner/client';
import { SshHostPool, SshTransport } from '../../extension/src/runner/transports';
import type { SshOptions } from '../../extension/src/ssh/connection';
import { presetConfig, type SearchConfig } from '../../common/config';
import { Rpc, type GenerationSnapshot, type StoredEvent } from '../../common/protocol';
import { RUNNER_VERSION } from '../../common/version';
import { runnerBundle, startCli } from '../helpers/cli';
import { writeSyntheticDataset } from '../helpers/npy';
import { repoRoot } from '../helpers/paths';
import { createTestUser, sshdUnavailable, startSshd, writeSshConfig, type Sshd, type TestUser } from '../helpers/sshd';

const skip = sshdUnavailable() ?? (existsSync(runnerBundle) ? undefined : 'dist/runner.js missing (npm run build)');

function chownTree(path: string, uid: number): void {
  chownSync(path, uid, uid);
  if (statSync(path).isDirectory()) for (const f of readdirSync(path)) chownTree(join(path, f), uid);
}

async function until(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

const eventsOf = (dir: string): StoredEvent[] =>
  existsSync(join(dir, 'events.jsonl'))
    ? readFileSync(join(dir, 'events.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as StoredEvent)
    : [];
const finalPopulation = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, 'generations', 'g0003.json'), 'utf8')) as GenerationSnapshot).population;

describe('search over SSH: attach at once, drop, exact re-attach, kill -9, resume', { skip, timeout: 400_000 }, () => {
  let user: TestUser;
  let jump: Sshd;
  let target: Sshd;
  let opts: SshOptions;
  let config: SearchConfig;
  let reference: { dir: string; child: ChildProcess };

  before(async () => {
    user = createTestUser();
    const dataset = writeSyntheticDataset(join(user.home, 'data'), { size: 12, train: 320, val: 64, seed: 5 });
    chownTree(dataset, user.uid);
    config = presetConfig('demo', dataset, {
      search: { population: 2, offspring: 2, generations: 3, initChannels: 4, seed: 11 },
      training: { epochs: 1, batchSize: 32 },
      engine: { name: 'torch', device: 'cpu' },
      executor: { workers: 1 },
    });
    // the uninterrupted run of the same config, locally with the CLI, alongside the remote one
    const refConfig = join(user.clientDir, 'reference.json');
    writeFileSync(refConfig, JSON.stringify(config));
    const refDir = join(user.clientDir, 'reference');
    const child = startCli(['search', '--config', refConfig, '--run-dir', refDir]);
    child.stdout!.resume(); // drained, so a full pipe never blocks it
    child.stderr!.resume();
    reference = { dir: refDir, child };
    jump = await startSshd({ user });
    target = await startSshd({ user });
    const sshConfig = join(user.clientDir, 'config');
    writeSshConfig(sshConfig, [
      { alias: 'jump', port: jump.port, user: user.name, identityFile: user.keyFile },
      { alias: 'gpu', port: target.port, user: user.name, identityFile: user.keyFile, proxyJump: 'jump' },
    ]);
    opts = {
      file: sshConfig,
      prompts: { confirmUnknownHostKey: async () => true },
      knownHostsFiles: [join(user.clientDir, 'kh')],
      agent: false,
      keepaliveInterval: 1000,
    };
  });

  after(async () => {
    if (reference?.child.exitCode === null) reference.child.kill('SIGKILL');
    await Promise.all([jump?.stop(), target?.stop()]);
    user?.remove();
  });

  it('replays exactly the missed events after a dropped connection and resumes after kill -9 to the uninterrupted result', async (t) => {
    const pool = new SshHostPool(opts);
    const logs: string[] = [];
    const client = await RunnerClient.connect(
      new SshTransport({
        pool,
        host: 'gpu',
        distDir: join(repoRoot, 'dist'),
        version: RUNNER_VERSION,
        remote: { runsDir: 'runs' },
      }),
      { reconnect: { baseDelayMs: 500, maxDelayMs: 2000, maxAttempts: 8 }, log: (l) => logs.push(l) },
    );
    const states: string[] = [];
    client.onState((s) => states.push(s));
    const got: StoredEvent[] = [];
    const t0 = Date.now();
    try {
      const launch = await client.request(Rpc.searchStart, { config });
      assert.equal(launch.executor, 'local');
      assert.ok(launch.pid && alive(launch.pid), 'the detached search runs');
      const runDir = launch.dir;
      assert.ok(runDir.startsWith(`${user.home}/runs/`), runDir);
      // attach at once, no retry: the server created the events file with the run directory
      const sub = await client.attach(launch.run, 0, (e) => got.push(e));

      // 1. drop the SSH connection mid-run and keep the host unreachable until the search has
      //    written events the client has not received
      await until('the first candidate to start', () => got.some((e) => e.type === 'candidate-started'), 120_000);
      target.pause();
      target.killSessions();
      await until('the client to notice the drop', () => states.includes('reconnecting'), 15_000);
      const lastBefore = got.at(-1)!.seq;
      assert.ok(alive(launch.pid!), 'the search must outlive the SSH connection (setsid)');
      await until(
        'two events written while disconnected',
        () => (eventsOf(runDir).at(-1)?.seq ?? 0) >= lastBefore + 2,
        120_000,
      );
      assert.equal(got.at(-1)!.seq, lastBefore, 'nothing arrives while the host is unreachable');
      const missedUpTo = eventsOf(runDir).at(-1)!.seq;
      target.resume();
      await until('the reconnect', () => states.at(-1) === 'connected', 60_000);
      await until('the missed events', () => got.at(-1)!.seq >= missedUpTo, 15_000);
      const replayed = got.filter((e) => e.seq > lastBefore && e.seq <= missedUpTo);
      assert.deepEqual(
        replayed.map((e) => e.seq),
        Array.from({ length: missedUpTo - lastBefore }, (_, i) => lastBefore + 1 + i),
        'exactly the missed events',
      );

      // 2. kill -9 the search in its second generation, then resume it through the server
      await until(
        'generation 2 to be under way',
        () => got.some((e) => e.type === 'generation-started' && e.generation === 2),
        150_000,
      );
      assert.ok(!got.some((e) => e.type === 'run-finished'), 'still running when killed');
      process.kill(launch.pid!, 'SIGKILL');
      await until('the search to be gone', () => !alive(launch.pid!), 15_000);
      const summary = await client.request(Rpc.runSummary, { run: launch.run });
      assert.equal(summary.state, 'stopped');
      const resumed = await client.request(Rpc.searchResume, { run: launch.run });
      assert.ok(resumed.pid && resumed.pid !== launch.pid);
      await until('the resumed run to finish', () => got.some((e) => e.type === 'run-finished'), 200_000);
      sub.dispose();

      // every event on disk reached the client exactly once, in order
      const onDisk = eventsOf(runDir);
      assert.deepEqual(
        got.map((e) => e.seq),
        onDisk.map((e) => e.seq),
        'delivered events = events.jsonl',
      );
      assert.deepEqual(
        got.map((e) => e.seq),
        Array.from({ length: got.length }, (_, i) => i + 1),
        'no gap, no duplicate',
      );
      const finished = got.at(-1)!;
      assert.equal(finished.type === 'run-finished' && finished.status, 'completed');
      const starts = got.filter((e) => e.type === 'run-started');
      assert.equal(starts.length, 2);
      assert.equal(starts[1].type === 'run-started' && starts[1].resumed, true);

      // the same final population as the uninterrupted run
      if (reference.child.exitCode === null) await once(reference.child, 'exit');
      assert.equal(reference.child.exitCode, 0, 'the reference run completed');
      assert.deepEqual(finalPopulation(runDir), finalPopulation(reference.dir));
      const pareto = await client.request(Rpc.paretoGet, { run: launch.run });
      assert.ok(pareto.front.length >= 1);
      const cand = await client.request(Rpc.candidateGet, { run: launch.run, id: pareto.front[0].id });
      assert.equal(cand.record.id, pareto.front[0].id);
      t.diagnostic(
        `events before the drop: ${lastBefore}; written while disconnected and replayed: ${missedUpTo - lastBefore}; total ${got.length}; ` +
          `${((Date.now() - t0) / 1000).toFixed(1)} s`,
      );
    } finally {
      client.dispose();
      pool.close();
      if (logs.length) t.diagnostic(logs.slice(-15).join('\n'));
    }
  });
});
