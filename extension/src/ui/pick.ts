// Quick picks shared by the commands: target host, run, candidate. Each resolves what a command was
// given (a tree node, a RunRef from a test or the webview, nothing from the palette) to a concrete value.
import * as vscode from 'vscode';
import { LOCAL_KEY, targetFromKey, targetKey, type Target } from '../hosts/targets';
import type { RunRef } from '../runs/api';
import type { RunManager } from '../runs/run-manager';
import { frontOf } from '../runs/run-model';
import { readSettings } from '../settings';
import { listHostAliases, loadSshConfig } from '../ssh/config';
import type { Node } from '../views/runs-tree';
import { formatAccuracy } from '../../../common/explorer/format';

/** Host aliases of the ssh config (Include files followed; no wildcard patterns). */
function sshConfigHosts(file: string): string[] {
  try {
    return listHostAliases(loadSshConfig({ file }));
  } catch {
    return [];
  }
}

interface TargetItem extends vscode.QuickPickItem {
  key?: string;
  enter?: boolean;
}

export async function pickTarget(runs: RunManager, title: string): Promise<Target | undefined> {
  const s = readSettings();
  const seen = new Set<string>();
  const items: TargetItem[] = [];
  const add = (key: string, label: string, description: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    items.push({ key, label, description });
  };
  add(LOCAL_KEY, '$(vm) This machine', 'local runner');
  for (const h of runs.hosts()) if (h.key !== LOCAL_KEY) add(h.key, `$(remote) ${h.label}`, h.state);
  for (const h of s.hosts) add(`ssh:${h}`, `$(remote) ${h}`, 'from settings');
  for (const h of sshConfigHosts(s.sshConfigFile)) add(`ssh:${h}`, `$(remote) ${h}`, 'from ssh config');
  items.push({ label: '$(edit) Enter SSH host…', enter: true, alwaysShow: true });
  const pick = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: 'Where should it run?',
    ignoreFocusOut: true,
  });
  if (!pick) return undefined;
  if (pick.enter) {
    const host = await vscode.window.showInputBox({
      title,
      prompt: 'SSH host: an alias from your ssh config, or user@host[:port]',
      ignoreFocusOut: true,
      validateInput: (v) => (/^\S+$/.test(v.trim()) ? undefined : 'one host, no spaces'),
    });
    return host ? { kind: 'ssh', host: host.trim() } : undefined;
  }
  return targetFromKey(pick.key!);
}

/** A RunRef from a tree node, a RunRef-like argument, or a quick pick over known runs. */
export async function resolveRun(
  runs: RunManager,
  arg: unknown,
  title: string,
  filter?: (state: string) => boolean,
): Promise<RunRef | undefined> {
  const ref = asRunRef(arg);
  if (ref) return ref;
  let all = runs.runs().filter((m) => !filter || filter(m.state));
  if (all.length === 0) {
    const target = runs.hosts().length === 1 ? runs.hosts()[0].target : await pickTarget(runs, title);
    if (!target) return undefined;
    await runs.connect(target);
    all = (runs.host(targetKey(target))?.runs ? [...runs.host(targetKey(target))!.runs.values()] : []).filter(
      (m) => !filter || filter(m.state),
    );
  }
  if (all.length === 0) {
    void vscode.window.showInformationMessage('Pareto NAS: no matching runs.');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    all.map((m) => ({
      label: m.name && m.name !== m.id ? `${m.name}  ${m.id}` : m.id,
      description: `${runs.host(m.host)?.label ?? m.host} · ${m.state} · gen ${m.generation}/${m.generations || '?'}`,
      detail: m.dir,
      ref: { host: m.host, run: m.id },
    })),
    { title, placeHolder: 'Run', matchOnDescription: true, ignoreFocusOut: true },
  );
  return pick?.ref;
}

export function asRunRef(arg: unknown): RunRef | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const a = arg as Partial<Node> & { host?: unknown; run?: unknown };
  if (typeof a.host === 'string' && typeof a.run === 'string') return { host: a.host, run: a.run };
  return undefined;
}

/** Candidate ids from tree nodes (multi-selection) or an argument {ids} / {id}. */
export function candidateIds(arg: unknown, selection: unknown): string[] {
  const list = Array.isArray(selection) && selection.length ? selection : [arg];
  const ids: string[] = [];
  for (const n of list) {
    if (typeof n !== 'object' || n === null) continue;
    const o = n as { kind?: string; id?: unknown; ids?: unknown };
    if (Array.isArray(o.ids)) ids.push(...o.ids.filter((x): x is string => typeof x === 'string'));
    else if ((o.kind === 'candidate' || o.kind === undefined) && typeof o.id === 'string') ids.push(o.id);
  }
  return [...new Set(ids)];
}

export async function pickCandidates(
  runs: RunManager,
  ref: RunRef,
  title: string,
  many: boolean,
): Promise<string[] | undefined> {
  const m = await runs.ensureAttached(ref);
  const front = new Set(frontOf(m).map((r) => r.id));
  const records = [...m.candidates.values()]
    .filter((c) => c.record && c.record.status !== 'failed')
    .map((c) => c.record!)
    .sort((a, b) => Number(front.has(b.id)) - Number(front.has(a.id)) || a.mflops - b.mflops);
  if (records.length === 0) {
    void vscode.window.showInformationMessage(`Pareto NAS: run ${ref.run} has no evaluated networks yet.`);
    return undefined;
  }
  const items = records.map((r) => ({
    label: `${front.has(r.id) ? '$(star-full) ' : ''}${r.id}`,
    description: `${formatAccuracy(r.valAccuracy)} · ${r.mflops.toFixed(2)} MFLOPs · ${r.params} params`,
    picked: many && front.has(r.id),
    id: r.id,
  }));
  if (many) {
    const picks = await vscode.window.showQuickPick(items, {
      title,
      canPickMany: true,
      placeHolder: 'Networks (Pareto front preselected)',
      ignoreFocusOut: true,
    });
    return picks?.map((p) => p.id);
  }
  const pick = await vscode.window.showQuickPick(items, { title, placeHolder: 'Network', ignoreFocusOut: true });
  return pick ? [pick.id] : undefined;
}
