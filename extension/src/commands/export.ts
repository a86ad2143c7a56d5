// Export Model…: writes a refined network as ONNX or TorchScript on the host its run lives on (the
// runner does the work there, next to the weights and the data) and optionally times it there.
import * as vscode from 'vscode';
import type { ExportFormat, ModelExportResult } from '../../../common/protocol';
import { targetFromKey, type Target } from '../hosts/targets';
import { quietWhenShown } from '../errors';
import type { Log } from '../log';
import type { RunRef } from '../runs/api';
import type { RunManager } from '../runs/run-manager';
import { asRunRef, candidateIds, resolveRun } from '../ui/pick';
import { showWrittenToast, type WrittenToast } from '../ui/written-toast';
import { withProgress } from './hosts';
import type { CurrentRun } from './explorer';
import { formatAccuracy } from '../../../common/explorer/format';

/** Arguments for a non-interactive export (tests, the explorer): the run, the candidate, the choices. */
export interface ExportModelArgs extends Partial<RunRef> {
  id?: string;
  format?: ExportFormat;
  bench?: boolean;
}

const FORMATS: Array<vscode.QuickPickItem & { format: ExportFormat }> = [
  { label: 'ONNX', description: 'onnxruntime, TensorRT, OpenVINO, …', format: 'onnx' },
  { label: 'TorchScript', description: 'torch.jit.load in PyTorch and LibTorch', format: 'torchscript' },
];

export function registerExportCommands(
  context: vscode.ExtensionContext,
  runs: RunManager,
  log: Log,
  currentRun: CurrentRun,
): void {
  const exportModel = async (arg?: unknown): Promise<ModelExportResult | undefined> => {
    const a = (typeof arg === 'object' && arg !== null ? arg : {}) as ExportModelArgs;
    const title = 'Pareto NAS: Export Model';
    const ref = asRunRef(arg) ?? currentRun() ?? (await resolveRun(runs, arg, title));
    if (!ref) return undefined;
    const id = candidateIds(arg, undefined)[0] ?? (await pickRefined(runs, ref, title));
    if (!id) return undefined;
    const format =
      a.format ??
      (await vscode.window.showQuickPick(FORMATS, { title, placeHolder: `Format for ${id}`, ignoreFocusOut: true }))
        ?.format;
    if (!format) return undefined;
    const bench = a.bench ?? true;
    const where = hostLabel(targetFromKey(ref.host));
    const result = await withProgress(`Exporting ${id} on ${where}`, log, () =>
      runs.exportModel(ref, id, format, bench),
    );
    log.info(`exported ${id} of ${ref.run} to ${result.file} on ${where}`);
    void showWrittenToast(exportToast(id, where, result, targetFromKey(ref.host).kind === 'local'));
    return result;
  };
  context.subscriptions.push(vscode.commands.registerCommand('paretoNas.exportModel', quietWhenShown(exportModel)));
}

/** What the toast says: where the file is, its speed (or why it was not timed), and the actions. */
function exportToast(id: string, where: string, result: ModelExportResult, local: boolean): WrittenToast {
  const speed = result.bench
    ? ` ${result.bench.imagesPerSecond.toFixed(0)} images/s (${result.bench.runtime}).`
    : result.benchError
      ? ` Not timed: ${result.benchError}.`
      : '';
  const file = local ? vscode.Uri.file(result.file) : undefined;
  return {
    message: `Pareto NAS: exported ${id} to ${result.file} on ${where}.${speed}`,
    path: result.file,
    local: file,
    open: file && { label: 'Open Metadata', uri: file.with({ path: `${file.path}.json` }) },
  };
}

function hostLabel(target: Target): string {
  return target.kind === 'local' ? 'this machine' : target.host;
}

/** Only refined networks keep their weights, so only they are offered. */
async function pickRefined(runs: RunManager, ref: RunRef, title: string): Promise<string | undefined> {
  const m = await runs.ensureAttached(ref);
  const done = [...m.refinements.values()].filter((r) => r.record?.status === 'done');
  if (done.length === 0) {
    void vscode.window.showInformationMessage(
      `Pareto NAS: no network of ${ref.run} is refined yet; refine one first (only refined networks keep their weights).`,
    );
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    done.map((r) => ({
      label: r.candidate,
      description: `${formatAccuracy(r.record!.valAccuracy)} after refinement · ${r.record!.mflops.toFixed(2)} MFLOPs`,
      id: r.candidate,
    })),
    { title, placeHolder: 'Refined network', ignoreFocusOut: true },
  );
  return pick?.id;
}
