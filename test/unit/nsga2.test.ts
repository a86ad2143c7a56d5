// The NSGA-II pieces on hand-checkable inputs: dominance sort, crowding, survival, tournament,
// and the binary operators' rates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crowdingDistance, INFINITE_CROWDING } from '../../runner/src/search/crowding';
import { dominates, nonDominatedSort } from '../../runner/src/search/dominance';
import { BitFlipMutation, RandomBitSampling, TwoPointCrossover } from '../../runner/src/search/operators/binary';
import { Rng } from '../../runner/src/rng';
import { binaryTournament } from '../../runner/src/search/selection';
import { rankAndCrowdingSurvival } from '../../runner/src/search/survival';
import { hypervolume2d, igd, zdtParetoFront } from '../../runner/src/search/zdt';

test('dominance: better in one and worse in none; equal vectors do not dominate', () => {
  assert.equal(dominates([1, 2], [2, 2]), true);
  assert.equal(dominates([1, 2], [1, 2]), false);
  assert.equal(dominates([1, 3], [2, 2]), false);
});

test('non-dominated sort finds the fronts in order', () => {
  const F = [
    [1, 5],
    [2, 2],
    [5, 1],
    [3, 3],
    [4, 4],
    [6, 6],
    [2, 6],
  ];
  assert.deepEqual(nonDominatedSort(F), [[0, 1, 2], [3, 6], [4], [5]]);
  assert.deepEqual(nonDominatedSort(F, 3), [[0, 1, 2]], 'stops once enough are ranked');
});

test('crowding: boundaries infinite, interior normalised gaps divided by the objective count', () => {
  const d = crowdingDistance([
    [0, 4],
    [1, 2],
    [2, 1],
    [4, 0],
  ]);
  assert.equal(d[0], INFINITE_CROWDING);
  assert.equal(d[3], INFINITE_CROWDING);
  assert.ok(Math.abs(d[1] - (2 / 4 + 3 / 4) / 2) < 1e-12);
  assert.ok(Math.abs(d[2] - (3 / 4 + 2 / 4) / 2) < 1e-12);
  assert.deepEqual(
    crowdingDistance([
      [1, 1],
      [2, 0],
    ]),
    [INFINITE_CROWDING, INFINITE_CROWDING],
  );
});

test('crowding: NSGA-Net’s variant gives tied points their neighbours’ gaps', () => {
  const F = [
    [0, 3],
    [1, 2],
    [1, 2],
    [3, 0],
  ];
  const plain = crowdingDistance(F, false);
  const tied = crowdingDistance(F, true);
  assert.ok(plain[1] < tied[1], `plain ${plain[1]} < propagated ${tied[1]}`);
  assert.ok(tied[1] > 0 && tied[2] > 0);
});

test('survival keeps whole fronts, then the most spread part of the split front', () => {
  const F = [
    [0, 10],
    [10, 0],
    [5, 5],
    [4.9, 5.1],
    [1, 9],
    [11, 11],
    [12, 12],
  ];
  const s = rankAndCrowdingSurvival(F, 4, new Rng(1));
  assert.equal(s.indices.length, 4);
  assert.ok(s.indices.includes(0) && s.indices.includes(1), 'boundary points survive');
  assert.ok(!s.indices.includes(5) && !s.indices.includes(6), 'dominated points do not');
  assert.ok(s.rank.every((r) => r === 0));
});

test('tournament: the dominating competitor always wins', () => {
  const pop = [
    { F: [0, 0], crowding: 0 },
    { F: [1, 1], crowding: 1e14 },
  ];
  const pairs = binaryTournament(pop, 50, new Rng(2));
  // Every match between 0 and 1 is won by 0; matches of 1 against itself are the only way to pick 1.
  const picks = pairs.flat();
  assert.ok(picks.filter((i) => i === 0).length > picks.length / 2);
});

test('bit-flip mutation at NSGA-Net’s effective rate flips about (8/51)/n per bit', () => {
  const n = 21;
  const m = BitFlipMutation.nsganet(n);
  const rng = new Rng(3);
  const zeros = '0'.repeat(n);
  let flips = 0;
  const trials = 40_000;
  for (let t = 0; t < trials; t++) flips += [...m.mutate(zeros, rng)].filter((b) => b === '1').length;
  const perChild = flips / trials;
  assert.ok(Math.abs(perChild - 8 / 51) < 0.01, `flips per child ${perChild} ≈ ${8 / 51}`);
});

test('two-point crossover swaps one contiguous segment and keeps bit counts', () => {
  const rng = new Rng(4);
  for (let t = 0; t < 200; t++) {
    const [a, b] = new RandomBitSampling(21).sample(2, rng);
    const [c1, c2] = new TwoPointCrossover().cross(a, b, rng);
    for (let i = 0; i < 21; i++) assert.deepEqual([c1[i], c2[i]].sort(), [a[i], b[i]].sort());
    let segment = false;
    for (let lo = 1; lo < 21 && !segment; lo++) {
      for (let hi = lo + 1; hi <= 21 && !segment; hi++) {
        segment =
          c1 === a.slice(0, lo) + b.slice(lo, hi) + a.slice(hi) &&
          c2 === b.slice(0, lo) + a.slice(lo, hi) + b.slice(hi);
      }
    }
    assert.ok(segment, `children of ${a} × ${b} swap one segment`);
  }
});

test('seeded streams are reproducible and independent', () => {
  assert.equal(new Rng(5, 'mating', 2).random(), new Rng(5, 'mating', 2).random());
  assert.notEqual(new Rng(5, 'mating', 2).random(), new Rng(5, 'mating', 3).random());
});

test('indicators: the true front has IGD 0 and the published hypervolume', () => {
  const pf = zdtParetoFront('zdt1');
  assert.equal(igd(pf, pf), 0);
  // 100 points of the front under-cover the continuous front's 0.8766 a little.
  const hv = hypervolume2d(pf, [1.1, 1.1]);
  assert.ok(hv > 0.87 && hv < 0.8767, `hv ${hv}`);
});
