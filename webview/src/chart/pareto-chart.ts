// The Pareto scatter as a component: every candidate on a log-MFLOPs axis coloured by generation,
// the front as a step line, the selection as rings, the cutoff line (draggable) with the excluded
// side marked, zoom and pan. It knows points and pixels, not runs: the controller tells it what to
// draw (`draw`) and hears back what the user did (ChartEvents).
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
  type TooltipItem,
} from 'chart.js';
import zoomPlugin from 'chartjs-plugin-zoom';
import { dataLogBounds, roundToResolution } from '../../../common/explorer/axis';
import type { Palette } from '../theme';
import { colorAxes, linearBounds, xAxisOptions, yAxisOptions } from './axes';
import { CutoffDrag } from './cutoff-drag';
import {
  colorFixed,
  colorGeneration,
  FIRST_GEN,
  FRONT,
  frontDataset,
  generationDataset,
  SELECTED,
  selectedDataset,
  type PlotPoint,
  type PointStyle,
} from './datasets';
import { backgroundPlugin, cutoffPlugin } from './plugins';
import { setLimits, zoomOptions, type Limits } from './zoom';

Chart.register(
  ScatterController,
  LineController,
  PointElement,
  LineElement,
  LinearScale,
  LogarithmicScale,
  Tooltip,
  Legend,
  zoomPlugin,
);

export interface ChartEvents {
  hover(id: string | null): void;
  click(id: string, modified: boolean): void;
  cutoff(value: number, final: boolean): void;
  zoomChanged(zoomed: boolean): void;
}

export interface ChartInputs {
  palette(): Palette;
  cutoff(): number | null;
  pointStyle(id: string): PointStyle;
  tooltip(id: string): string[];
}

/** What one redraw shows. */
export interface ChartFrame {
  front: PlotPoint[];
  selected: PlotPoint[];
  /** Generations above this are hidden (the replay). */
  generationLimit: number;
  gmax: number;
  yLabel: string;
}

type AnyDataset = ChartDataset<'scatter' | 'line', PlotPoint[]>;

export class ParetoChart {
  private readonly chart: Chart<'scatter' | 'line', PlotPoint[]>;
  private readonly genDataset = new Map<number, number>();
  private readonly drag: CutoffDrag;
  private zoomedIn = false;
  private limits: Limits = { x: { min: 0.1, max: 10 }, y: { min: 0, max: 100 } };

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly inputs: ChartInputs,
    private readonly events: ChartEvents,
  ) {
    this.drag = new CutoffDrag(
      canvas,
      {
        handleX: () => this.cutoffHandle()?.x ?? null,
        area: () => this.chart.chartArea,
        valueAt: (x) => this.valueAt(x),
      },
      (v, final) => events.cutoff(v, final),
      () => this.chart.draw(),
    );
    this.chart = new Chart(canvas, {
      type: 'scatter',
      data: { datasets: [frontDataset(), selectedDataset()] },
      options: this.options(),
      plugins: [
        backgroundPlugin(inputs.palette),
        cutoffPlugin({ cutoff: inputs.cutoff, dragging: () => this.drag.dragging, palette: inputs.palette }),
      ],
    }) as unknown as Chart<'scatter' | 'line', PlotPoint[]>;
    this.applyPalette(1);
  }

  private options(): Record<string, unknown> {
    return {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      events: ['mousemove', 'mouseout', 'click', 'touchstart', 'touchmove'],
      interaction: { mode: 'nearest', intersect: true },
      scales: { x: xAxisOptions(), y: yAxisOptions() },
      plugins: {
        legend: { display: false },
        tooltip: {
          animation: false,
          filter: (item: TooltipItem<'scatter'>) => item.datasetIndex >= SELECTED,
          callbacks: {
            label: (item: TooltipItem<'scatter'>) => this.inputs.tooltip((item.raw as PlotPoint).id),
            title: () => '',
          },
        },
        zoom: zoomOptions(
          { grabsCutoff: (x) => this.drag.nearHandle(x), changed: () => this.setZoomed(true) },
          this.limits,
        ),
      },
      onClick: (evt: { native: Event | null }, elements: Array<{ datasetIndex: number; index: number }>) =>
        this.onClick(evt.native as MouseEvent | null, elements),
      onHover: (_evt: unknown, elements: Array<{ datasetIndex: number; index: number }>) => {
        const el = elements.find((e) => e.datasetIndex >= SELECTED);
        this.events.hover(el ? (this.pointAt(el.datasetIndex, el.index)?.id ?? null) : null);
      },
    };
  }

  // ---- data

  /** Replaces every generation's points. */
  setGenerations(byGen: ReadonlyMap<number, PlotPoint[]>): void {
    this.chart.data.datasets.length = FIRST_GEN;
    this.genDataset.clear();
    for (const g of [...byGen.keys()].sort((a, b) => a - b)) this.datasetFor(g).data = byGen.get(g) as PlotPoint[];
  }

  /** Appends live points; a new generation keeps the datasets in generation order. */
  addPoints(points: ReadonlyArray<{ generation: number; point: PlotPoint }>): void {
    const newGen = points.some((p) => !this.genDataset.has(p.generation));
    for (const p of points) this.datasetFor(p.generation).data.push(p.point);
    if (newGen) this.sortGenerations();
  }

  private datasetFor(g: number): ChartDataset<'scatter', PlotPoint[]> {
    const ds = this.chart.data.datasets as AnyDataset[];
    let i = this.genDataset.get(g);
    if (i === undefined) {
      i = ds.length;
      ds.push(generationDataset(g, this.inputs.pointStyle) as AnyDataset);
      this.genDataset.set(g, i);
    }
    return ds[i] as ChartDataset<'scatter', PlotPoint[]>;
  }

  private sortGenerations(): void {
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

  /** Front, selection, visibility, colours and bounds, then one redraw without animation. */
  draw(f: ChartFrame): void {
    const ds = this.chart.data.datasets;
    ds[FRONT].data = f.front;
    ds[SELECTED].data = f.selected;
    for (const [g, i] of this.genDataset) ds[i].hidden = g > f.generationLimit;
    this.colorGenerations(f.gmax);
    this.updateBounds();
    const y = this.chart.options.scales?.y as { title?: { text?: string } } | undefined;
    if (y?.title) y.title.text = f.yLabel;
    this.chart.update('none');
  }

  /** Axis bounds from every plotted point (hidden generations too, so a replay does not rescale). */
  private updateBounds(): void {
    const xs: number[] = [];
    const ys: number[] = [];
    for (const i of this.genDataset.values()) {
      for (const p of this.chart.data.datasets[i].data) {
        xs.push(p.x);
        ys.push(p.y);
      }
    }
    const [x0, x1] = dataLogBounds(xs);
    const [y0, y1] = linearBounds(ys) ?? [0, 100];
    this.limits = { x: { min: x0, max: x1 }, y: { min: y0, max: y1 } };
    setLimits(this.chart as unknown as Chart, this.limits);
    if (!this.zoomedIn) this.showLimits();
  }

  private showLimits(): void {
    const s = this.chart.options.scales as Record<string, { min?: number; max?: number }>;
    [s.x.min, s.x.max] = [this.limits.x.min, this.limits.x.max];
    [s.y.min, s.y.max] = [this.limits.y.min, this.limits.y.max];
  }

  private colorGenerations(gmax: number): void {
    const ds = this.chart.data.datasets;
    for (const [g, i] of this.genDataset)
      colorGeneration(ds[i] as ChartDataset<'scatter', PlotPoint[]>, this.inputs.palette(), g, gmax);
  }

  /** Re-reads the palette (theme change) into datasets, axes and tooltip. */
  applyPalette(gmax: number): void {
    const p = this.inputs.palette();
    colorFixed(this.chart.data.datasets as AnyDataset[], p);
    this.colorGenerations(gmax);
    const o = this.chart.options;
    colorAxes(o.scales as Record<string, Record<string, unknown>>, p);
    const tt = o.plugins?.tooltip as Record<string, unknown> | undefined;
    if (tt)
      Object.assign(tt, {
        backgroundColor: p.background,
        titleColor: p.foreground,
        bodyColor: p.foreground,
        borderColor: p.muted,
        borderWidth: 1,
      });
  }

  redraw(): void {
    this.chart.update('none');
  }

  // ---- zoom

  get zoomed(): boolean {
    return this.zoomedIn;
  }

  private setZoomed(z: boolean): void {
    if (z === this.zoomedIn) return;
    this.zoomedIn = z;
    this.events.zoomChanged(z);
  }

  /** Back to the whole data. */
  resetZoom(): void {
    this.setZoomed(false);
    this.showLimits();
    this.chart.update('none');
  }

  // ---- hit testing and geometry (CSS px relative to the canvas' top-left)

  private pointAt(datasetIndex: number, index: number): PlotPoint | undefined {
    return (this.chart.data.datasets[datasetIndex]?.data as PlotPoint[] | undefined)?.[index];
  }

  private onClick(native: MouseEvent | null, elements: Array<{ datasetIndex: number; index: number }>): void {
    if (this.drag.dragging) return;
    const el = elements.find((e) => e.datasetIndex >= FIRST_GEN) ?? elements.find((e) => e.datasetIndex === SELECTED);
    const p = el && this.pointAt(el.datasetIndex, el.index);
    if (p) this.events.click(p.id, !!native && (native.shiftKey || native.ctrlKey || native.metaKey));
  }

  /** The MFLOPs under x, clamped to the plot, rounded to what one pixel resolves there. */
  valueAt(x: number): number {
    const sx = this.chart.scales.x;
    const a = this.chart.chartArea;
    const px = Math.min(a.right - 1, Math.max(a.left, x));
    const v = sx.getValueForPixel(px) ?? 0;
    return roundToResolution(v, Math.abs((sx.getValueForPixel(px + 1) ?? v) - v));
  }

  pixelForValue(v: number): number {
    return this.chart.scales.x.getPixelForValue(v);
  }

  cutoffHandle(): { x: number; top: number; bottom: number } | null {
    const c = this.inputs.cutoff();
    if (c === null) return null;
    const a = this.chart.chartArea;
    return { x: this.pixelForValue(c), top: a.top, bottom: a.bottom };
  }

  pointPosition(id: string): { x: number; y: number } | undefined {
    for (const i of this.genDataset.values()) {
      const k = (this.chart.data.datasets[i].data as PlotPoint[]).findIndex((p) => p.id === id);
      if (k < 0) continue;
      const el = this.chart.getDatasetMeta(i).data[k];
      return el ? { x: el.x, y: el.y } : undefined;
    }
    return undefined;
  }

  plottedCount(): number {
    let n = 0;
    for (const i of this.genDataset.values())
      if (this.chart.isDatasetVisible(i)) n += this.chart.getDatasetMeta(i).data.length;
    return n;
  }

  frontPoints(): PlotPoint[] {
    return this.chart.data.datasets[FRONT].data as PlotPoint[];
  }

  generations(): number[] {
    return [...this.genDataset.keys()].sort((a, b) => a - b);
  }

  /** The visible axis ranges and the plot area (tests, the SVG export). */
  view(): {
    x: [number, number];
    y: [number, number];
    area: { left: number; right: number; top: number; bottom: number };
    xLabels: string[];
  } {
    const { x, y } = this.chart.scales;
    const a = this.chart.chartArea;
    return {
      x: [x.min, x.max],
      y: [y.min, y.max],
      area: { left: a.left, right: a.right, top: a.top, bottom: a.bottom },
      xLabels: x.ticks.map((t) => String(t.label ?? '')).filter(Boolean),
    };
  }

  toPng(): string {
    return this.chart.toBase64Image('image/png', 1);
  }
}
