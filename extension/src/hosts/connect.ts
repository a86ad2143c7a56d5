// Builds a runner connection for a target from the connection layer (extension/src/runner,
// extension/src/ssh): `local` runs the bundled runner (dist/runner.js serve) as a child process;
// an SSH host gets one shared ssh2 connection (deploying the runner over SFTP when its version is
// not there yet) and `pareto-nas serve` in an exec channel. Prompts go to VS Code UI (ui/prompts.ts).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RunnerClient, type RunnerTransport } from '../runner/client';
import { LocalTransport, SshHostPool, SshTransport } from '../runner/transports';
import type { Log } from '../log';
import { readSettings } from '../settings';
import { VsCodePrompts } from '../ui/prompts';
import type { RunnerLink } from './link';
import type { Target } from './targets';

export function createConnector(context: vscode.ExtensionContext, log: Log) {
  const prompts = new VsCodePrompts(context.secrets);
  const distDir = context.asAbsolutePath('dist');
  const version: string = context.extension.packageJSON.version;
  let pool: SshHostPool | undefined;
  let poolKey = '';
  const sshPool = (): SshHostPool => {
    const s = readSettings();
    const key = JSON.stringify([s.sshConfigFile, s.knownHostsFile, s.keepaliveInterval]);
    if (!pool || key !== poolKey) {
      pool = new SshHostPool({
        file: s.sshConfigFile,
        prompts,
        ...(s.knownHostsFile ? { knownHostsFiles: [s.knownHostsFile], knownHostsWriteFile: s.knownHostsFile } : {}),
        keepaliveInterval: s.keepaliveInterval * 1000,
        log: (line) => log.info(line),
      });
      poolKey = key;
    }
    return pool;
  };
  context.subscriptions.push({ dispose: () => pool?.close() });

  return async (target: Target, token?: vscode.CancellationToken): Promise<RunnerLink> => {
    const s = readSettings();
    let transport: RunnerTransport;
    if (target.kind === 'local') {
      transport = new LocalTransport({
        runnerScript: path.join(distDir, 'runner.js'),
        runsDir: s.localRunsDir || undefined,
        pythonPath: s.localPythonPath,
      });
    } else {
      transport = new SshTransport({
        pool: sshPool(),
        host: target.host,
        distDir,
        version,
        remote: {
          nodePath: s.remoteNodePath,
          pythonPath: s.remotePythonPath,
          shellPrefix: s.remoteShellPrefix || undefined,
          installDir: s.remoteInstallDir,
          runsDir: s.remoteRunsDir || undefined,
        },
        log: (line) => log.info(line),
      });
    }
    const connecting = RunnerClient.connect(transport, {
      clientName: `pareto-nas-vscode ${version}`,
      reconnect: { maxAttempts: s.maxReconnectAttempts },
      log: (line) => log.info(line),
    });
    if (token) {
      // A cancelled connect closes whatever it opened once it settles.
      const sub = token.onCancellationRequested(
        () =>
          void connecting.then(
            (c) => c.dispose(),
            () => undefined,
          ),
      );
      void connecting.finally(() => sub.dispose()).catch(() => undefined);
    }
    const client = await connecting;
    if (token?.isCancellationRequested) {
      client.dispose();
      throw new vscode.CancellationError();
    }
    log.info(`${transport.label}: runner ${client.version?.runner} (protocol ${client.version?.protocol})`);
    const sshHost = target.kind === 'ssh' ? target.host : undefined;
    return {
      request: (type, params) => client.request(type, params),
      request0: (type) => client.request0(type),
      attach: (run, fromSeq, onEvent) => client.attach(run, fromSeq, onEvent),
      onState: (listener) => client.onState(listener),
      dispose: () => {
        client.dispose();
        if (sshHost) pool?.close(sshHost); // Disconnect also ends the shared SSH connection
      },
    };
  };
}
