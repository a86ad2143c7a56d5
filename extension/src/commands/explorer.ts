// Explorer commands: Open Pareto Explorer, Inspect Topology, Refine Selected Models. The panels
// themselves live in extension/src/webview (the panel host); this file only resolves what to show
// and calls it.
import * as vscode from 'vscode';
import type { Log } from '../log';
import type { RunRef, RunsApi } from '../runs/api';
import { errorText } from '../errors';
import type { RunManager } from '../runs/run-manager';
import { asRunRef, candidateIds, pickCandidates, resolveRun } from '../ui/pick';
import { askRefineEpochs } from '../ui/refine-epochs';

/** What the webview panel host provides (extension/src/webview/panels.ts). */
export interface PanelHost {
  openExplorer(context: vscode.ExtensionContext, runRef: RunRef, runs: RunsApi): unknown;
  openTopology(context: vscode.ExtensionContext, runRef: RunRef, candidateId: string, runs: RunsApi): unknown;
}

/**
 * The run a palette command means when it is given none: the active explorer or topology panel's run,
 * else the run of the item selected in the Runs view (provided by activate()).
 */
export type CurrentRun = () => RunRef | undefined;

export function registerExplorerCommands(
  context: vscode.ExtensionContext,
  runs: RunManager,
  log: Log,
  panels: PanelHost,
  currentRun: CurrentRun = () => undefined,
): void {
  const openExplorer = async (arg?: unknown): Promise<RunRef | undefined> => {
    const ref = await resolveRun(runs, arg, 'Pareto NAS: Open Pareto Explorer');
    if (!ref) return undefined;
    await runs.ensureAttached(ref).catch((e) => log.warn(`attach ${ref.run}: ${errorText(e)}`));
    await panels.openExplorer(context, ref, runs);
    return ref;
  };

  // From a candidate in the tree (inline action, context menu, click), from the explorer (a point), or
  // from the palette: a quick pick of the current run's networks, Pareto front first.
  const inspectTopology = async (arg?: unknown): Promise<{ ref: RunRef; id: string } | undefined> => {
    const ref = asRunRef(arg) ?? currentRun() ?? (await resolveRun(runs, arg, 'Pareto NAS: Inspect Topology'));
    if (!ref) return undefined;
    let id = candidateIds(arg, undefined)[0];
    if (!id) id = (await pickCandidates(runs, ref, 'Pareto NAS: Inspect Topology', false))?.[0] ?? '';
    if (!id) return undefined;
    await panels.openTopology(context, ref, id, runs);
    return { ref, id };
  };

  const refineSelected = async (
    arg?: unknown,
    selection?: unknown,
  ): Promise<{ ref: RunRef; ids: string[]; epochs: number } | undefined> => {
    const ref =
      asRunRef(arg) ?? (await resolveRun(runs, arg, 'Pareto NAS: Refine Selected Models', (s) => s !== 'unknown'));
    if (!ref) return undefined;
    let ids = candidateIds(arg, selection);
    if (ids.length === 0) ids = (await pickCandidates(runs, ref, 'Pareto NAS: Refine Selected Models', true)) ?? [];
    if (ids.length === 0) return undefined;
    let epochs =
      typeof (arg as { epochs?: unknown })?.epochs === 'number' ? (arg as { epochs: number }).epochs : undefined;
    epochs ??= await askRefineEpochs(ids.length);
    if (epochs === undefined) return undefined;
    try {
      await runs.refine(ref, ids, epochs);
    } catch (e) {
      void vscode.window
        .showErrorMessage(`Pareto NAS: refinement failed to start: ${errorText(e)}`, 'Show Log')
        .then((c) => c && log.show());
      throw e;
    }
    return { ref, ids, epochs };
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('paretoNas.openExplorer', openExplorer),
    vscode.commands.registerCommand('paretoNas.inspectTopology', inspectTopology),
    vscode.commands.registerCommand('paretoNas.refineSelected', refineSelected),
  );
}
