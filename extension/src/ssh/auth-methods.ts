// The authentication methods of one SSH login, in OpenSSH's order: the agent, each identity file
// (asking for the passphrase of an encrypted one), keyboard-interactive (passwords, 2FA codes), a
// password. ssh2 asks for the next one through `handler`; a method the server does not accept is
// skipped, and a question the user cancels ends the login (no further prompts, no retry).
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { utils, type AnyAuthMethod, type AuthenticationType, type ConnectConfig } from 'ssh2';
import type { ResolvedHost } from './config';
import type { SshOptions } from './options';

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

type Method = () => Promise<AnyAuthMethod | undefined>;

export class AuthMethods {
  /** The user cancelled a question: stop offering methods. */
  cancelled = false;
  private pending: Method[] | undefined;

  constructor(
    private readonly host: ResolvedHost,
    private readonly o: SshOptions,
    private readonly label: string,
  ) {}

  /** ssh2's authHandler; `onError` gets a failure while preparing a method. */
  handler(onError: (e: Error) => void): ConnectConfig['authHandler'] {
    const handle = (
      left: AuthenticationType[] | null,
      _partial: boolean | null,
      next: (m: AnyAuthMethod | false) => void,
    ) => {
      this.next(left).then(next, onError);
    };
    return handle as unknown as ConnectConfig['authHandler'];
  }

  /** The next method the server accepts, or false when none is left. */
  private async next(left: AuthenticationType[] | null): Promise<AnyAuthMethod | false> {
    this.pending ??= await this.methods();
    while (this.pending.length && !this.cancelled) {
      const m = await this.pending.shift()!();
      if (!m) continue;
      const type = m.type === 'agent' ? 'publickey' : m.type;
      if (left && left.length && !left.includes(type as AuthenticationType)) continue;
      return m;
    }
    return false;
  }

  private async methods(): Promise<Method[]> {
    const { host, o } = this;
    const list: Method[] = [];
    const agent = o.agent === false ? undefined : (o.agent ?? process.env.SSH_AUTH_SOCK);
    if (agent && existsSync(agent)) list.push(async () => ({ type: 'agent', username: host.user, agent }));
    for (const id of loadIdentities(host, o)) list.push(() => unlockKey(id.file, id.data, host, o));
    if (o.prompts.keyboardInteractive) list.push(async () => this.keyboardInteractive());
    if (o.prompts.password) list.push(() => this.password());
    return list;
  }

  private keyboardInteractive(): AnyAuthMethod {
    const ask = this.o.prompts.keyboardInteractive!.bind(this.o.prompts);
    return {
      type: 'keyboard-interactive',
      username: this.host.user,
      prompt: (name, instructions, _lang, prompts, finish) => {
        if (prompts.length === 0) return finish([]);
        ask(
          this.label,
          name,
          instructions,
          prompts.map((p) => ({ prompt: p.prompt, echo: p.echo ?? false })),
        )
          .then((answers) => {
            if (answers === undefined) {
              this.cancelled = true;
              finish([]);
            } else finish(answers);
          })
          .catch(() => {
            this.cancelled = true;
            finish([]);
          });
      },
    };
  }

  private async password(): Promise<AnyAuthMethod | undefined> {
    const password = await this.o.prompts.password!(this.label, this.host.user);
    if (password === undefined) {
      this.cancelled = true;
      return undefined;
    }
    return { type: 'password', username: this.host.user, password };
  }
}

function loadIdentities(host: ResolvedHost, o: SshOptions): Array<{ file: string; data: Buffer }> {
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
async function unlockKey(
  file: string,
  data: Buffer,
  host: ResolvedHost,
  o: SshOptions,
): Promise<AnyAuthMethod | undefined> {
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
