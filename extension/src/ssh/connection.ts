// One SSH connection to a host (through its ProxyJump chain) with ssh2: host keys checked against
// known_hosts (unknown: ask, changed: refuse), agent, identity files (passphrase asked), keyboard-
// interactive prompts (2FA), keepalives. No VS Code import: questions go through SshPrompts.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Duplex, Readable } from 'node:stream';
import { Client, utils, type AnyAuthMethod, type AuthenticationType, type ClientChannel, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { resolveHost, type ConfigOptions, type ResolvedHost } from './config';
import { addKnownHost, checkHostKey, fingerprint, hostField, keyTypeOf, readKnownHosts } from './known-hosts';

export interface HostKeyQuestion {
  host: string;
  port?: number;
  keyType: string;
  fingerprint: string;
}

export interface KeyboardPrompt {
  prompt: string;
  echo: boolean;
}

/** The questions the connection may ask; the extension answers them with VS Code UI. */
export interface SshPrompts {
  /** Unknown host key: true to trust it (it is then appended to known_hosts). */
  confirmUnknownHostKey(q: HostKeyQuestion): Promise<boolean>;
  /** Changed or revoked host key: the connection is refused either way; this only tells the user. */
  reportChangedHostKey?(q: HostKeyQuestion & { knownHostsFile?: string; line?: number }): Promise<void>;
  /** Passphrase of an encrypted identity file; undefined = skip this key. */
  passphrase?(keyFile: string, retry: boolean): Promise<string | undefined>;
  /** keyboard-interactive round (password, 2FA code); undefined = cancel. */
  keyboardInteractive?(host: string, name: string, instructions: string, prompts: KeyboardPrompt[]): Promise<string[] | undefined>;
  password?(host: string, user: string): Promise<string | undefined>;
}

export interface SshOptions extends ConfigOptions {
  prompts: SshPrompts;
  /** known_hosts files to read; default: UserKnownHostsFile, else ~/.ssh/known_hosts and known_hosts2. */
  knownHostsFiles?: string[];
  /** Where accepted keys are appended; default: the first known_hosts file. */
  knownHostsWriteFile?: string;
  /** ssh-agent socket; default $SSH_AUTH_SOCK; false = no agent. */
  agent?: string | false;
  /** Milliseconds between keepalives (default: ServerAliveInterval, else 15 s); 0 = off. */
  keepaliveInterval?: number;
  keepaliveCountMax?: number;
  /** Handshake + authentication limit, prompts included (default 120 s). */
  readyTimeout?: number;
  log?: (line: string) => void;
}

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

export interface ExecResult {
  code: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
}

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

function defaultKnownHosts(home: string): string[] {
  return [join(home, '.ssh', 'known_hosts'), join(home, '.ssh', 'known_hosts2')];
}

/** An open connection to the target host; jump connections close with it. */
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
      this.client.exec(command, (err, ch) => (err ? reject(new SshConnectError(`${this.host.alias}: exec failed: ${err.message}`)) : resolve(ch)));
    });
  }

  /** Runs a command to completion and collects its output. */
  async run(command: string, stdin?: string, timeoutMs = 120_000): Promise<ExecResult> {
    const ch = await this.exec(command);
    return new Promise((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      let code: number | null = null;
      let signal: string | undefined;
      const timer = setTimeout(() => {
        ch.close();
        reject(new SshConnectError(`${this.host.alias}: command timed out after ${timeoutMs / 1000} s: ${command}`));
      }, timeoutMs);
      ch.on('data', (d: Buffer) => (stdout += d.toString()));
      ch.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      ch.on('exit', (c: number | null, s?: string) => {
        code = c;
        signal = s;
      });
      ch.on('close', () => {
        clearTimeout(timer);
        // the exit-status request can be processed after the channel's close event
        const exit = (ch as unknown as { _exit?: { code?: number | null; signal?: string } })._exit;
        setImmediate(() => resolve({ code: code ?? exit?.code ?? null, signal: signal ?? exit?.signal, stdout, stderr }));
      });
      if (stdin !== undefined) ch.end(stdin);
      else ch.end();
    });
  }

  sftp(): Promise<SFTPWrapper> {
    return new Promise((resolve, reject) => {
      this.client.sftp((err, s) => (err ? reject(new SshConnectError(`${this.host.alias}: SFTP failed: ${err.message}`)) : resolve(s)));
    });
  }

  close(): void {
    this.client.end();
    for (const h of this.hops) h.end();
  }

  /** Tears the TCP connection down without a goodbye (tests: simulate a dropped network). */
  destroy(): void {
    const sock = (this.client as unknown as { _sock?: Duplex })._sock;
    sock?.destroy();
    for (const h of this.hops) (h as unknown as { _sock?: Duplex })._sock?.destroy();
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

async function loadIdentities(host: ResolvedHost, o: SshOptions): Promise<Array<{ file: string; data: Buffer }>> {
  const home = o.home ?? homedir();
  const files = host.identityFiles.length ? host.identityFiles : DEFAULT_KEYS.map((k) => join(home, '.ssh', k));
  const out: Array<{ file: string; data: Buffer }> = [];
  for (const f of files) {
    if (!existsSync(f)) {
      if (host.identityFiles.includes(f)) o.log?.(`ssh ${host.alias}: IdentityFile ${f} does not exist; skipped`);
      continue;
    }
    out.push({ file: f, data: readFileSync(f) });
  }
  return out;
}

/** A parsed private key, asking for the passphrase of an encrypted one (three tries). */
async function unlockKey(file: string, data: Buffer, host: ResolvedHost, o: SshOptions): Promise<AnyAuthMethod | undefined> {
  const plain = utils.parseKey(data);
  if (!(plain instanceof Error)) return { type: 'publickey', username: host.user, key: data };
  if (!/encrypted|passphrase/i.test(plain.message)) {
    o.log?.(`ssh ${host.alias}: cannot read key ${file}: ${plain.message}; skipped`);
    return undefined;
  }
  if (!o.prompts.passphrase) return undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const pass = await o.prompts.passphrase(file, attempt > 0);
    if (pass === undefined) return undefined;
    const parsed = utils.parseKey(data, pass);
    if (!(parsed instanceof Error)) return { type: 'publickey', username: host.user, key: data, passphrase: pass };
  }
  o.log?.(`ssh ${host.alias}: wrong passphrase for ${file} three times; skipped`);
  return undefined;
}

function connectOne(host: ResolvedHost, o: SshOptions, sock: Readable | undefined, via?: string): Promise<Client> {
  const home = o.home ?? homedir();
  const knownFiles = o.knownHostsFiles ?? (host.userKnownHostsFiles.length ? host.userKnownHostsFiles : defaultKnownHosts(home));
  const writeFile = o.knownHostsWriteFile ?? knownFiles[0];
  const label = `${host.alias}${via ? ` (jump host for ${via})` : ''}`;
  return new Promise<Client>((resolve, reject) => {
    const client = new Client();
    let hostKeyFailure: Error | undefined;
    let authCancelled = false;
    let settled = false;
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      client.end();
      reject(e);
    };

    const agent = o.agent === false ? undefined : (o.agent ?? process.env.SSH_AUTH_SOCK);
    let methods: Array<() => Promise<AnyAuthMethod | undefined>> | undefined;
    const prepareMethods = async () => {
      const list: Array<() => Promise<AnyAuthMethod | undefined>> = [];
      if (agent && existsSync(agent)) list.push(async () => ({ type: 'agent', username: host.user, agent }));
      for (const id of await loadIdentities(host, o)) list.push(() => unlockKey(id.file, id.data, host, o));
      if (o.prompts.keyboardInteractive) {
        const ask = o.prompts.keyboardInteractive.bind(o.prompts);
        list.push(async () => ({
          type: 'keyboard-interactive',
          username: host.user,
          prompt: (name, instructions, _lang, prompts, finish) => {
            if (prompts.length === 0) return finish([]);
            ask(label, name, instructions, prompts.map((p) => ({ prompt: p.prompt, echo: p.echo ?? false })))
              .then((answers) => {
                if (answers === undefined) {
                  authCancelled = true;
                  finish([]);
                } else finish(answers);
              })
              .catch(() => {
                authCancelled = true;
                finish([]);
              });
          },
        }));
      }
      if (o.prompts.password) {
        const ask = o.prompts.password.bind(o.prompts);
        list.push(async () => {
          const password = await ask(label, host.user);
          if (password === undefined) {
            authCancelled = true;
            return undefined;
          }
          return { type: 'password', username: host.user, password };
        });
      }
      return list;
    };
    const typeOf = (m: AnyAuthMethod) => m.type;
    const pending: Array<() => Promise<AnyAuthMethod | undefined>> = [];
    const authHandler = (left: AuthenticationType[] | null, _partial: boolean | null, next: (m: AnyAuthMethod | false) => void) => {
      void (async () => {
        if (!methods) {
          methods = await prepareMethods();
          pending.push(...methods);
        }
        while (pending.length && !authCancelled) {
          const m = await pending.shift()!();
          if (!m) continue;
          const t = typeOf(m) === 'agent' ? 'publickey' : typeOf(m);
          if (left && left.length && !left.includes(t as AuthenticationType)) continue;
          return next(m);
        }
        next(false);
      })().catch((e: Error) => fail(new SshAuthError(`${label}: authentication failed: ${e.message}`)));
    };

    const keepaliveInterval = o.keepaliveInterval ?? (host.serverAliveInterval ? host.serverAliveInterval * 1000 : 15_000);
    const cfg: ConnectConfig = {
      host: host.hostName,
      port: host.port,
      username: host.user,
      sock,
      readyTimeout: o.readyTimeout ?? 120_000,
      keepaliveInterval,
      keepaliveCountMax: o.keepaliveCountMax ?? host.serverAliveCountMax,
      tryKeyboard: o.prompts.keyboardInteractive !== undefined,
      authHandler: authHandler as unknown as ConnectConfig['authHandler'],
      hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
        void (async () => {
          const entries = readKnownHosts(knownFiles);
          const st = checkHostKey(entries, host.hostName, host.port, key);
          const q: HostKeyQuestion = { host: host.hostName, port: host.port, keyType: keyTypeOf(key), fingerprint: fingerprint(key) };
          if (st.status === 'known') return verify(true);
          if (st.status === 'changed' || st.status === 'revoked') {
            const what = st.status === 'changed' ? 'HAS CHANGED' : 'IS REVOKED';
            hostKeyFailure = new HostKeyError(
              `${label}: the host key of ${hostField(host.hostName, host.port)} ${what} (offered ${q.keyType} ${q.fingerprint}; ` +
                `known_hosts entry ${st.entry.file}:${st.entry.line}). Refusing to connect: this could be a man-in-the-middle attack. ` +
                `If the change is expected, remove the old entry (ssh-keygen -R '${hostField(host.hostName, host.port)}').`,
            );
            await o.prompts.reportChangedHostKey?.({ ...q, knownHostsFile: st.entry.file, line: st.entry.line }).catch(() => undefined);
            return verify(false);
          }
          const ok = await o.prompts.confirmUnknownHostKey(q).catch(() => false);
          if (!ok) {
            hostKeyFailure = new HostKeyError(`${label}: host key ${q.keyType} ${q.fingerprint} of ${hostField(host.hostName, host.port)} was not trusted`);
            return verify(false);
          }
          try {
            addKnownHost(writeFile, host.hostName, host.port, key);
          } catch (e) {
            o.log?.(`ssh ${label}: could not remember the host key in ${writeFile}: ${(e as Error).message}`);
          }
          verify(true);
        })().catch((e: Error) => {
          hostKeyFailure = new HostKeyError(`${label}: host key check failed: ${e.message}`);
          verify(false);
        });
      },
    };

    client.on('ready', () => {
      if (settled) return;
      settled = true;
      resolve(client);
    });
    // ssh2 can emit 'error' more than once for one client: always .on, never .once.
    client.on('error', (e: Error & { level?: string }) => {
      if (hostKeyFailure) return fail(hostKeyFailure);
      if (authCancelled) return fail(new SshAuthError(`${label}: authentication cancelled`));
      if (e.level === 'client-authentication') {
        return fail(new SshAuthError(`${label}: authentication failed for ${host.user}@${host.hostName}:${host.port} (${e.message}); not retrying automatically`));
      }
      fail(new SshConnectError(`${label}: cannot connect to ${host.user}@${host.hostName}:${host.port}: ${e.message}`));
    });
    client.on('close', () => fail(hostKeyFailure ?? new SshConnectError(`${label}: connection closed during the handshake`)));
    client.connect(cfg);
  });
}
