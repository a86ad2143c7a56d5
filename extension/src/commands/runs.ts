// Run commands: Start Search, Attach to Run, Cancel Run.
import * as vscode from 'vscode';
import { ConfigError, parseConfig, PRESETS, presetConfig, type PresetName } from '../../../common/config';
import { targetFromKey, targetKey } from '../hosts/targets';
import type { Log } from '../log';
import type { RunRef } from '../runs/api';
import { errorText, quietWhenShown } from '../errors';
import type { RunManager } from '../runs/run-manager';
import { readSettings } from '../settings';
import { pickTarget, resolveRun } from '../ui/pick';
import { withProgress } from './hosts';

/** Arguments for a non-interactive Start Search (tests, other extensions, the view's inline action). */
export interface StartSearchArgs {
  /** Host key: "local" or "ssh:<alias>"; or a tree host node. */
  host?: string;
  preset?: string;
  dataset?: string;
  /** A config file (path on this machine); replaces preset + dataset. */
  configFile?: string;
  /** Merged over the preset (e.g. {name}). */
  overrides?: Record<string, unknown>;
}

const PRESET_PURPOSE: Record<PresetName, string> = { paper: 'Patel et al.', demo: 'minutes on a laptop' };

/** The preset picker's line, its sizes read from the preset itself so a retuned preset says so. */
function describePreset(name: PresetName): string {
  const { search, training } = presetConfig(name, 'default');
  return `${PRESET_PURPOSE[name]}: population ${search.population}, ${search.generations} generations, ${training.epochs} epochs`;
}
const RECENT_DATASETS = 'paretoNas.recentDatasets';

export function registerRunCommands(context: vscode.ExtensionContext, runs: RunManager, log: Log): void {
  const startSearch = async (arg?: unknown): Promise<RunRef | undefined> => {
    const a: StartSearchArgs = typeof arg === 'object' && arg !== null ? (arg as StartSearchArgs) : {};
    const title = 'Pareto NAS: Start Search';
    const target = a.host ? targetFromKey(a.host) : await pickTarget(runs, title);
    if (!target) return undefined;
    const key = targetKey(target);

    let config: unknown;
    if (a.configFile) {
      config = await readConfig(vscode.Uri.file(a.configFile));
    } else if (a.preset || a.dataset) {
      config = presetConfig(a.preset ?? readSettings().defaultPreset, a.dataset ?? 'default', a.overrides as never);
    } else {
      const chosen = await pickConfig(context, target.kind === 'local', title);
      if (!chosen) return undefined;
      config = chosen;
    }
    return withProgress(
      `Starting search on ${target.kind === 'local' ? 'this machine' : target.host}`,
      log,
      async (token) => {
        await runs.connect(target, token);
        const ref = await runs.startSearch(key, config);
        void vscode.commands.executeCommand('paretoNas.runs.focus');
        return ref;
      },
    );
  };

  const attach = async (arg?: unknown): Promise<RunRef | undefined> => {
    const ref = await resolveRun(runs, arg, 'Pareto NAS: Attach to Run');
    if (!ref) return undefined;
    await withProgress(`Attaching to ${ref.run}`, log, () => runs.ensureAttached(ref));
    return ref;
  };

  const cancel = async (arg?: unknown): Promise<string | undefined> => {
    const ref = await resolveRun(runs, arg, 'Pareto NAS: Cancel Run', (s) => s === 'running');
    if (!ref) return undefined;
    const interactive = arg === undefined || (typeof arg === 'object' && arg !== null && 'kind' in arg);
    if (interactive) {
      const yes = 'Cancel Run';
      const c = await vscode.window.showWarningMessage(
        `Cancel run ${ref.run}? Candidates in training are stopped; the run directory is kept and can be resumed.`,
        { modal: true },
        yes,
      );
      if (c !== yes) return undefined;
    }
    try {
      return await runs.cancel(ref);
    } catch (e) {
      void vscode.window.showErrorMessage(`Pareto NAS: cancel failed: ${errorText(e)}`);
      throw e;
    }
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('paretoNas.startSearch', quietWhenShown(startSearch)),
    vscode.commands.registerCommand('paretoNas.attachRun', quietWhenShown(attach)),
    vscode.commands.registerCommand('paretoNas.cancelRun', cancel),
  );
}

async function readConfig(uri: vscode.Uri): Promise<unknown> {
  // as the editor shows it: a config edited but not saved (Start Search from its code lens) starts as seen
  const text = (await vscode.workspace.openTextDocument(uri)).getText();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${uri.fsPath} is not valid JSON: ${errorText(e)}`);
  }
  parseConfig(json, uri.fsPath); // a clear message naming the field before anything starts
  return json;
}

/** Preset + dataset, or a config file, chosen with quick picks. */
async function pickConfig(context: vscode.ExtensionContext, local: boolean, title: string): Promise<unknown> {
  const s = readSettings();
  type Item = vscode.QuickPickItem & { preset?: string; file?: boolean };
  const presets: Item[] = Object.keys(PRESETS)
    .sort((a, b) => Number(b === s.defaultPreset) - Number(a === s.defaultPreset))
    .map((p) => ({ label: `$(settings) ${p}`, description: describePreset(p as PresetName), preset: p }));
  const how = await vscode.window.showQuickPick<Item>(
    [
      ...presets,
      { label: '', kind: vscode.QuickPickItemKind.Separator },
      { label: '$(file) Config file…', description: 'a search config JSON', file: true },
    ],
    { title, placeHolder: 'Preset (then a dataset) or a config file', ignoreFocusOut: true },
  );
  if (!how) return undefined;
  if (how.file) {
    const files = await vscode.workspace.findFiles('**/*.pareto-nas.json', '**/node_modules/**', 50);
    type FileItem = vscode.QuickPickItem & { uri?: vscode.Uri };
    const choice = await vscode.window.showQuickPick<FileItem>(
      [
        ...files.map((u) => ({ label: vscode.workspace.asRelativePath(u), uri: u })),
        { label: '$(folder-opened) Browse…' },
      ],
      { title, placeHolder: 'Search config file', ignoreFocusOut: true },
    );
    if (!choice) return undefined;
    let uri = choice.uri;
    if (!uri) {
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: false,
        filters: { 'Search config': ['json'] },
        title,
      });
      uri = picked?.[0];
    }
    return uri ? readConfig(uri) : undefined;
  }
  const dataset = await pickDataset(context, local, title);
  if (!dataset) return undefined;
  const preset = PRESETS[how.preset as keyof typeof PRESETS];
  const earlyStop = await pickEarlyStop(title, preset.training);
  if (!earlyStop) return undefined;
  return presetConfig(how.preset!, dataset, { training: { ...preset.training, earlyStop } });
}

/** training.earlyStop for a preset search; the preset's own choice (or off) is offered first. */
async function pickEarlyStop(title: string, presetTraining: object): Promise<'off' | 'front-bound' | undefined> {
  const current = 'earlyStop' in presetTraining ? presetTraining.earlyStop : 'off';
  type Item = vscode.QuickPickItem & { value: 'off' | 'front-bound' };
  const items: Item[] = [
    {
      label: '$(debug-continue) Train every candidate fully',
      description: "earlyStop: off — the paper's method, exact",
      value: 'off',
    },
    {
      label: '$(debug-step-out) Stop candidates early (front-bound)',
      description: 'earlyStop: front-bound — ends trainings that cannot reach the Pareto front or have settled',
      value: 'front-bound',
    },
  ];
  items.sort((a, b) => Number(b.value === current) - Number(a.value === current));
  return (
    await vscode.window.showQuickPick(items, {
      title,
      placeHolder: 'Early termination of candidate trainings',
      ignoreFocusOut: true,
    })
  )?.value;
}

async function pickDataset(
  context: vscode.ExtensionContext,
  local: boolean,
  title: string,
): Promise<string | undefined> {
  const recent = context.globalState.get<string[]>(RECENT_DATASETS, []);
  type Item = vscode.QuickPickItem & { value?: string; browse?: boolean; enter?: boolean };
  const items: Item[] = [
    { label: '$(beaker) default', description: 'bundled demo data (simulated XFEL diffraction)', value: 'default' },
    ...recent.filter((d) => d !== 'default').map((d) => ({ label: `$(history) ${d}`, value: d })),
    ...(local ? [{ label: '$(folder-opened) Choose folder…', browse: true }] : []),
    { label: '$(edit) Enter path on the host…', enter: true },
  ];
  const pick = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: 'Dataset (a folder with dataset.json)',
    ignoreFocusOut: true,
  });
  if (!pick) return undefined;
  let value = pick.value;
  if (pick.browse) {
    const uris = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      title: 'Dataset folder',
    });
    value = uris?.[0]?.fsPath;
  } else if (pick.enter) {
    value = (
      await vscode.window.showInputBox({ title, prompt: 'Dataset folder on the host', ignoreFocusOut: true })
    )?.trim();
  }
  if (!value) return undefined;
  await context.globalState.update(RECENT_DATASETS, [value, ...recent.filter((d) => d !== value)].slice(0, 5));
  return value;
}
