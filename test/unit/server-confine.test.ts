// `serve` stays inside its runs roots, for every method that takes a path: run ids and absolute
// paths inside the runs folder or a --root folder are served; `..`, relative paths, absolute paths
// elsewhere and symlinks leading out are refused with an error that quotes no file. And run/cancel
// signals only the process that owns the run (pid and start time): a decoy process that now has
// the owner's pid is left alone; a finished run says so. In process, with real decoy processes.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import {
  createMessageConnection,
  ErrorCodes,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import { parseConfig } from '../../common/config';
import { Rpc } from '../../common/protocol';
import { startServer, type RunnerServer } from '../../runner/src/server/server';
import { RunStore } from '../../runner/src/store';
import { identityOf } from '../../runner/src/store/process';
import { PROTOCOL_VERSION } from '../../common/version';

const work = mkdtempSync(join(tmpdir(), 'pnas-confine-'));
const root = join(work, 'runs');
const extra = join(work, 'extra');
const outside = join(work, 'outside');
const SECRET = 'SECRET-CONTENT-never-to-be-echoed';
const info = {
  runner: 'test',
  createdAt: new Date(0).toISOString(),
  dataset: { dir: '/nonexistent', name: 'd', shape: [1, 8, 8] as [number, number, number], classes: ['a', 'b'] },
};

function makeRun(dir: string): void {
  RunStore.create(dir, parseConfig({ name: 'r', dataset: '/nonexistent' }), info).close();
}

let server: RunnerServer;
let client: MessageConnection;

before(async () => {
  makeRun(join(root, 'r1'));
  makeRun(join(extra, 'r2'));
  // a run-looking folder outside the roots whose files hold a secret in place of JSON
  mkdirSync(outside, { recursive: true });
  for (const f of ['config.json', 'events.jsonl', 'candidates.jsonl', 'run.json'])
    writeFileSync(join(outside, f), `${SECRET}\n`);
  symlinkSync(outside, join(root, 'escape'));
  const a = new PassThrough();
  const b = new PassThrough();
  server = startServer({
    input: a,
    output: b,
    runsRoot: root,
    roots: [extra],
    runnerScript: '/nonexistent/runner.js',
    log: () => undefined,
  });
  client = createMessageConnection(new StreamMessageReader(b), new StreamMessageWriter(a));
  client.listen();
  await client.sendRequest(Rpc.version, { protocol: PROTOCOL_VERSION });
});

after(() => {
  client.dispose();
  server.dispose();
  rmSync(work, { recursive: true, force: true });
});

/** Every method that takes a path, with that path put in. */
const methods: Array<[string, (ref: string) => [string, object]]> = [
  ['runs/list', (ref) => ['runs/list', { root: ref }]],
  ['run/summary', (ref) => ['run/summary', { run: ref }]],
  ['search/start', (ref) => ['search/start', { config: { name: 'x', dataset: '/nonexistent' }, runDir: ref }]],
  ['search/resume', (ref) => ['search/resume', { run: ref }]],
  ['run/attach', (ref) => ['run/attach', { run: ref, fromSeq: 0 }]],
  ['run/detach', (ref) => ['run/detach', { run: ref }]],
  ['run/cancel', (ref) => ['run/cancel', { run: ref }]],
  ['refine/start', (ref) => ['refine/start', { run: ref, ids: ['g1-00'], epochs: 1 }]],
  ['candidate/get', (ref) => ['candidate/get', { run: ref, id: 'g1-00' }]],
  ['pareto/get', (ref) => ['pareto/get', { run: ref }]],
  ['model/export', (ref) => ['model/export', { run: ref, id: 'g1-00', format: 'onnx' }]],
];

const refused = [
  '/etc',
  '../outside',
  `${root}/../outside`,
  outside,
  join(root, 'escape'),
  'runs/../../outside',
  'sub/dir',
];

describe('serve: path confinement', () => {
  for (const [name, params] of methods) {
    it(`${name} refuses every path outside the runs roots, quoting no file`, async () => {
      for (const ref of refused) {
        const [method, p] = params(ref);
        await assert.rejects(
          client.sendRequest(method, p),
          (e: unknown) => {
            assert.ok(e instanceof ResponseError, String(e));
            assert.equal(e.code, ErrorCodes.InvalidParams, `${name} ${ref}: ${e.message}`);
            assert.match(
              e.message,
              /is outside the runs roots of this server|is neither a run id nor an absolute path/,
              `${name} ${ref}`,
            );
            assert.ok(!e.message.includes(SECRET));
            return true;
          },
          `${name} ${ref}`,
        );
      }
    });
  }

  it('serves runs inside the runs folder (by id or path) and inside a --root folder', async () => {
    assert.equal((await client.sendRequest(Rpc.runSummary, { run: 'r1' })).id, 'r1');
    assert.equal((await client.sendRequest(Rpc.runSummary, { run: join(root, 'r1') })).id, 'r1');
    assert.equal((await client.sendRequest(Rpc.runSummary, { run: join(extra, 'r2') })).id, 'r2');
    assert.deepEqual(
      (await client.sendRequest(Rpc.runsList, { root: extra })).map((s) => s.id),
      ['r2'],
    );
    assert.equal((await client.sendRequest(Rpc.paretoGet, { run: join(extra, 'r2') })).evaluations, 0);
  });
});

function decoy(): Promise<ChildProcess> {
  // ignores SIGTERM but says it got one, so a test sees whether it was signalled
  const child = spawn(
    process.execPath,
    ['-e', 'process.on("SIGTERM", () => console.log("term")); console.log("up"); setInterval(() => {}, 1000)'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return new Promise((resolve) => child.stdout!.once('data', () => resolve(child)));
}

describe("serve: run/cancel signals only the run's owner", () => {
  it('leaves alone a process that now has the recorded pid (pid reuse), and says a finished run has finished', async () => {
    const other = await decoy();
    const signals: string[] = [];
    other.on('exit', (_code, signal) => signals.push(String(signal)));
    try {
      const dir = join(root, 'reused');
      makeRun(dir);
      // The run's writer was a process that has since died; the system gave its pid to `other`.
      const dead = { ...identityOf(other.pid!), start: '1' };
      writeFileSync(
        join(dir, '.writer.lock'),
        JSON.stringify({ ...dead, since: new Date(0).toISOString(), purpose: 'search' }),
      );
      writeFileSync(
        join(dir, 'launch.json'),
        JSON.stringify({
          kind: 'search',
          executor: 'local',
          pid: other.pid,
          owner: dead,
          argv: [],
          startedAt: new Date(0).toISOString(),
        }),
      );
      writeFileSync(
        join(dir, 'events.jsonl'),
        `${JSON.stringify({ seq: 1, time: new Date(0).toISOString(), type: 'run-started', config: {}, resumed: false, pid: other.pid, host: hostname() })}\n`,
      );
      const r = await client.sendRequest(Rpc.runCancel, { run: 'reused' });
      assert.equal(r.how, 'not-running');
      assert.equal((await client.sendRequest(Rpc.runSummary, { run: 'reused' })).state, 'stopped');

      const finished = join(root, 'finished');
      makeRun(finished);
      writeFileSync(
        join(finished, 'events.jsonl'),
        [
          {
            seq: 1,
            time: new Date(0).toISOString(),
            type: 'run-started',
            config: {},
            resumed: false,
            pid: other.pid,
            host: hostname(),
          },
          { seq: 2, time: new Date(0).toISOString(), type: 'run-finished', status: 'completed' },
        ]
          .map((e) => `${JSON.stringify(e)}\n`)
          .join(''),
      );
      const f = await client.sendRequest(Rpc.runCancel, { run: 'finished' });
      assert.deepEqual(f, { run: 'finished', how: 'not-running', message: 'the run has already finished (completed)' });
      // the decoy got no signal: it is still running and answers signal 0
      assert.doesNotThrow(() => process.kill(other.pid!, 0));
      assert.deepEqual(signals, []);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('signals the live owner named by the writer lock', async () => {
    const owner = await decoy();
    const exited = new Promise<string>((resolve) => owner.on('exit', (_c, s) => resolve(String(s))));
    const dir = join(root, 'owned');
    makeRun(dir);
    writeFileSync(
      join(dir, '.writer.lock'),
      JSON.stringify({ ...identityOf(owner.pid!), since: new Date().toISOString(), purpose: 'search' }),
    );
    const termed = new Promise<void>((resolve) =>
      owner.stdout!.on('data', (d) => String(d).includes('term') && resolve()),
    );
    try {
      assert.equal((await client.sendRequest(Rpc.runCancel, { run: 'owned' })).how, 'sigterm');
      await termed;
      owner.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL');
    } finally {
      owner.kill('SIGKILL');
    }
  });
});
