// The scatter's axes: x is log MFLOPs with bounds from the data and the ticks of
// common/explorer/axis.ts (labelled majors, unlabelled minors with fainter grid lines); y is linear,
// bounded by the plotted values. Colours follow the palette.
import type { Scale } from 'chart.js';
import { logAxisTicks } from '../../../common/explorer/axis';
import type { Palette } from '../theme';

type ScaleOptions = Record<string, unknown> & { min?: number; max?: number };

/** How many x labels fit: one per ~90 CSS px, 3 to 10. */
function labelBudget(scale: Scale): number {
  return Math.max(3, Math.min(10, Math.floor(scale.width / 90)));
}

export function xAxisOptions(): ScaleOptions {
  return {
    type: 'logarithmic',
    bounds: 'data', // the given min/max, not widened to chart.js' own first and last ticks
    title: { display: true, text: 'MFLOPs (log scale)' },
    afterBuildTicks: (scale: Scale) => {
      scale.ticks = logAxisTicks(scale.min, scale.max, labelBudget(scale)).map((t) => ({
        value: t.value,
        major: t.major,
        label: t.label,
      }));
    },
    ticks: {
      autoSkip: false,
      maxRotation: 0,
      callback: (_v: unknown, i: number, ticks: Array<{ label?: unknown }>) => ticks[i]?.label ?? '',
    },
  };
}

export function yAxisOptions(): ScaleOptions {
  // the bounds are padded data values: no tick (and label like 80.345) at them
  return { type: 'linear', title: { display: true, text: '' }, ticks: { includeBounds: false } };
}

/** Linear bounds around the values with 5 % padding (one unit when they are all equal). */
export function linearBounds(values: readonly number[]): [number, number] | null {
  if (values.length === 0) return null;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  const pad = hi > lo ? (hi - lo) * 0.05 : 1;
  return [lo - pad, hi + pad];
}

export function colorAxes(scales: Record<string, ScaleOptions | undefined>, p: Palette): void {
  for (const axis of ['x', 'y'] as const) {
    const s = scales[axis];
    if (!s) continue;
    // minor x ticks get a fainter line than labelled ones
    const grid =
      axis === 'x'
        ? { color: (c: { tick?: { major?: boolean } }) => (c.tick?.major ? p.grid : p.gridMinor) }
        : { color: p.grid };
    s.grid = { ...((s.grid as object) ?? {}), ...grid };
    s.border = { ...((s.border as object) ?? {}), color: p.muted };
    s.ticks = { ...((s.ticks as object) ?? {}), color: p.foreground };
    s.title = { ...((s.title as object) ?? {}), color: p.foreground };
  }
}
