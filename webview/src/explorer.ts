// The Pareto explorer's controller: every candidate on a log-MFLOPs scatter coloured by generation,
// the non-dominated front, a draggable FLOPs cutoff that selects the Pareto networks below it, a
// generation replay, refinement curves and the paper's Table I. It keeps no truth: a snapshot, then
// deltas, come from the host; user actions are posted back. It owns the run data and the UI state,
// computes the view once per redraw (common/explorer/view.ts) and hands it to the components: the
// chart (chart/pareto-chart.ts), the candidate panel, the Pareto list, the table, the refinement
// chart, and any section mounted with `mount` (e.g. a workers display).
import type { Host } from './host';
import {
  DEFAULT_UI,
  type CandidateRecord,
  type ExplorerSnapshot,
  type ExplorerUiState,
  type HostToWebview,
} from '../../common/explorer/messages';
import { EMPTY_VIEW, explorerView, type ExplorerView } from '../../common/explorer/view';
import { plotSvg } from '../../common/explorer/plotSvg';
import { formatNumber } from '../../common/explorer/scale';
import { setCutoff, toggleSelection } from '../../common/explorer/selection';
import { table1Csv, table1Markdown, table1Rows, type Table1Row } from '../../common/explorer/table';
import { withinCutoff } from '../../common/pareto';
import { CandidatePanel } from './candidate-panel';
import { ParetoChart } from './chart/pareto-chart';
import { generationColor, type PlotPoint } from './chart/datasets';
import { backgroundPlugin } from './chart/plugins';
import { renderFrontList } from './front-list';
import { buildLayout, type ExplorerLayout } from './layout';
import { legendEntries, renderLegend } from './legend';
import { candidatePointStyle, earlyStopLine } from './model/early-stop';
import { ExplorerData } from './model/state';
import { RefinementChart } from './refinement-chart';
import { Replay } from './replay';
import { ReportTopologies } from './report-topologies';
import { Table1View } from './table-view';
import type { ExplorerTestHook } from './test-hook';
import { onThemeChange, readPalette, type Palette } from './theme';
import { tooltipLines } from './tooltip';

export type { ExplorerTestHook } from './test-hook';

/** A part of the page mounted by the controller and redrawn with the lists. */
export interface ExplorerSection {
  readonly element: HTMLElement;
  render(data: ExplorerData, view: ExplorerView): void;
}

export class Explorer {
  private readonly data = new ExplorerData();
  private ui: ExplorerUiState;
  private view: ExplorerView = EMPTY_VIEW;
  private palette: Palette = readPalette();
  private readonly dom: ExplorerLayout;
  private readonly chart: ParetoChart;
  private readonly candidate: CandidatePanel;
  private readonly table: Table1View;
  private readonly refinement: RefinementChart;
  private readonly replay: Replay;
  private readonly reportTopologies: ReportTopologies | null;
  private readonly sections: ExplorerSection[] = [];
  private renderCount = 0;
  private pendingLists = false;
  private pendingRecompute = 0;

  constructor(
    root: HTMLElement,
    private readonly host: Host,
  ) {
    this.ui = { ...DEFAULT_UI, ...((host.getState() as { ui?: Partial<ExplorerUiState> } | undefined)?.ui ?? {}) };
    this.dom = buildLayout(root, host.standalone);
    this.chart = this.createChart();
    this.candidate = new CandidatePanel(this.dom.details, this.candidateActions());
    this.table = new Table1View(this.dom.table);
    this.refinement = new RefinementChart(
      this.dom.refineSection,
      this.dom.refineStatus,
      this.dom.refineCanvas,
      backgroundPlugin(() => this.palette),
    );
    this.replay = new Replay(this.dom.playBtn, (g, last) => this.setUi({ generation: g }, last));
    this.reportTopologies = this.dom.topologies ? new ReportTopologies(this.dom.topologies) : null;
    this.wireControls();
    onThemeChange(() => this.themeChanged());
    this.setView(this.ui.view, false);
    this.syncControls();
  }

  /** Adds a section under the plot; it is redrawn whenever the lists are. */
  mount(section: ExplorerSection): void {
    this.sections.push(section);
    this.dom.plotView.append(section.element);
    section.render(this.data, this.view);
  }

  // ---------------------------------------------------------------------------------------------
  // wiring

  private createChart(): ParetoChart {
    return new ParetoChart(
      this.dom.canvas,
      {
        palette: () => this.palette,
        cutoff: () => this.ui.cutoff,
        pointStyle: (id) => candidatePointStyle(this.data.candidates.get(id)),
        tooltip: (id) => tooltipLines(this.data.candidates.get(id), id, earlyStopLine),
      },
      {
        hover: (id) => this.candidate.hover(id),
        click: (id, modified) => (modified ? this.toggle(id) : this.open(id)),
        cutoff: (v, final) => this.applyCutoff(v, final),
        zoomChanged: (zoomed) => {
          this.dom.zoomReset.disabled = !zoomed;
        },
      },
    );
  }

  private candidateActions(): ConstructorParameters<typeof CandidatePanel>[1] {
    return {
      record: (id) => this.data.candidates.get(id),
      isSelected: (id) => this.view.selected.includes(id),
      isRefined: (id) => [...this.data.refinements.values()].some((r) => r.candidate === id && r.status === 'done'),
      toggle: (id) => this.toggle(id),
      topology: (id) => this.showTopology(id),
      exportModel: this.host.standalone ? undefined : (id) => this.host.post({ type: 'export-model', id }),
    };
  }

  private wireControls(): void {
    const d = this.dom;
    d.tabPlot.addEventListener('click', () => this.setView('plot'));
    d.tabTable.addEventListener('click', () => this.setView('table'));
    d.tabs.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
      const next = this.ui.view === 'plot' ? 'table' : 'plot';
      this.setView(next);
      (next === 'plot' ? d.tabPlot : d.tabTable).focus();
    });
    d.yMetric.addEventListener('change', () =>
      this.setUi({ yMetric: d.yMetric.value === 'error' ? 'error' : 'accuracy' }, true),
    );
    d.cutoffInput.addEventListener('change', () => {
      const v = d.cutoffInput.value.trim();
      this.applyCutoff(v === '' ? null : Number(v));
    });
    d.cutoffClear.addEventListener('click', () => this.applyCutoff(null));
    d.genSlider.addEventListener('input', () => {
      const g = Number(d.genSlider.value);
      this.setUi({ generation: g >= Number(d.genSlider.max) ? null : g }, true);
    });
    d.playBtn.addEventListener('click', () => this.replay.toggle(this.ui.generation, this.maxGeneration()));
    d.zoomReset.addEventListener('click', () => this.chart.resetZoom());
    d.refineBtn.addEventListener('click', () => this.refineSelected());
    d.exportPng.addEventListener('click', () => this.exportPng());
    d.exportSvg.addEventListener('click', () =>
      this.host.save(this.fileName('pareto.svg'), 'image/svg+xml', this.plotSvgText(), 'utf8'),
    );
    d.exportCsv.addEventListener('click', () =>
      this.host.save(this.fileName('table1.csv'), 'text/csv', table1Csv(this.rows()), 'utf8'),
    );
    d.exportMd.addEventListener('click', () =>
      this.host.save(
        this.fileName('table1.md'),
        'text/markdown',
        table1Markdown(this.rows(), `## ${this.data.run.name || this.data.run.id}: Table I`),
        'utf8',
      ),
    );
  }

  private themeChanged(): void {
    this.palette = readPalette();
    this.chart.applyPalette(this.maxGeneration());
    this.chart.redraw();
    this.refinement.reset(); // its colours are fixed at creation: rebuild it in the new theme
    this.renderRefinements();
    this.renderLegend();
  }

  // ---------------------------------------------------------------------------------------------
  // messages

  handle(msg: HostToWebview): void {
    switch (msg.type) {
      case 'snapshot':
        return this.applySnapshot(msg.snapshot, msg.ui);
      case 'delta': {
        const eff = this.data.applyDelta(msg.delta);
        if (eff.replaced.length) this.rebuildPoints();
        else if (eff.added.length) this.addPoints(eff.added);
        if (eff.refinementsChanged) this.renderRefinements();
        if (eff.refinementsChanged && this.ui.cutoffAuto) this.recompute();
        if (eff.refinementsChanged || eff.stateChanged) this.scheduleLists();
        return this.renderStats();
      }
      case 'set-ui':
        return this.setUi(msg.ui, true);
      case 'refine-records':
        if (this.data.mergeRefineRecords(msg.records)) {
          this.renderRefinements();
          this.scheduleLists();
        }
        return;
      default:
        return;
    }
  }

  private applySnapshot(s: ExplorerSnapshot, ui?: Partial<ExplorerUiState>): void {
    this.data.applySnapshot(s);
    if (ui) this.ui = { ...this.ui, ...ui };
    this.dom.title.textContent = `Pareto explorer — ${s.run.name || s.run.id}`;
    this.rebuildPoints();
    this.renderRefinements();
    this.renderLists();
    this.syncControls();
    this.persist();
  }

  // ---------------------------------------------------------------------------------------------
  // data → chart

  private yOf(r: CandidateRecord): number | null {
    if (r.valAccuracy === null || r.status === 'failed') return null;
    return this.ui.yMetric === 'error' ? r.error : r.valAccuracy;
  }

  private plotPoint(r: CandidateRecord): PlotPoint | null {
    const y = this.yOf(r);
    return y === null || !(r.mflops > 0) ? null : { x: r.mflops, y, id: r.id };
  }

  private rebuildPoints(): void {
    const byGen = new Map<number, PlotPoint[]>();
    for (const r of this.data.candidates.values()) {
      const p = this.plotPoint(r);
      if (!p) continue;
      if (!byGen.has(r.generation)) byGen.set(r.generation, []);
      byGen.get(r.generation)!.push(p);
    }
    this.chart.setGenerations(byGen);
    this.recompute();
  }

  /** Live points: appended to their generation, then one redraw in the next frame. */
  private addPoints(added: CandidateRecord[]): void {
    const points = added.flatMap((r) => {
      const point = this.plotPoint(r);
      return point ? [{ generation: r.generation, point }] : [];
    });
    this.chart.addPoints(points);
    this.scheduleRecompute();
  }

  /** Live deltas arrive in bursts: fold all of one frame's into a single front update and redraw. */
  private scheduleRecompute(): void {
    if (this.pendingRecompute) return;
    this.pendingRecompute = requestAnimationFrame(() => {
      this.pendingRecompute = 0;
      this.recompute();
    });
  }

  /** Runs a pending recompute now (before reading chart state). */
  flush(): void {
    if (this.pendingRecompute) this.recompute();
  }

  /** The view (fronts, cutoff, selection), then one chart redraw and the lists. */
  private recompute(): void {
    cancelAnimationFrame(this.pendingRecompute);
    this.pendingRecompute = 0;
    const before = this.view.selected.join(',');
    this.view = explorerView(this.data.candidates, this.data.refinements.values(), this.ui);
    if (this.ui.cutoffAuto && this.view.cutoff !== this.ui.cutoff) this.followDefaultCutoff(this.view.cutoff);
    const gmax = this.maxGeneration();
    const limit = this.ui.generation ?? Infinity;
    this.chart.draw({
      front: this.view.visibleFront.map((p) => ({
        x: p.mflops,
        y: this.ui.yMetric === 'error' ? p.error : p.accuracy,
        id: p.id,
      })),
      selected: this.selectedPoints(limit),
      generationLimit: limit,
      gmax,
      yLabel: this.ui.yMetric === 'error' ? 'Validation error (%)' : 'Validation accuracy (%)',
    });
    this.renderCount++;
    if (this.view.selected.join(',') !== before) this.candidate.selectionChanged();
    this.syncSlider(gmax);
    this.renderStats();
    this.scheduleLists();
  }

  private selectedPoints(limit: number): PlotPoint[] {
    return this.view.selected.flatMap((id) => {
      const r = this.data.candidates.get(id);
      const p = r && r.generation <= limit ? this.plotPoint(r) : null;
      return p ? [p] : [];
    });
  }

  private maxGeneration(): number {
    let g = 0;
    for (const r of this.data.candidates.values()) g = Math.max(g, r.generation);
    return g;
  }

  // ---------------------------------------------------------------------------------------------
  // user actions

  /** While the user has not chosen a cutoff, it is the default one of the run as it is now. */
  private followDefaultCutoff(c: number | null): void {
    this.ui = { ...this.ui, cutoff: c };
    if (document.activeElement !== this.dom.cutoffInput) this.dom.cutoffInput.value = c === null ? '' : String(c);
  }

  private applyCutoff(v: number | null, final = true): void {
    const next = setCutoff(this.ui, v);
    this.ui = { ...this.ui, cutoff: next.cutoff, cutoffAuto: false };
    this.recompute();
    if (!final) return this.syncControls();
    this.dom.cutoffInput.value = next.cutoff === null ? '' : String(next.cutoff);
    this.persist();
    this.announce(
      next.cutoff === null
        ? 'Cutoff cleared'
        : `Cutoff ${formatNumber(next.cutoff)} MFLOPs: ${this.view.selected.length} selected`,
    );
  }

  private toggle(id: string): void {
    const next = toggleSelection(this.data.candidates, this.view.fullFront, this.ui, id);
    this.ui = { ...this.ui, added: next.added, removed: next.removed };
    this.recompute();
    this.persist();
    this.candidate.pin(id);
    this.announce(`${id} ${this.view.selected.includes(id) ? 'selected' : 'unselected'}`);
  }

  private open(id: string): void {
    this.candidate.pin(id);
    this.host.post({ type: 'open-candidate', id });
  }

  private showTopology(id: string): void {
    const r = this.data.candidates.get(id);
    if (this.reportTopologies && r) this.reportTopologies.show(r, this.data.decode);
    else if (!this.host.standalone) this.host.post({ type: 'open-topology', id });
  }

  private refineSelected(): void {
    const ids = this.view.selected;
    if (ids.length === 0) return this.announce('Nothing selected: set a cutoff or select networks first');
    this.host.post({ type: 'refine-selected', ids: [...ids] });
    this.announce(`Asked to refine ${ids.length} network(s)`);
  }

  private setView(view: 'plot' | 'table', persist = true): void {
    this.ui = { ...this.ui, view };
    const all = this.host.standalone; // the standalone report shows everything at once
    const d = this.dom;
    d.plotView.hidden = !all && view !== 'plot';
    d.tableView.hidden = !all && view !== 'table';
    for (const el of d.plotOnly) el.hidden = !all && view !== 'plot';
    d.tabPlot.setAttribute('aria-selected', String(view === 'plot'));
    d.tabTable.setAttribute('aria-selected', String(view === 'table'));
    d.tabPlot.tabIndex = view === 'plot' ? 0 : -1;
    d.tabTable.tabIndex = view === 'table' ? 0 : -1;
    if (view === 'table' || all) this.renderTable();
    if (persist) this.persist();
  }

  private setUi(ui: Partial<ExplorerUiState>, persist: boolean): void {
    const metricChanged = ui.yMetric !== undefined && ui.yMetric !== this.ui.yMetric;
    this.ui = { ...this.ui, ...(ui.cutoff !== undefined ? { cutoffAuto: false } : {}), ...ui };
    if (ui.view) this.setView(ui.view, false);
    if (metricChanged) this.rebuildPoints();
    else this.recompute();
    this.syncControls();
    if (persist) this.persist();
  }

  private persist(): void {
    this.host.setState({ ui: this.ui, run: this.data.run, lastSeq: this.data.lastSeq });
    this.host.post({ type: 'ui-state', ui: this.ui });
  }

  private announce(text: string): void {
    this.dom.live.textContent = text;
  }

  // ---------------------------------------------------------------------------------------------
  // exports

  private fileName(suffix: string): string {
    return `${(this.data.run.name || this.data.run.id || 'run').replace(/[^A-Za-z0-9._-]+/g, '_')}-${suffix}`;
  }

  private exportPng(): void {
    const url = this.chart.toPng();
    this.host.save(this.fileName('pareto.png'), 'image/png', url.slice(url.indexOf(',') + 1), 'base64');
  }

  plotSvgText(): string {
    const p = this.palette;
    const gmax = this.maxGeneration();
    const limit = this.ui.generation ?? Infinity;
    const sel = new Set(this.view.selected);
    const points = [...this.data.candidates.values()]
      .filter((r) => r.generation <= limit && this.plotPoint(r))
      .map((r) => ({
        id: r.id,
        x: r.mflops,
        y: this.yOf(r) as number,
        color: generationColor(p, r.generation, gmax),
        selected: sel.has(r.id),
      }));
    const v = this.chart.view();
    return plotSvg({
      width: 960,
      height: 600,
      title: `${this.data.run.name || this.data.run.id}: ${points.length} candidates`,
      xLabel: 'MFLOPs (log scale)',
      yLabel: this.ui.yMetric === 'error' ? 'Validation error (%)' : 'Validation accuracy (%)',
      xRange: v.x,
      yRange: v.y,
      points,
      front: this.chart.frontPoints().map((q) => ({ x: q.x, y: q.y })),
      cutoff: this.ui.cutoff,
      legend: legendEntries(this.chart.generations(), gmax, p),
      colors: {
        background: p.background,
        foreground: p.foreground,
        grid: p.grid,
        front: p.front,
        cutoff: p.cutoff,
        selected: p.selected,
      },
    });
  }

  // ---------------------------------------------------------------------------------------------
  // lists, table, refinement, stats

  private scheduleLists(): void {
    if (this.pendingLists) return;
    this.pendingLists = true;
    requestAnimationFrame(() => {
      this.pendingLists = false;
      this.renderLists();
    });
  }

  private renderLists(): void {
    const sel = this.view.selected;
    this.renderLegend();
    renderFrontList(this.dom.frontList, this.view.fullFront, sel, this.ui.cutoff, {
      record: (id) => this.data.candidates.get(id),
      toggle: (id) => this.toggle(id),
      open: (id) => this.open(id),
    });
    if (this.ui.view === 'table' || this.host.standalone) this.renderTable();
    this.reportTopologies?.render(sel, this.data.candidates, this.data.decode);
    this.dom.refineBtn.textContent = `Refine selected (${sel.length})`;
    this.dom.refineBtn.disabled = sel.length === 0;
    this.dom.refineHint.textContent = sel.length
      ? `pareto-nas refine ${this.data.run.dir ?? this.data.run.id} --ids ${sel.join(',')}`
      : '';
    for (const s of this.sections) s.render(this.data, this.view);
  }

  private renderLegend(): void {
    renderLegend(this.dom.legend, legendEntries(this.chart.generations(), this.maxGeneration(), this.palette));
  }

  /** Table I rows in the table's current order (what the exports write). */
  private rows(): Table1Row[] {
    return this.table.sorted(this.tableRows());
  }

  private tableRows(): Table1Row[] {
    return table1Rows(
      this.data.candidates,
      this.data.refinements.values(),
      this.view.selected,
      new Set(this.view.fullFront.map((p) => p.id)),
    );
  }

  private renderTable(): void {
    this.table.render(this.tableRows());
  }

  private renderRefinements(): void {
    const refs = [...this.data.refinements.values()];
    this.refinement.render(refs, this.palette);
    this.dom.plotView.classList.toggle('with-refine', refs.length > 0);
  }

  private renderStats(): void {
    const all = [...this.data.candidates.values()];
    const failed = all.filter((r) => r.status === 'failed').length;
    const gens = this.maxGeneration();
    const state = this.data.run.state ? ` · ${this.data.run.state}` : '';
    const beyond = this.view.fullFront.filter((p) => !withinCutoff(p.mflops, this.ui.cutoff)).length;
    this.dom.stats.textContent =
      `${all.length} candidates${failed ? ` (${failed} failed)` : ''} · ${gens} generation${gens === 1 ? '' : 's'} · ` +
      `${this.view.visibleFront.length} on the front${beyond ? ` (${beyond} beyond the cutoff)` : ''} · ${this.view.selected.length} selected${state}`;
  }

  private syncSlider(gmax: number): void {
    const d = this.dom;
    d.genSlider.max = String(Math.max(1, gmax));
    d.genSlider.disabled = gmax <= 1;
    d.playBtn.disabled = gmax <= 1;
    const g = this.ui.generation ?? gmax;
    d.genSlider.value = String(g);
    d.genLabel.textContent = this.ui.generation === null ? `all (${gmax})` : `≤ ${g}`;
  }

  private syncControls(): void {
    this.dom.yMetric.value = this.ui.yMetric;
    if (document.activeElement !== this.dom.cutoffInput)
      this.dom.cutoffInput.value = this.ui.cutoff === null ? '' : String(this.ui.cutoff);
  }

  // ---------------------------------------------------------------------------------------------
  // test and benchmark hook (window.__paretoExplorer)

  testHook(): ExplorerTestHook {
    const self = this;
    const c = this.chart;
    const flushed =
      <T>(f: () => T) =>
      (): T => (self.flush(), f());
    return {
      get renderCount() {
        return self.renderCount;
      },
      flush: () => self.flush(),
      plottedPoints: flushed(() => c.plottedCount()),
      frontIds: flushed(() => c.frontPoints().map((p) => p.id)),
      selectedIds: flushed(() => [...self.view.selected]),
      cutoff: () => self.ui.cutoff,
      setCutoff: (v) => self.applyCutoff(v),
      cutoffHandle: () => c.cutoffHandle(),
      pointPosition: (id) => (self.flush(), c.pointPosition(id)),
      pixelForMflops: (v) => c.pixelForValue(v),
      axis: flushed(() => c.view()),
      zoomed: () => c.zoomed,
      details: () => self.candidate.current(),
      generations: () => c.generations(),
      lastSeq: () => self.data.lastSeq,
      colors: () => ({
        front: self.palette.front,
        background: self.palette.background,
        generation1: self.palette.generation(0),
      }),
      apply: (msg) => self.handle(msg),
    };
  }
}
