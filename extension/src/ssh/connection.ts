// One SSH connection to a host (through its ProxyJump chain) with ssh2: host keys checked against
// known_hosts (unknown: ask, changed: refuse), agent, identity files (passphrase asked), keyboard-
// interactive prompts (2FA), keepalives. No VS Code import: questions go through SshPrompts.
import type { Readable } from 'node:stream';
import { Client, type ClientChannel, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { AuthMethods } from './auth-methods';
import { resolveHost, type ResolvedHost } from './config';
import { SshAuthError, SshConnectError } from './errors';
import { HostVerifier } from './host-verifier';
import type { SshOptions } from './options';

export type { HostKeyQuestion, KeyboardPrompt, SshOptions, SshPrompts } from './options';
export { HostKeyError, SshAuthError, SshConnectError } from './errors';

export interface ExecResult {
  code: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
}

/** An open connection to the target host; jump connections close with it. */
/** Exit status of each exec channel, recorded as soon as the channel exists (see exec). */
const exitStatus = new WeakMap<ClientChannel, { code: number | null; signal?: string }>();

export class SshSession {
  private closed = false;
  private readonly closeListeners: Array<(reason: string) => void> = [];
  private closeReason = 'closed';

  constructor(
    readonly client: Client,
    readonly host: ResolvedHost,
    private readonly hops: Client[],
  ) {
    const onEnd = (why: string) => {
      if (this.closed) return;
      this.closed = true;
      this.closeReason = why;
      for (const h of this.hops) h.end();
      for (const l of this.closeListeners.splice(0)) l(why);
    };
    client.on('close', () => onEnd('connection closed'));
    // Over a ProxyJump channel ssh2 reports a dropped target with 'end' only ('close' comes later).
    client.on('end', () => {
      onEnd('connection ended by the server or the network');
      client.end();
    });
    client.on('error', (e) => onEnd(`connection error: ${e.message}`));
    for (const h of hops) {
      h.on('close', () => client.end());
      h.on('error', () => client.end());
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Calls back once when the connection (or a jump host under it) goes away. */
  onClose(listener: (reason: string) => void): void {
    if (this.closed) listener(this.closeReason);
    else this.closeListeners.push(listener);
  }

  exec(command: string): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new SshConnectError(`${this.host.alias}: connection is closed`));
      this.client.exec(command, (err, ch) => {
        if (err) return reject(new SshConnectError(`${this.host.alias}: exec failed: ${err.message}`));
        // A quick command's exit status can arrive before the caller's listeners are attached (they
        // run a promise turn later): record it from the first moment the channel exists.
        ch.once('exit', (code: number | null, signal?: string) => exitStatus.set(ch, { code, signal }));
        resolve(ch);
      });
    });
  }

  /** Runs a command to completion and collects its output. */
  async run(command: string, stdin?: string, timeoutMs = 120_000): Promise<ExecResult> {
    const ch = await this.exec(command);
    return new Promise((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => {
        ch.close();
        reject(new SshConnectError(`${this.host.alias}: command timed out after ${timeoutMs / 1000} s: ${command}`));
      }, timeoutMs);
      ch.on('data', (d: Buffer) => (stdout += d.toString()));
      ch.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      ch.on('close', () => {
        clearTimeout(timer);
        // the exit-status request can be processed after the channel's close event, in the same
        // turn: read the status one turn later
        setImmediate(() => {
          const exit = exitStatus.get(ch);
          resolve({ code: exit?.code ?? null, signal: exit?.signal, stdout, stderr });
        });
      });
      if (stdin !== undefined) ch.end(stdin);
      else ch.end();
    });
  }

  sftp(): Promise<SFTPWrapper> {
    return new Promise((resolve, reject) => {
      this.client.sftp((err, s) =>
        err ? reject(new SshConnectError(`${this.host.alias}: SFTP failed: ${err.message}`)) : resolve(s),
      );
    });
  }

  close(): void {
    this.client.end();
    for (const h of this.hops) h.end();
  }

  /** Tears the TCP connection down without a goodbye (tests: simulate a dropped network). */
  destroy(): void {
    this.client.destroy();
    for (const h of this.hops) h.destroy();
  }
}

/** Connects to a host alias (resolving ~/.ssh/config) through its jump chain. */
export async function connectSsh(target: string, o: SshOptions): Promise<SshSession> {
  const host = resolveHost(target, o);
  const hops: Client[] = [];
  let sock: Readable | undefined;
  try {
    for (const hop of [...host.jumps, host]) {
      const client = await connectOne(hop, o, sock, hop === host ? undefined : host.alias);
      if (hop !== host) {
        hops.push(client);
        sock = await forward(client, host, hop, [...host.jumps, host][hops.length]);
      } else {
        return new SshSession(client, host, hops);
      }
    }
  } catch (e) {
    for (const h of hops) h.end();
    throw e;
  }
  throw new Error('unreachable');
}

function forward(client: Client, target: ResolvedHost, via: ResolvedHost, next: ResolvedHost): Promise<Readable> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, next.hostName, next.port, (err, stream) => {
      if (err) {
        reject(
          new SshConnectError(
            `${target.alias}: jump host ${via.alias} (${via.hostName}:${via.port}) could not open a channel to ${next.hostName}:${next.port}: ${err.message}` +
              ' (the jump host needs AllowTcpForwarding yes)',
          ),
        );
      } else resolve(stream);
    });
  });
}

function connectOne(host: ResolvedHost, o: SshOptions, sock: Readable | undefined, via?: string): Promise<Client> {
  const label = `${host.alias}${via ? ` (jump host for ${via})` : ''}`;
  const verifier = new HostVerifier(host, o, label);
  const auth = new AuthMethods(host, o, label);
  return new Promise<Client>((resolve, reject) => {
    const client = new Client();
    let settled = false;
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      client.end();
      reject(e);
    };
    const cfg: ConnectConfig = {
      host: host.hostName,
      port: host.port,
      username: host.user,
      sock,
      readyTimeout: o.readyTimeout ?? 120_000,
      keepaliveInterval: o.keepaliveInterval ?? (host.serverAliveInterval ? host.serverAliveInterval * 1000 : 15_000),
      keepaliveCountMax: o.keepaliveCountMax ?? host.serverAliveCountMax,
      tryKeyboard: o.prompts.keyboardInteractive !== undefined,
      authHandler: auth.handler((e) => fail(new SshAuthError(`${label}: authentication failed: ${e.message}`))),
      hostVerifier: verifier.verify,
    };
    client.on('ready', () => {
      if (settled) return;
      settled = true;
      resolve(client);
    });
    // ssh2 can emit 'error' more than once for one client: always .on, never .once.
    client.on('error', (e: Error & { level?: string }) => fail(connectError(e, verifier, auth, host, label)));
    client.on('close', () =>
      fail(verifier.failure ?? new SshConnectError(`${label}: connection closed during the handshake`)),
    );
    client.connect(cfg);
  });
}

/** The error a failed handshake reports: a refused host key, a cancelled or failed login, or the network's. */
function connectError(
  e: Error & { level?: string },
  verifier: HostVerifier,
  auth: AuthMethods,
  host: ResolvedHost,
  label: string,
): Error {
  if (verifier.failure) return verifier.failure;
  if (auth.cancelled) return new SshAuthError(`${label}: authentication cancelled`);
  if (e.level === 'client-authentication') {
    return new SshAuthError(
      `${label}: authentication failed for ${host.user}@${host.hostName}:${host.port} (${e.message}); not retrying automatically`,
    );
  }
  return new SshConnectError(`${label}: cannot connect to ${host.user}@${host.hostName}:${host.port}: ${e.message}`);
}
