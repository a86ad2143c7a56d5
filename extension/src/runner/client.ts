// The transport-independent runner client: typed JSON-RPC (the Rpc definitions of protocol.ts)
// over the stdio of `pareto-nas serve`, started as a local child process or over an SSH exec
// channel. It negotiates the protocol version, reconnects after a drop with capped exponential
// backoff (stopping at once on authentication or host-key failures: no 2FA lockouts) and re-attaches
// every followed run from the last seq it delivered, so no event is lost or delivered twice.
import type { Readable, Writable } from 'node:stream';
import {
  createMessageConnection,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
  type RequestType,
  type RequestType0,
} from 'vscode-jsonrpc/node';
import {
  Rpc,
  RpcErrorCode,
  type RunAttachResult,
  type StoredEvent,
  type VersionResult,
} from '../../../common/protocol';
import { PROTOCOL_VERSION } from '../../../common/version';
import { errorText } from '../errors';

export interface RunnerStreams {
  /** The server's stdout. */
  fromServer: Readable;
  /** The server's stdin. */
  toServer: Writable;
  /** The server's stderr (logs), when the transport has one. */
  stderr?: Readable;
  /** Resolves with a reason when the streams are gone (process exit, channel or connection closed). */
  closed: Promise<string>;
  close(): void;
}

export interface RunnerTransport {
  /** e.g. "local" or "ssh gpu (via login)". */
  readonly label: string;
  open(): Promise<RunnerStreams>;
  /** Errors after which reconnecting automatically is wrong (auth, host key, version). */
  isFatal?(e: unknown): boolean;
  dispose?(): void;
}

export type ConnectionState = 'connected' | 'reconnecting' | 'closed';

export interface Subscription {
  dispose(): void;
}

export interface ReconnectPolicy {
  /** Attempts after a drop before giving up (default 8). */
  maxAttempts: number;
  /** First delay (default 1 s), doubled per attempt up to maxDelayMs (default 30 s). */
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface RunnerClientOptions {
  clientName?: string;
  reconnect?: Partial<ReconnectPolicy>;
  log?: (line: string) => void;
}

export class ProtocolMismatchError extends Error {
  override name = 'ProtocolMismatchError';
}

interface Attachment {
  run: string;
  lastSeq: number;
  onEvent: (e: StoredEvent) => void;
  active: boolean;
}

export class RunnerClient {
  private conn: MessageConnection | undefined;
  private streams: RunnerStreams | undefined;
  private disposed = false;
  private state: ConnectionState = 'closed';
  private readonly stateListeners = new Set<(s: ConnectionState, detail?: string) => void>();
  private readonly attachments = new Map<string, Attachment>();
  private readonly policy: ReconnectPolicy;
  private readonly log: (line: string) => void;
  private connectedOnce: Promise<void> | undefined;
  version: VersionResult | undefined;

  private constructor(
    readonly transport: RunnerTransport,
    private readonly o: RunnerClientOptions,
  ) {
    this.policy = { maxAttempts: 8, baseDelayMs: 1000, maxDelayMs: 30_000, ...o.reconnect };
    this.log = o.log ?? (() => undefined);
  }

  /** Opens the transport, negotiates the protocol; rejects on the first failure (no retries). */
  static async connect(transport: RunnerTransport, o: RunnerClientOptions = {}): Promise<RunnerClient> {
    const c = new RunnerClient(transport, o);
    await c.open();
    return c;
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  private setState(s: ConnectionState, detail?: string): void {
    this.state = s;
    for (const l of this.stateListeners) l(s, detail);
  }

  onState(listener: (state: ConnectionState, detail?: string) => void): Subscription {
    this.stateListeners.add(listener);
    return { dispose: () => this.stateListeners.delete(listener) };
  }

  private async open(): Promise<void> {
    const streams = await this.transport.open();
    const conn = createMessageConnection(
      new StreamMessageReader(streams.fromServer),
      new StreamMessageWriter(streams.toServer),
      {
        error: (m) => this.log(`runner ${this.transport.label}: ${m}`),
        warn: (m) => this.log(`runner ${this.transport.label}: ${m}`),
        info: () => undefined,
        log: () => undefined,
      },
    );
    streams.stderr?.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n')) if (line.trim()) this.log(`[${this.transport.label}] ${line}`);
    });
    conn.onNotification(Rpc.runEvent, (p) => {
      const a = this.attachments.get(p.run);
      if (!a || !a.active) return;
      const e = p.event;
      if (e.seq === 0) {
        // a server-side note (not stored in the run): pass it on without touching lastSeq
        a.onEvent(e);
        return;
      }
      if (e.seq <= a.lastSeq) return; // already delivered (replay overlap after a re-attach)
      a.lastSeq = e.seq;
      a.onEvent(e);
    });
    conn.listen();
    let version: VersionResult;
    try {
      version = await conn.sendRequest(Rpc.version, {
        protocol: PROTOCOL_VERSION,
        client: this.o.clientName ?? 'pareto-nas client',
      });
    } catch (e) {
      conn.dispose();
      streams.close();
      if (e instanceof ResponseError && e.code === RpcErrorCode.ProtocolMismatch)
        throw new ProtocolMismatchError(`${this.transport.label}: ${e.message}`);
      throw e;
    }
    this.version = version;
    this.conn = conn;
    this.streams = streams;
    this.setState('connected');
    void streams.closed.then((reason) => this.onDropped(conn, reason));
  }

  private onDropped(conn: MessageConnection, reason: string): void {
    if (this.conn !== conn) return;
    conn.dispose();
    this.conn = undefined;
    this.streams = undefined;
    if (this.disposed) return;
    this.log(`runner ${this.transport.label}: connection lost (${reason}); reconnecting`);
    this.setState('reconnecting', reason);
    void this.reconnect();
  }

  private isFatal(e: unknown): boolean {
    return e instanceof ProtocolMismatchError || (this.transport.isFatal?.(e) ?? false);
  }

  private async reconnect(): Promise<void> {
    for (let attempt = 0; attempt < this.policy.maxAttempts && !this.disposed; attempt++) {
      const delay = Math.min(this.policy.baseDelayMs * 2 ** attempt, this.policy.maxDelayMs);
      await new Promise((r) => setTimeout(r, delay));
      if (this.disposed) return;
      // each attempt is announced ("attempt 2/3"), so the status bar can say how far it has got
      this.setState('reconnecting', `attempt ${attempt + 1}/${this.policy.maxAttempts}`);
      try {
        await this.open();
        await this.reattachAll();
        this.log(`runner ${this.transport.label}: reconnected after ${attempt + 1} attempt(s)`);
        return;
      } catch (e) {
        const msg = errorText(e);
        if (this.isFatal(e)) {
          this.log(`runner ${this.transport.label}: not reconnecting: ${msg}`);
          this.setState('closed', msg);
          return;
        }
        this.log(
          `runner ${this.transport.label}: reconnect attempt ${attempt + 1}/${this.policy.maxAttempts} failed: ${msg}`,
        );
      }
    }
    if (!this.disposed) this.setState('closed', `gave up after ${this.policy.maxAttempts} reconnect attempts`);
  }

  private async reattachAll(): Promise<void> {
    for (const a of this.attachments.values()) {
      if (!a.active) continue;
      await this.connection().sendRequest(Rpc.runAttach, { run: a.run, fromSeq: a.lastSeq });
    }
  }

  private connection(): MessageConnection {
    if (!this.conn)
      throw new Error(
        `runner ${this.transport.label} is ${this.state === 'reconnecting' ? 'reconnecting' : 'not connected'}`,
      );
    return this.conn;
  }

  request<P, R>(type: RequestType<P, R, void>, params: P): Promise<R> {
    return this.connection().sendRequest(type, params as never);
  }

  request0<R>(type: RequestType0<R, void>): Promise<R> {
    return this.connection().sendRequest(type);
  }

  /**
   * Replays events with seq > fromSeq, then follows new ones; after a reconnect the client
   * re-attaches from the last seq it delivered. Events reach onEvent once each, in seq order.
   */
  async attach(
    run: string,
    fromSeq: number,
    onEvent: (e: StoredEvent) => void,
  ): Promise<RunAttachResult & Subscription> {
    const a: Attachment = { run, lastSeq: fromSeq, onEvent, active: true };
    this.attachments.set(run, a);
    let result: RunAttachResult;
    try {
      result = await this.connection().sendRequest(Rpc.runAttach, { run, fromSeq });
    } catch (e) {
      if (this.attachments.get(run) === a) this.attachments.delete(run);
      throw e;
    }
    return {
      ...result,
      dispose: () => {
        a.active = false;
        if (this.attachments.get(run) === a) {
          this.attachments.delete(run);
          void this.conn?.sendRequest(Rpc.runDetach, { run }).catch(() => undefined);
        }
      },
    };
  }

  /** The last seq delivered for an attached run (for tests and the run manager). */
  lastSeq(run: string): number | undefined {
    return this.attachments.get(run)?.lastSeq;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.conn?.dispose();
    this.streams?.close();
    this.conn = undefined;
    this.streams = undefined;
    this.transport.dispose?.();
    this.setState('closed', 'disposed');
  }
}
