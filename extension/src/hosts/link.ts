// The view of a runner connection the run manager needs. hosts/connect.ts builds one from the
// transport-independent RunnerClient of extension/src/runner (local child process or SSH exec channel).
import type { RequestType, RequestType0 } from 'vscode-jsonrpc';
import type { RunAttachResult, StoredEvent } from '../../../common/protocol';

export interface Subscription {
  dispose(): void;
}

export interface RunnerLink {
  request<P, R>(type: RequestType<P, R, void>, params: P): Promise<R>;
  request0<R>(type: RequestType0<R, void>): Promise<R>;
  /** Replays events with seq > fromSeq, then follows; the link re-attaches by itself after a reconnect. */
  attach(run: string, fromSeq: number, onEvent: (e: StoredEvent) => void): Promise<RunAttachResult & Subscription>;
  /** Connection state changes, for the tree ("reconnecting…") and the log. */
  onState(listener: (state: 'connected' | 'reconnecting' | 'closed', detail?: string) => void): Subscription;
  dispose(): void;
}
