// The host-key check of one SSH handshake, as OpenSSH does it: a key in known_hosts passes; a changed
// or revoked one is refused (the user is told); an unknown one is shown to the user and, if trusted,
// appended to known_hosts. The reason for a refusal is kept for the connection's error.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedHost } from './config';
import type { HostKeyQuestion, SshOptions } from './options';
import { HostKeyError } from './errors';
import { addKnownHost, checkHostKey, fingerprint, hostField, keyTypeOf, readKnownHosts } from './known-hosts';

function defaultKnownHosts(home: string): string[] {
  return [join(home, '.ssh', 'known_hosts'), join(home, '.ssh', 'known_hosts2')];
}

export class HostVerifier {
  /** Why the key was refused; undefined while it was not. */
  failure: Error | undefined;
  private readonly knownFiles: string[];
  private readonly writeFile: string;

  constructor(
    private readonly host: ResolvedHost,
    private readonly o: SshOptions,
    private readonly label: string,
  ) {
    const home = o.home ?? homedir();
    this.knownFiles =
      o.knownHostsFiles ?? (host.userKnownHostsFiles.length ? host.userKnownHostsFiles : defaultKnownHosts(home));
    this.writeFile = o.knownHostsWriteFile ?? this.knownFiles[0];
  }

  /** ssh2's hostVerifier: answers through `verify` once the check (and any question) is done. */
  readonly verify = (key: Buffer, verify: (ok: boolean) => void): void => {
    this.check(key).then(verify, (e: Error) => {
      this.failure = new HostKeyError(`${this.label}: host key check failed: ${e.message}`);
      verify(false);
    });
  };

  private async check(key: Buffer): Promise<boolean> {
    const { host, o, label } = this;
    const st = checkHostKey(readKnownHosts(this.knownFiles), host.hostName, host.port, key);
    const q: HostKeyQuestion = {
      host: host.hostName,
      port: host.port,
      keyType: keyTypeOf(key),
      fingerprint: fingerprint(key),
    };
    if (st.status === 'known') return true;
    const where = hostField(host.hostName, host.port);
    if (st.status === 'changed' || st.status === 'revoked') {
      const what = st.status === 'changed' ? 'HAS CHANGED' : 'IS REVOKED';
      this.failure = new HostKeyError(
        `${label}: the host key of ${where} ${what} (offered ${q.keyType} ${q.fingerprint}; ` +
          `known_hosts entry ${st.entry.file}:${st.entry.line}). Refusing to connect: this could be a man-in-the-middle attack. ` +
          `If the change is expected, remove the old entry (ssh-keygen -R '${where}').`,
      );
      await o.prompts
        .reportChangedHostKey?.({ ...q, knownHostsFile: st.entry.file, line: st.entry.line })
        .catch(() => undefined);
      return false;
    }
    const ok = await o.prompts.confirmUnknownHostKey(q).catch(() => false);
    if (!ok) {
      this.failure = new HostKeyError(`${label}: host key ${q.keyType} ${q.fingerprint} of ${where} was not trusted`);
      return false;
    }
    try {
      addKnownHost(this.writeFile, host.hostName, host.port, key);
    } catch (e) {
      o.log?.(`ssh ${label}: could not remember the host key in ${this.writeFile}: ${(e as Error).message}`);
    }
    return true;
  }
}
