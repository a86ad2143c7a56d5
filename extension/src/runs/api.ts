// What the webview host (extension/src/webview/**) gets from the run manager. The extension keeps the
// authoritative run state; panels read a snapshot from `get` and follow `onDidApplyEvents`.
import type * as vscode from 'vscode';
import type { CandidateGetResult, StoredEvent } from '../../../common/protocol';
import type { RunModel } from './run-model';

/** A run on a host: host is "local" or "ssh:<alias>", run the runner's run id. JSON-serialisable
 *  (it is what a WebviewPanelSerializer stores to bring a panel back after a reload). */
export interface RunRef {
  host: string;
  run: string;
}

export interface RunsApi {
  /** The run's current model (candidates with records, refinements, lastSeq), if known. */
  get(ref: RunRef): RunModel | undefined;
  /** Connects to the host if needed and attaches (replays from the model's lastSeq). Resolves with the model. */
  ensureAttached(ref: RunRef): Promise<RunModel>;
  /** Events just applied to a run's model (seq order, never a seq twice). */
  readonly onDidApplyEvents: vscode.Event<{ ref: RunRef; events: StoredEvent[] }>;
  /** Spec, curves and refinements of one candidate (`candidate/get`). */
  candidate(ref: RunRef, id: string): Promise<CandidateGetResult>;
  /** Starts refinement of these candidates; asks for the epoch count (default setting) when not given. */
  refine(ref: RunRef, ids: string[], epochs?: number): Promise<void>;
}
