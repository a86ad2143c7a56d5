// The one question before a refinement: how many epochs to train each selected network, proposed
// from the `paretoNas.refine.defaultEpochs` setting.
import * as vscode from 'vscode';
import { readSettings } from '../settings';

/** Epochs for refining `count` networks, or undefined when the user cancels. */
export async function askRefineEpochs(count: number): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title: `Refine ${count} network${count === 1 ? '' : 's'}`,
    prompt: 'Training epochs for each network (the paper refines for 500)',
    value: String(readSettings().refineDefaultEpochs),
    validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) > 0 ? undefined : 'a positive whole number'),
    ignoreFocusOut: true,
  });
  return text ? Number(text.trim()) : undefined;
}
