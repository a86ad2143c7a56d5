// The "Runs" tree of the Pareto NAS view: hosts → runs → Pareto front / generations → candidates.
// contextValue of each item gates its inline actions (package.json `view/item/context` when clauses).
import * as vscode from 'vscode';
import type { CandidateRecord } from '../../../common/protocol';
import { formatAccuracy } from '../../../common/explorer/format';
import type { HostEntry, RunManager } from '../runs/run-manager';
import { frontOf, generationProgress, type CandidateState, type RunModel, type WorkerState } from '../runs/run-model';
import { workerRow } from '../../../common/workers';

export type Node =
  | { kind: 'host'; host: string }
  | { kind: 'run'; host: string; run: string }
  | { kind: 'pareto'; host: string; run: string }
  | { kind: 'generation'; host: string; run: string; generation: number }
  | { kind: 'candidate'; host: string; run: string; id: string; pareto: boolean }
  | { kind: 'workers'; host: string; run: string }
  | { kind: 'worker'; host: string; run: string; key: string };

export const VIEW_ID = 'paretoNas.runs';

export class RunsTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly sub: vscode.Disposable;

  constructor(private readonly runs: RunManager) {
    this.sub = runs.onDidChange(() => this.emitter.fire(undefined));
  }

  refresh(): void {
    this.emitter.fire(undefined);
  }

  getChildren(node?: Node): Node[] {
    if (!node) return this.runs.hosts().map((h) => ({ kind: 'host', host: h.key }));
    switch (node.kind) {
      case 'host': {
        const h = this.runs.host(node.host);
        if (!h) return [];
        return [...h.runs.values()]
          .sort((a, b) => (b.id > a.id ? 1 : b.id < a.id ? -1 : 0))
          .map((m) => ({ kind: 'run', host: node.host, run: m.id }));
      }
      case 'run': {
        const m = this.runs.get({ host: node.host, run: node.run });
        if (!m) return [];
        const gens = [...m.generationsById.keys()].sort((a, b) => b - a);
        const out: Node[] = [];
        if (m.workers.size > 0) out.push({ kind: 'workers', host: node.host, run: node.run });
        if (frontOf(m).length > 0) out.push({ kind: 'pareto', host: node.host, run: node.run });
        for (const g of gens) out.push({ kind: 'generation', host: node.host, run: node.run, generation: g });
        return out;
      }
      case 'pareto': {
        const m = this.runs.get({ host: node.host, run: node.run });
        if (!m) return [];
        return frontOf(m).map((r) => ({ kind: 'candidate', host: node.host, run: node.run, id: r.id, pareto: true }));
      }
      case 'generation': {
        const m = this.runs.get({ host: node.host, run: node.run });
        const g = m?.generationsById.get(node.generation);
        if (!m || !g) return [];
        const front = new Set(frontOf(m).map((r) => r.id));
        return g.candidates.map((id) => ({
          kind: 'candidate',
          host: node.host,
          run: node.run,
          id,
          pareto: front.has(id),
        }));
      }
      case 'workers': {
        const m = this.runs.get({ host: node.host, run: node.run });
        return [...(m?.workers.keys() ?? [])]
          .sort()
          .map((key) => ({ kind: 'worker', host: node.host, run: node.run, key }));
      }
      case 'candidate':
      case 'worker':
        return [];
    }
  }

  getParent(node: Node): Node | undefined {
    switch (node.kind) {
      case 'host':
        return undefined;
      case 'run':
        return { kind: 'host', host: node.host };
      case 'pareto':
      case 'generation':
      case 'workers':
        return { kind: 'run', host: node.host, run: node.run };
      case 'worker':
        return { kind: 'workers', host: node.host, run: node.run };
      case 'candidate': {
        if (node.pareto) return { kind: 'pareto', host: node.host, run: node.run };
        const c = this.runs.get({ host: node.host, run: node.run })?.candidates.get(node.id);
        return c ? { kind: 'generation', host: node.host, run: node.run, generation: c.generation } : undefined;
      }
    }
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'host':
        return hostItem(this.runs.host(node.host)!, this.runs.isConnected(node.host));
      case 'run': {
        const ref = { host: node.host, run: node.run };
        return runItem(this.runs.get(ref)!, this.runs.isAttached(ref));
      }
      case 'pareto': {
        const m = this.runs.get({ host: node.host, run: node.run })!;
        const item = new vscode.TreeItem('Pareto front', vscode.TreeItemCollapsibleState.Expanded);
        item.id = `${node.host}/${node.run}/pareto`;
        item.description = `${frontOf(m).length} networks`;
        item.iconPath = new vscode.ThemeIcon('graph-line');
        item.contextValue = 'pareto';
        item.tooltip = 'Evaluated networks that no other network beats on both validation error and MFLOPs';
        return item;
      }
      case 'generation': {
        const m = this.runs.get({ host: node.host, run: node.run })!;
        const g = m.generationsById.get(node.generation)!;
        const item = new vscode.TreeItem(`Generation ${node.generation}`, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `${node.host}/${node.run}/g${node.generation}`;
        const running = m.state === 'running' && node.generation === m.generation && !g.snapshot;
        item.description = `${g.finished}/${g.candidates.length}${running ? ' training' : ''}`;
        item.iconPath = new vscode.ThemeIcon(running ? 'sync~spin' : 'layers');
        item.contextValue = running ? 'generation.running' : 'generation';
        return item;
      }
      case 'candidate': {
        const m = this.runs.get({ host: node.host, run: node.run })!;
        const c = m.candidates.get(node.id)!;
        return candidateItem(node, c);
      }
      case 'workers': {
        const m = this.runs.get({ host: node.host, run: node.run })!;
        const item = new vscode.TreeItem('Workers', vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `${node.host}/${node.run}/workers`;
        const up = [...m.workers.values()].filter((w) => w.state === 'up');
        item.description = `${up.length}/${m.workers.size} up on ${new Set(up.map((w) => w.node)).size} nodes`;
        item.iconPath = new vscode.ThemeIcon('server-environment');
        return item;
      }
      case 'worker':
        return workerItem(node, this.runs.get({ host: node.host, run: node.run })!.workers.get(node.key)!);
    }
  }

  dispose(): void {
    this.sub.dispose();
    this.emitter.dispose();
  }
}

function hostItem(h: HostEntry, connected: boolean): vscode.TreeItem {
  const item = new vscode.TreeItem(h.label, vscode.TreeItemCollapsibleState.Expanded);
  item.id = h.key;
  const n = h.runs.size;
  // short: the detail (an error, a reconnect attempt) would push the name out of a narrow side bar
  item.description = h.state === 'connected' ? `${n} run${n === 1 ? '' : 's'}` : h.state;
  item.iconPath = new vscode.ThemeIcon(
    h.target.kind === 'local' ? 'vm' : 'remote',
    h.state === 'error' ? new vscode.ThemeColor('errorForeground') : undefined,
  );
  if (h.state === 'connecting' || h.state === 'reconnecting') item.iconPath = new vscode.ThemeIcon('loading~spin');
  item.contextValue = connected ? `host.connected.${h.target.kind}` : 'host.disconnected';
  item.tooltip = `${h.target.kind === 'local' ? 'Runner on this machine' : `SSH host ${h.label}`} (${h.state}${h.detail ? `: ${h.detail}` : ''})`;
  return item;
}

const STATE_ICON: Record<RunModel['state'], [string, string | undefined]> = {
  running: ['sync~spin', 'charts.blue'],
  completed: ['pass', 'testing.iconPassed'],
  cancelled: ['circle-slash', undefined],
  failed: ['error', 'errorForeground'],
  stopped: ['debug-pause', 'charts.yellow'],
  unknown: ['circle-outline', undefined],
};

/** Run ids end in their start time ("demo-20261204-185012"): "demo" and "12-04 18:50"; others stay whole. */
export function splitRunId(id: string): { name: string; started?: string } {
  const t = /^(.+)-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})\d{2}$/.exec(id);
  return t ? { name: t[1], started: `${t[3]}-${t[4]} ${t[5]}:${t[6]}` } : { name: id };
}

function runItem(m: RunModel, attached: boolean): vscode.TreeItem {
  // a short label (the id's timestamp moves to the end of the description, the whole id to the
  // tooltip), so a default-width side bar shows the name rather than "d…"
  const { name, started } = splitRunId(m.id);
  const item = new vscode.TreeItem(name, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `${m.host}/${m.id}`;
  const p = generationProgress(m);
  const parts: string[] = [m.state];
  if (p.generations) parts.push(`gen ${p.generation}/${p.generations}`);
  if (m.state === 'running' && p.total) parts.push(`${p.done}/${p.total}`);
  if (started) parts.push(started);
  item.description = parts.join(' · ');
  const [icon, color] = STATE_ICON[m.state];
  item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
  item.contextValue = m.state === 'running' ? (attached ? 'run.running' : 'run.detached') : `run.${m.state}`;
  const tip = new vscode.MarkdownString();
  tip.appendMarkdown(`**${m.name || m.id}** \`${m.id}\`\n\n`);
  tip.appendMarkdown(`- state: ${m.state}${m.message ? ` (${m.message})` : ''}\n`);
  if (m.dataset) tip.appendMarkdown(`- dataset: \`${m.dataset}\`\n`);
  if (m.dir) tip.appendMarkdown(`- folder: \`${m.dir}\`\n`);
  tip.appendMarkdown(`- evaluations: ${m.evaluations}\n`);
  tip.appendMarkdown(`- events seen: ${m.lastSeq}${attached ? ' (following)' : ''}\n`);
  item.tooltip = tip;
  item.command = {
    command: 'paretoNas.openExplorer',
    title: 'Open Pareto Explorer',
    arguments: [{ host: m.host, run: m.id }],
  };
  return item;
}

/** "n2 GPU 1: g3-07 epoch 4, 5120 img/s", or lost / excluded. */
function workerItem(node: Extract<Node, { kind: 'worker' }>, w: WorkerState): vscode.TreeItem {
  const row = workerRow(w); // the explorer's workers list says the same (common/workers.ts)
  const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
  item.id = `${node.host}/${node.run}/worker/${w.key}`;
  item.description = row.description;
  item.iconPath = new vscode.ThemeIcon(w.state === 'up' ? (w.candidate ? 'sync~spin' : 'circle-outline') : 'warning');
  item.tooltip = row.detail;
  return item;
}

function candidateItem(node: Extract<Node, { kind: 'candidate' }>, c: CandidateState): vscode.TreeItem {
  const item = new vscode.TreeItem(c.id, vscode.TreeItemCollapsibleState.None);
  item.id = `${node.host}/${node.run}/${node.pareto ? 'p' : 'g'}/${c.id}`;
  const r: CandidateRecord | undefined = c.record;
  if (r) {
    item.description =
      r.status === 'failed'
        ? `failed${r.failure ? `: ${r.failure.kind}` : ''}`
        : `${formatAccuracy(r.valAccuracy)} · ${fmt(r.mflops, 2)} MFLOPs${r.status === 'reused' ? ' · reused' : ''}`;
    item.iconPath = new vscode.ThemeIcon(
      r.status === 'failed' ? 'warning' : node.pareto ? 'star-full' : 'circle-filled',
      r.status === 'failed'
        ? new vscode.ThemeColor('errorForeground')
        : node.pareto
          ? new vscode.ThemeColor('charts.yellow')
          : undefined,
    );
    item.tooltip =
      `${r.id}: accuracy ${formatAccuracy(r.valAccuracy)}, ${fmt(r.mflops, 3)} MFLOPs, ${r.params} params, ` +
      `${r.epochs.length} epochs, ${fmt(r.trainSeconds, 1)} s${r.failure ? `\n${r.failure.message}` : ''}`;
  } else {
    // the epoch in progress, 1-based: epochsDone counts the finished ones
    item.description = c.status === 'training' ? `training, epoch ${c.epochsDone + 1}` : 'pending';
    item.iconPath = new vscode.ThemeIcon(c.status === 'training' ? 'loading~spin' : 'circle-outline');
  }
  item.contextValue =
    r && r.status !== 'failed' ? (node.pareto ? 'candidate.pareto' : 'candidate') : 'candidate.pending';
  // a trained network's row opens its topology (also an inline action and in the context menu)
  if (r && r.status !== 'failed') {
    item.command = {
      command: 'paretoNas.inspectTopology',
      title: 'Inspect Topology',
      arguments: [{ kind: 'candidate', host: node.host, run: node.run, id: c.id }],
    };
  }
  return item;
}

function fmt(v: number | null | undefined, digits: number): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}
