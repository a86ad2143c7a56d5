// Versions the extension checks when it deploys or talks to a runner.
export const RUNNER_VERSION = '0.1.0';
/** Bumped whenever a JSON-RPC method, notification or event changes shape. */
export const PROTOCOL_VERSION = 1;
