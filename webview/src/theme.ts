// Colours come only from the theme's --vscode-* variables (light, dark, high contrast). Canvas
// drawing needs concrete values, so they are resolved here and re-read when the theme changes.
import { mixColor, parseColor, rgba } from '../../common/explorer/scale';

export interface Palette {
  background: string;
  foreground: string;
  muted: string;
  grid: string;
  /** Grid lines of unlabelled (minor) ticks. */
  gridMinor: string;
  front: string;
  cutoff: string;
  /** Hatch lines over the excluded (beyond-cutoff) side, drawn behind the points. */
  cutoffShade: string;
  /** The band along the x axis under the excluded MFLOPs. */
  cutoffBand: string;
  selected: string;
  highContrast: boolean;
  generation(t: number): string;
  series(i: number): string;
}

const GENERATION_STOPS = [
  '--vscode-charts-blue',
  '--vscode-charts-purple',
  '--vscode-charts-red',
  '--vscode-charts-orange',
];
const SERIES = [
  '--vscode-charts-blue',
  '--vscode-charts-orange',
  '--vscode-charts-green',
  '--vscode-charts-purple',
  '--vscode-charts-red',
  '--vscode-charts-yellow',
];

let probe: CanvasRenderingContext2D | null = null;

/** A CSS variable's value as a concrete colour the canvas understands; fallback chain of variables. */
export function cssColor(...names: string[]): string {
  const style = getComputedStyle(document.body);
  for (const n of names) {
    const v = style.getPropertyValue(n).trim();
    if (!v) continue;
    probe ??= document.createElement('canvas').getContext('2d');
    if (!probe) return v;
    probe.fillStyle = '#010203';
    probe.fillStyle = v;
    if (probe.fillStyle !== '#010203' || v.toLowerCase() === '#010203') return probe.fillStyle;
  }
  return 'rgba(128,128,128,1)';
}

function withAlpha(color: string, alpha: number): string {
  const c = parseColor(color);
  return c ? rgba([c[0], c[1], c[2], c[3] * alpha]) : color;
}

export function readPalette(): Palette {
  const hc =
    document.body.classList.contains('vscode-high-contrast') ||
    document.body.classList.contains('vscode-high-contrast-light');
  const fg = cssColor('--vscode-editor-foreground', '--vscode-foreground');
  const stops = GENERATION_STOPS.map((n) => parseColor(cssColor(n, '--vscode-foreground'))).filter(
    (c): c is [number, number, number, number] => !!c,
  );
  const series = SERIES.map((n) => cssColor(n, '--vscode-foreground'));
  const cutoff = cssColor('--vscode-charts-red', '--vscode-errorForeground');
  const gridBase = cssColor('--vscode-charts-lines', '--vscode-panel-border', '--vscode-foreground');
  return {
    background: cssColor('--vscode-editor-background', '--vscode-sideBar-background'),
    foreground: fg,
    muted: cssColor('--vscode-descriptionForeground', '--vscode-foreground'),
    grid: hc ? cssColor('--vscode-contrastBorder', '--vscode-foreground') : withAlpha(gridBase, 0.5),
    gridMinor: hc
      ? withAlpha(cssColor('--vscode-contrastBorder', '--vscode-foreground'), 0.4)
      : withAlpha(gridBase, 0.2),
    front: cssColor('--vscode-charts-foreground', '--vscode-editor-foreground', '--vscode-foreground'),
    cutoff,
    cutoffShade: withAlpha(cutoff, hc ? 0.35 : 0.16),
    cutoffBand: withAlpha(cutoff, hc ? 0.8 : 0.45),
    selected: cssColor('--vscode-charts-green', '--vscode-focusBorder'),
    highContrast: hc,
    generation: (t) => mixColor(stops, t),
    series: (i) => series[i % series.length],
  };
}

/** Calls back when VS Code switches theme (it changes the body class and the variables). */
export function onThemeChange(cb: () => void): void {
  const mo = new MutationObserver(cb);
  mo.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind', 'style'] });
  mo.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
}
