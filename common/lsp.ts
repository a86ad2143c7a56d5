// The custom messages between the Pareto NAS language server (language-server/) and its client (the
// extension, or a test). The server never opens SSH: what it must ask a host (a dataset, Doctor's
// GPUs and Slurm partitions) it asks the client with `runnerRequest`, and the client answers through
// its runner connection to that host. A client that does not offer this (another editor running
// `node dist/language-server.js --stdio`) gets checks against this machine from a runner the server
// starts itself. Browser-safe: names and shapes only.
import type { DatasetCheckParams, DatasetListParams } from './protocol';

export const LspMethod = {
  /** Server → client request: one runner RPC on a host (RunnerRequestParams → the RPC's result). */
  runnerRequest: 'paretoNas/runnerRequest',
  /** Client → server notification: the host that config documents target (TargetParams). */
  target: 'paretoNas/target',
  /** Client → server notification: forget what was learnt from hosts and check every open config again. */
  revalidate: 'paretoNas/revalidate',
} as const;

/** The runner methods the server may ask for: read-only ones. The client refuses any other. */
export type RunnerRequestParams =
  | { host: string; method: 'doctor'; params?: undefined }
  | { host: string; method: 'dataset/check'; params: DatasetCheckParams }
  | { host: string; method: 'dataset/list'; params: DatasetListParams };
export const FORWARDED_RUNNER_METHODS = ['doctor', 'dataset/check', 'dataset/list'] as const;

/** The error code of a runnerRequest the client did not send because the host is not connected. */
export const HOST_NOT_CONNECTED = -32030;

export interface TargetParams {
  /** Host key as the extension names hosts: "local" or "ssh:<alias>". */
  host: string;
  /** For messages: "this machine", "gpu-node". */
  label: string;
}

/** `initializationOptions` of the language server. */
export interface LspInitOptions {
  /** The client answers runnerRequest (the extension does); otherwise the server starts a local runner. */
  runnerRequests?: boolean;
  target?: TargetParams;
  /**
   * Hover on a field shows its documentation (default true). VS Code sets false: its JSON language
   * service already shows the schema's text for the file, and both would appear in one hover.
   */
  fieldHovers?: boolean;
}
