// Number, tick and colour helpers shared by the chart, the SVG export and the report (the log MFLOPs
// axis itself is axis.ts).

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toFixed(10)));
  return ticks;
}

export function formatNumber(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return '';
  return Number(v.toFixed(digits)).toString();
}

export function formatInt(v: number): string {
  return Math.round(v)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Linear interpolation between colours given as [r,g,b,a]. */
export function mixColor(stops: ReadonlyArray<readonly [number, number, number, number]>, t: number): string {
  if (stops.length === 0) return 'rgba(128,128,128,1)';
  if (stops.length === 1) return rgba(stops[0]);
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i];
  const b = stops[i + 1];
  return rgba([0, 1, 2, 3].map((k) => a[k] + (b[k] - a[k]) * f) as unknown as [number, number, number, number]);
}

export function rgba(c: readonly [number, number, number, number]): string {
  return `rgba(${Math.round(c[0])},${Math.round(c[1])},${Math.round(c[2])},${Number(c[3].toFixed(3))})`;
}

/** Parses #rgb, #rrggbb, #rrggbbaa, rgb() and rgba(); null for anything else. */
export function parseColor(s: string): [number, number, number, number] | null {
  const t = s.trim();
  let m = /^#([0-9a-f]{3,8})$/i.exec(t);
  if (m) {
    let h = m[1];
    if (h.length === 3 || h.length === 4) h = [...h].map((ch) => ch + ch).join('');
    if (h.length !== 6 && h.length !== 8) return null;
    const n = (i: number) => parseInt(h.slice(i, i + 2), 16);
    return [n(0), n(2), n(4), h.length === 8 ? n(6) / 255 : 1];
  }
  m = /^rgba?\(([^)]+)\)$/i.exec(t);
  if (m) {
    const p = m[1]
      .split(/[\s,/]+/)
      .filter(Boolean)
      .map(Number);
    if (p.length < 3 || p.some((v) => !Number.isFinite(v))) return null;
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  }
  return null;
}
