// The webview panel host: the Pareto explorer (one panel per run) and the topology panel (one, reused).
// The run state stays in the extension (ExplorerDataSource over the run manager); a panel gets a
// snapshot when its script says "ready" and deltas while it is visible. Panels come back after a
// reload through WebviewPanelSerializers, with the same run, cutoff and selection.
import * as vscode from 'vscode';
import type { PanelHost } from '../commands/explorer';
import type { RunRef, RunsApi } from '../runs/api';
import {
  DEFAULT_UI,
  EXPLORER_VIEW_TYPE,
  NEW_EXPLORER_UI,
  TOPOLOGY_VIEW_TYPE,
  type ExplorerRun,
  type ExplorerUiState,
  type HostToWebview,
  type WebviewToHost,
} from '../../../common/explorer/messages';
import { runsDataSource, type ExplorerDataSource } from './data-source';
import { errorText } from '../errors';
import { askRefineEpochs } from '../ui/refine-epochs';
import { panelHtml } from './html';
import { showWrittenToast } from '../ui/written-toast';

interface ExplorerEntry {
  panel: vscode.WebviewPanel;
  source: ExplorerDataSource;
  ui: ExplorerUiState;
  /** Deltas were dropped while hidden: send a fresh snapshot when shown. */
  stale: boolean;
  disposables: vscode.Disposable[];
}

/** Persisted webview state (vscode.setState inside the webview). */
interface SavedExplorerState {
  ui?: Partial<ExplorerUiState>;
  run?: Partial<ExplorerRun>;
}
interface SavedTopologyState {
  run?: Partial<ExplorerRun>;
  id?: string;
}

export interface ExplorerPanels extends PanelHost {
  /** Open explorer panels by "host\0run" (tests and commands read them). */
  readonly explorers: ReadonlyMap<string, ExplorerEntry>;
  /** The run of the active explorer or topology panel, if one is the active editor. */
  activeRun(): RunRef | undefined;
}

function key(ref: RunRef): string {
  return `${ref.host}\u0000${ref.run}`;
}

function refFrom(run: Partial<ExplorerRun> | undefined): RunRef | undefined {
  return run && typeof run.id === 'string' && typeof run.host === 'string'
    ? { host: run.host, run: run.id }
    : undefined;
}

function webviewOptions(context: vscode.ExtensionContext): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [
      vscode.Uri.joinPath(context.extensionUri, 'dist'),
      vscode.Uri.joinPath(context.extensionUri, 'media'),
    ],
    enableFindWidget: true,
  };
}

function setHtml(context: vscode.ExtensionContext, panel: vscode.WebviewPanel, view: 'explorer' | 'topology'): void {
  const w = panel.webview;
  panel.webview.options = webviewOptions(context);
  w.html = panelHtml({
    cspSource: w.cspSource,
    scriptUri: w.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview.js')).toString(),
    styleUri: w.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview.css')).toString(),
    view,
    title: panel.title,
  });
}

interface TopologyPanel {
  panel: vscode.WebviewPanel;
  ref?: RunRef;
  id?: string;
}

/**
 * Creates the panel host and registers its serializers (call once from activate()). The run manager is
 * the data: `runs` is the RunsApi of extension/src/runs/api.ts.
 */
export function createPanelHost(context: vscode.ExtensionContext, runs: RunsApi): ExplorerPanels {
  return new WebviewPanels(context, runs);
}

/** The explorer panels (one per run) and the topology panel (one, reused), with their serializers. */
class WebviewPanels implements ExplorerPanels {
  readonly explorers = new Map<string, ExplorerEntry>();
  private topology: TopologyPanel | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly runs: RunsApi,
  ) {
    context.subscriptions.push(
      vscode.window.registerWebviewPanelSerializer(EXPLORER_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) =>
          this.restoreExplorer(panel, state),
      }),
      vscode.window.registerWebviewPanelSerializer(TOPOLOGY_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) =>
          this.restoreTopology(panel, state),
      }),
      { dispose: () => [...this.explorers.values()].forEach((e) => e.panel.dispose()) },
    );
  }

  async openExplorer(_context: vscode.ExtensionContext, ref: RunRef): Promise<vscode.WebviewPanel> {
    const existing = this.explorers.get(key(ref));
    if (existing) {
      existing.panel.reveal();
      return existing.panel;
    }
    const name = this.runs.get(ref)?.name ?? ref.run;
    const panel = vscode.window.createWebviewPanel(
      EXPLORER_VIEW_TYPE,
      `Pareto: ${name}`,
      vscode.ViewColumn.Active,
      webviewOptions(this.context),
    );
    panel.iconPath = vscode.Uri.joinPath(this.context.extensionUri, 'media', 'pareto-nas.svg');
    this.wireExplorer(panel, ref, { ...NEW_EXPLORER_UI });
    return panel;
  }

  async openTopology(
    _context: vscode.ExtensionContext,
    ref: RunRef,
    id: string,
    _runs?: RunsApi,
  ): Promise<vscode.WebviewPanel> {
    let t = this.topology;
    if (!t) {
      const panel = vscode.window.createWebviewPanel(
        TOPOLOGY_VIEW_TYPE,
        `Topology: ${id}`,
        { viewColumn: topologyColumn(), preserveFocus: true },
        webviewOptions(this.context),
      );
      t = this.wireTopology(panel);
      t.ref = ref;
      t.id = id; // drawn when its script says ready
    } else {
      t.ref = ref;
      t.id = id;
      t.panel.reveal(undefined, true);
      await this.showTopology(t.panel, ref, id);
    }
    return t.panel;
  }

  activeRun(): RunRef | undefined {
    if (this.topology?.panel.active && this.topology.ref) return this.topology.ref;
    for (const e of this.explorers.values()) if (e.panel.active) return e.source.ref;
    return undefined;
  }

  private post(panel: vscode.WebviewPanel, m: HostToWebview): Thenable<boolean> {
    return panel.webview.postMessage(m);
  }

  private async sendSnapshot(e: ExplorerEntry): Promise<void> {
    try {
      const snapshot = await e.source.snapshot();
      await this.post(e.panel, { type: 'snapshot', snapshot, ui: e.ui });
      e.panel.title = `Pareto: ${snapshot.run.name}`;
      // curves of refinements still running are not in the run model: fetch them once
      const running = snapshot.refinements.filter((r) => r.status === 'running' && r.epochs.length === 0);
      if (running.length) {
        const records = (
          await Promise.all(
            running.map((r) =>
              e.source.candidate(r.candidate).then(
                (c) => c.refinements,
                () => [],
              ),
            ),
          )
        )
          .flat()
          .filter((r) => running.some((x) => x.id === r.id));
        if (records.length) await this.post(e.panel, { type: 'refine-records', records });
      }
    } catch (err) {
      void vscode.window.showErrorMessage(`Pareto NAS: cannot load run ${e.source.ref.run}: ${errorText(err)}`);
    }
  }

  private wireExplorer(panel: vscode.WebviewPanel, ref: RunRef, ui: ExplorerUiState): ExplorerEntry {
    const source = runsDataSource(this.runs, ref);
    const entry: ExplorerEntry = { panel, source, ui, stale: false, disposables: [] };
    this.explorers.set(key(ref), entry);
    setHtml(this.context, panel, 'explorer');
    entry.disposables.push(
      // messages to a hidden webview are lost: the webview asks for a snapshot when it (re)loads
      source.onDelta((delta) => {
        if (panel.visible) void this.post(panel, { type: 'delta', delta });
        else entry.stale = true;
      }),
      panel.onDidChangeViewState(() => {
        if (panel.visible && entry.stale) {
          entry.stale = false;
          void this.sendSnapshot(entry);
        }
      }),
      panel.webview.onDidReceiveMessage((m: WebviewToHost) =>
        this.onExplorerMessage(entry, ref, m).catch(
          (err) => void vscode.window.showErrorMessage(`Pareto NAS: ${errorText(err)}`),
        ),
      ),
      panel.onDidDispose(() => {
        this.explorers.delete(key(ref));
        for (const d of entry.disposables) d.dispose();
      }),
    );
    return entry;
  }

  private async onExplorerMessage(entry: ExplorerEntry, ref: RunRef, m: WebviewToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        entry.stale = false;
        await this.sendSnapshot(entry);
        break;
      case 'ui-state':
        entry.ui = m.ui;
        break;
      case 'open-candidate':
      case 'open-topology':
        await this.openTopology(this.context, ref, m.id, this.runs);
        break;
      case 'refine-selected': {
        if (m.ids.length === 0) return;
        const epochs = await askRefineEpochs(m.ids.length);
        if (epochs === undefined) return;
        await entry.source.refine(m.ids, epochs);
        void vscode.window.setStatusBarMessage(
          `Pareto NAS: refining ${m.ids.length} network(s) for ${epochs} epochs`,
          5000,
        );
        break;
      }
      case 'export-model':
        // the Runs view's Export Model… command, for this run and candidate (it asks for the format)
        await vscode.commands.executeCommand('paretoNas.exportModel', { host: ref.host, run: ref.run, id: m.id });
        break;
      case 'save-file':
        await saveFile(m);
        break;
    }
  }

  private async showTopology(panel: vscode.WebviewPanel, ref: RunRef, id: string): Promise<void> {
    const source = this.explorers.get(key(ref))?.source ?? runsDataSource(this.runs, ref);
    try {
      const { record, decode } = await source.candidate(id);
      const m = this.runs.get(ref);
      panel.title = `Topology: ${id}`;
      await this.post(panel, {
        type: 'topology',
        run: { id: ref.run, host: ref.host, name: m?.name ?? ref.run, dir: m?.dir },
        candidate: record,
        decode,
      });
    } catch (err) {
      // Say it in the panel too, or it would wait for a candidate forever.
      await this.post(panel, { type: 'topology-error', id, message: errorText(err) });
      void vscode.window.showErrorMessage(`Pareto NAS: cannot draw ${id}: ${errorText(err)}`);
    }
  }

  private wireTopology(panel: vscode.WebviewPanel): TopologyPanel {
    const t: TopologyPanel = { panel };
    this.topology = t;
    setHtml(this.context, panel, 'topology');
    const subs = [
      panel.webview.onDidReceiveMessage(async (m: WebviewToHost) => {
        if (m.type === 'ready' && t.ref && t.id) await this.showTopology(panel, t.ref, t.id);
        else if (m.type === 'save-file')
          await saveFile(m).catch((e) => vscode.window.showErrorMessage(`Pareto NAS: ${errorText(e)}`));
      }),
      panel.onDidDispose(() => {
        if (this.topology === t) this.topology = undefined;
        for (const s of subs) s.dispose();
      }),
    ];
    return t;
  }

  /** An explorer coming back after a reload, with its run, cutoff and selection. */
  private restoreExplorer(panel: vscode.WebviewPanel, state: unknown): void {
    const s = (state ?? {}) as SavedExplorerState;
    const ref = refFrom(s.run);
    if (!ref) {
      panel.dispose();
      return;
    }
    if (this.explorers.has(key(ref))) {
      panel.dispose(); // already open (restored twice)
      return;
    }
    this.wireExplorer(panel, ref, { ...DEFAULT_UI, ...(s.ui ?? {}) });
    void this.runs.ensureAttached(ref).catch(() => undefined);
  }

  private restoreTopology(panel: vscode.WebviewPanel, state: unknown): void {
    const s = (state ?? {}) as SavedTopologyState;
    const ref = refFrom(s.run);
    if (!ref || !s.id || this.topology) {
      panel.dispose();
      return;
    }
    const t = this.wireTopology(panel);
    t.ref = ref;
    t.id = s.id;
  }
}

/**
 * Where a new topology panel opens: as a tab in the explorer's column (default), so the explorer keeps
 * its width, or beside it when the user sets `paretoNas.topology.openBeside`.
 */
function topologyColumn(): vscode.ViewColumn {
  return vscode.workspace.getConfiguration('paretoNas').get<boolean>('topology.openBeside', false)
    ? vscode.ViewColumn.Beside
    : vscode.ViewColumn.Active;
}

/** An export from a panel (CSV, Markdown, PNG, SVG): ask where, write it. */
async function saveFile(m: Extract<WebviewToHost, { type: 'save-file' }>): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, m.filename) : undefined,
    saveLabel: 'Export',
    title: `Export ${m.filename}`,
  });
  if (!target) return;
  const bytes = m.encoding === 'base64' ? Buffer.from(m.data, 'base64') : Buffer.from(m.data, 'utf8');
  await vscode.workspace.fs.writeFile(target, bytes);
  void showWrittenToast({
    message: `Pareto NAS: exported ${vscode.workspace.asRelativePath(target)}`,
    local: target,
    path: target.fsPath,
  });
}
