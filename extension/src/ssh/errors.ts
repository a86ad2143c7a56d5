// The ways an SSH connection fails, told apart so callers know whether a retry may help.

/** Authentication failed or was cancelled: do not retry automatically (2FA lockouts). */
export class SshAuthError extends Error {
  override name = 'SshAuthError';
}

/** The host key was changed, revoked or not trusted: never retry automatically. */
export class HostKeyError extends Error {
  override name = 'HostKeyError';
}

export class SshConnectError extends Error {
  override name = 'SshConnectError';
}
