// The refinement section of the explorer: a status line and the validation-accuracy curve of every
// refinement per epoch (running ones dashed). Hidden until a network is refined.
import { Chart, type Plugin } from 'chart.js';
import type { RefineRecord } from '../../common/explorer/messages';
import type { Palette } from './theme';

export class RefinementChart {
  private chart: Chart<'line', Array<{ x: number; y: number }>> | null = null;

  constructor(
    private readonly section: HTMLElement,
    private readonly status: HTMLElement,
    private readonly canvas: HTMLCanvasElement,
    private readonly background: Plugin,
  ) {}

  render(refs: readonly RefineRecord[], p: Palette): void {
    this.section.hidden = refs.length === 0;
    if (refs.length === 0) return;
    const running = refs.filter((r) => r.status === 'running').length;
    const done = refs.filter((r) => r.status === 'done').length;
    const failed = refs.filter((r) => r.status === 'failed').length;
    this.status.textContent = `${refs.length} refinement(s): ${running} running, ${done} done${failed ? `, ${failed} failed` : ''}`;
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
    if (!this.chart) {
      this.chart = new Chart(this.canvas, {
        type: 'line',
        data: { datasets },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          parsing: false,
          scales: {
            x: {
              type: 'linear',
              title: { display: true, text: 'epoch', color: p.foreground },
              ticks: { color: p.foreground },
              grid: { color: p.grid },
            },
            y: {
              type: 'linear',
              title: { display: true, text: 'validation accuracy (%)', color: p.foreground },
              ticks: { color: p.foreground },
              grid: { color: p.grid },
            },
          },
          plugins: {
            tooltip: { animation: false },
            legend: { display: true, labels: { color: p.foreground, boxWidth: 12 } },
          },
        },
        plugins: [this.background],
      }) as unknown as Chart<'line', Array<{ x: number; y: number }>>;
    } else {
      this.chart.data.datasets = datasets;
      this.chart.update('none');
    }
  }

  /** Drops the chart (its colours are fixed at creation); the next render builds it anew. */
  reset(): void {
    this.chart?.destroy();
    this.chart = null;
  }
}
