// Chart.js plugins of the explorer: an opaque background (so PNG exports are not transparent) and
// the FLOPs cutoff: a dashed line with a handle, and the excluded side marked behind the points by a
// light hatch and a band along the x axis, so it shows what is out without covering any data.
import type { Chart, ChartArea, Plugin } from 'chart.js';
import { formatNumber } from '../../../common/explorer/scale';
import type { Palette } from '../theme';

export function backgroundPlugin(palette: () => Palette): Plugin {
  return {
    id: 'paretoBackground',
    beforeDraw: (chart) => {
      const { ctx, width, height } = chart;
      ctx.save();
      ctx.fillStyle = palette().background;
      ctx.fillRect(0, 0, width, height);
      ctx.restore();
    },
  };
}

export interface CutoffSource {
  cutoff(): number | null;
  dragging(): boolean;
  palette(): Palette;
}

/** Height of the band along the x axis that marks the excluded MFLOPs. */
const BAND = 6;
const HATCH_GAP = 12;

export function cutoffPlugin(src: CutoffSource): Plugin {
  const xOf = (chart: Chart): number | null => {
    const c = src.cutoff();
    return c === null || !chart.scales.x ? null : chart.scales.x.getPixelForValue(c);
  };
  return {
    id: 'paretoCutoff',
    beforeDatasetsDraw: (chart) => {
      const x = xOf(chart);
      if (x !== null && x < chart.chartArea.right)
        drawExcluded(chart.ctx, chart.chartArea, Math.max(chart.chartArea.left, x), src.palette());
    },
    afterDatasetsDraw: (chart) => {
      const x = xOf(chart);
      const a = chart.chartArea;
      if (x !== null && x >= a.left && x <= a.right)
        drawLine(chart.ctx, a, x, src.cutoff() as number, src.dragging(), src.palette());
    },
  };
}

function drawExcluded(ctx: CanvasRenderingContext2D, a: ChartArea, from: number, p: Palette): void {
  ctx.save();
  ctx.beginPath();
  ctx.rect(from, a.top, a.right - from, a.bottom - a.top);
  ctx.clip();
  ctx.strokeStyle = p.cutoffShade;
  ctx.lineWidth = 1;
  ctx.beginPath();
  const h = a.bottom - a.top;
  for (let x = from - h; x < a.right; x += HATCH_GAP) {
    ctx.moveTo(x, a.bottom);
    ctx.lineTo(x + h, a.top);
  }
  ctx.stroke();
  ctx.fillStyle = p.cutoffBand;
  ctx.fillRect(from, a.bottom - BAND, a.right - from, BAND);
  ctx.restore();
}

function drawLine(
  ctx: CanvasRenderingContext2D,
  a: ChartArea,
  x: number,
  cutoff: number,
  dragging: boolean,
  p: Palette,
): void {
  ctx.save();
  ctx.strokeStyle = p.cutoff;
  ctx.lineWidth = dragging ? 3 : 2;
  ctx.setLineDash([6, 4]);
  ctx.beginPath();
  ctx.moveTo(x, a.top);
  ctx.lineTo(x, a.bottom);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillStyle = p.cutoff;
  ctx.fillRect(x - 5, a.top, 10, 10);
  ctx.font = '11px sans-serif';
  ctx.textAlign = x > (a.left + a.right) / 2 ? 'right' : 'left';
  ctx.fillText(`cutoff ${formatNumber(cutoff)} MFLOPs`, x + (ctx.textAlign === 'right' ? -8 : 8), a.top + 10);
  ctx.restore();
}
