// The explorer plot as a standalone SVG file (the "Export SVG" button, and the case study's pareto.svg):
// log MFLOPs axis, all candidates coloured by generation, the front as a step line, the cutoff and the selection.
// Colours are passed in resolved (from the theme's --vscode-* variables at export time).
import { dataLogBounds, logAxisTicks } from './axis';
import { formatNumber, niceTicks } from './scale';

export interface PlotSvgInput {
  width: number;
  height: number;
  title?: string;
  xLabel: string;
  yLabel: string;
  /** x range (MFLOPs); from the points when absent (common/explorer/axis.ts). */
  xRange?: [number, number];
  /** y range; computed from the points when absent. */
  yRange?: [number, number];
  points: ReadonlyArray<{ id: string; x: number; y: number; color: string; selected: boolean }>;
  /** Front points in MFLOPs order, drawn as a step line (horizontal first). */
  front: ReadonlyArray<{ x: number; y: number }>;
  cutoff: number | null;
  legend: ReadonlyArray<{ label: string; color: string }>;
  colors: { background: string; foreground: string; grid: string; front: string; cutoff: string; selected: string };
}

export function escapeXml(s: string): string {
  return s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string,
  );
}

export function plotSvg(p: PlotSvgInput): string {
  const m = { left: 64, right: 130, top: p.title ? 36 : 16, bottom: 48 };
  const W = p.width - m.left - m.right;
  const H = p.height - m.top - m.bottom;
  const [x0, x1] = p.xRange ?? dataLogBounds(p.points.map((q) => q.x));
  const ys = p.points.map((q) => q.y);
  const [y0, y1] = p.yRange ?? (ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 100]);
  const yLo = y1 > y0 ? y0 : y0 - 1;
  const yHi = y1 > y0 ? y1 : y0 + 1;
  const sx = (v: number) => m.left + ((Math.log10(v) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0))) * W;
  const sy = (v: number) => m.top + (1 - (v - yLo) / (yHi - yLo)) * H;
  const f = (v: number) => v.toFixed(2);
  const c = p.colors;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${p.width}" height="${p.height}" viewBox="0 0 ${p.width} ${p.height}" font-family="sans-serif" font-size="11">`,
  );
  out.push(`<rect width="100%" height="100%" fill="${c.background}"/>`);
  out.push(
    `<defs><clipPath id="plot-area"><rect x="${m.left}" y="${m.top}" width="${W}" height="${H}"/></clipPath></defs>`,
  );
  if (p.title)
    out.push(
      `<text x="${m.left}" y="20" fill="${c.foreground}" font-size="13" font-weight="bold">${escapeXml(p.title)}</text>`,
    );
  // grid and ticks
  for (const t of logAxisTicks(x0, x1, 8)) {
    const x = sx(t.value);
    out.push(
      `<line x1="${f(x)}" y1="${m.top}" x2="${f(x)}" y2="${m.top + H}" stroke="${c.grid}" stroke-width="1"${t.major ? '' : ' stroke-opacity="0.4"'}/>`,
    );
    if (t.major)
      out.push(
        `<text x="${f(x)}" y="${m.top + H + 16}" fill="${c.foreground}" text-anchor="middle">${escapeXml(t.label)}</text>`,
      );
  }
  for (const t of niceTicks(yLo, yHi, 6)) {
    const y = sy(t);
    out.push(`<line x1="${m.left}" y1="${f(y)}" x2="${m.left + W}" y2="${f(y)}" stroke="${c.grid}" stroke-width="1"/>`);
    out.push(
      `<text x="${m.left - 6}" y="${f(y + 4)}" fill="${c.foreground}" text-anchor="end">${escapeXml(formatNumber(t, 2))}</text>`,
    );
  }
  out.push(
    `<rect x="${m.left}" y="${m.top}" width="${W}" height="${H}" fill="none" stroke="${c.foreground}" stroke-width="1"/>`,
  );
  out.push(
    `<text x="${m.left + W / 2}" y="${p.height - 12}" fill="${c.foreground}" text-anchor="middle">${escapeXml(p.xLabel)}</text>`,
  );
  out.push(
    `<text transform="translate(16 ${m.top + H / 2}) rotate(-90)" fill="${c.foreground}" text-anchor="middle">${escapeXml(p.yLabel)}</text>`,
  );
  // cutoff
  if (p.cutoff !== null && p.cutoff >= x0 && p.cutoff <= x1) {
    const x = sx(p.cutoff);
    out.push(
      `<line class="cutoff" x1="${f(x)}" y1="${m.top}" x2="${f(x)}" y2="${m.top + H}" stroke="${c.cutoff}" stroke-width="2" stroke-dasharray="6 4"/>`,
    );
    out.push(
      `<text x="${f(x + 4)}" y="${m.top + 12}" fill="${c.cutoff}">cutoff ${escapeXml(formatNumber(p.cutoff))}</text>`,
    );
  }
  // points
  out.push('<g clip-path="url(#plot-area)">');
  out.push('<g class="points">');
  for (const q of p.points) {
    out.push(
      `<circle cx="${f(sx(q.x))}" cy="${f(sy(q.y))}" r="3" fill="${q.color}"><title>${escapeXml(q.id)}</title></circle>`,
    );
  }
  out.push('</g>');
  // front as a step line
  if (p.front.length > 0) {
    let d = `M${f(sx(p.front[0].x))},${f(sy(p.front[0].y))}`;
    for (let i = 1; i < p.front.length; i++) d += ` H${f(sx(p.front[i].x))} V${f(sy(p.front[i].y))}`;
    out.push(`<path class="front" d="${d}" fill="none" stroke="${c.front}" stroke-width="2"/>`);
  }
  out.push('<g class="selected">');
  for (const q of p.points) {
    if (q.selected)
      out.push(
        `<circle cx="${f(sx(q.x))}" cy="${f(sy(q.y))}" r="6" fill="none" stroke="${c.selected}" stroke-width="2"/>`,
      );
  }
  out.push('</g>');
  out.push('</g>');
  // legend
  p.legend.forEach((l, i) => {
    const y = m.top + 8 + i * 16;
    if (y > m.top + H) return;
    out.push(`<circle cx="${m.left + W + 16}" cy="${y}" r="4" fill="${l.color}"/>`);
    out.push(`<text x="${m.left + W + 26}" y="${y + 4}" fill="${c.foreground}">${escapeXml(l.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
