// `serve` starting runs: search/start then run/attach at once (no "run not found" while the search
// process is still starting), run/cancel as SIGTERM to the detached process group, and the sbatch
// script written for the slurm executor. The runner started here is a stub script standing in for
// dist/runner.js (the real search over serve is test/integration/ssh-search.test.ts, the real Slurm
// one test/integration/slurm-serve.test.ts).
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { Rpc, type StoredEvent } from '../../common/protocol';
import { launch, readLaunch } from '../../runner/src/server/launch';
import { startServer } from '../../runner/src/server/server';
import { PROTOCOL_VERSION } from '../../common/version';

const work = mkdtempSync(join(tmpdir(), 'pnas-serve-launch-'));
after(() => rmSync(work, { recursive: true, force: true }));

// Stands in for `runner.js search --config F --run-dir D`: waits before creating the run (as a
// search that loads Python and the dataset first), writes two events, then waits for SIGTERM.
const stub = join(work, 'stub-runner.js');
writeFileSync(
  stub,
  `const fs = require('fs'), path = require('path');
const dir = process.argv[process.argv.indexOf('--run-dir') + 1];
const ev = (seq, message) => fs.appendFileSync(path.join(dir, 'events.jsonl'), JSON.stringify({ seq, time: new Date().toISOString(), type: 'log', level: 'info', message }) + '\\n');
setTimeout(() => {
  fs.writeFileSync(path.join(dir, 'config.json'), fs.readFileSync(process.argv[process.argv.indexOf('--config') + 1]));
  ev(1, 'one');
  ev(2, 'two');
}, 700);
process.on('SIGTERM', () => { ev(3, 'cancelled'); process.exit(130); });
setInterval(() => undefined, 1000);
`,
);

function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () =>
      cond() ? resolve() : Date.now() > end ? reject(new Error(`timed out waiting for ${what}`)) : setTimeout(tick, 50);
    tick();
  });
}

describe('serve: search/start, attach at once, cancel', () => {
  it('attaches right after search/start and streams the first events; cancel sends SIGTERM', async () => {
    const root = join(work, 'runs');
    const a = new PassThrough();
    const b = new PassThrough();
    const server = startServer({ input: a, output: b, runsRoot: root, runnerScript: stub, log: () => undefined });
    const client = createMessageConnection(new StreamMessageReader(b), new StreamMessageWriter(a));
    const got: StoredEvent[] = [];
    client.onNotification(Rpc.runEvent, (p) => void got.push(p.event));
    client.listen();
    try {
      await client.sendRequest(Rpc.version, { protocol: PROTOCOL_VERSION });
      const started = await client.sendRequest(Rpc.searchStart, { config: { name: 'stub', dataset: '/nonexistent' } });
      assert.equal(started.executor, 'local');
      assert.ok(started.pid);
      assert.equal(started.dir, join(root, started.run));
      // no retry: the run exists (an empty events file) before the search has written anything
      const attached = await client.sendRequest(Rpc.runAttach, { run: started.run, fromSeq: 0 });
      assert.equal(attached.summary.state, 'running');
      assert.equal(attached.summary.lastSeq, 0);
      await until('two events', () => got.length >= 2);
      assert.deepEqual(
        got.map((e) => e.seq),
        [1, 2],
      );
      const cancel = await client.sendRequest(Rpc.runCancel, { run: started.run });
      assert.equal(cancel.how, 'sigterm');
      await until('the cancel event', () => got.length >= 3);
      assert.equal(got[2].type === 'log' && got[2].message, 'cancelled');
      assert.equal(readLaunch(started.dir)?.pid, started.pid);
    } finally {
      client.dispose();
      server.dispose();
    }
  });
});

describe('serve: the sbatch script of the slurm executor', () => {
  it('asks for the configured partition, account, time and GPUs, writes the log into the run, and execs the runner', () => {
    // a stand-in sbatch on PATH that records its arguments (the real one: slurm-serve.test.ts)
    const bin = join(work, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'sbatch'), `#!/bin/sh\necho "$@" > "${join(work, 'sbatch-args')}"\necho "4242;cluster"\n`);
    chmodSync(join(bin, 'sbatch'), 0o755);
    const runDir = join(work, "run with 'quotes'");
    const info = launch({
      kind: 'search',
      runDir,
      args: ['search', '--config', join(runDir, 'c.json'), '--run-dir', runDir],
      runnerScript: '/opt/pareto nas/runner.js',
      executor: 'slurm',
      slurm: { partition: 'gpu', account: 'proj-1', time: '01:30:00', gpusPerTask: 2, extraArgs: ['--qos=short'] },
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
    });
    assert.equal(info.jobId, '4242');
    assert.equal(info.executor, 'slurm');
    const script = readFileSync(join(runDir, 'search.sbatch'), 'utf8');
    assert.match(script, /^#!\/bin\/sh\n/);
    for (const line of [
      '#SBATCH --partition=gpu',
      '#SBATCH --account=proj-1',
      '#SBATCH --time=01:30:00',
      '#SBATCH --gres=gpu:2',
      `#SBATCH --output='${runDir.replace(/'/g, `'\\''`)}/runner.log'`,
      `#SBATCH --chdir='${runDir.replace(/'/g, `'\\''`)}'`,
    ]) {
      assert.ok(script.includes(`${line}\n`), `${line} in\n${script}`);
    }
    assert.match(script, /\nexec \S+ '\/opt\/pareto nas\/runner\.js' search --config /);
    assert.equal(
      readFileSync(join(work, 'sbatch-args'), 'utf8').trim(),
      `--parsable --qos=short ${join(runDir, 'search.sbatch')}`,
    );
    assert.ok(existsSync(join(runDir, 'launch.json')));
  });
});
