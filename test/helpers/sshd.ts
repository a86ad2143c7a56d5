// Real OpenSSH servers on 127.0.0.1 for integration tests:
// a throw-away test user (key, encrypted key, password), sshd instances with their own host keys,
// free ports, readiness from the "Server listening" line, and a stop that walks the process tree.
// Needs root (useradd, sshd privilege separation) and openssh-server (scripts/setup-system.sh).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SSHD = '/usr/sbin/sshd';

/** Why SSH integration tests cannot run here, or undefined when they can. */
export function sshdUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'SSH integration tests need root (sshd, useradd)';
  if (!existsSync(SSHD)) return `${SSHD} missing: run scripts/setup-system.sh (openssh-server)`;
  if (spawnSync('ssh-keygen', ['-?'], { stdio: 'ignore' }).error) return 'ssh-keygen missing (openssh-client)';
  return undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

export interface TestUser {
  name: string;
  uid: number;
  home: string;
  password: string;
  /** Unencrypted ed25519 private key (on the client side, owned by root). */
  keyFile: string;
  /** The same kind of key, encrypted with `passphrase`. */
  encryptedKeyFile: string;
  passphrase: string;
  /** Client-side scratch folder (ssh config, known_hosts, keys). */
  clientDir: string;
  /** Kills the user's processes (by pid, from /proc), deletes the user and every file. */
  remove(): void;
}

/** Every pid whose owner is uid (from /proc). */
export function pidsOfUid(uid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const status = readFileSync(`/proc/${d}/status`, 'utf8');
      const m = /^Uid:\s+(\d+)/m.exec(status);
      if (m && Number(m[1]) === uid) out.push(Number(d));
    } catch {
      // gone
    }
  }
  return out;
}

/** Children of pid, recursively (from /proc/<pid>/stat). */
export function descendants(pid: number): number[] {
  const parent = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!parent.has(ppid)) parent.set(ppid, []);
      parent.get(ppid)!.push(Number(d));
    } catch {
      // gone
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of parent.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

function killAll(pids: number[]): void {
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export function createTestUser(): TestUser {
  const base = mkdtempSync(join(tmpdir(), 'pnas-sshd-'));
  chmodSync(base, 0o755); // the user must reach its home below it
  const name = `pnas${process.pid}${Math.floor(Math.random() * 1e4)}`.slice(0, 30);
  const home = join(base, 'home');
  sh('useradd', ['-M', '-d', home, '-s', '/bin/bash', name]);
  const uid = Number(sh('id', ['-u', name]).trim());
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  spawnSync('chpasswd', [], { input: `${name}:${password}\n` });
  mkdirSync(join(home, '.ssh'), { recursive: true });
  const clientDir = join(base, 'client');
  mkdirSync(clientDir, { mode: 0o700 });
  const keyFile = join(clientDir, 'id_ed25519');
  const encryptedKeyFile = join(clientDir, 'id_ed25519_enc');
  const passphrase = 'correct horse battery';
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'pnas-test', '-f', keyFile]);
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'pnas-test-enc', '-f', encryptedKeyFile]);
  writeFileSync(
    join(home, '.ssh', 'authorized_keys'),
    readFileSync(`${keyFile}.pub`, 'utf8') + readFileSync(`${encryptedKeyFile}.pub`, 'utf8'),
    { mode: 0o600 },
  );
  for (const p of [home, join(home, '.ssh'), join(home, '.ssh', 'authorized_keys')]) chownSync(p, uid, uid);
  chmodSync(home, 0o755);
  chmodSync(join(home, '.ssh'), 0o700);
  return {
    name,
    uid,
    home,
    password,
    keyFile,
    encryptedKeyFile,
    passphrase,
    clientDir,
    remove() {
      for (let i = 0; i < 3; i++) killAll(pidsOfUid(uid));
      spawnSync('userdel', [name], { stdio: 'ignore' });
      rmSync(base, { recursive: true, force: true });
    },
  };
}

export interface SshdOptions {
  user: TestUser;
  /** Extra sshd_config lines, e.g. "AuthenticationMethods publickey,keyboard-interactive". */
  extra?: string[];
  /** PAM + keyboard-interactive (stock /etc/pam.d/sshd: one "Password:" prompt). */
  keyboardInteractive?: boolean;
}

export interface Sshd {
  port: number;
  dir: string;
  pid: number;
  /** The host key as an SSH public key blob (what known_hosts stores, base64-decoded). */
  hostKey: Buffer;
  hostKeyType: string;
  /** Kills the per-connection sshd processes (and what they run): a dropped connection. */
  killSessions(): void;
  /**
   * Freezes the listener (SIGSTOP): new connections wait in the kernel's accept backlog, unanswered,
   * until resume() (an unreachable host for as long as a test needs); open sessions are untouched.
   */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
  log(): string;
}

export async function startSshd(o: SshdOptions): Promise<Sshd> {
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(tmpdir(), 'pnas-sshd-host-'));
  const hostKeyFile = join(dir, 'ssh_host_ed25519_key');
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKeyFile]);
  chmodSync(hostKeyFile, 0o600);
  const [hostKeyType, b64] = readFileSync(`${hostKeyFile}.pub`, 'utf8').trim().split(/\s+/);
  const port = await freePort();
  const kbd = o.keyboardInteractive ?? false;
  const cfg = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${hostKeyFile}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    'AuthorizedKeysFile .ssh/authorized_keys',
    'StrictModes yes',
    `UsePAM ${kbd ? 'yes' : 'no'}`,
    `KbdInteractiveAuthentication ${kbd ? 'yes' : 'no'}`,
    'PasswordAuthentication no',
    'PubkeyAuthentication yes',
    'AllowTcpForwarding yes',
    'MaxStartups 100',
    'ClientAliveInterval 0',
    `AllowUsers ${o.user.name}`,
    'Subsystem sftp internal-sftp',
    'LogLevel VERBOSE',
    ...(o.extra ?? []),
  ];
  const cfgFile = join(dir, 'sshd_config');
  writeFileSync(cfgFile, `${cfg.join('\n')}\n`);
  let log = '';
  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', cfgFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sshd on port ${port} did not start in 10 s:\n${log}`)), 10_000);
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes(`Server listening on 127.0.0.1 port ${port}.`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sshd exited with ${code} before listening:\n${log}`));
    });
  });
  const pid = child.pid!;
  return {
    port,
    dir,
    pid,
    hostKey: Buffer.from(b64, 'base64'),
    hostKeyType,
    killSessions() {
      killAll(
        descendants(pid).filter((p) => {
          try {
            return readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith('sshd');
          } catch {
            return false;
          }
        }),
      );
    },
    pause() {
      process.kill(pid, 'SIGSTOP');
    },
    resume() {
      process.kill(pid, 'SIGCONT');
    },
    async stop() {
      try {
        process.kill(pid, 'SIGCONT'); // a paused listener dies on SIGKILL too, but say so plainly
      } catch {
        // gone
      }
      killAll([...descendants(pid), pid]);
      await new Promise<void>((r) =>
        child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r()),
      );
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => log,
  };
}

/** An ssh config file naming the servers, for connectSsh({ file }). */
export function writeSshConfig(
  file: string,
  hosts: Array<{ alias: string; port: number; user: string; identityFile: string; proxyJump?: string }>,
): void {
  const text = hosts
    .map((h) =>
      [
        `Host ${h.alias}`,
        '  HostName 127.0.0.1',
        `  Port ${h.port}`,
        `  User ${h.user}`,
        `  IdentityFile ${h.identityFile}`,
        '  IdentitiesOnly yes',
        h.proxyJump ? `  ProxyJump ${h.proxyJump}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    )
    .join('\n\n');
  writeFileSync(file, `${text}\n`);
}
