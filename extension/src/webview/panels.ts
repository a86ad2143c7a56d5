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
import { askRefineEpochs } from '../ui/refine-epochs';
import { panelHtml } from './html';

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
  return run && typeof run.id === 'string' && typeof run.host === 'string' ? { host: run.host, run: run.id } : undefined;
}

function webviewOptions(context: vscode.ExtensionContext): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist'), vscode.Uri.joinPath(context.extensionUri, 'media')],
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

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Creates the panel host and registers its serializers (call once from activate()). The run manager is
 * the data: `runs` is the RunsApi of extension/src/runs/api.ts.
 */
export function createPanelHost(context: vscode.ExtensionContext, runs: RunsApi): ExplorerPanels {
  const explorers = new Map<string, ExplorerEntry>();
  let topology: { panel: vscode.WebviewPanel; ref?: RunRef; id?: string } | undefined;

  const post = (panel: vscode.WebviewPanel, m: HostToWebview) => panel.webview.postMessage(m);

  const sendSnapshot = async (e: ExplorerEntry) => {
    try {
      const snapshot = await e.source.snapshot();
      await post(e.panel, { type: 'snapshot', snapshot, ui: e.ui });
      e.panel.title = `Pareto: ${snapshot.run.name}`;
      // curves of refinements still running are not in the run model: fetch them once
      const running = snapshot.refinements.filter((r) => r.status === 'running' && r.epochs.length === 0);
      if (running.length) {
        const records = (await Promise.all(running.map((r) => e.source.candidate(r.candidate).then((c) => c.refinements, () => []))))
          .flat()
          .filter((r) => running.some((x) => x.id === r.id));
        if (records.length) await post(e.panel, { type: 'refine-records', records });
      }
    } catch (err) {
      void vscode.window.showErrorMessage(`Pareto NAS: cannot load run ${e.source.ref.run}: ${errorText(err)}`);
    }
  };

  const saveFile = async (m: Extract<WebviewToHost, { type: 'save-file' }>) => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, m.filename) : undefined,
      saveLabel: 'Export',
      title: `Export ${m.filename}`,
    });
    if (!target) return;
    const bytes = m.encoding === 'base64' ? Buffer.from(m.data, 'base64') : Buffer.from(m.data, 'utf8');
    await vscode.workspace.fs.writeFile(target, bytes);
    void vscode.window.showInformationMessage(`Pareto NAS: exported ${vscode.workspace.asRelativePath(target)}`);
  };

  const wireExplorer = (panel: vscode.WebviewPanel, ref: RunRef, ui: ExplorerUiState): ExplorerEntry => {
    const source = runsDataSource(runs, ref);
    const entry: ExplorerEntry = { panel, source, ui, stale: false, disposables: [] };
    explorers.set(key(ref), entry);
    setHtml(context, panel, 'explorer');
    entry.disposables.push(
      // messages to a hidden webview are lost: the webview asks for a snapshot when it (re)loads
      source.onDelta((delta) => {
        if (panel.visible) void post(panel, { type: 'delta', delta });
        else entry.stale = true;
      }),
      panel.onDidChangeViewState(() => {
        if (panel.visible && entry.stale) {
          entry.stale = false;
          void sendSnapshot(entry);
        }
      }),
      panel.webview.onDidReceiveMessage(async (m: WebviewToHost) => {
        try {
          switch (m.type) {
            case 'ready':
              entry.stale = false;
              await sendSnapshot(entry);
              break;
            case 'ui-state':
              entry.ui = m.ui;
              break;
            case 'open-candidate':
            case 'open-topology':
              await openTopology(context, ref, m.id, runs);
              break;
            case 'refine-selected': {
              if (m.ids.length === 0) return;
              const epochs = await askRefineEpochs(m.ids.length);
              if (epochs === undefined) return;
              await source.refine(m.ids, epochs);
              void vscode.window.setStatusBarMessage(`Pareto NAS: refining ${m.ids.length} network(s) for ${epochs} epochs`, 5000);
              break;
            }
            case 'save-file':
              await saveFile(m);
              break;
          }
        } catch (err) {
          void vscode.window.showErrorMessage(`Pareto NAS: ${errorText(err)}`);
        }
      }),
      panel.onDidDispose(() => {
        explorers.delete(key(ref));
        for (const d of entry.disposables) d.dispose();
      }),
    );
    return entry;
  };

  const openExplorer = async (_context: vscode.ExtensionContext, ref: RunRef): Promise<vscode.WebviewPanel> => {
    const existing = explorers.get(key(ref));
    if (existing) {
      existing.panel.reveal();
      return existing.panel;
    }
    const name = runs.get(ref)?.name ?? ref.run;
    const panel = vscode.window.createWebviewPanel(EXPLORER_VIEW_TYPE, `Pareto: ${name}`, vscode.ViewColumn.Active, webviewOptions(context));
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'pareto-nas.svg');
    wireExplorer(panel, ref, { ...NEW_EXPLORER_UI });
    return panel;
  };

  const showTopology = async (panel: vscode.WebviewPanel, ref: RunRef, id: string) => {
    const source = explorers.get(key(ref))?.source ?? runsDataSource(runs, ref);
    try {
      const { record, decode } = await source.candidate(id);
      const m = runs.get(ref);
      panel.title = `Topology: ${id}`;
      await post(panel, { type: 'topology', run: { id: ref.run, host: ref.host, name: m?.name ?? ref.run, dir: m?.dir }, candidate: record, decode });
    } catch (err) {
      // Say it in the panel too, or it would wait for a candidate forever.
      await post(panel, { type: 'topology-error', id, message: errorText(err) });
      void vscode.window.showErrorMessage(`Pareto NAS: cannot draw ${id}: ${errorText(err)}`);
    }
  };

  const wireTopology = (panel: vscode.WebviewPanel) => {
    const t = { panel } as { panel: vscode.WebviewPanel; ref?: RunRef; id?: string };
    topology = t;
    setHtml(context, panel, 'topology');
    const subs = [
      panel.webview.onDidReceiveMessage(async (m: WebviewToHost) => {
        if (m.type === 'ready' && t.ref && t.id) await showTopology(panel, t.ref, t.id);
        else if (m.type === 'save-file') await saveFile(m).catch((e) => vscode.window.showErrorMessage(`Pareto NAS: ${errorText(e)}`));
      }),
      panel.onDidDispose(() => {
        if (topology === t) topology = undefined;
        for (const s of subs) s.dispose();
      }),
    ];
    return t;
  };

  const openTopology = async (_context: vscode.ExtensionContext, ref: RunRef, id: string, _runs?: RunsApi): Promise<vscode.WebviewPanel> => {
    let t = topology;
    if (!t) {
      const panel = vscode.window.createWebviewPanel(TOPOLOGY_VIEW_TYPE, `Topology: ${id}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(context));
      t = wireTopology(panel);
      t.ref = ref;
      t.id = id; // drawn when its script says ready
    } else {
      t.ref = ref;
      t.id = id;
      t.panel.reveal(undefined, true);
      await showTopology(t.panel, ref, id);
    }
    return t.panel;
  };

  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(EXPLORER_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        const s = (state ?? {}) as SavedExplorerState;
        const ref = refFrom(s.run);
        if (!ref) {
          panel.dispose();
          return;
        }
        if (explorers.has(key(ref))) {
          panel.dispose(); // already open (restored twice)
          return;
        }
        wireExplorer(panel, ref, { ...DEFAULT_UI, ...(s.ui ?? {}) });
        void runs.ensureAttached(ref).catch(() => undefined);
      },
    }),
    vscode.window.registerWebviewPanelSerializer(TOPOLOGY_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        const s = (state ?? {}) as SavedTopologyState;
        const ref = refFrom(s.run);
        if (!ref || !s.id || topology) {
          panel.dispose();
          return;
        }
        const t = wireTopology(panel);
        t.ref = ref;
        t.id = s.id;
      },
    }),
    { dispose: () => [...explorers.values()].forEach((e) => e.panel.dispose()) },
  );

  const activeRun = (): RunRef | undefined => {
    if (topology?.panel.active && topology.ref) return topology.ref;
    for (const e of explorers.values()) if (e.panel.active) return e.source.ref;
    return undefined;
  };

  return { explorers, openExplorer, openTopology, activeRun };
}
