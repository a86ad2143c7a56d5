// Status bar: the running search's generation and progress ("Pareto NAS g3/30 · 12/25"); several
// running searches show as a count. Clicking focuses the Runs view.
import * as vscode from 'vscode';
import type { RunManager } from '../runs/run-manager';
import { generationProgress, isActive } from '../runs/run-model';
import { readSettings } from '../settings';

export class RunStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subs: vscode.Disposable[] = [];

  constructor(private readonly runs: RunManager) {
    this.item = vscode.window.createStatusBarItem('paretoNas.status', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'Pareto NAS search';
    this.item.command = 'paretoNas.runs.focus';
    this.subs.push(
      runs.onDidChange(() => this.update()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('paretoNas.statusBar') && this.update()),
    );
    this.update();
  }

  /** The text shown now ('' when hidden); host tests read it through the DOM, unit tests here. */
  get text(): string {
    return this.visible ? this.item.text : '';
  }
  private visible = false;

  update(): void {
    if (this.showReconnecting()) return;
    const active = this.runs.runs().filter(isActive);
    if (active.length === 0 || !readSettings().statusBarEnabled) {
      this.item.hide();
      this.visible = false;
      return;
    }
    const m = active[0];
    const p = generationProgress(m);
    const gen = p.generations ? `g${p.generation}/${p.generations}` : 'starting';
    const progress = p.total ? ` · ${p.done}/${p.total}` : '';
    const more = active.length > 1 ? ` (+${active.length - 1})` : '';
    // where it runs, when that is not this machine
    const h = this.runs.host(m.host);
    const where = h && h.target.kind !== 'local' ? ` · ${h.label}` : '';
    this.item.text = `$(sync~spin) Pareto NAS ${gen}${progress}${where}${more}`;
    this.item.tooltip = active
      .map((r) => {
        const q = generationProgress(r);
        return (
          `${r.name} (${r.id}) on ${this.runs.host(r.host)?.label ?? r.host}: generation ${q.generation}/${q.generations}, ` +
          `${q.done}/${q.total} candidates, ${r.evaluations} evaluations`
        );
      })
      .join('\n');
    this.item.show();
    this.visible = true;
  }

  /** A dropped connection being re-established shows, whatever runs: "reconnecting to HOST (attempt 2/3)". */
  private showReconnecting(): boolean {
    const h = this.runs.hosts().find((x) => x.state === 'reconnecting');
    if (!h) return false;
    const attempt = /attempt \d+\/\d+/.exec(h.detail ?? '')?.[0];
    this.item.text = `$(sync~spin) Pareto NAS: reconnecting to ${h.label}${attempt ? ` (${attempt})` : ''}`;
    this.item.tooltip = `The connection to ${h.label} dropped${h.detail ? ` (${h.detail})` : ''}; runs there go on, and the view catches up once it is back.`;
    this.item.show();
    this.visible = true;
    return true;
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.item.dispose();
  }
}
