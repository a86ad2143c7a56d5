// The explorer's log-MFLOPs axis (common/explorer/axis.ts): bounds from the data, readable ticks at any
// span, cutoff values rounded to the pixel resolution; plus the one accuracy format, the explorer's view
// model (fronts, cutoff, selection computed in one place) and the topology fit scale.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  axisLabel,
  dataLogBounds,
  logAxisTicks,
  niceStep,
  roundToResolution,
  type AxisTick,
} from '../../common/explorer/axis';
import { formatAccuracy } from '../../common/explorer/format';
import { explorerView } from '../../common/explorer/view';
import { paretoFrontOf } from '../../common/explorer/front';
import { defaultCutoff } from '../../common/explorer/selection';
import { DEFAULT_UI, type CandidateRecord } from '../../common/explorer/messages';
import { fitScale, MIN_LEGIBLE_SCALE } from '../../webview/src/topology-fit';
import { generateRun } from '../fixtures/gen-run-small';
import { narrowRun, NARROW_MFLOPS } from '../fixtures/narrow-run';

const labels = (ticks: AxisTick[]) => ticks.filter((t) => t.major).map((t) => t.label);
const log = Math.log10;

test('bounds hug the data: 12.5–14.1 MFLOPs fill the axis instead of the decade 10–100', () => {
  const [lo, hi] = dataLogBounds([12.5, 13.2, 14.1]);
  assert.ok(lo < 12.5 && lo > 12.3, `lo ${lo}`);
  assert.ok(hi > 14.1 && hi < 14.3, `hi ${hi}`);
  // the data take most of the axis (the decade axis left them 5 % of it)
  assert.ok((log(14.1) - log(12.5)) / (log(hi) - log(lo)) > 0.9);
});

test('bounds: one value gets a small span around it; none gets a default; bad values are ignored', () => {
  const [lo, hi] = dataLogBounds([5, 5, NaN, -1, 0, Infinity]);
  assert.ok(lo < 5 && hi > 5 && hi / lo < 1.1, `${lo}..${hi}`);
  assert.ok(Math.abs(log(5) - (log(lo) + log(hi)) / 2) < 1e-12, 'centred in log space');
  assert.deepEqual(dataLogBounds([]), [0.1, 10]);
});

test('bounds over six decades pad a few percent in log space', () => {
  const [lo, hi] = dataLogBounds([1, 1e6]);
  assert.ok(lo < 1 && lo > 0.5 && hi > 1e6 && hi < 2e6, `${lo}..${hi}`);
});

test('ticks over a narrow span (1.1×): round linear steps, labelled, with unlabelled minors between', () => {
  const [lo, hi] = dataLogBounds([12.5, 14.1]);
  const t = logAxisTicks(lo, hi, 8);
  const major = t.filter((x) => x.major).map((x) => x.value);
  assert.ok(major.length >= 4 && major.length <= 8, `labels ${labels(t)}`);
  const steps = major.slice(1).map((v, i) => Number((v - major[i]).toFixed(9)));
  assert.equal(new Set(steps).size, 1, `one step: ${steps}`);
  assert.ok([0.2, 0.25, 0.5].includes(steps[0]), `round step ${steps[0]}`);
  assert.ok(t.some((x) => !x.major) && t.every((x) => x.major || x.label === ''));
  assert.ok(t.every((x) => x.value >= lo && x.value <= hi));
});

test('ticks over six decades: one label per decade, readable exponents, no solid block of minors', () => {
  const t = logAxisTicks(0.6, 1.7e6, 8);
  assert.deepEqual(labels(t), ['1', '10', '100', '1000', '10000', '1e5', '1e6']);
  assert.ok(t.length < 60);
});

test('ticks over ten decades label every other decade; over one to three, 1/2/5 or 1/3', () => {
  assert.deepEqual(labels(logAxisTicks(5e-4, 2e6, 8)), ['0.01', '1', '100', '10000', '1e6']);
  assert.deepEqual(labels(logAxisTicks(0.9, 60, 8)), ['1', '2', '5', '10', '20', '50']);
  assert.deepEqual(labels(logAxisTicks(0.04, 50, 8)), ['0.1', '0.3', '1', '3', '10', '30']);
});

test('labels never crowd: none closer than half a fair share of the axis', () => {
  for (const [lo, hi, n] of [
    [1.05, 9.9, 8],
    [0.3, 2.2, 10],
    [12.4, 14.2, 3],
    [0.001, 0.0013, 6],
    [80, 790, 5],
  ] as const) {
    const major = logAxisTicks(lo, hi, n).filter((x) => x.major);
    assert.ok(major.length >= 2 && major.length <= n + 1, `${lo}..${hi}: ${labels(major)}`);
    for (let i = 1; i < major.length; i++)
      assert.ok(
        log(major[i].value / major[i - 1].value) >= (log(hi / lo) / n) * 0.55 - 1e-12,
        `${lo}..${hi}: ${labels(major)}`,
      );
  }
});

test('nice steps and labels', () => {
  assert.equal(niceStep(0.23), 0.25);
  assert.equal(niceStep(3), 5);
  assert.equal(niceStep(1), 1);
  assert.equal(axisLabel(12.75), '12.75');
  assert.equal(axisLabel(1e6), '1e6');
  assert.equal(axisLabel(2.5e-4), '2.5e-4');
  assert.deepEqual(logAxisTicks(5, 5), []);
});

test('a dragged cutoff keeps what one pixel resolves: more digits when zoomed in', () => {
  assert.equal(roundToResolution(13.123456, 0.0016), 13.123);
  assert.equal(roundToResolution(13.123456, 0.00002), 13.12346);
  assert.equal(roundToResolution(123456.7, 900), 123457);
  assert.equal(roundToResolution(4.2, 0), 4.2);
});

test('one accuracy format', () => {
  assert.equal(formatAccuracy(54), '54.00 %');
  assert.equal(formatAccuracy(65.5), '65.50 %');
  assert.equal(formatAccuracy(null), '—');
  assert.equal(formatAccuracy(NaN), '—');
});

test('the view model: fronts, default cutoff and selection from one call', () => {
  const run = generateRun({ refineQuantile: 0 });
  const records = new Map<string, CandidateRecord>(run.candidates.map((c) => [c.id, c]));
  const full = paretoFrontOf(run.candidates);
  const auto = explorerView(records, [], { ...DEFAULT_UI, cutoffAuto: true });
  assert.deepEqual(auto.fullFront, full);
  assert.deepEqual(auto.visibleFront, full);
  assert.equal(auto.cutoff, defaultCutoff(full, []));
  assert.deepEqual(
    auto.selected,
    full.filter((p) => p.mflops <= auto.cutoff!).map((p) => p.id),
  );
  // replaying generation 1: the drawn front is generation 1's, the selection still the whole run's
  const g1 = explorerView(records, [], { ...DEFAULT_UI, generation: 1, cutoff: null });
  assert.deepEqual(g1.visibleFront, paretoFrontOf(run.candidates.filter((c) => c.generation === 1)));
  assert.deepEqual(
    g1.selected,
    full.map((p) => p.id),
  );
  // an explicit cutoff is kept as given
  assert.equal(explorerView(records, [], { ...DEFAULT_UI, cutoff: 1.5 }).cutoff, 1.5);
});

test('the narrow fixture spans the issue run exactly', () => {
  const xs = narrowRun().candidates.map((c) => c.mflops);
  assert.deepEqual([Math.min(...xs), Math.max(...xs)], NARROW_MFLOPS);
});

test('topology fit: scaled to the width, never above 100 %, never below the legible minimum', () => {
  assert.equal(fitScale(1000, 1200), 1);
  assert.equal(fitScale(1000, 800), 0.8);
  assert.equal(fitScale(3000, 800), MIN_LEGIBLE_SCALE);
  assert.equal(fitScale(0, 800), 1);
});
