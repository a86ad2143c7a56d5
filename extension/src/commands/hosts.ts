// Host commands: Connect to Host, Disconnect, Refresh, Run Doctor, Show Runner Log.
import * as vscode from 'vscode';
import type { DoctorResult } from '../../../common/protocol';
import { formatPythonsTried } from '../../../common/python-tried';
import { targetFromKey, targetKey, type Target } from '../hosts/targets';
import type { Log } from '../log';
import { errorText, markShown, quietWhenShown } from '../errors';
import type { RunManager } from '../runs/run-manager';
import { pickTarget } from '../ui/pick';

/** The host key from a tree node / string / {host} argument. */
function hostArg(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg.startsWith('ssh:') || arg === 'local' ? arg : `ssh:${arg}`;
  if (typeof arg === 'object' && arg !== null && typeof (arg as { host?: unknown }).host === 'string') {
    return (arg as { host: string }).host;
  }
  return undefined;
}

export function registerHostCommands(context: vscode.ExtensionContext, runs: RunManager, log: Log): void {
  const connect = async (arg?: unknown): Promise<string | undefined> => {
    const key = hostArg(arg);
    const target: Target | undefined = key ? targetFromKey(key) : await pickTarget(runs, 'Pareto NAS: Connect to Host');
    if (!target) return undefined;
    await withProgress(`Connecting to ${target.kind === 'local' ? 'the local runner' : target.host}`, log, (token) =>
      runs.connect(target, token),
    );
    return targetKey(target);
  };

  const doctor = async (arg?: unknown): Promise<DoctorResult | undefined> => {
    let key = hostArg(arg);
    if (!key) {
      const t = await pickTarget(runs, 'Pareto NAS: Run Doctor');
      if (!t) return undefined;
      key = targetKey(t);
    }
    const result = await withProgress(`Checking ${runs.host(key)?.label ?? key}`, log, async (token) => {
      await runs.connect(targetFromKey(key), token);
      return runs.doctor(key);
    });
    const lines = formatDoctor(result);
    for (const l of lines) log.info(`doctor ${result.host}: ${l}`);
    const gpus = result.torch.gpus.length;
    const summary =
      `${result.host}: Node ${result.node.version}, ` +
      (result.torch.version
        ? `PyTorch ${result.torch.version} (${result.python.path})${result.torch.cuda ? `, ${gpus} GPU${gpus === 1 ? '' : 's'}` : ', CPU only'}`
        : 'no PyTorch (tfjs engine)') +
      (result.slurm.available ? ', Slurm' : '');
    void vscode.window
      .showInformationMessage(`Pareto NAS doctor — ${summary}`, 'Show Details')
      .then((c) => c && log.show());
    return result;
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('paretoNas.connect', quietWhenShown(connect)),
    vscode.commands.registerCommand('paretoNas.disconnect', (arg?: unknown) => {
      const key = hostArg(arg);
      if (key) runs.disconnect(key);
    }),
    vscode.commands.registerCommand('paretoNas.refresh', async () => {
      await Promise.all(
        runs
          .hosts()
          .filter((h) => runs.isConnected(h.key))
          .map((h) => runs.refreshRuns(h.key).catch((e) => log.warn(`refresh ${h.label}: ${errorText(e)}`))),
      );
    }),
    vscode.commands.registerCommand('paretoNas.doctor', quietWhenShown(doctor)),
    vscode.commands.registerCommand('paretoNas.showLog', () => log.show()),
  );
}

export function formatDoctor(d: DoctorResult): string[] {
  return [
    `platform ${d.platform}`,
    `node ${d.node.version} (${d.node.path})`,
    `python ${d.python.version ?? 'missing'} (${d.python.path}, the one the torch engine uses)${d.python.error ? `: ${d.python.error}` : ''}`,
    ...(d.python.tried?.length ? [`pythons tried: ${formatPythonsTried(d.python.tried)}`] : []),
    `torch ${d.torch.version ?? 'missing'}${d.torch.cuda ? `, CUDA ${d.torch.cudaVersion}` : ''}${d.torch.gpus.length ? `, GPUs: ${d.torch.gpus.join('; ')}` : ''}${d.torch.error ? `: ${d.torch.error}` : ''}`,
    `tfjs backends: ${d.tfjs.backends.join(', ') || 'none'}`,
    `slurm: ${d.slurm.available ? `sbatch ${d.slurm.sbatch}` : 'not found'}`,
    `runs root: ${d.runsRoot}`,
  ];
}

/**
 * Runs a cancellable step with a notification (connecting is one of the few places where a progress
 * notification is right: it may wait for prompts). Errors become one message with a "Show Log" action
 * and are re-thrown marked as shown, so callers stop and commands end quietly (`quietWhenShown`).
 */
export async function withProgress<T>(
  title: string,
  log: Log,
  work: (token: vscode.CancellationToken) => Promise<T>,
): Promise<T> {
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Pareto NAS: ${title}…`, cancellable: true },
      (_progress, token) => work(token),
    );
  } catch (e) {
    log.error(`${title}: ${errorText(e)}`);
    void vscode.window
      .showErrorMessage(`Pareto NAS: ${title} failed: ${errorText(e)}`, 'Show Log')
      .then((c) => c && log.show());
    throw markShown(e);
  }
}
