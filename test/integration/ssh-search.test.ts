// A real search started through `serve` over SSH (ProxyJump), followed by the RunnerClient:
// the SSH connection is killed mid-run and the client re-attaches (events replayed exactly once);
// then the search process is `kill -9`ed and continued with search/resume (`pareto-nas resume`).
// Sized down from the demo preset (population 2, 1 generation, 1 epoch) to fit the time budget.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chownSync, cpSync, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RunnerClient } from '../../extension/src/runner/client';
import { SshHostPool, SshTransport } from '../../extension/src/runner/transports';
import type { SshOptions } from '../../extension/src/ssh/connection';
import { presetConfig } from '../../runner/src/config';
import { Rpc, type StoredEvent } from '../../runner/src/protocol';
import { RUNNER_VERSION } from '../../runner/src/version';
import { repoRoot } from '../helpers/paths';
import { createTestUser, sshdUnavailable, startSshd, writeSshConfig, type Sshd, type TestUser } from '../helpers/sshd';

const runner = join(repoRoot, 'dist', 'runner.js');

/** The demo dataset folder (simulated once and cached by the runner), or why there is none. */
function demoDataset(): { dir?: string; why?: string } {
  if (!existsSync(runner)) return { why: 'dist/runner.js missing (npm run build)' };
  const r = spawnSync(process.execPath, [runner, 'dataset', 'demo'], { encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0) return { why: `pareto-nas dataset demo failed: ${(r.stderr || r.stdout).trim().split('\n').at(-1)}` };
  return { dir: r.stdout.trim().split('\n').at(-1) };
}

// Opt-in until a 1-epoch demo candidate trains in well under a minute on the CI machine: on the shared
// 2-core box (load 10+) one candidate did not finish in 150 s. Set PARETO_NAS_SSH_SEARCH=1 to run it.
const skip =
  sshdUnavailable() ??
  (process.env.PARETO_NAS_SSH_SEARCH === '1' ? undefined : 'set PARETO_NAS_SSH_SEARCH=1 to run the real search over SSH (slow on a loaded machine)');

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

describe('search over SSH: drop, re-attach, kill -9, resume', { skip, timeout: 280_000 }, () => {
  let user: TestUser;
  let jump: Sshd;
  let target: Sshd;
  let dataset: string;
  let pendingWhy: string | undefined;
  let opts: SshOptions;

  before(async () => {
    const d = demoDataset();
    if (!d.dir) {
      pendingWhy = d.why;
      return;
    }
    user = createTestUser();
    dataset = join(user.home, 'demo-data');
    cpSync(d.dir, dataset, { recursive: true });
    chownTree(dataset, user.uid);
    jump = await startSshd({ user });
    target = await startSshd({ user });
    const config = join(user.clientDir, 'config');
    writeSshConfig(config, [
      { alias: 'jump', port: jump.port, user: user.name, identityFile: user.keyFile },
      { alias: 'gpu', port: target.port, user: user.name, identityFile: user.keyFile, proxyJump: 'jump' },
    ]);
    opts = { file: config, prompts: { confirmUnknownHostKey: async () => true }, knownHostsFiles: [join(user.clientDir, 'kh')], agent: false, keepaliveInterval: 1000 };
  });

  after(async () => {
    await Promise.all([jump?.stop(), target?.stop()]);
    user?.remove();
  });

  it('replays exactly the missed events after a dropped connection and resumes after kill -9', async (t) => {
    if (pendingWhy) {
      t.skip(`search not runnable yet: ${pendingWhy}`);
      return;
    }
    const pool = new SshHostPool(opts);
    const logs: string[] = [];
    const client = await RunnerClient.connect(
      new SshTransport({ pool, host: 'gpu', distDir: join(repoRoot, 'dist'), version: RUNNER_VERSION, remote: { runsDir: 'runs' } }),
      { reconnect: { baseDelayMs: 1500, maxDelayMs: 4000, maxAttempts: 6 }, log: (l) => logs.push(l) },
    );
    const states: string[] = [];
    client.onState((s) => states.push(s));
    const got: StoredEvent[] = [];
    try {
      const config = presetConfig('demo', dataset, {
        search: { population: 2, offspring: 2, generations: 1, initChannels: 4 },
        training: { epochs: 1, batchSize: 64 },
        engine: { name: 'torch' },
        executor: { workers: 1 },
      });
      const launch = await client.request(Rpc.searchStart, { config });
      assert.equal(launch.executor, 'local');
      assert.ok(launch.pid && alive(launch.pid), 'the detached search runs');
      const runDir = launch.dir;
      assert.ok(runDir.startsWith(`${user.home}/runs/`), runDir);
      const sub = await client.attach(launch.run, 0, (e) => got.push(e));

      // 1. drop the SSH connection mid-run (server side: the per-connection sshd processes die)
      await until('the first candidate to start', () => got.some((e) => e.type === 'candidate-started'), 120_000);
      const before = got.length;
      target.killSessions();
      await until('the client to notice the drop', () => states.includes('reconnecting'), 15_000);
      const droppedAt = Date.now();
      assert.ok(alive(launch.pid!), 'the search must outlive the SSH connection (setsid)');
      await until('the reconnect', () => states.at(-1) === 'connected', 60_000);
      const reconnectedAt = Date.now();

      // 2. kill -9 the search after the next finished candidate, then resume it
      await until('a finished candidate', () => got.some((e) => e.type === 'candidate-finished'), 150_000);
      process.kill(launch.pid!, 'SIGKILL');
      // wait until it is reaped, not only dead: the store's liveness check sees zombies as alive
      await until('the search to be reaped', () => {
        try {
          process.kill(launch.pid!, 0);
          return false;
        } catch {
          return true;
        }
      }, 15_000);
      const summary = await client.request(Rpc.runSummary, { run: launch.run });
      assert.equal(summary.state, 'stopped');
      const resumed = await client.request(Rpc.searchResume, { run: launch.run });
      assert.ok(resumed.pid && resumed.pid !== launch.pid);
      await until('the resumed run to finish', () => got.some((e) => e.type === 'run-finished'), 200_000);
      sub.dispose();

      // exactly the events on disk, each once, in order
      const onDisk = readFileSync(join(runDir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as StoredEvent);
      const seqs = got.map((e) => e.seq);
      assert.deepEqual(seqs, onDisk.map((e) => e.seq).slice(0, seqs.length), 'delivered events = events.jsonl prefix');
      assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1), 'no gap, no duplicate');
      const missed = got.filter((e, i) => i >= before && Date.parse(e.time) >= droppedAt - 2000 && Date.parse(e.time) < reconnectedAt);
      t.diagnostic(`events before the drop: ${before}; written while disconnected and replayed: ${missed.length}; total ${got.length}`);
      const finished = got.at(-1)!;
      assert.equal(finished.type, 'run-finished');
      assert.equal(finished.type === 'run-finished' && finished.status, 'completed');
      const starts = got.filter((e) => e.type === 'run-started');
      assert.equal(starts.length, 2);
      assert.equal(starts[1].type === 'run-started' && starts[1].resumed, true);
      const pareto = await client.request(Rpc.paretoGet, { run: launch.run });
      assert.ok(pareto.front.length >= 1);
      const cand = await client.request(Rpc.candidateGet, { run: launch.run, id: pareto.front[0].id });
      assert.equal(cand.record.id, pareto.front[0].id);
    } finally {
      client.dispose();
      pool.close();
      if (logs.length) t.diagnostic(logs.slice(-15).join('\n'));
    }
  });
});
