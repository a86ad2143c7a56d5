// The scatter's datasets: the front (a step line), the selection (rings) and one dataset per
// generation (coloured along the palette). Points are drawn small with an outline in the background
// colour, so overlapping candidates stay distinguishable without jittering them off their values.
import type { ChartDataset } from 'chart.js';
import type { Palette } from '../theme';

export interface PlotPoint {
  x: number;
  y: number;
  id: string;
}

export type PointStyle = 'triangle' | 'circle';

/** Dataset indices: the front and the selection first, then the generations in ascending order. */
export const FRONT = 0;
export const SELECTED = 1;
export const FIRST_GEN = 2;

export function frontDataset(): ChartDataset<'line', PlotPoint[]> {
  return {
    type: 'line',
    label: 'Pareto front',
    data: [],
    stepped: 'before',
    borderWidth: 2,
    pointRadius: 0,
    pointHitRadius: 0,
    fill: false,
    order: 0,
  };
}

export function selectedDataset(): ChartDataset<'scatter', PlotPoint[]> {
  return {
    type: 'scatter',
    label: 'selected',
    data: [],
    pointRadius: 6.5,
    pointHoverRadius: 7.5,
    borderWidth: 1.75,
    backgroundColor: 'transparent',
    order: 1,
  };
}

export function generationDataset(g: number, style: (id: string) => PointStyle): ChartDataset<'scatter', PlotPoint[]> {
  return {
    type: 'scatter',
    label: `generation ${g}`,
    data: [],
    pointRadius: 3.5,
    pointHoverRadius: 6,
    pointHitRadius: 2,
    order: 10 + g,
    pointStyle: (c: { raw?: unknown }) => style((c.raw as PlotPoint | undefined)?.id ?? ''),
  } as ChartDataset<'scatter', PlotPoint[]>;
}

/** Position of generation g along the palette's generation ramp. */
export function generationColor(p: Palette, g: number, gmax: number): string {
  return p.generation(gmax <= 1 ? 0 : (g - 1) / (gmax - 1));
}

export function colorGeneration(d: ChartDataset<'scatter', PlotPoint[]>, p: Palette, g: number, gmax: number): void {
  const c = generationColor(p, g, gmax);
  d.backgroundColor = c;
  // the outline separates overlapping points; in high contrast it is the foreground, as before
  d.borderColor = p.highContrast ? p.foreground : p.background;
  d.borderWidth = 1;
}

export function colorFixed(ds: ChartDataset<'scatter' | 'line', PlotPoint[]>[], p: Palette): void {
  Object.assign(ds[FRONT], { borderColor: p.front, backgroundColor: p.front });
  Object.assign(ds[SELECTED], { borderColor: p.selected, pointBorderColor: p.selected });
}
