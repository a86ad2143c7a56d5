// Entry point of the Pareto NAS extension. activate() only wires the parts together (each concern
// lives in its own file) and returns at once: connecting, listing runs and attaching happen later,
// asynchronously, on a command or when the view is shown.
import * as vscode from 'vscode';
import { registerExplorerCommands } from './commands/explorer';
import { registerExportCommands } from './commands/export';
import { registerHostCommands } from './commands/hosts';
import { registerRunCommands } from './commands/runs';
import { createConnector } from './hosts/connect';
import { registerLanguageClient } from './language/client';
import { LOCAL_KEY, targetFromKey, type Target } from './hosts/targets';
import { createLog } from './log';
import { errorText } from './errors';
import { RunManager } from './runs/run-manager';
import { readSettings } from './settings';
import { RunStatusBar } from './views/status-bar';
import { RunsTreeProvider, VIEW_ID } from './views/runs-tree';
import { createPanelHost } from './webview/panels';

const KNOWN_HOSTS = 'paretoNas.hosts';

/** What other extensions and the extension-host tests get from `extension.exports`. */
export interface ParetoNasApi {
  runs: RunManager;
  statusText(): string;
}

export function activate(context: vscode.ExtensionContext): ParetoNasApi {
  const log = createLog(context);
  const runs = new RunManager(createConnector(context, log), log);
  context.subscriptions.push(runs);

  // Hosts shown before connecting: this machine, the configured ones, and the ones used before.
  runs.addHost({ kind: 'local' });
  const listHosts = () => {
    for (const h of readSettings().hosts) runs.addHost({ kind: 'ssh', host: h });
  };
  listHosts();
  for (const key of context.globalState.get<string[]>(KNOWN_HOSTS, [])) {
    try {
      runs.addHost(targetFromKey(key));
    } catch {
      /* an entry from another version: ignore */
    }
  }
  context.subscriptions.push(
    runs.onDidChange(() => {
      const keys = runs
        .hosts()
        .map((h) => h.key)
        .filter((k) => k !== LOCAL_KEY);
      const prev = context.globalState.get<string[]>(KNOWN_HOSTS, []);
      if (keys.join('\n') !== prev.join('\n')) void context.globalState.update(KNOWN_HOSTS, keys);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('paretoNas.hosts') && listHosts()),
  );

  const tree = new RunsTreeProvider(runs);
  const view = vscode.window.createTreeView(VIEW_ID, {
    treeDataProvider: tree,
    showCollapseAll: true,
    canSelectMany: true,
  });
  context.subscriptions.push(tree, view);
  // The local runner is cheap to start: connect it the first time the view is shown, in the background.
  const connectLocal = (target: Target) => runs.connect(target).catch((e) => log.warn(`local runner: ${errorText(e)}`));
  if (view.visible) void connectLocal({ kind: 'local' });
  else {
    const once = view.onDidChangeVisibility((e) => {
      if (!e.visible) return;
      once.dispose();
      if (!runs.isConnected(LOCAL_KEY)) void connectLocal({ kind: 'local' });
    });
    context.subscriptions.push(once);
  }

  const status = new RunStatusBar(runs);
  context.subscriptions.push(status);

  // The explorer/topology panels (extension/src/webview) read run state from the run manager.
  const panels = createPanelHost(context, runs);
  registerHostCommands(context, runs, log);
  registerRunCommands(context, runs, log);
  // "the current run" of palette commands: the active panel's, else the one selected in the view
  const currentRun = () => {
    const ref = panels.activeRun();
    if (ref) return ref;
    const n = view.selection[0];
    return n && n.kind !== 'host' ? { host: n.host, run: n.run } : undefined;
  };
  registerExplorerCommands(context, runs, log, panels, currentRun);
  registerExportCommands(context, runs, log, currentRun);
  registerLanguageClient(context, runs, log);

  return { runs, statusText: () => status.text };
}

export function deactivate(): void {
  // Everything is in context.subscriptions; runner child processes end with their links.
}
