// `pareto-nas serve` as JSON-RPC 2.0: version negotiation, and a JSON-RPC error (never a crash)
// for every kind of malformed or unknown message. In process, over a pair of byte streams.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { PROTOCOL_VERSION, RUNNER_VERSION } from '../../common/version';
import { Rpc, RpcErrorCode, type StoredEvent } from '../../common/protocol';
import { startServer, type RunnerServer } from '../../runner/src/server/server';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';

interface Wire {
  server: RunnerServer;
  toServer: PassThrough;
  fromServer: PassThrough;
  logs: string[];
}

function wire(runsRoot: string): Wire {
  const toServer = new PassThrough();
  const fromServer = new PassThrough();
  const logs: string[] = [];
  const server = startServer({ input: toServer, output: fromServer, runsRoot, log: (l) => logs.push(l) });
  return { server, toServer, fromServer, logs };
}

/** Reads framed messages off the server's output. */
function collector(stream: PassThrough): () => Promise<Record<string, unknown>> {
  let buf = Buffer.alloc(0);
  const queue: Record<string, unknown>[] = [];
  const waiters: Array<(m: Record<string, unknown>) => void> = [];
  stream.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      const sep = buf.indexOf('\r\n\r\n');
      if (sep < 0) return;
      const len = Number(/Content-Length: (\d+)/i.exec(buf.subarray(0, sep).toString())![1]);
      if (buf.length < sep + 4 + len) return;
      const msg = JSON.parse(buf.subarray(sep + 4, sep + 4 + len).toString()) as Record<string, unknown>;
      buf = buf.subarray(sep + 4 + len);
      const w = waiters.shift();
      if (w) w(msg);
      else queue.push(msg);
    }
  });
  return () => {
    const m = queue.shift();
    if (m) return Promise.resolve(m);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no message from the server within 5 s')), 5000);
      waiters.push((x) => {
        clearTimeout(t);
        resolve(x);
      });
    });
  };
}

function frame(body: string): string {
  return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

describe('serve: JSON-RPC over a byte stream', () => {
  let root: string;
  let w: Wire;
  let next: () => Promise<Record<string, unknown>>;

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'pnas-serve-'));
    w = wire(root);
    next = collector(w.fromServer);
  });
  after(() => {
    w.server.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it('refuses methods before version negotiation', async () => {
    w.toServer.write(frame(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'runs/list', params: {} })));
    const r = await next();
    assert.equal(r.id, 1);
    assert.equal((r.error as { code: number }).code, RpcErrorCode.NotNegotiated);
  });

  it('answers a protocol mismatch with a clear error naming both versions', async () => {
    w.toServer.write(
      frame(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'version', params: { protocol: PROTOCOL_VERSION + 7 } })),
    );
    const r = await next();
    const err = r.error as { code: number; message: string };
    assert.equal(err.code, RpcErrorCode.ProtocolMismatch);
    assert.match(err.message, new RegExp(`client speaks protocol ${PROTOCOL_VERSION + 7}.*speaks ${PROTOCOL_VERSION}`));
  });

  it('negotiates the version', async () => {
    w.toServer.write(
      frame(
        JSON.stringify({
          jsonrpc: '2.0',
          id: 3,
          method: 'version',
          params: { protocol: PROTOCOL_VERSION, client: 'test' },
        }),
      ),
    );
    const r = await next();
    assert.deepEqual(r.result, { runner: RUNNER_VERSION, protocol: PROTOCOL_VERSION });
  });

  it('answers a body that is not JSON with -32700 and keeps serving', async () => {
    w.toServer.write(frame('{"jsonrpc":"2.0","id":4,"method":'));
    const r = await next();
    assert.equal((r.error as { code: number }).code, -32700);
    assert.equal(r.id, null);
  });

  it('answers an unknown method with -32601', async () => {
    w.toServer.write(frame(JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'no/such/method', params: {} })));
    const r = await next();
    assert.equal(r.id, 5);
    assert.equal((r.error as { code: number }).code, -32601);
  });

  it('answers invalid requests with -32600 (wrong jsonrpc, batch, scalar, bad params type)', async () => {
    for (const [body, id] of [
      [JSON.stringify({ jsonrpc: '1.0', id: 6, method: 'version' }), 6],
      [JSON.stringify([{ jsonrpc: '2.0', id: 7, method: 'version' }]), null],
      ['42', null],
      [JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'runs/list', params: 'x' }), 8],
      [JSON.stringify({ jsonrpc: '2.0', id: 9, method: 17 }), 9],
      [JSON.stringify({ jsonrpc: '2.0', id: { x: 1 }, method: 'runs/list' }), null],
    ] as const) {
      w.toServer.write(frame(body));
      const r = await next();
      assert.equal((r.error as { code: number }).code, -32600, body);
      assert.equal(r.id, id, body);
    }
  });

  it('answers bad params with -32602 naming the field', async () => {
    w.toServer.write(
      frame(JSON.stringify({ jsonrpc: '2.0', id: 10, method: 'run/attach', params: { run: 'x', fromSeq: -1 } })),
    );
    const r = await next();
    const err = r.error as { code: number; message: string };
    assert.equal(err.code, -32602);
    assert.match(err.message, /run\/attach: params\.fromSeq/);
  });

  it('answers an unknown run with RunNotFound and a path-like id with InvalidParams', async () => {
    w.toServer.write(frame(JSON.stringify({ jsonrpc: '2.0', id: 11, method: 'pareto/get', params: { run: 'nope' } })));
    let r = await next();
    assert.equal((r.error as { code: number }).code, RpcErrorCode.RunNotFound);
    w.toServer.write(
      frame(JSON.stringify({ jsonrpc: '2.0', id: 12, method: 'pareto/get', params: { run: '../etc' } })),
    );
    r = await next();
    assert.equal((r.error as { code: number }).code, -32602);
  });

  it('answers an invalid search config with InvalidConfig naming the field', async () => {
    const body = {
      jsonrpc: '2.0',
      id: 13,
      method: 'search/start',
      params: { config: { dataset: 'd', search: { population: 'many' } } },
    };
    w.toServer.write(frame(JSON.stringify(body)));
    const r = await next();
    const err = r.error as { code: number; message: string };
    assert.equal(err.code, RpcErrorCode.InvalidConfig);
    assert.match(err.message, /search\.population/);
  });

  it('ignores malformed notifications silently and still answers afterwards', async () => {
    w.toServer.write(frame(JSON.stringify({ jsonrpc: '2.0', method: 'whatever', params: 5 })));
    w.toServer.write(frame(JSON.stringify({ jsonrpc: '2.0', method: 'unknown/notification' })));
    w.toServer.write(frame(JSON.stringify({ jsonrpc: '2.0', id: 14, method: 'runs/list', params: {} })));
    const r = await next();
    assert.equal(r.id, 14);
    assert.deepEqual(r.result, []);
  });
});

describe('serve: typed client, attach replays then follows', () => {
  it('replays events after fromSeq, then streams appended ones', async () => {
    const root = mkdtempSync(join(tmpdir(), 'pnas-serve-'));
    const dir = join(root, 'r1');
    mkdirSync(dir);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ name: 'r1', dataset: 'default' }));
    const ev = (seq: number): StoredEvent => ({
      seq,
      time: new Date().toISOString(),
      type: 'log',
      level: 'info',
      message: `m${seq}`,
    });
    writeFileSync(join(dir, 'events.jsonl'), [1, 2, 3].map((s) => JSON.stringify(ev(s)) + '\n').join(''));
    const a = new PassThrough();
    const b = new PassThrough();
    const server = startServer({ input: a, output: b, runsRoot: root, log: () => undefined });
    const client: MessageConnection = createMessageConnection(new StreamMessageReader(b), new StreamMessageWriter(a));
    const got: number[] = [];
    client.onNotification(Rpc.runEvent, (p) => {
      got.push(p.event.seq);
    });
    client.listen();
    try {
      await client.sendRequest(Rpc.version, { protocol: PROTOCOL_VERSION });
      const res = await client.sendRequest(Rpc.runAttach, { run: 'r1', fromSeq: 1 });
      assert.equal(res.summary.lastSeq, 3);
      const { appendFileSync } = await import('node:fs');
      appendFileSync(join(dir, 'events.jsonl'), JSON.stringify(ev(4)) + '\n');
      const deadline = Date.now() + 5000;
      while (got.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(got, [2, 3, 4]);
      await client.sendRequest(Rpc.runDetach, { run: 'r1' });
      const list = await client.sendRequest(Rpc.runsList, {});
      assert.equal(list.length, 1);
      assert.equal(list[0].id, 'r1');
    } finally {
      client.dispose();
      server.dispose();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('serve: dataset/check and dataset/list (the language server asks them)', () => {
  it('reports a dataset folder, a folder that is not one, and lists datasets first', async () => {
    const { writeSyntheticDataset } = await import('../helpers/npy');
    const root = mkdtempSync(join(tmpdir(), 'pnas-serve-ds-'));
    const data = writeSyntheticDataset(join(root, 'data', 'xfel'), {
      size: 12,
      channels: 2,
      classes: 3,
      train: 6,
      val: 3,
    });
    mkdirSync(join(root, 'data', 'notes'));
    const a = new PassThrough();
    const b = new PassThrough();
    const server = startServer({ input: a, output: b, runsRoot: join(root, 'runs'), log: () => undefined });
    const client: MessageConnection = createMessageConnection(new StreamMessageReader(b), new StreamMessageWriter(a));
    client.listen();
    try {
      await client.sendRequest(Rpc.version, { protocol: PROTOCOL_VERSION });
      const ok = await client.sendRequest(Rpc.datasetCheck, { path: data });
      assert.equal(ok.ok, true);
      assert.deepEqual(ok.dataset?.shape, [2, 12, 12]);
      assert.equal(ok.dataset?.classes.length, 3);
      assert.deepEqual([ok.dataset?.train, ok.dataset?.val], [6, 3]);
      const notOne = await client.sendRequest(Rpc.datasetCheck, { path: join(root, 'data', 'notes') });
      assert.equal(notOne.ok, false);
      assert.match(notOne.error ?? '', /dataset\.json: missing/);
      const missing = await client.sendRequest(Rpc.datasetCheck, { path: join(root, 'nowhere') });
      assert.match(missing.error ?? '', /no such dataset folder/);
      // the bundled demo data is known before its first use simulates it: 1×32×32, the two EF2 conformations
      const demo = await client.sendRequest(Rpc.datasetCheck, { path: 'default' });
      assert.equal(demo.ok, true);
      assert.deepEqual(demo.dataset?.shape, [1, 32, 32]);
      assert.equal(demo.dataset?.classes.length, 2);
      const list = await client.sendRequest(Rpc.datasetList, { dir: join(root, 'data') });
      assert.deepEqual(
        list.entries.map((e) => [e.name, e.dataset]),
        [
          ['xfel', true],
          ['notes', false],
        ],
      );
      const bad = await client.sendRequest(Rpc.datasetList, { dir: join(root, 'nowhere') });
      assert.deepEqual(bad.entries, []);
      assert.match(bad.error ?? '', /ENOENT/);
    } finally {
      client.dispose();
      server.dispose();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
