// View models of the Pareto explorer: front, cutoff selection, state from snapshot + deltas.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CandidateRecord } from '../../common/protocol';
import { deltaFromEvents } from '../../common/explorer/events';
import { generationsOf, paretoFrontOf } from '../../common/explorer/front';
import {
  defaultCutoff,
  defaultSelection,
  selectedIds,
  setCutoff,
  toggleSelection,
} from '../../common/explorer/selection';
import { ExplorerData } from '../../webview/src/model/state';
import { mixColor, niceTicks, parseColor } from '../../common/explorer/scale';
import { kneeOf, paretoFront } from '../../common/pareto';
import { generateRun } from '../fixtures/gen-run-small';

/**
 * The definition, brute force O(n²): successful records, the first one per network (spec hash), that no
 * other kept record dominates on (error, MFLOPs) — no worse in both, better in one.
 */
function bruteForceFront(records: CandidateRecord[]): CandidateRecord[] {
  const seen = new Set<string>();
  const pool = records.filter((r) => r.status === 'ok' && !seen.has(r.specHash) && seen.add(r.specHash));
  const dominates = (a: CandidateRecord, b: CandidateRecord) =>
    a.error <= b.error && a.mflops <= b.mflops && (a.error < b.error || a.mflops < b.mflops);
  return pool.filter((r) => !pool.some((q) => dominates(q, r)));
}

const byId = (rs: CandidateRecord[]) => new Map(rs.map((r) => [r.id, r]));

/** Seeded records on a coarse grid, so ties in MFLOPs, error or both are common. */
function randomRecords(seed: number, n: number, base: CandidateRecord): CandidateRecord[] {
  let x = seed >>> 0;
  const rand = () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const statuses: CandidateRecord['status'][] = ['ok', 'ok', 'ok', 'ok', 'reused', 'failed'];
  return Array.from({ length: n }, (_, i) => {
    const status = statuses[Math.floor(rand() * statuses.length)];
    const acc = status === 'failed' ? null : 50 + Math.floor(rand() * 10) * 5;
    return {
      ...base,
      id: `r${i}`,
      status,
      valAccuracy: acc,
      error: acc === null ? 100 : 100 - acc,
      mflops: 0.5 * (1 + Math.floor(rand() * 12)),
      specHash: `s${Math.floor(rand() * n * 0.8)}`,
    };
  });
}

test('paretoFront (O(n log n)) equals the brute-force definition: generated runs and random records with ties', () => {
  const check = (rs: CandidateRecord[], what: string) => {
    const front = paretoFront(rs);
    const ids = front.map((r) => r.id);
    assert.deepEqual(new Set(ids), new Set(bruteForceFront(rs).map((r) => r.id)), what);
    assert.equal(new Set(front.map((r) => r.specHash)).size, front.length, `${what}: one record per network`);
    // ordered for a step line: MFLOPs up, error strictly down except for exact ties
    for (let i = 1; i < front.length; i++) {
      const [p, q] = [front[i - 1], front[i]];
      assert.ok(q.mflops > p.mflops || (q.mflops === p.mflops && q.error === p.error), `${what}: order at ${i}`);
      assert.ok(q.error < p.error || (q.error === p.error && q.mflops === p.mflops), `${what}: step at ${i}`);
    }
    // the explorer's points are the same front, in the same order
    assert.deepEqual(
      paretoFrontOf(rs).map((p) => p.id),
      ids,
      what,
    );
  };
  for (const seed of [1, 2, 3, 11])
    check(generateRun({ population: 40, generations: 6, seed, refineQuantile: 0 }).candidates, `run seed ${seed}`);
  const base = generateRun({ refineQuantile: 0 }).candidates[0];
  for (let seed = 1; seed <= 300; seed++) check(randomRecords(seed, 1 + (seed % 60), base), `random seed ${seed}`);
  assert.deepEqual(paretoFront([]), []);
});

test('front ignores failed and reused records and duplicate specs; keeps equal points of different networks', () => {
  const base = generateRun({ refineQuantile: 0 }).candidates[0];
  const mk = (
    id: string,
    mflops: number,
    acc: number | null,
    status: CandidateRecord['status'] = 'ok',
    specHash = `spec-${id}`,
  ): CandidateRecord => ({
    ...base,
    id,
    mflops,
    valAccuracy: acc,
    error: acc === null ? 100 : 100 - acc,
    status,
    specHash,
  });
  const rs = [
    mk('a', 1, 80),
    mk('b', 2, 85),
    mk('b2', 2, 85),
    mk('b3', 2, 85, 'ok', 'spec-b'),
    mk('c', 3, 84),
    mk('c2', 3, 85),
    mk('d', 0.5, null, 'failed'),
    mk('e', 0.4, 99, 'reused'),
    mk('f', 4, 90),
  ];
  assert.deepEqual(
    paretoFrontOf(rs).map((p) => p.id),
    ['a', 'b', 'b2', 'f'],
  );
  assert.deepEqual(
    bruteForceFront(rs)
      .map((p) => p.id)
      .sort(),
    ['a', 'b', 'b2', 'f'],
  );
  assert.deepEqual(generationsOf(rs), [base.generation]);
});

test('default cutoff: the knee of the front before any refinement, the largest refined network after', () => {
  const { candidates, refinements } = generateRun({ population: 30, generations: 5, seed: 5, refineQuantile: 0.5 });
  const front = paretoFrontOf(candidates);
  const knee = kneeOf(front)!;
  assert.ok(front.length >= 4 && knee !== front[0] && knee !== front.at(-1), 'the fixture front has an inner knee');
  assert.equal(defaultCutoff(front, []), knee.mflops);
  assert.ok(refinements.length > 0);
  assert.equal(defaultCutoff(front, refinements), Math.max(...refinements.map((r) => r.mflops)));
  assert.equal(defaultCutoff([], []), null);
  // the knee: farthest from the chord between the ends (log MFLOPs, error, both scaled to [0, 1])
  const pts = [
    { mflops: 1, error: 40 },
    { mflops: 2, error: 12 },
    { mflops: 4, error: 10 },
    { mflops: 100, error: 9 },
  ];
  assert.equal(kneeOf(pts), pts[1]);
  assert.equal(kneeOf(pts.slice(0, 2)), pts[1]);
  assert.equal(kneeOf([]), undefined);
});

test('cutoff selection: Pareto networks below the cutoff, user additions and removals', () => {
  const { candidates } = generateRun({ population: 30, generations: 5, seed: 5, refineQuantile: 0 });
  const records = byId(candidates);
  const front = paretoFrontOf(candidates);
  assert.ok(front.length >= 4, 'fixture should have a front of several networks');
  const cutoff = front[Math.floor(front.length / 2)].mflops;
  const below = front.filter((p) => p.mflops <= cutoff).map((p) => p.id);
  let s = setCutoff({ cutoff: null, added: [], removed: [] }, cutoff);
  assert.deepEqual(selectedIds(records, front, s), below);
  assert.deepEqual(
    defaultSelection(front, null),
    front.map((p) => p.id),
  );

  // add a dominated network, remove a default one
  const frontSet = new Set(front.map((p) => p.id));
  const dominated = candidates.find((c) => c.status === 'ok' && !frontSet.has(c.id)) as CandidateRecord;
  s = toggleSelection(records, front, s, dominated.id);
  assert.ok(selectedIds(records, front, s).includes(dominated.id));
  s = toggleSelection(records, front, s, below[0]);
  assert.ok(!selectedIds(records, front, s).includes(below[0]));
  assert.deepEqual(s.removed, [below[0]]);
  // a new cutoff keeps the explicit choices
  s = setCutoff(s, front.at(-1)!.mflops);
  const all = selectedIds(records, front, s);
  assert.ok(all.includes(dominated.id) && !all.includes(below[0]));
  assert.equal(all.length, front.length - 1 + 1);
  // toggling back restores the default and leaves no residue
  s = toggleSelection(records, front, toggleSelection(records, front, s, below[0]), dominated.id);
  assert.deepEqual(s, { cutoff: front.at(-1)!.mflops, added: [], removed: [] });
  // selection is in MFLOPs order
  const sel = selectedIds(records, front, s).map((id) => records.get(id)!.mflops);
  assert.deepEqual(
    sel,
    [...sel].sort((a, b) => a - b),
  );
  // failed records cannot be added; a bad cutoff clears it
  const failed = candidates.find((c) => c.status === 'failed');
  if (failed)
    assert.ok(!selectedIds(records, front, toggleSelection(records, front, s, failed.id)).includes(failed.id));
  assert.equal(setCutoff(s, Number.NaN).cutoff, null);
  assert.equal(setCutoff(s, -1).cutoff, null);
});

test('snapshot plus deltas from the real event stream rebuild the run, idempotently', () => {
  const run = generateRun({ seed: 9 });
  const data = new ExplorerData();
  data.applySnapshot({
    run: { id: 'r', name: 'fixture' },
    lastSeq: 0,
    decode: run.decode,
    candidates: [],
    refinements: [],
  });
  // feed the events in uneven chunks, as a live attach would
  let added = 0;
  for (let i = 0; i < run.events.length;) {
    const n = 1 + (i % 17);
    const d = deltaFromEvents(run.events.slice(i, i + n), data.lastSeq);
    i += n;
    if (!d) continue;
    added += data.applyDelta(d).added.length;
  }
  assert.equal(added, run.candidates.length);
  assert.deepEqual([...data.candidates.values()], run.candidates);
  assert.equal(data.lastSeq, run.events.at(-1)!.seq);
  assert.equal(data.run.state, 'completed');
  const refs = [...data.refinements.values()];
  assert.equal(refs.length, run.refinements.length);
  for (const r of run.refinements) {
    const got = data.refinements.get(r.id)!;
    assert.equal(got.status, r.status);
    assert.deepEqual(got.epochs, r.epochs);
    if (r.status === 'done') assert.deepEqual(got, r);
  }
  // replaying old events changes nothing
  const again = deltaFromEvents(run.events, 0)!;
  assert.deepEqual(data.applyDelta(again), { added: [], replaced: [], refinementsChanged: false, stateChanged: false });
  assert.equal(deltaFromEvents(run.events, data.lastSeq), null);
  assert.equal(data.snapshot().candidates.length, run.candidates.length);
});

test('tick and colour helpers', () => {
  assert.deepEqual(niceTicks(80, 95, 3), [80, 85, 90, 95]);
  assert.deepEqual(parseColor('#abc'), [170, 187, 204, 1]);
  assert.deepEqual(parseColor('rgba(1, 2, 3, 0.5)'), [1, 2, 3, 0.5]);
  assert.equal(parseColor('var(--x)'), null);
  assert.equal(
    mixColor(
      [
        [0, 0, 0, 1],
        [200, 100, 0, 1],
      ],
      0.5,
    ),
    'rgba(100,50,0,1)',
  );
});
