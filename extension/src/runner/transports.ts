// The two ways to reach `pareto-nas serve`: a local child process, or an exec channel on one shared
// SSH connection per host (the runner deployed first). Both hand RunnerClient a pair of streams.
import { spawn } from 'node:child_process';
import { connectSsh, HostKeyError, SshAuthError, type SshOptions, type SshSession } from '../ssh/connection';
import { DeployError, deployRunner, serveCommand, type DeployedRunner, type RemoteRunnerSettings } from '../ssh/deploy';
import { SshConfigError } from '../ssh/config';
import type { RunnerStreams, RunnerTransport } from './client';
import { ProtocolMismatchError } from './client';

export interface LocalRunnerOptions {
  /** dist/runner.js of the extension. */
  runnerScript: string;
  /** Node to run it with (default: this process's node; inside VS Code pass an explicit one or use ELECTRON_RUN_AS_NODE). */
  nodePath?: string;
  runsDir?: string;
  pythonPath?: string;
  env?: NodeJS.ProcessEnv;
}

/** `local`: the runner as a child process of the editor, no SSH. */
export class LocalTransport implements RunnerTransport {
  readonly label = 'local';
  constructor(private readonly o: LocalRunnerOptions) {}

  async open(): Promise<RunnerStreams> {
    const env: NodeJS.ProcessEnv = { ...(this.o.env ?? process.env) };
    if (!this.o.nodePath) env.ELECTRON_RUN_AS_NODE = '1'; // process.execPath is Electron inside VS Code
    // as on a remote: only an explicit python is imposed; with "python3" the runner also tries the system one
    if (this.o.pythonPath && this.o.pythonPath !== 'python3') env.PARETO_NAS_PYTHON = this.o.pythonPath;
    const args = [this.o.runnerScript, 'serve', ...(this.o.runsDir ? ['--runs', this.o.runsDir] : [])];
    const child = spawn(this.o.nodePath ?? process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
    const closed = new Promise<string>((resolve) => {
      child.on('error', (e) => resolve(`could not start the runner: ${e.message}`));
      child.on('exit', (code, signal) => resolve(`runner exited (${signal ?? `code ${code}`})`));
    });
    child.stdin.on('error', () => undefined);
    return { fromServer: child.stdout, toServer: child.stdin, stderr: child.stderr, closed, close: () => child.kill() };
  }
}

/** One SSH connection per host alias, shared (multiplexed) by the serve channel, SFTP and commands. */
export class SshHostPool {
  private readonly sessions = new Map<string, Promise<SshSession>>();

  constructor(private readonly options: SshOptions) {}

  /** The open session for a host, connecting (once, even for concurrent callers) when needed. */
  get(host: string): Promise<SshSession> {
    const existing = this.sessions.get(host);
    if (existing) {
      return existing.then(
        (s) => (s.isClosed ? this.fresh(host) : s),
        () => this.fresh(host),
      );
    }
    return this.fresh(host);
  }

  private fresh(host: string): Promise<SshSession> {
    const p = connectSsh(host, this.options);
    this.sessions.set(host, p);
    p.then(
      (s) => s.onClose(() => this.sessions.get(host) === p && this.sessions.delete(host)),
      () => this.sessions.get(host) === p && this.sessions.delete(host),
    );
    return p;
  }

  /** The live session if one is open (no connecting). */
  async peek(host: string): Promise<SshSession | undefined> {
    const p = this.sessions.get(host);
    if (!p) return undefined;
    const s = await p.catch(() => undefined);
    return s && !s.isClosed ? s : undefined;
  }

  close(host?: string): void {
    for (const [h, p] of this.sessions) {
      if (host !== undefined && h !== host) continue;
      void p.then((s) => s.close()).catch(() => undefined);
      this.sessions.delete(h);
    }
  }
}

export interface SshRunnerOptions {
  pool: SshHostPool;
  host: string;
  /** The local dist/ folder holding runner.js and its assets. */
  distDir: string;
  version: string;
  remote?: RemoteRunnerSettings;
  log?: (line: string) => void;
}

/** `pareto-nas serve` in an exec channel on the host's shared SSH connection. */
export class SshTransport implements RunnerTransport {
  readonly label: string;
  deployed: DeployedRunner | undefined;

  constructor(private readonly o: SshRunnerOptions) {
    this.label = `ssh ${o.host}`;
  }

  isFatal(e: unknown): boolean {
    return (
      e instanceof SshAuthError ||
      e instanceof HostKeyError ||
      e instanceof SshConfigError ||
      e instanceof DeployError ||
      e instanceof ProtocolMismatchError
    );
  }

  async open(): Promise<RunnerStreams> {
    const ssh = await this.o.pool.get(this.o.host);
    if (!this.deployed) {
      this.deployed = await deployRunner(ssh, this.o.distDir, this.o.version, this.o.remote);
      this.o.log?.(
        `ssh ${this.o.host}: runner ${this.o.version} ${this.deployed.uploaded ? 'uploaded to' : 'already in'} ${this.deployed.dir} (node ${this.deployed.nodeVersion})`,
      );
    }
    const ch = await ssh.exec(serveCommand(this.deployed, this.o.remote ?? {}));
    const closed = new Promise<string>((resolve) => {
      let code: number | null = null;
      ch.on('exit', (c: number | null, signal?: string) => (code = signal ? null : c));
      ch.on('close', () => resolve(`remote runner channel closed${code !== null ? ` (exit ${code})` : ''}`));
      ssh.onClose((why) => resolve(`ssh ${this.o.host}: ${why}`));
    });
    ch.on('error', () => undefined);
    return { fromServer: ch, toServer: ch, stderr: ch.stderr, closed, close: () => ch.close() };
  }
}
