// The Pareto explorer: every candidate on a log-MFLOPs scatter coloured by generation, the
// non-dominated front as a step line, a draggable FLOPs cutoff that selects the Pareto networks below
// it, a generation replay, refinement curves and the paper's Table I. It keeps no truth: a snapshot,
// then deltas, come from the host; user actions are posted back.
import {
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
  type ChartDataset,
  type Plugin,
  type TooltipItem,
} from 'chart.js';
import { clear, h, reducedMotion, svgNode } from './dom';
import type { Host } from './host';
import {
  DEFAULT_UI,
  type CandidateRecord,
  type ExplorerSnapshot,
  type ExplorerUiState,
  type HostToWebview,
} from '../../common/explorer/messages';
import { paretoFrontOf, type FrontPoint } from '../../common/explorer/front';
import { withinCutoff } from '../../common/pareto';
import { plotSvg } from './model/plotSvg';
import { formatInt, formatNumber, logBounds } from './model/scale';
import { defaultCutoff, selectedIds, setCutoff, toggleSelection } from '../../common/explorer/selection';
import { ExplorerData } from './model/state';
import { sortRows, table1Csv, table1Markdown, table1Rows, type Table1Key, type Table1Row } from '../../common/explorer/table';
import { topologySvg } from './model/topology';
import { onThemeChange, readPalette, type Palette } from './theme';

Chart.register(ScatterController, LineController, PointElement, LineElement, LinearScale, LogarithmicScale, Tooltip, Legend);

/** Log-axis labels only at 1, 2 and 5 × 10^k, so the axis stays readable. */
function logTick(value: number | string): string {
  const v = Number(value);
  const m = v / 10 ** Math.floor(Math.log10(v) + 1e-9);
  return [1, 2, 5].some((k) => Math.abs(m - k) < 1e-6) ? formatNumber(v, 6) : '';
}

interface PlotPoint {
  x: number;
  y: number;
  id: string;
}

const FRONT = 0;
const SELECTED = 1;
const FIRST_GEN = 2;

export interface ExplorerTestHook {
  renderCount: number;
  /** Applies pending live updates now (they are otherwise folded into the next animation frame). */
  flush(): void;
  plottedPoints(): number;
  frontIds(): string[];
  selectedIds(): string[];
  cutoff(): number | null;
  setCutoff(v: number | null): void;
  /** x of the cutoff line and the plot's vertical extent, relative to the canvas' top-left, in CSS px. */
  cutoffHandle(): { x: number; top: number; bottom: number } | null;
  /** Where a candidate is drawn, relative to the canvas, in CSS px (undefined when not plotted). */
  pointPosition(id: string): { x: number; y: number } | undefined;
  pixelForMflops(v: number): number;
  generations(): number[];
  lastSeq(): number;
  colors(): { front: string; background: string; generation1: string };
  apply(msg: HostToWebview): void;
}

export class Explorer {
  private readonly data = new ExplorerData();
  private ui: ExplorerUiState;
  private front: FrontPoint[] = [];
  private selected: string[] = [];
  private palette: Palette;
  private readonly chart: Chart<'scatter' | 'line', PlotPoint[]>;
  private refineChart: Chart<'line', Array<{ x: number; y: number }>> | null = null;
  private readonly genDataset = new Map<number, number>();
  private sortKey: Table1Key = 'mflops';
  private sortDir: 'asc' | 'desc' = 'asc';
  private dragging = false;
  private playTimer: ReturnType<typeof setInterval> | null = null;
  private renderCount = 0;
  private pendingLists = false;
  private pendingRecompute = 0;

  // DOM
  private readonly canvas: HTMLCanvasElement;
  private readonly titleEl: HTMLElement;
  private readonly statsEl: HTMLElement;
  private readonly cutoffInput: HTMLInputElement;
  private readonly genSlider: HTMLInputElement;
  private readonly genLabel: HTMLElement;
  private readonly playBtn: HTMLButtonElement;
  private readonly refineBtn: HTMLButtonElement;
  private readonly refineHint: HTMLElement;
  private readonly legendEl: HTMLElement;
  private readonly frontList: HTMLElement;
  private readonly details: HTMLElement;
  private readonly refineSection: HTMLElement;
  private readonly refineCanvas: HTMLCanvasElement;
  private readonly refineStatus: HTMLElement;
  private readonly tableEl: HTMLTableElement;
  private readonly plotView: HTMLElement;
  private readonly tableView: HTMLElement;
  private readonly tabPlot: HTMLButtonElement;
  private readonly tabTable: HTMLButtonElement;
  private readonly yMetric: HTMLSelectElement;
  private readonly topologies: HTMLElement | null;
  private readonly live: HTMLElement;

  constructor(
    private readonly root: HTMLElement,
    private readonly host: Host,
  ) {
    const saved = host.getState() as { ui?: Partial<ExplorerUiState> } | undefined;
    this.ui = { ...DEFAULT_UI, ...(saved?.ui ?? {}) };
    this.palette = readPalette();

    // ---- layout
    this.titleEl = h('h1', { class: 'title', text: 'Pareto explorer' });
    this.statsEl = h('p', { class: 'stats', id: 'stats', 'aria-live': 'polite' });
    this.live = h('div', { class: 'sr-only', 'aria-live': 'polite', id: 'live' });
    this.tabPlot = h('button', { class: 'tab', role: 'tab', id: 'tab-plot', 'aria-controls': 'view-plot', text: 'Pareto plot' });
    this.tabTable = h('button', { class: 'tab', role: 'tab', id: 'tab-table', 'aria-controls': 'view-table', text: 'Table I' });
    const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Views', hidden: host.standalone }, this.tabPlot, this.tabTable);

    this.yMetric = h('select', { id: 'y-metric', 'aria-label': 'Y axis' },
      h('option', { value: 'accuracy', text: 'Validation accuracy (%)' }), h('option', { value: 'error', text: 'Validation error (%)' }));
    this.cutoffInput = h('input', { id: 'cutoff', type: 'number', min: 0, step: 'any', placeholder: 'none', 'aria-describedby': 'cutoff-help' });
    const cutoffClear = h('button', { id: 'cutoff-clear', class: 'secondary', text: 'Clear', title: 'Remove the cutoff: every Pareto network is selected' });
    this.genSlider = h('input', { id: 'generation', type: 'range', min: 1, max: 1, step: 1, value: 1, 'aria-label': 'Show candidates up to generation' });
    this.genLabel = h('output', { id: 'generation-label', for: 'generation' });
    this.playBtn = h('button', { id: 'replay', class: 'secondary', text: 'Replay', title: 'Replay the search generation by generation' });
    this.refineBtn = h('button', { id: 'refine-selected', class: 'primary', text: 'Refine selected' });
    this.refineHint = h('code', { id: 'refine-command', class: 'hint' });
    const exportPng = h('button', { id: 'export-png', class: 'secondary', text: 'PNG' });
    const exportSvg = h('button', { id: 'export-svg', class: 'secondary', text: 'SVG' });
    const controls = h('div', { class: 'controls' },
      h('label', { for: 'y-metric', text: 'Y axis' }), this.yMetric,
      h('label', { for: 'cutoff', text: 'FLOPs cutoff (MFLOPs)' }), this.cutoffInput, cutoffClear,
      h('label', { for: 'generation', text: 'Generation' }), this.genSlider, this.genLabel, this.playBtn,
      h('span', { class: 'spacer' }),
      h('span', { class: 'group', role: 'group', 'aria-label': 'Export plot' }, h('span', { class: 'muted', text: 'Export plot' }), exportPng, exportSvg),
      host.standalone ? this.refineHint : this.refineBtn,
    );
    const help = h('p', { id: 'cutoff-help', class: 'muted help',
      text: 'Drag the dashed cutoff line (or double-click the plot, or type a value). The Pareto networks at or below the cutoff are selected; Shift/Ctrl-click a point or use the checkboxes to add or remove one. Click a point to open it.' });

    this.canvas = h('canvas', { id: 'pareto-chart', role: 'img', 'aria-label': 'Scatter of validation accuracy against MFLOPs for every candidate' });
    this.legendEl = h('div', { class: 'legend', id: 'legend', 'aria-label': 'Legend' });
    this.frontList = h('div', { class: 'front-list', id: 'front-list' });
    this.details = h('div', { class: 'details', id: 'details', 'aria-live': 'polite' }, h('p', { class: 'muted', text: 'Hover a point for details; click it to open.' }));
    this.refineCanvas = h('canvas', { id: 'refine-chart', role: 'img', 'aria-label': 'Validation accuracy per epoch of each refinement' });
    this.refineStatus = h('p', { class: 'muted', id: 'refine-status' });
    this.refineSection = h('section', { class: 'refine', id: 'refine-section', hidden: true },
      h('h2', { text: 'Refinement' }), this.refineStatus, h('div', { class: 'chart-wrap small' }, this.refineCanvas));

    this.plotView = h('section', { id: 'view-plot', role: 'tabpanel', 'aria-labelledby': 'tab-plot', class: 'view' },
      help,
      h('div', { class: 'plot-row' },
        h('div', { class: 'plot-col' }, h('div', { class: 'chart-wrap' }, this.canvas), this.legendEl),
        h('aside', { class: 'side' }, h('h2', { text: 'Candidate' }), this.details, h('h2', { text: 'Pareto networks' }), this.frontList)),
      this.refineSection);

    const csvBtn = h('button', { id: 'export-csv', class: 'secondary', text: 'Export CSV' });
    const mdBtn = h('button', { id: 'export-md', class: 'secondary', text: 'Export Markdown' });
    this.tableEl = h('table', { id: 'table1', class: 'table1' });
    this.tableView = h('section', { id: 'view-table', role: 'tabpanel', 'aria-labelledby': 'tab-table', class: 'view', hidden: true },
      h('div', { class: 'controls' }, h('span', { class: 'muted', text: 'Selected and refined networks (Table I of Patel et al.)' }), h('span', { class: 'spacer' }), csvBtn, mdBtn),
      this.tableEl);
    this.topologies = host.standalone ? h('section', { id: 'topologies', class: 'topologies' }) : null;

    clear(root);
    root.append(h('header', {}, this.titleEl, this.statsEl, tabs), controls, this.plotView, this.tableView, this.live);
    if (this.topologies) root.append(this.topologies);

    // ---- chart
    this.chart = new Chart(this.canvas, {
      type: 'scatter',
      data: { datasets: [this.frontDataset(), this.selectedDataset()] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        events: ['mousemove', 'mouseout', 'click', 'touchstart', 'touchmove'],
        interaction: { mode: 'nearest', intersect: true },
        scales: {
          x: { type: 'logarithmic', title: { display: true, text: 'MFLOPs (log scale)' }, ticks: { callback: logTick, autoSkip: false } },
          y: { type: 'linear', title: { display: true, text: '' } },
        },
        plugins: {
          legend: { display: false },
          tooltip: {
            animation: false,
            filter: (item) => item.datasetIndex >= SELECTED,
            callbacks: { label: (item) => this.tooltipLines(item as TooltipItem<'scatter'>), title: () => '' },
          },
        },
        onClick: (evt, elements) => this.onChartClick(evt.native as MouseEvent | null, elements),
        onHover: (_evt, elements) => {
          const el = elements.find((e) => e.datasetIndex >= SELECTED);
          if (el) this.showDetails(this.pointAt(el.datasetIndex, el.index)?.id ?? null);
        },
      },
      plugins: [this.backgroundPlugin(), this.cutoffPlugin()],
    }) as unknown as Chart<'scatter' | 'line', PlotPoint[]>;
    this.applyColors();

    // ---- events
    this.tabPlot.addEventListener('click', () => this.setView('plot'));
    this.tabTable.addEventListener('click', () => this.setView('table'));
    tabs.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
        const next = this.ui.view === 'plot' ? 'table' : 'plot';
        this.setView(next);
        (next === 'plot' ? this.tabPlot : this.tabTable).focus();
      }
    });
    this.yMetric.addEventListener('change', () => this.setUi({ yMetric: this.yMetric.value === 'error' ? 'error' : 'accuracy' }, true));
    this.cutoffInput.addEventListener('change', () => {
      const v = this.cutoffInput.value.trim();
      this.applyCutoff(v === '' ? null : Number(v));
    });
    cutoffClear.addEventListener('click', () => this.applyCutoff(null));
    this.genSlider.addEventListener('input', () => {
      const g = Number(this.genSlider.value);
      const max = Number(this.genSlider.max);
      this.setUi({ generation: g >= max ? null : g }, true);
    });
    this.playBtn.addEventListener('click', () => this.togglePlay());
    this.refineBtn.addEventListener('click', () => this.refineSelected());
    exportPng.addEventListener('click', () => this.exportPng());
    exportSvg.addEventListener('click', () => this.exportSvg());
    csvBtn.addEventListener('click', () => this.host.save(this.fileName('table1.csv'), 'text/csv', table1Csv(this.rows()), 'utf8'));
    mdBtn.addEventListener('click', () => this.host.save(this.fileName('table1.md'), 'text/markdown', table1Markdown(this.rows(), `## ${this.data.run.name || this.data.run.id}: Table I`), 'utf8'));
    this.installDrag();
    onThemeChange(() => {
      this.palette = readPalette();
      this.applyColors();
      this.chart.update('none');
      this.refineChart?.destroy(); // its colours are fixed at creation: rebuild it in the new theme
      this.refineChart = null;
      this.renderRefinements();
      this.renderLegend();
    });
    this.setView(this.ui.view, false);
    this.syncControls();
  }

  // ---------------------------------------------------------------------------------------------
  // messages

  handle(msg: HostToWebview): void {
    switch (msg.type) {
      case 'snapshot':
        this.applySnapshot(msg.snapshot, msg.ui);
        break;
      case 'delta': {
        const eff = this.data.applyDelta(msg.delta);
        if (eff.added.length || eff.replaced.length) this.addPoints(eff.added, eff.replaced.length > 0);
        if (eff.refinementsChanged) this.renderRefinements();
        if (eff.refinementsChanged && this.ui.cutoffAuto) this.recompute();
        if (eff.refinementsChanged || eff.stateChanged) this.scheduleLists();
        this.renderStats();
        break;
      }
      case 'set-ui':
        this.setUi(msg.ui, true);
        break;
      case 'refine-records':
        if (this.data.mergeRefineRecords(msg.records)) {
          this.renderRefinements();
          this.scheduleLists();
        }
        break;
      default:
        break;
    }
  }

  private applySnapshot(s: ExplorerSnapshot, ui?: Partial<ExplorerUiState>): void {
    this.data.applySnapshot(s);
    if (ui) this.ui = { ...this.ui, ...ui };
    this.titleEl.textContent = `Pareto explorer — ${s.run.name || s.run.id}`;
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

  private genDatasetFor(g: number): ChartDataset<'scatter', PlotPoint[]> {
    let i = this.genDataset.get(g);
    const ds = this.chart.data.datasets;
    if (i === undefined) {
      i = ds.length;
      ds.push({ type: 'scatter', label: `generation ${g}`, data: [], pointRadius: 3.5, pointHoverRadius: 6, order: 10 + g } as ChartDataset<'scatter', PlotPoint[]>);
      this.genDataset.set(g, i);
      // keep generation datasets in generation order for the tooltip and colours
    }
    return ds[i] as ChartDataset<'scatter', PlotPoint[]>;
  }

  private rebuildPoints(): void {
    const ds = this.chart.data.datasets;
    ds.length = FIRST_GEN;
    this.genDataset.clear();
    const byGen = new Map<number, PlotPoint[]>();
    for (const r of this.data.candidates.values()) {
      const y = this.yOf(r);
      if (y === null || !(r.mflops > 0)) continue;
      let arr = byGen.get(r.generation);
      if (!arr) byGen.set(r.generation, (arr = []));
      arr.push({ x: r.mflops, y, id: r.id });
    }
    for (const g of [...byGen.keys()].sort((a, b) => a - b)) this.genDatasetFor(g).data = byGen.get(g) as PlotPoint[];
    this.recompute();
  }

  /** Live points: appended to their generation's dataset, then one redraw without animation. */
  private addPoints(added: CandidateRecord[], replaced: boolean): void {
    if (replaced) {
      this.rebuildPoints();
      return;
    }
    const newGen = added.some((r) => !this.genDataset.has(r.generation));
    for (const r of added) {
      const y = this.yOf(r);
      if (y === null || !(r.mflops > 0)) continue;
      this.genDatasetFor(r.generation).data.push({ x: r.mflops, y, id: r.id });
    }
    if (newGen) this.sortGenerationDatasets();
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
    if (!this.pendingRecompute) return;
    cancelAnimationFrame(this.pendingRecompute);
    this.pendingRecompute = 0;
    this.recompute();
  }

  private sortGenerationDatasets(): void {
    const ds = this.chart.data.datasets;
    const gens = [...this.genDataset.entries()].sort((a, b) => a[0] - b[0]);
    const sets = gens.map(([, i]) => ds[i]);
    ds.length = FIRST_GEN;
    this.genDataset.clear();
    gens.forEach(([g], k) => {
      ds.push(sets[k]);
      this.genDataset.set(g, FIRST_GEN + k);
    });
  }

  /** Front, selection, colours, visibility, then one redraw. */
  private recompute(): void {
    if (this.pendingRecompute) {
      cancelAnimationFrame(this.pendingRecompute);
      this.pendingRecompute = 0;
    }
    const gmax = this.maxGeneration();
    const limit = this.ui.generation ?? Infinity;
    const visible = [...this.data.candidates.values()].filter((r) => r.generation <= limit);
    this.front = paretoFrontOf(visible);
    const fullFront = this.ui.generation === null ? this.front : paretoFrontOf(this.data.candidates.values());
    if (this.ui.cutoffAuto) this.followDefaultCutoff(fullFront);
    this.selected = selectedIds(this.data.candidates, fullFront, this.ui);
    const ds = this.chart.data.datasets;
    ds[FRONT].data = this.front.map((p) => ({ x: p.mflops, y: this.ui.yMetric === 'error' ? 100 - p.accuracy : p.accuracy, id: p.id }));
    const sel: PlotPoint[] = [];
    for (const id of this.selected) {
      const r = this.data.candidates.get(id);
      const y = r && this.yOf(r);
      if (r && y !== null && y !== undefined && r.generation <= limit) sel.push({ x: r.mflops, y, id });
    }
    ds[SELECTED].data = sel;
    for (const [g, i] of this.genDataset) {
      (ds[i] as ChartDataset<'scatter', PlotPoint[]>).hidden = g > limit;
    }
    this.colorGenerations(gmax);
    const x = this.chart.options.scales?.x as { min?: number; max?: number } | undefined;
    if (x) [x.min, x.max] = logBounds([...this.data.candidates.values()].map((r) => r.mflops));
    const y = this.chart.options.scales?.y as { title?: { text?: string } } | undefined;
    if (y?.title) y.title.text = this.ui.yMetric === 'error' ? 'Validation error (%)' : 'Validation accuracy (%)';
    this.chart.update('none');
    this.renderCount++;
    this.syncSlider(gmax);
    this.renderStats();
    this.scheduleLists();
  }

  private maxGeneration(): number {
    let g = 0;
    for (const k of this.genDataset.keys()) g = Math.max(g, k);
    for (const r of this.data.candidates.values()) g = Math.max(g, r.generation);
    return g;
  }

  private colorGenerations(gmax: number): void {
    const ds = this.chart.data.datasets;
    for (const [g, i] of this.genDataset) {
      const c = this.palette.generation(gmax <= 1 ? 0 : (g - 1) / (gmax - 1));
      const d = ds[i] as ChartDataset<'scatter', PlotPoint[]>;
      d.backgroundColor = c;
      d.borderColor = this.palette.highContrast ? this.palette.foreground : c;
      d.borderWidth = this.palette.highContrast ? 1 : 0;
    }
  }

  private frontDataset(): ChartDataset<'line', PlotPoint[]> {
    return { type: 'line', label: 'Pareto front', data: [], stepped: 'before', borderWidth: 2, pointRadius: 0, pointHitRadius: 0, fill: false, order: 0 };
  }

  private selectedDataset(): ChartDataset<'scatter', PlotPoint[]> {
    return { type: 'scatter', label: 'selected', data: [], pointRadius: 7, pointHoverRadius: 8, borderWidth: 2, backgroundColor: 'transparent', order: 1 };
  }

  private applyColors(): void {
    const p = this.palette;
    const ds = this.chart.data.datasets;
    Object.assign(ds[FRONT], { borderColor: p.front, backgroundColor: p.front });
    Object.assign(ds[SELECTED], { borderColor: p.selected, pointBorderColor: p.selected });
    this.colorGenerations(this.maxGeneration());
    const o = this.chart.options;
    for (const axis of ['x', 'y'] as const) {
      const s = o.scales?.[axis] as { grid?: object; ticks?: object; title?: object; border?: object } | undefined;
      if (!s) continue;
      s.grid = { ...(s.grid ?? {}), color: p.grid };
      s.border = { ...(s.border ?? {}), color: p.muted };
      s.ticks = { ...(s.ticks ?? {}), color: p.foreground }; // keeps the log-tick callback
      s.title = { ...(s.title ?? {}), color: p.foreground };
    }
    const tt = o.plugins?.tooltip as Record<string, unknown> | undefined;
    if (tt) {
      tt.backgroundColor = p.background;
      tt.titleColor = p.foreground;
      tt.bodyColor = p.foreground;
      tt.borderColor = p.muted;
      tt.borderWidth = 1;
    }
  }

  private pointAt(datasetIndex: number, index: number): PlotPoint | undefined {
    return (this.chart.data.datasets[datasetIndex]?.data as PlotPoint[] | undefined)?.[index];
  }

  private tooltipLines(item: TooltipItem<'scatter'>): string[] {
    const p = item.raw as PlotPoint;
    const r = this.data.candidates.get(p.id);
    if (!r) return [p.id];
    return [
      `${r.id}${r.status === 'reused' ? ` (reuses ${r.reusedFrom ?? '?'})` : ''}`,
      `generation ${r.generation}`,
      `accuracy ${formatNumber(r.valAccuracy ?? NaN, 2)} %`,
      `${formatNumber(r.mflops)} MFLOPs`,
      `${formatInt(r.params)} params`,
      `${r.epochs.length} epochs`,
      `training ${formatNumber(r.trainSeconds, 1)} s`,
    ];
  }

  // ---------------------------------------------------------------------------------------------
  // plugins: background (for PNG export) and the cutoff line

  private backgroundPlugin(): Plugin {
    return {
      id: 'paretoBackground',
      beforeDraw: (chart) => {
        const { ctx, width, height } = chart;
        ctx.save();
        ctx.fillStyle = this.palette.background;
        ctx.fillRect(0, 0, width, height);
        ctx.restore();
      },
    };
  }

  private cutoffPlugin(): Plugin {
    return {
      id: 'paretoCutoff',
      beforeDatasetsDraw: (chart) => {
        const c = this.ui.cutoff;
        const { ctx, chartArea: a, scales } = chart;
        if (c === null || !scales.x) return;
        const x = scales.x.getPixelForValue(c);
        if (x >= a.right) return;
        ctx.save();
        ctx.fillStyle = this.palette.cutoffShade;
        const from = Math.max(a.left, x);
        ctx.fillRect(from, a.top, a.right - from, a.bottom - a.top);
        ctx.restore();
      },
      afterDatasetsDraw: (chart) => {
        const c = this.ui.cutoff;
        const { ctx, chartArea: a, scales } = chart;
        if (c === null || !scales.x) return;
        const x = scales.x.getPixelForValue(c);
        if (x < a.left || x > a.right) return;
        ctx.save();
        ctx.strokeStyle = this.palette.cutoff;
        ctx.lineWidth = this.dragging ? 3 : 2;
        ctx.setLineDash([6, 4]);
        ctx.beginPath();
        ctx.moveTo(x, a.top);
        ctx.lineTo(x, a.bottom);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = this.palette.cutoff;
        ctx.fillRect(x - 5, a.top, 10, 10);
        ctx.font = '11px sans-serif';
        ctx.textAlign = x > (a.left + a.right) / 2 ? 'right' : 'left';
        ctx.fillText(`cutoff ${formatNumber(c)} MFLOPs`, x + (ctx.textAlign === 'right' ? -8 : 8), a.top + 10);
        ctx.restore();
      },
    };
  }

  private installDrag(): void {
    const cv = this.canvas;
    const xOf = (e: PointerEvent | MouseEvent) => e.clientX - cv.getBoundingClientRect().left;
    const near = (e: PointerEvent) => {
      const hdl = this.cutoffHandleCss();
      return hdl !== null && Math.abs(xOf(e) - hdl.x) <= 8;
    };
    let frame = 0;
    cv.addEventListener('pointerdown', (e) => {
      if (!near(e)) return;
      this.dragging = true;
      cv.setPointerCapture(e.pointerId);
      e.preventDefault();
    });
    cv.addEventListener('pointermove', (e) => {
      if (!this.dragging) {
        cv.style.cursor = near(e) ? 'ew-resize' : '';
        return;
      }
      const x = xOf(e);
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => this.applyCutoff(this.valueAtCss(x), false));
    });
    const end = (e: PointerEvent) => {
      if (!this.dragging) return;
      this.dragging = false;
      cancelAnimationFrame(frame);
      cv.releasePointerCapture(e.pointerId);
      this.applyCutoff(this.valueAtCss(xOf(e)));
    };
    cv.addEventListener('pointerup', end);
    cv.addEventListener('pointercancel', end);
    cv.addEventListener('dblclick', (e) => {
      const a = this.chart.chartArea;
      const x = xOf(e);
      if (x >= a.left && x <= a.right) this.applyCutoff(this.valueAtCss(x));
    });
  }

  private valueAtCss(x: number): number {
    const sx = this.chart.scales.x;
    const a = this.chart.chartArea;
    const v = sx.getValueForPixel(Math.min(a.right, Math.max(a.left, x))) ?? 0;
    return Number(v.toPrecision(4));
  }

  private cutoffHandleCss(): { x: number; top: number; bottom: number } | null {
    if (this.ui.cutoff === null) return null;
    const a = this.chart.chartArea;
    return { x: this.chart.scales.x.getPixelForValue(this.ui.cutoff), top: a.top, bottom: a.bottom };
  }

  // ---------------------------------------------------------------------------------------------
  // user actions

  /** While the user has not chosen a cutoff, it is the default one of the run as it is now. */
  private followDefaultCutoff(fullFront: readonly FrontPoint[]): void {
    const c = defaultCutoff(fullFront, this.data.refinements.values());
    if (c === this.ui.cutoff) return;
    this.ui = { ...this.ui, cutoff: c };
    if (document.activeElement !== this.cutoffInput) this.cutoffInput.value = c === null ? '' : String(c);
  }

  private applyCutoff(v: number | null, persist = true): void {
    const next = setCutoff(this.ui, v);
    this.ui = { ...this.ui, cutoff: next.cutoff, cutoffAuto: false };
    this.recompute();
    if (persist) this.cutoffInput.value = next.cutoff === null ? '' : String(next.cutoff);
    else this.syncControls();
    if (persist) {
      this.persist();
      this.announce(next.cutoff === null ? 'Cutoff cleared' : `Cutoff ${formatNumber(next.cutoff)} MFLOPs: ${this.selected.length} selected`);
    }
  }

  private toggle(id: string): void {
    const fullFront = paretoFrontOf(this.data.candidates.values());
    const next = toggleSelection(this.data.candidates, fullFront, this.ui, id);
    this.ui = { ...this.ui, added: next.added, removed: next.removed };
    this.recompute();
    this.persist();
    this.showDetails(id);
    this.announce(`${id} ${this.selected.includes(id) ? 'selected' : 'unselected'}`);
  }

  private onChartClick(native: MouseEvent | null, elements: Array<{ datasetIndex: number; index: number }>): void {
    if (this.dragging) return;
    const el = elements.find((e) => e.datasetIndex >= FIRST_GEN) ?? elements.find((e) => e.datasetIndex === SELECTED);
    if (!el) return;
    const p = this.pointAt(el.datasetIndex, el.index);
    if (!p) return;
    if (native && (native.shiftKey || native.ctrlKey || native.metaKey)) this.toggle(p.id);
    else this.open(p.id);
  }

  private open(id: string): void {
    this.showDetails(id);
    this.host.post({ type: 'open-candidate', id });
  }

  private refineSelected(): void {
    if (this.selected.length === 0) {
      this.announce('Nothing selected: set a cutoff or select networks first');
      return;
    }
    this.host.post({ type: 'refine-selected', ids: [...this.selected] });
    this.announce(`Asked to refine ${this.selected.length} network(s)`);
  }

  private setView(view: 'plot' | 'table', persist = true): void {
    this.ui = { ...this.ui, view };
    // the standalone report shows everything at once; the panel switches between tabs
    this.plotView.hidden = !this.host.standalone && view !== 'plot';
    this.tableView.hidden = !this.host.standalone && view !== 'table';
    this.tabPlot.setAttribute('aria-selected', String(view === 'plot'));
    this.tabTable.setAttribute('aria-selected', String(view === 'table'));
    this.tabPlot.tabIndex = view === 'plot' ? 0 : -1;
    this.tabTable.tabIndex = view === 'table' ? 0 : -1;
    if (view === 'table' || this.host.standalone) this.renderTable();
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

  private togglePlay(): void {
    if (this.playTimer) {
      this.stopPlay();
      return;
    }
    const max = this.maxGeneration();
    if (max <= 1) return;
    let g = this.ui.generation === null || this.ui.generation >= max ? 1 : this.ui.generation;
    this.setUi({ generation: g }, false);
    this.playBtn.textContent = 'Stop';
    this.playBtn.setAttribute('aria-pressed', 'true');
    // one generation per step; with reduced motion the steps are slower and nothing moves between them
    this.playTimer = setInterval(() => {
      g++;
      if (g >= max) {
        this.setUi({ generation: null }, true);
        this.stopPlay();
      } else this.setUi({ generation: g }, false);
    }, reducedMotion() ? 1500 : 600);
  }

  private stopPlay(): void {
    if (this.playTimer) clearInterval(this.playTimer);
    this.playTimer = null;
    this.playBtn.textContent = 'Replay';
    this.playBtn.setAttribute('aria-pressed', 'false');
  }

  private persist(): void {
    this.host.setState({ ui: this.ui, run: this.data.run, lastSeq: this.data.lastSeq });
    this.host.post({ type: 'ui-state', ui: this.ui });
  }

  private announce(text: string): void {
    this.live.textContent = text;
  }

  // ---------------------------------------------------------------------------------------------
  // exports

  private fileName(suffix: string): string {
    return `${(this.data.run.name || this.data.run.id || 'run').replace(/[^A-Za-z0-9._-]+/g, '_')}-${suffix}`;
  }

  private exportPng(): void {
    const url = this.chart.toBase64Image('image/png', 1);
    this.host.save(this.fileName('pareto.png'), 'image/png', url.slice(url.indexOf(',') + 1), 'base64');
  }

  plotSvgText(): string {
    const p = this.palette;
    const gmax = this.maxGeneration();
    const limit = this.ui.generation ?? Infinity;
    const sel = new Set(this.selected);
    const points = [...this.data.candidates.values()]
      .filter((r) => r.generation <= limit && this.yOf(r) !== null && r.mflops > 0)
      .map((r) => ({ id: r.id, x: r.mflops, y: this.yOf(r) as number, color: p.generation(gmax <= 1 ? 0 : (r.generation - 1) / (gmax - 1)), selected: sel.has(r.id) }));
    const ys = this.chart.scales.y;
    return plotSvg({
      width: 960, height: 600, title: `${this.data.run.name || this.data.run.id}: ${points.length} candidates`,
      xLabel: 'MFLOPs (log scale)', yLabel: this.ui.yMetric === 'error' ? 'Validation error (%)' : 'Validation accuracy (%)',
      yRange: ys ? [ys.min, ys.max] : undefined,
      points, front: (this.chart.data.datasets[FRONT].data as PlotPoint[]).map((q) => ({ x: q.x, y: q.y })), cutoff: this.ui.cutoff,
      legend: this.legendEntries(gmax),
      colors: { background: p.background, foreground: p.foreground, grid: p.grid, front: p.front, cutoff: p.cutoff, selected: p.selected },
    });
  }

  private exportSvg(): void {
    this.host.save(this.fileName('pareto.svg'), 'image/svg+xml', this.plotSvgText(), 'utf8');
  }

  // ---------------------------------------------------------------------------------------------
  // side panels, table, legend, refinement

  private legendEntries(gmax: number): Array<{ label: string; color: string }> {
    const gens = [...this.genDataset.keys()].sort((a, b) => a - b);
    const step = Math.max(1, Math.ceil(gens.length / 12));
    const shown = gens.filter((g, i) => i % step === 0 || g === gens.at(-1));
    return shown.map((g) => ({ label: `generation ${g}`, color: this.palette.generation(gmax <= 1 ? 0 : (g - 1) / (gmax - 1)) }));
  }

  private renderLegend(): void {
    clear(this.legendEl);
    const sw = (cls: string, color: string | null) => {
      const s = h('span', { class: `swatch ${cls}`, 'aria-hidden': 'true' });
      if (color) s.style.backgroundColor = color; // CSSOM, allowed by the CSP
      return s;
    };
    for (const e of this.legendEntries(this.maxGeneration())) this.legendEl.append(h('span', { class: 'legend-item' }, sw('dot', e.color), e.label));
    this.legendEl.append(
      h('span', { class: 'legend-item' }, sw('line front', null), 'Pareto front'),
      h('span', { class: 'legend-item' }, sw('ring', null), 'selected'),
      h('span', { class: 'legend-item' }, sw('line cutoff', null), 'cutoff'),
    );
  }

  private scheduleLists(): void {
    if (this.pendingLists) return;
    this.pendingLists = true;
    requestAnimationFrame(() => {
      this.pendingLists = false;
      this.renderLists();
    });
  }

  private renderLists(): void {
    this.renderLegend();
    this.renderFrontList();
    if (this.ui.view === 'table' || this.host.standalone) this.renderTable();
    this.renderTopologies();
    this.refineBtn.textContent = `Refine selected (${this.selected.length})`;
    this.refineBtn.disabled = this.selected.length === 0;
    this.refineHint.textContent = this.selected.length
      ? `pareto-nas refine ${this.data.run.dir ?? this.data.run.id} --ids ${this.selected.join(',')}`
      : '';
  }

  private renderFrontList(): void {
    clear(this.frontList);
    const sel = new Set(this.selected);
    const fullFront = paretoFrontOf(this.data.candidates.values());
    const extra = this.selected.filter((id) => !fullFront.some((p) => p.id === id));
    const ul = h('ul', { class: 'checklist' });
    for (const id of [...fullFront.map((p) => p.id), ...extra]) {
      const r = this.data.candidates.get(id);
      if (!r) continue;
      const cb = h('input', { type: 'checkbox', id: `sel-${id}`, 'data-id': id });
      cb.checked = sel.has(id);
      cb.addEventListener('change', () => this.toggle(id));
      const open = h('button', { class: 'link', text: 'open', 'aria-label': `Open ${id}`, 'data-id': id });
      open.addEventListener('click', () => this.open(id));
      ul.append(h('li', { class: withinCutoff(r.mflops, this.ui.cutoff) ? '' : 'beyond' }, cb,
        h('label', { for: `sel-${id}`, text: `${id} · ${formatNumber(r.mflops)} MFLOPs · ${formatNumber(r.valAccuracy ?? NaN, 2)} %` }), open));
    }
    this.frontList.append(ul);
  }

  private showDetails(id: string | null): void {
    if (!id) return;
    const r = this.data.candidates.get(id);
    if (!r) return;
    clear(this.details);
    const dl = h('dl', {});
    const row = (k: string, v: string) => dl.append(h('dt', { text: k }), h('dd', { text: v }));
    row('id', r.id);
    row('generation', String(r.generation));
    row('status', r.status + (r.reusedFrom ? ` (from ${r.reusedFrom})` : '') + (r.failure ? `: ${r.failure.message}` : ''));
    row('accuracy', r.valAccuracy === null ? '—' : `${formatNumber(r.valAccuracy, 2)} %`);
    row('MFLOPs', formatNumber(r.mflops));
    row('params', formatInt(r.params));
    row('epochs', String(r.epochs.length));
    row('training', `${formatNumber(r.trainSeconds, 1)} s`);
    row('genome', r.genome);
    if (r.parents.length) row('parents', r.parents.join(', '));
    const isSel = this.selected.includes(r.id);
    const toggle = h('button', { class: 'secondary', id: 'details-toggle', text: isSel ? 'Unselect' : 'Select' });
    toggle.addEventListener('click', () => this.toggle(r.id));
    const topo = h('button', { class: 'secondary', id: 'details-topology', text: 'Topology' });
    topo.addEventListener('click', () => {
      if (this.host.standalone) this.renderTopologyInline(r.id);
      else this.host.post({ type: 'open-topology', id: r.id });
    });
    this.details.append(dl, h('div', { class: 'buttons' }, toggle, topo));
  }

  private rows(): Table1Row[] {
    const fullFront = paretoFrontOf(this.data.candidates.values());
    return sortRows(table1Rows(this.data.candidates, this.data.refinements.values(), this.selected, new Set(fullFront.map((p) => p.id))), this.sortKey, this.sortDir);
  }

  private renderTable(): void {
    const rows = this.rows();
    const cols: Array<{ key: Table1Key; label: string; num: boolean }> = [
      { key: 'id', label: 'Model', num: false },
      { key: 'mflops', label: 'MFLOPs', num: true },
      { key: 'params', label: 'Params', num: true },
      { key: 'searchAccuracy', label: 'Accuracy before refinement (%)', num: true },
      { key: 'refinedAccuracy', label: 'Accuracy after refinement (%)', num: true },
      { key: 'inferenceMsPerImage', label: 'Inference time (ms/image)', num: true },
    ];
    clear(this.tableEl);
    const tr = h('tr', {});
    for (const c of cols) {
      const active = this.sortKey === c.key;
      const th = h('th', { scope: 'col', class: c.num ? 'num' : '', 'aria-sort': active ? (this.sortDir === 'asc' ? 'ascending' : 'descending') : 'none' });
      const b = h('button', { class: 'sort', 'data-key': c.key, text: `${c.label}${active ? (this.sortDir === 'asc' ? ' ▲' : ' ▼') : ''}` });
      b.addEventListener('click', () => {
        this.sortDir = this.sortKey === c.key && this.sortDir === 'asc' ? 'desc' : 'asc';
        this.sortKey = c.key;
        this.renderTable();
        (this.tableEl.querySelector(`button[data-key="${c.key}"]`) as HTMLButtonElement | null)?.focus();
      });
      th.append(b);
      tr.append(th);
    }
    tr.append(h('th', { scope: 'col', text: 'Refinement' }));
    const tbody = h('tbody', {});
    const dash = (v: number | null, d: number) => (v === null ? '—' : v.toFixed(d));
    for (const r of rows) {
      const status = r.refineStatus === 'none' ? '—' : r.refineStatus === 'running' ? `running ${r.epochsDone}/${r.epochsPlanned ?? '?'}` : r.refineStatus;
      tbody.append(h('tr', { 'data-id': r.id },
        h('th', { scope: 'row', text: r.id }),
        h('td', { class: 'num', text: formatNumber(r.mflops) }),
        h('td', { class: 'num', text: formatInt(r.params) }),
        h('td', { class: 'num', text: dash(r.searchAccuracy, 2) }),
        h('td', { class: 'num', text: dash(r.refinedAccuracy, 2) }),
        h('td', { class: 'num', text: dash(r.inferenceMsPerImage, 4) }),
        h('td', { text: status })));
    }
    this.tableEl.append(h('thead', {}, tr), tbody);
  }

  private renderRefinements(): void {
    const refs = [...this.data.refinements.values()];
    this.refineSection.hidden = refs.length === 0;
    if (refs.length === 0) return;
    const running = refs.filter((r) => r.status === 'running').length;
    const done = refs.filter((r) => r.status === 'done').length;
    const failed = refs.filter((r) => r.status === 'failed').length;
    this.refineStatus.textContent = `${refs.length} refinement(s): ${running} running, ${done} done${failed ? `, ${failed} failed` : ''}`;
    const p = this.palette;
    const datasets = refs.map((r, i) => ({
      type: 'line' as const,
      label: `${r.candidate}${r.status === 'running' ? ' (running)' : ''}`,
      data: r.epochs.map((m) => ({ x: m.epoch + 1, y: m.valAccuracy })),
      borderColor: p.series(i),
      backgroundColor: p.series(i),
      pointRadius: r.epochs.length > 60 ? 0 : 2,
      borderWidth: 2,
      borderDash: r.status === 'running' ? [4, 3] : [],
    }));
    if (!this.refineChart) {
      this.refineChart = new Chart(this.refineCanvas, {
        type: 'line',
        data: { datasets },
        options: {
          animation: false, responsive: true, maintainAspectRatio: false, parsing: false,
          scales: {
            x: { type: 'linear', title: { display: true, text: 'epoch', color: p.foreground }, ticks: { color: p.foreground }, grid: { color: p.grid } },
            y: { type: 'linear', title: { display: true, text: 'validation accuracy (%)', color: p.foreground }, ticks: { color: p.foreground }, grid: { color: p.grid } },
          },
          plugins: { tooltip: { animation: false }, legend: { display: true, labels: { color: p.foreground, boxWidth: 12 } } },
        },
        plugins: [this.backgroundPlugin()],
      }) as unknown as Chart<'line', Array<{ x: number; y: number }>>;
    } else {
      this.refineChart.data.datasets = datasets;
      this.refineChart.update('none');
    }
  }

  private renderTopologyInline(id: string): void {
    if (!this.topologies) return;
    const r = this.data.candidates.get(id);
    if (!r || !this.data.decode) return;
    const existing = this.topologies.querySelector(`[data-topology="${CSS.escape(id)}"]`);
    if (existing) {
      existing.scrollIntoView({ block: 'nearest' });
      return;
    }
    this.topologies.prepend(this.topologyFigure(r));
  }

  private topologyFigure(r: CandidateRecord): HTMLElement {
    const fig = h('figure', { class: 'topology', 'data-topology': r.id });
    try {
      const t = topologySvg(r.genome, this.data.decode!, `t-${r.id}`);
      fig.append(h('figcaption', { text: `${r.id} · generation ${r.generation} · ${formatNumber(r.valAccuracy ?? NaN, 2)} % · ${formatNumber(t.mflops)} MFLOPs · ${formatInt(t.params)} params` }),
        h('div', { class: 'topo-scroll' }, svgNode(t.svg)));
    } catch (e) {
      fig.append(h('figcaption', { text: `${r.id}: cannot draw (${(e as Error).message})` }));
    }
    return fig;
  }

  /** Standalone report: the topology of every selected network. */
  private renderTopologies(): void {
    if (!this.topologies) return;
    const want = this.selected.join(',');
    if (this.topologies.dataset.ids === want) return;
    this.topologies.dataset.ids = want;
    clear(this.topologies);
    if (!this.data.decode) return;
    this.topologies.append(h('h2', { text: `Topologies of the selected networks (${this.selected.length})` }));
    for (const id of this.selected) {
      const r = this.data.candidates.get(id);
      if (r) this.topologies.append(this.topologyFigure(r));
    }
  }

  private renderStats(): void {
    const all = [...this.data.candidates.values()];
    const failed = all.filter((r) => r.status === 'failed').length;
    const gens = this.maxGeneration();
    const state = this.data.run.state ? ` · ${this.data.run.state}` : '';
    this.statsEl.textContent = `${all.length} candidates${failed ? ` (${failed} failed)` : ''} · ${gens} generation${gens === 1 ? '' : 's'} · ${this.front.length} on the front · ${this.selected.length} selected${state}`;
  }

  private syncSlider(gmax: number): void {
    this.genSlider.max = String(Math.max(1, gmax));
    this.genSlider.disabled = gmax <= 1;
    this.playBtn.disabled = gmax <= 1;
    const g = this.ui.generation ?? gmax;
    this.genSlider.value = String(g);
    this.genLabel.textContent = this.ui.generation === null ? `all (${gmax})` : `≤ ${g}`;
  }

  private syncControls(): void {
    this.yMetric.value = this.ui.yMetric;
    if (document.activeElement !== this.cutoffInput) this.cutoffInput.value = this.ui.cutoff === null ? '' : String(this.ui.cutoff);
  }

  // ---------------------------------------------------------------------------------------------
  // test and benchmark hook (window.__paretoExplorer)

  testHook(): ExplorerTestHook {
    const self = this;
    const canvasCss = (px: number) => px; // chart.js pixels are CSS pixels
    return {
      get renderCount() {
        return self.renderCount;
      },
      flush: () => self.flush(),
      plottedPoints: () => {
        self.flush();
        let n = 0;
        for (const i of self.genDataset.values()) if (self.chart.isDatasetVisible(i)) n += self.chart.getDatasetMeta(i).data.length;
        return n;
      },
      frontIds: () => (self.flush(), self.chart.data.datasets[FRONT].data as PlotPoint[]).map((p) => p.id),
      selectedIds: () => (self.flush(), [...self.selected]),
      cutoff: () => self.ui.cutoff,
      setCutoff: (v) => self.applyCutoff(v),
      cutoffHandle: () => self.cutoffHandleCss(),
      pointPosition: (id) => {
        self.flush();
        for (const i of self.genDataset.values()) {
          const data = self.chart.data.datasets[i].data as PlotPoint[];
          const k = data.findIndex((p) => p.id === id);
          if (k >= 0) {
            const el = self.chart.getDatasetMeta(i).data[k];
            return el ? { x: canvasCss(el.x), y: canvasCss(el.y) } : undefined;
          }
        }
        return undefined;
      },
      pixelForMflops: (v) => self.chart.scales.x.getPixelForValue(v),
      generations: () => [...self.genDataset.keys()].sort((a, b) => a - b),
      lastSeq: () => self.data.lastSeq,
      colors: () => ({ front: self.palette.front, background: self.palette.background, generation1: self.palette.generation(0) }),
      apply: (msg) => self.handle(msg),
    };
  }
}
