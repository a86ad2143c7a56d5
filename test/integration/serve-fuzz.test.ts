// A bounded fuzz of the real `pareto-nas serve` over stdio, fixed seed: 20 connections, each
// negotiated and then fed 150 frames (valid requests, requests with random params and ids,
// bodies with flipped, inserted or deleted bytes, random bytes, batches, stray responses); most
// connections then end with one hostile frame (no Content-Length, a negative, non-numeric or huge
// length, a body over the limit, a header that never ends, a truncated body, flipped header
// bytes). After that the server must either answer `version` or close cleanly (exit 0, with a
// line on stderr saying why): never hang. Its peak memory (VmHWM) stays under MEMORY_BOUND_MB.
// Then: the extension's client reconnects by itself after the server closed on a bad frame.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunnerClient, type RunnerStreams } from '../../extension/src/runner/client';
import { LocalTransport } from '../../extension/src/runner/transports';
import { Rpc } from '../../common/protocol';
import { PROTOCOL_VERSION } from '../../common/version';
import { runnerBundle } from '../helpers/cli';
import { rng } from '../helpers/npy';
import { repoRoot } from '../helpers/paths';

const CONNECTIONS = 20;
const FRAMES = 150;
const MAX_MESSAGE = 64 * 1024;
const MEMORY_BOUND_MB = 250;
const root = mkdtempSync(join(tmpdir(), 'pnas-fuzz-'));
cpSync(join(repoRoot, 'test/fixtures/run-small'), join(root, 'small'), { recursive: true });
after(() => rmSync(root, { recursive: true, force: true }));

const random = rng(20261204);
const int = (n: number) => Math.floor(random() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];

const frame = (body: Buffer | string) => {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return Buffer.concat([Buffer.from(`Content-Length: ${b.length}\r\n\r\n`), b]);
};
const request = (id: unknown, method: string, params?: unknown) =>
  JSON.stringify({ jsonrpc: '2.0', id, method, ...(params !== undefined && { params }) });

// Read-only methods with plausible params (nothing here launches a process).
const templates = [
  () => request(int(1e6), 'runs/list', {}),
  () => request(int(1e6), 'run/summary', { run: 'small' }),
  () => request(int(1e6), 'pareto/get', { run: 'small', maxMflops: random() * 10 }),
  () => request(int(1e6), 'candidate/get', { run: 'small', id: `g1-0${int(9)}` }),
  () => request(int(1e6), 'run/attach', { run: 'small', fromSeq: int(50) }),
  () => request(int(1e6), 'run/detach', { run: 'small' }),
  () =>
    request(String(int(1e6)), 'run/summary', { run: pick(['small', '/etc', '../x', '', 'a/b', join(root, 'small')]) }),
];

function randomValue(depth = 0): unknown {
  switch (int(depth > 2 ? 5 : 7)) {
    case 0:
      return null;
    case 1:
      return random() * 1e6 - 5e5;
    case 2:
      return pick(['', 'small', '/etc/passwd', '../..', 'x'.repeat(int(300)), '\u0000\uffff']);
    case 3:
      return random() < 0.5;
    case 4:
      return pick([NaN, -1, 2 ** 53, 1e308]);
    case 5:
      return Array.from({ length: int(4) }, () => randomValue(depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: int(4) }, () => [
          pick(['run', 'root', 'id', 'fromSeq', 'config', 'runDir', 'x']),
          randomValue(depth + 1),
        ]),
      );
  }
}

function mutate(text: string): Buffer {
  const b = Buffer.from(text);
  const out = [...b];
  for (let k = 1 + int(4); k > 0; k--) {
    const at = int(out.length + 1);
    const op = int(3);
    if (op === 0 && out.length) out[at % out.length] = int(256);
    else if (op === 1) out.splice(at, 0, int(256));
    else out.splice(at, 1);
  }
  return Buffer.from(out);
}

function wellFramed(): Buffer {
  switch (int(7)) {
    case 0:
      return frame(pick(templates)());
    case 1:
      return frame(mutate(pick(templates)()));
    case 2:
      return frame(
        request(
          randomValue(),
          pick(['runs/list', 'run/summary', 'pareto/get', 'candidate/get', 'run/attach', 'run/cancel', 'nope', '']),
          randomValue(),
        ),
      );
    case 3:
      return frame(Buffer.from(Array.from({ length: int(200) }, () => int(256))));
    case 4:
      return frame(JSON.stringify([JSON.parse(pick(templates)())]));
    case 5:
      return frame(JSON.stringify({ jsonrpc: '2.0', id: int(9), result: randomValue() }));
    default:
      return frame(JSON.stringify({ jsonrpc: pick(['2.0', '1.0', 2]), method: 'run/summary', params: randomValue() }));
  }
}

const hostile: Array<() => Buffer> = [
  () => Buffer.from('Content-Type: application/json\r\n\r\n{}'),
  () => Buffer.from('Content-Length: -5\r\n\r\n{}'),
  () => Buffer.from('Content-Length: abc\r\n\r\n{}'),
  () => Buffer.from('Content-Length: 1000000000000\r\n\r\n'),
  () => frame('x'.repeat(MAX_MESSAGE + 1)),
  () => Buffer.from('y'.repeat(10_000)),
  () => Buffer.from(`Content-Length: ${400 + int(400)}\r\n\r\n{"jsonrpc":"2.0"`),
  () => mutate(frame(pick(templates)()).subarray(0, 20).toString('latin1')),
  () => Buffer.from(Array.from({ length: 50 + int(500) }, () => int(256))),
];

interface Outcome {
  answered: boolean;
  exitCode: number | null;
  stderr: string;
  peakMb: number;
}

async function fuzzOnce(frames: Buffer[]): Promise<Outcome> {
  const child = spawn(
    process.execPath,
    [runnerBundle, 'serve', '--runs', root, '--max-message-bytes', String(MAX_MESSAGE), '--stall-ms', '1500'],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  child.stdin.on('error', () => undefined); // the server may close before it has read everything
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d.toString('latin1')));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let peakMb = 0;
  const sample = () => {
    try {
      peakMb = Math.max(
        peakMb,
        Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024,
      );
    } catch {
      // exited already
    }
  };
  child.stdin.write(frame(request(0, 'version', { protocol: PROTOCOL_VERSION })));
  for (const f of frames) child.stdin.write(f);
  child.stdin.write(frame(request('final', 'version', { protocol: PROTOCOL_VERSION })));
  const answered = new Promise<true>((resolve) => {
    const check = () => stdout.includes('"id":"final"') && resolve(true);
    child.stdout.on('data', check);
  });
  const timeout = new Promise<'hang'>((resolve) => setTimeout(() => resolve('hang'), 20_000).unref());
  const first = await Promise.race([answered, exited.then(() => false as const), timeout]);
  sample();
  child.stdin.end();
  const exitCode = await Promise.race([exited, timeout.then(() => (child.kill('SIGKILL'), -1))]);
  if (first === 'hang') return { answered: false, exitCode: -2, stderr, peakMb };
  return { answered: first === true, exitCode, stderr, peakMb };
}

test(`fuzz: ${CONNECTIONS} connections × ${FRAMES} frames; the server answers or closes cleanly, within ${MEMORY_BOUND_MB} MB`, async (t) => {
  let peak = 0;
  let answered = 0;
  let closed = 0;
  for (let c = 0; c < CONNECTIONS; c++) {
    const frames = Array.from({ length: FRAMES }, wellFramed);
    const ending = c % 5 !== 0; // every fifth connection has no hostile frame and must answer
    if (ending) frames.push(pick(hostile)());
    const o = await fuzzOnce(frames);
    assert.notEqual(
      o.exitCode,
      -2,
      `connection ${c}: no answer and no close within 20 s (a hang)\n${o.stderr.slice(-2000)}`,
    );
    assert.ok(o.peakMb < MEMORY_BOUND_MB, `connection ${c}: peak memory ${o.peakMb.toFixed(0)} MB`);
    assert.doesNotMatch(o.stderr, /uncaught|unhandled rejection/, `connection ${c}`);
    peak = Math.max(peak, o.peakMb);
    if (o.answered) answered++;
    else {
      assert.equal(o.exitCode, 0, `connection ${c}: closed with exit ${o.exitCode}\n${o.stderr.slice(-2000)}`);
      assert.match(
        o.stderr,
        /serve: framing error, closing the connection: |serve: the input ended inside a message/,
        `connection ${c}`,
      );
      closed++;
    }
    if (!ending)
      assert.ok(
        o.answered,
        `connection ${c}: only well-framed messages, yet no answer to version\n${o.stderr.slice(-2000)}`,
      );
  }
  assert.ok(closed > 0 && answered > 0, `answered ${answered}, closed ${closed}`);
  t.diagnostic(`answered ${answered}, closed cleanly ${closed}, peak server memory ${peak.toFixed(0)} MB`);
});

test('a length of 10^12 followed by 32 MB is refused at once, without buffering it', async () => {
  const o = await fuzzOnce([
    Buffer.from('Content-Length: 1000000000000\r\n\r\n'),
    Buffer.alloc(32 * 1024 * 1024, 0x61),
  ]);
  assert.equal(o.answered, false);
  assert.equal(o.exitCode, 0);
  assert.match(o.stderr, /message of 1000000000000 bytes is larger than the limit of 65536 bytes/);
});

test('the extension client reconnects by itself after the server closed on a bad frame', async () => {
  let raw: RunnerStreams | undefined;
  const local = new LocalTransport({ runnerScript: runnerBundle, nodePath: process.execPath, runsDir: root });
  const transport = { label: 'local', open: async () => (raw = await local.open()) };
  const client = await RunnerClient.connect(transport, { reconnect: { baseDelayMs: 50, maxDelayMs: 200 } });
  try {
    const states: string[] = [];
    const reconnected = new Promise<void>((resolve) =>
      client.onState((s) => (states.push(s), s === 'connected' && resolve())),
    );
    const first = raw!;
    first.toServer.write('Content-Length: -1\r\n\r\n');
    await reconnected;
    // 'reconnecting' comes once on the drop and again with each attempt ("attempt 1/n")
    assert.deepEqual(
      states.filter((s, i) => s !== states[i - 1]),
      ['reconnecting', 'connected'],
    );
    assert.notEqual(raw, first);
    assert.ok((await client.request(Rpc.runsList, {})).some((r) => r.id === 'small'));
  } finally {
    client.dispose();
  }
});
