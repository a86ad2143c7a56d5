// An LSP client for tests: starts dist/language-server.js over stdio (as another editor would) and
// speaks the protocol with vscode-languageserver-protocol. Diagnostics are collected as published;
// `diagnostics(uri, until)` waits for a publication that satisfies a condition.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type CodeLens,
  type CompletionItem,
  type Diagnostic,
  type Hover,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import type { LspInitOptions } from '../../common/lsp';
import { repoRoot } from './paths';

export const serverBundle = join(repoRoot, 'dist', 'language-server.js');

export class LspTestClient {
  private readonly published = new Map<string, Diagnostic[]>();
  private readonly waiters: Array<() => void> = [];
  readonly stderr: string[] = [];
  private versions = new Map<string, number>();

  private constructor(
    readonly connection: ProtocolConnection,
    private readonly child: ChildProcess,
  ) {
    connection.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: Diagnostic[] }) => {
      this.published.set(p.uri, p.diagnostics);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Starts the server and initializes it; `setup` registers handlers (e.g. runnerRequest) before initialize. */
  static async start(
    options: LspInitOptions = {},
    setup?: (c: ProtocolConnection) => void,
    env: NodeJS.ProcessEnv = process.env,
  ): Promise<LspTestClient> {
    const child = spawn(process.execPath, [serverBundle, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env });
    const connection = createProtocolConnection(
      new StreamMessageReader(child.stdout!),
      new StreamMessageWriter(child.stdin!),
    );
    const client = new LspTestClient(connection, child);
    child.stderr!.on('data', (d: Buffer) => client.stderr.push(d.toString()));
    setup?.(connection);
    connection.onRequest('workspace/codeLens/refresh', () => null);
    connection.listen();
    await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: {},
      initializationOptions: options,
    });
    await connection.sendNotification('initialized', {});
    return client;
  }

  open(uri: string, text: string): Promise<void> {
    this.versions.set(uri, 1);
    this.published.delete(uri);
    return this.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'json', version: 1, text },
    });
  }

  change(uri: string, text: string): Promise<void> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    return this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ text }],
    });
  }

  /** The first published diagnostics of uri for which `until` holds (waits up to timeoutMs). */
  async diagnostics(uri: string, until: (d: Diagnostic[]) => boolean, timeoutMs = 60_000): Promise<Diagnostic[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const d = this.published.get(uri);
      if (d && until(d)) return d;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no diagnostics for ${uri} matched within ${timeoutMs / 1000} s; last: ${JSON.stringify(d)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => (clearTimeout(t), resolve()));
      });
    }
  }

  hover(uri: string, line: number, character: number): Promise<Hover | null> {
    return this.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line, character } });
  }

  codeLenses(uri: string): Promise<CodeLens[] | null> {
    return this.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } });
  }

  async completions(uri: string, line: number, character: number): Promise<CompletionItem[]> {
    const r = await this.connection.sendRequest<CompletionItem[] | { items: CompletionItem[] } | null>(
      'textDocument/completion',
      { textDocument: { uri }, position: { line, character } },
    );
    return Array.isArray(r) ? r : (r?.items ?? []);
  }

  async stop(): Promise<void> {
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } catch {
      // already gone
    }
    this.connection.dispose();
    if (this.child.exitCode === null) this.child.kill();
  }
}

/** Line and character of the first occurrence of `needle` in text (plus `offset` characters into it). */
export function positionOf(text: string, needle: string, offset = 1): { line: number; character: number } {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`"${needle}" not in the text`);
  const before = text.slice(0, i + offset);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - before.lastIndexOf('\n') - 1 };
}
