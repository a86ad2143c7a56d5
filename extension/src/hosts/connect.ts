// Builds a RunnerLink for a target. The local target runs the bundled runner (`dist/runner.js serve`)
// as a child process of the extension host and speaks JSON-RPC over its stdio.
// SSH targets go through extension/src/runner's RunnerClient once that connection layer is wired in.
import { spawn } from 'node:child_process';
import * as vscode from 'vscode';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type RequestType } from 'vscode-jsonrpc/node';
import { Rpc, type StoredEvent } from '../../../runner/src/protocol';
import { PROTOCOL_VERSION } from '../../../runner/src/version';
import type { Log } from '../log';
import { readSettings } from '../settings';
import type { RunnerLink, Subscription } from './link';
import type { Target } from './targets';

export function createConnector(context: vscode.ExtensionContext, log: Log) {
  return async (target: Target, token?: vscode.CancellationToken): Promise<RunnerLink> => {
    if (target.kind === 'local') return connectLocal(context, log, token);
    throw new Error(`SSH connections are not available in this build (host "${target.host}")`);
  };
}

async function connectLocal(context: vscode.ExtensionContext, log: Log, token?: vscode.CancellationToken): Promise<RunnerLink> {
  const s = readSettings();
  const script = context.asAbsolutePath('dist/runner.js');
  const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
  if (s.localRunsDir) env.PARETO_NAS_RUNS = s.localRunsDir;
  env.PARETO_NAS_PYTHON = s.localPythonPath;
  const child = spawn(process.execPath, [script, 'serve'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stderr.setEncoding('utf8');
  let stderrTail = '';
  child.stderr.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-2000);
    for (const line of chunk.split(/\r?\n/)) if (line.trim()) log.info(`runner: ${line}`);
  });
  const conn = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const stateListeners = new Set<(state: 'connected' | 'reconnecting' | 'closed', detail?: string) => void>();
  const handlers = new Map<string, (e: StoredEvent) => void>();
  let closed = false;
  const close = (detail?: string) => {
    if (closed) return;
    closed = true;
    for (const l of stateListeners) l('closed', detail);
  };
  child.on('exit', (code, signal) =>
    close(code === 0 || signal === 'SIGTERM' ? 'runner exited' : `runner exited (${signal ?? code}): ${stderrTail.trim().split('\n').pop() ?? ''}`),
  );
  child.on('error', (e) => close(e.message));
  conn.onNotification(Rpc.runEvent, (p) => handlers.get(p.run)?.(p.event));
  conn.listen();
  const cancelSub = token?.onCancellationRequested(() => child.kill());
  // The handshake fails fast when the runner exits (bad install, wrong Node) or does not answer.
  let timer: NodeJS.Timeout | undefined;
  const exited = new Promise<never>((_, reject) => {
    stateListeners.add((state, detail) => state === 'closed' && reject(new Error(detail ?? 'runner exited')));
    timer = setTimeout(() => reject(new Error('no answer to `version` within 30 s')), 30_000);
  });
  try {
    const v = await Promise.race([
      conn.sendRequest(Rpc.version, { protocol: PROTOCOL_VERSION, client: `pareto-nas-vscode ${context.extension.packageJSON.version}` }),
      exited,
    ]);
    log.info(`local runner ${v.runner} (protocol ${v.protocol}), runs in ${s.localRunsDir || 'the runner default folder'}`);
  } catch (e) {
    child.kill();
    throw new Error(`the local runner did not start: ${e instanceof Error ? e.message : String(e)}${stderrTail ? ` — ${stderrTail.trim()}` : ''}`);
  } finally {
    clearTimeout(timer);
    cancelSub?.dispose();
    stateListeners.clear();
  }
  const link: RunnerLink = {
    request<P, R>(type: RequestType<P, R, void>, params: P): Promise<R> {
      return conn.sendRequest(type, params as never) as Promise<R>;
    },
    request0: (type) => conn.sendRequest(type),
    async attach(run, fromSeq, onEvent) {
      handlers.set(run, onEvent);
      const result = await conn.sendRequest(Rpc.runAttach, { run, fromSeq });
      if (result.run !== run) handlers.set(result.run, onEvent);
      return {
        ...result,
        dispose: () => {
          handlers.delete(run);
          handlers.delete(result.run);
        },
      };
    },
    onState(listener): Subscription {
      stateListeners.add(listener);
      return { dispose: () => stateListeners.delete(listener) };
    },
    dispose() {
      conn.dispose();
      child.stdin.end();
      child.kill();
    },
  };
  return link;
}
