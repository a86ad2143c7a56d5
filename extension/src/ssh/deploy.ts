// Puts the bundled runner on a remote host: dist/runner.js and its run-time assets (torch worker,
// wasm files, ...) uploaded over SFTP into <installDir>/<version>/, reused when the version and the
// content hash match; the remote Node is checked first with a message that says what to do.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import type { SshSession } from './connection';
import { remoteCommand, shQuote } from './quote';

export const MIN_NODE_MAJOR = 20;

export interface RemoteRunnerSettings {
  /** Node on the remote (default "node", found on the login shell's PATH). */
  nodePath?: string;
  /** Python with torch on the remote, passed to the runner as PARETO_NAS_PYTHON. */
  pythonPath?: string;
  /** Shell text run before every runner command, e.g. "module load nodejs cuda". */
  shellPrefix?: string;
  /** Install root; default ~/.pareto-nas/runner (relative paths are under the remote home). */
  installDir?: string;
  /** Runs root on the remote (default: the runner's, ~/.pareto-nas/runs). */
  runsDir?: string;
}

export interface DeployedRunner {
  /** Absolute path of runner.js on the remote. */
  script: string;
  dir: string;
  nodeVersion: string;
  uploaded: boolean;
}

export class DeployError extends Error {
  override name = 'DeployError';
}

/** Bundles that run in the editor, never on the host (the language server asks the host through the runner). */
const EDITOR_BUNDLES = ['extension.', 'webview.', 'language-server.'];

/** The files that travel: runner.js and every run-time asset next to it (not the editor bundles). */
export function runnerFiles(distDir: string): string[] {
  const names = readdirSync(distDir).filter(
    (f) => !EDITOR_BUNDLES.some((b) => f.startsWith(b)) && !f.endsWith('.map') && statSync(join(distDir, f)).isFile(),
  );
  if (!names.includes('runner.js'))
    throw new DeployError(`${join(distDir, 'runner.js')} is missing: build the runner first (npm run build)`);
  return names.sort();
}

export function bundleHash(distDir: string, files: string[]): string {
  const h = createHash('sha256');
  for (const f of files)
    h.update(f)
      .update('\0')
      .update(readFileSync(join(distDir, f)))
      .update('\0');
  return h.digest('hex').slice(0, 16);
}

/** Checks `node --version` on the remote; DeployError saying what to set when missing or old. */
export async function checkRemoteNode(ssh: SshSession, s: RemoteRunnerSettings): Promise<string> {
  const node = s.nodePath || 'node';
  const r = await ssh.run(remoteCommand({ argv: [node, '--version'], prefix: s.shellPrefix }));
  const version = r.stdout.trim();
  if (r.code !== 0 || !/^v\d+\./.test(version)) {
    throw new DeployError(
      `${ssh.host.alias}: Node.js was not found on the remote (\`${node} --version\` ${r.code === 127 ? 'not found' : `exit ${r.code}`}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').at(-1)}` : ''}). ` +
        `Install Node ${MIN_NODE_MAJOR}+ there, or set paretoNas.remote.nodePath / paretoNas.remote.shellPrefix (e.g. "module load nodejs").`,
    );
  }
  const major = Number(version.slice(1).split('.')[0]);
  if (major < MIN_NODE_MAJOR) {
    throw new DeployError(
      `${ssh.host.alias}: remote Node ${version} is too old; the runner needs Node ${MIN_NODE_MAJOR} or newer ` +
        `(set paretoNas.remote.nodePath or a shell prefix that loads a newer one).`,
    );
  }
  return version;
}

function sftpCall<T>(fn: (cb: (err: Error | null | undefined, v?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v as T))));
}

async function mkdirp(sftp: SFTPWrapper, dir: string): Promise<void> {
  const parts = dir.split('/').filter(Boolean);
  let cur = '';
  for (const p of parts) {
    cur += `/${p}`;
    try {
      await sftpCall<void>((cb) => sftp.mkdir(cur, { mode: 0o755 }, cb));
    } catch {
      // exists (or not ours to create): the upload below reports a real problem
    }
  }
}

export async function deployRunner(
  ssh: SshSession,
  distDir: string,
  version: string,
  s: RemoteRunnerSettings = {},
): Promise<DeployedRunner> {
  const nodeVersion = await checkRemoteNode(ssh, s);
  const files = runnerFiles(distDir);
  const hash = bundleHash(distDir, files);
  const home = (await ssh.run('printf %s "$HOME"')).stdout.trim();
  if (!home.startsWith('/')) throw new DeployError(`${ssh.host.alias}: cannot find the remote home directory`);
  const root = s.installDir
    ? s.installDir.startsWith('/')
      ? s.installDir
      : join(home, s.installDir.replace(/^~\/?/, ''))
    : join(home, '.pareto-nas', 'runner');
  const dir = `${root}/${version}`;
  const marker = `${dir}/.deployed`;
  const script = `${dir}/runner.js`;
  const check = await ssh.run(`cat ${shQuote(marker)} 2>/dev/null`);
  if (check.code === 0 && check.stdout.trim() === hash) return { script, dir, nodeVersion, uploaded: false };

  const sftp = await ssh.sftp();
  try {
    await mkdirp(sftp, dir);
    for (const f of files) {
      const tmp = `${dir}/.${f}.${process.pid}.tmp`;
      try {
        await sftpCall<void>((cb) =>
          sftp.fastPut(join(distDir, f), tmp, { mode: f === 'runner.js' ? 0o755 : 0o644 }, cb),
        );
      } catch (e) {
        throw new DeployError(`${ssh.host.alias}: upload of ${f} to ${dir} failed: ${(e as Error).message}`);
      }
      // posix-rename@openssh.com replaces atomically; plain SFTP rename refuses an existing target
      await sftpCall<void>((cb) => sftp.ext_openssh_rename(tmp, `${dir}/${f}`, cb)).catch(async () => {
        await sftpCall<void>((cb) => sftp.unlink(`${dir}/${f}`, cb)).catch(() => undefined);
        await sftpCall<void>((cb) => sftp.rename(tmp, `${dir}/${f}`, cb));
      });
    }
    await sftpCall<void>((cb) => sftp.writeFile(marker, `${hash}\n`, cb));
  } finally {
    sftp.end();
  }
  return { script, dir, nodeVersion, uploaded: true };
}

/** The command that starts `pareto-nas serve` on the remote (every argument quoted). */
export function serveCommand(d: Pick<DeployedRunner, 'script'>, s: RemoteRunnerSettings): string {
  const env: Record<string, string> = {};
  // only an explicit choice: the default "python3" would stop the runner from also trying the
  // system python (Debian's python3-torch behind a pyenv shim, a conda env's python)
  if (s.pythonPath && s.pythonPath !== 'python3') env.PARETO_NAS_PYTHON = s.pythonPath;
  return remoteCommand({
    argv: [s.nodePath || 'node', d.script, 'serve', ...(s.runsDir ? ['--runs', s.runsDir] : [])],
    env,
    prefix: s.shellPrefix,
    exec: true,
  });
}
