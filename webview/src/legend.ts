// The plot's legend (HTML under the chart, so it wraps and follows the theme): a sample of the
// generations' colours, the front, the selection ring and the cutoff. The SVG export uses the same entries.
import { clear, h } from './dom';
import type { Palette } from './theme';
import { generationColor } from './chart/datasets';

/** At most about twelve generations, always the last. */
export function legendEntries(
  gens: readonly number[],
  gmax: number,
  p: Palette,
): Array<{ label: string; color: string }> {
  const step = Math.max(1, Math.ceil(gens.length / 12));
  const shown = gens.filter((g, i) => i % step === 0 || g === gens.at(-1));
  return shown.map((g) => ({ label: `generation ${g}`, color: generationColor(p, g, gmax) }));
}

export function renderLegend(el: HTMLElement, entries: ReadonlyArray<{ label: string; color: string }>): void {
  clear(el);
  const swatch = (cls: string, color: string | null) => {
    const s = h('span', { class: `swatch ${cls}`, 'aria-hidden': 'true' });
    if (color) s.style.backgroundColor = color; // CSSOM, allowed by the CSP
    return s;
  };
  for (const e of entries) el.append(h('span', { class: 'legend-item' }, swatch('dot', e.color), e.label));
  el.append(
    h('span', { class: 'legend-item' }, swatch('line front', null), 'Pareto front'),
    h('span', { class: 'legend-item' }, swatch('ring', null), 'selected'),
    h('span', { class: 'legend-item' }, swatch('line cutoff', null), 'cutoff'),
    h('span', { class: 'legend-item' }, swatch('band', null), 'beyond the cutoff'),
  );
}
