// The explorer's log-MFLOPs axis: bounds taken from the data (not whole decades, which crowded a run
// of 12.5–14.1 MFLOPs into the left 8 % of the plot) and ticks that stay readable whether the data
// spans 1.1× or 10⁶×. Shared by the chart and the SVG export; pure, so it is unit-tested.
import { formatNumber } from './scale';

export interface AxisTick {
  value: number;
  /** Labelled ticks; the others are minor (grid line only). */
  major: boolean;
  label: string;
}

/** Fraction of the (log) data span added on each side so edge points are not cut in half. */
const PAD_FRACTION = 0.04;
/** The narrowest span shown, as a ratio hi/lo: one value alone is drawn in ±2 %. */
const MIN_RATIO = 1.04;

/** [lo, hi] around the positive finite values on a log axis, padded; [0.1, 10] when there are none. */
export function dataLogBounds(values: Iterable<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!(v > 0) || !Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (lo === Infinity) return [0.1, 10];
  let a = Math.log10(lo);
  let b = Math.log10(hi);
  const minSpan = Math.log10(MIN_RATIO);
  if (b - a < minSpan) {
    const mid = (a + b) / 2;
    [a, b] = [mid - minSpan / 2, mid + minSpan / 2];
  }
  const pad = (b - a) * PAD_FRACTION;
  return [10 ** (a - pad), 10 ** (b + pad)];
}

/**
 * Ticks for a log axis over [lo, hi] with at most about `maxLabels` labels. Over a decade or more:
 * labels at 1 (and 2, 5 when there is room) × 10^k, minor ticks at the other integers × 10^k. Under a
 * decade the axis is nearly linear: labels at a round step (1, 2, 2.5 or 5 × 10^k) and minor ticks at
 * a fifth (a quarter for 2) of it. Labels closer than a fair share of the axis are dropped.
 */
export function logAxisTicks(lo: number, hi: number, maxLabels = 8): AxisTick[] {
  if (!(lo > 0) || !(hi > lo) || !Number.isFinite(hi)) return [];
  const ticks = Math.log10(hi / lo) >= 1 ? decadeTicks(lo, hi, maxLabels) : linearTicks(lo, hi, maxLabels);
  return spaceLabels(ticks, lo, hi, maxLabels);
}

function decadeTicks(lo: number, hi: number, maxLabels: number): AxisTick[] {
  const first = Math.floor(Math.log10(lo));
  const last = Math.ceil(Math.log10(hi));
  const decades = Math.log10(hi / lo);
  const labelled = decades * 3 <= maxLabels ? [1, 2, 5] : decades * 2 <= maxLabels ? [1, 3] : [1];
  const every = Math.max(1, Math.ceil(decades / maxLabels)); // label every n-th decade over very wide spans
  const out: AxisTick[] = [];
  for (let e = first; e <= last; e++) {
    for (let m = 1; m <= 9; m++) {
      const value = Number((m * 10 ** e).toPrecision(12));
      if (value < lo || value > hi) continue;
      const major = every === 1 ? labelled.includes(m) : m === 1 && (e - first) % every === 0;
      // over many decades the 2…9 minor lines would be a solid block: keep only the decade lines
      if (!major && decades > maxLabels && m !== 1) continue;
      out.push({ value, major, label: major ? axisLabel(value) : '' });
    }
  }
  return out;
}

function linearTicks(lo: number, hi: number, maxLabels: number): AxisTick[] {
  const step = niceStep((hi - lo) / Math.max(1, maxLabels - 1));
  const minor = step / (Math.abs(step / 10 ** Math.floor(Math.log10(step)) - 2) < 1e-9 ? 4 : 5);
  const digits = Math.max(0, -Math.floor(Math.log10(minor)) + 1);
  const out: AxisTick[] = [];
  for (let k = Math.ceil(lo / minor - 1e-9); k * minor <= hi * (1 + 1e-12); k++) {
    const value = Number((k * minor).toFixed(digits));
    const major = Math.abs(value / step - Math.round(value / step)) < 1e-6;
    out.push({ value, major, label: major ? formatNumber(value, digits) : '' });
  }
  return out;
}

/** A tick label: plain digits, or 1e6 / 1e-4 where plain digits would be long. */
export function axisLabel(v: number): string {
  if (v >= 1e5 || v < 1e-3) return v.toExponential().replace(/\.?0*e\+?/, 'e');
  return formatNumber(v, 6);
}

/** The smallest of 1, 2, 2.5, 5 × 10^k that is at least `raw`. */
export function niceStep(raw: number): number {
  const mag = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw * (1 - 1e-9)) ?? 10 * mag;
}

/** Demotes labels that would sit closer than a fair share of the axis to the previous label. */
function spaceLabels(ticks: AxisTick[], lo: number, hi: number, maxLabels: number): AxisTick[] {
  const span = Math.log10(hi / lo);
  const minGap = (span / Math.max(1, maxLabels)) * 0.55;
  let last = -Infinity;
  return ticks.map((t) => {
    if (!t.major) return t;
    const at = Math.log10(t.value / lo);
    if (at - last < minGap) return { ...t, major: false, label: '' };
    last = at;
    return t;
  });
}

/**
 * A value read off the axis at a pointer, rounded to what one pixel can resolve there (so a cutoff
 * dragged at any zoom is as precise as the zoom allows and no more precise than that).
 */
export function roundToResolution(value: number, valuePerPixel: number): number {
  if (!(valuePerPixel > 0) || !Number.isFinite(value)) return value;
  const digits = Math.max(0, Math.min(12, -Math.floor(Math.log10(valuePerPixel))));
  return Number(value.toFixed(digits));
}
