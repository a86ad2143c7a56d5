// Typed access to the `paretoNas.*` settings (declared in package.json `contributes.configuration`).
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_REFINE_EPOCHS } from '../../common/config';

export interface Settings {
  sshConfigFile: string;
  knownHostsFile: string;
  keepaliveInterval: number;
  maxReconnectAttempts: number;
  rememberPassphrases: boolean;
  remoteNodePath: string;
  remotePythonPath: string;
  remoteShellPrefix: string;
  remoteInstallDir: string;
  remoteRunsDir: string;
  localRunsDir: string;
  localPythonPath: string;
  defaultPreset: string;
  hosts: string[];
  refineDefaultEpochs: number;
  statusBarEnabled: boolean;
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('paretoNas');
  const str = (k: string, d: string) => (c.get<string>(k) ?? d).trim() || d;
  return {
    sshConfigFile: expandHome(str('ssh.configFile', path.join(os.homedir(), '.ssh', 'config'))),
    knownHostsFile: expandHome(c.get<string>('ssh.knownHostsFile', '').trim()),
    keepaliveInterval: c.get<number>('ssh.keepaliveInterval', 15),
    maxReconnectAttempts: c.get<number>('ssh.maxReconnectAttempts', 3),
    rememberPassphrases: c.get<boolean>('ssh.rememberPassphrases', false),
    remoteNodePath: str('remote.nodePath', 'node'),
    remotePythonPath: str('remote.pythonPath', 'python3'),
    remoteShellPrefix: c.get<string>('remote.shellPrefix', '').trim(),
    remoteInstallDir: str('remote.installDir', '~/.pareto-nas'),
    remoteRunsDir: c.get<string>('remote.runsDir', '').trim(),
    localRunsDir: localRunsDir(c.get<string>('local.runsDir', '').trim()),
    localPythonPath: str('local.pythonPath', 'python3'),
    defaultPreset: str('defaultPreset', 'paper'),
    hosts: c.get<string[]>('hosts', []).filter((h) => typeof h === 'string' && h.trim() !== ''),
    refineDefaultEpochs: c.get<number>('refine.defaultEpochs', DEFAULT_REFINE_EPOCHS),
    statusBarEnabled: c.get<boolean>('statusBar.enabled', true),
  };
}

/** The local runs folder: the setting, else runs/ in the first workspace folder, else '' (runner default). */
function localRunsDir(setting: string): string {
  if (setting) return expandHome(setting);
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder && (folder.uri.scheme === 'file' || folder.uri.scheme === 'vscode-remote')
    ? path.join(folder.uri.fsPath, 'runs')
    : '';
}

export function expandHome(p: string): string {
  return p === '~' ? os.homedir() : p.startsWith('~/') ? path.join(os.homedir(), p.slice(2)) : p;
}
