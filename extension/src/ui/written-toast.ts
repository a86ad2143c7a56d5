// The toast confirming a file the user asked for was written (a model export, a CSV/PNG/SVG from a
// panel), with the next steps as actions: reveal it (in the Explorer when it lies in the workspace,
// else in the OS file manager on desktop), open a companion file, copy the path.
import * as vscode from 'vscode';

export interface WrittenToast {
  message: string;
  /** The file, when it is on this machine (remote files only offer Copy Path). */
  local?: vscode.Uri;
  /** The path as the host spells it, for Copy Path. */
  path: string;
  /** Another file to open from the toast, e.g. an export's metadata. */
  open?: { label: string; uri: vscode.Uri };
}

const REVEAL = 'Reveal';
const COPY = 'Copy Path';

/** How a local file can be revealed here, or undefined when it cannot (a file outside the workspace in a browser). */
function revealCommand(uri: vscode.Uri): string | undefined {
  if (vscode.workspace.getWorkspaceFolder(uri)) return 'revealInExplorer';
  return vscode.env.uiKind === vscode.UIKind.Desktop ? 'revealFileInOS' : undefined;
}

export async function showWrittenToast(t: WrittenToast): Promise<void> {
  const reveal = t.local && revealCommand(t.local);
  const actions = [...(reveal ? [REVEAL] : []), ...(t.open ? [t.open.label] : []), COPY];
  const choice = await vscode.window.showInformationMessage(t.message, ...actions);
  if (choice === REVEAL && reveal) await vscode.commands.executeCommand(reveal, t.local);
  else if (choice === COPY) await vscode.env.clipboard.writeText(t.path);
  else if (t.open && choice === t.open.label) await vscode.window.showTextDocument(t.open.uri, { preview: true });
}
