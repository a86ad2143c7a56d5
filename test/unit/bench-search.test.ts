// bench:search's arithmetic and fixture: per-network rates from reported epochs, the paper-scale
// projection, and the stratified sample of searched genomes (decodable, sorted by MFLOPs, ≥ 24).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cost, decode } from '../../common/model';
import { genomeFromPhaseLists, stratified } from '../../scripts/bench-search/sample';
import { networkTiming, PAPER, paperSeconds, projectedHours } from '../../scripts/bench-search/projection';

test("networkTiming: steady rates from the later epochs, warm-up as the first epoch's excess, start-up as the rest", () => {
  const epochs = [
    { seconds: 5, trainSeconds: 4, valSeconds: 1 },
    { seconds: 2, trainSeconds: 1.6, valSeconds: 0.4 },
    { seconds: 2, trainSeconds: 1.6, valSeconds: 0.4 },
  ];
  const t = networkTiming(epochs, 10, 800, 200);
  assert.equal(t.trainImagesPerSecond, 500);
  assert.equal(t.valImagesPerSecond, 500);
  assert.equal(t.warmupSeconds, 3);
  assert.equal(t.startupSeconds, 1);
  assert.throws(() => networkTiming([], 1, 1, 1), /no epochs/);
});

test('paperSeconds and projectedHours follow the formula, divided by the share', () => {
  const t = { startupSeconds: 1, warmupSeconds: 2, trainImagesPerSecond: 63_508, valImagesPerSecond: 15_876 };
  assert.equal(paperSeconds(t, 1), 3 + 15 * 2);
  assert.equal(paperSeconds(t, 3), 11);
  assert.equal(projectedHours([t, t], 1), (PAPER.networks * 33) / 3600);
});

test('the fixture is a FLOPs-stratified sample of ≥ 24 searched genomes whose MFLOPs match the source', () => {
  const fixture = JSON.parse(readFileSync(join(__dirname, '../../scripts/bench-search/genomes.json'), 'utf8'));
  const genomes = fixture.genomes as Array<{ genome: string; mflops: number; a4nnMflops: number }>;
  assert.ok(genomes.length >= 24);
  for (let i = 1; i < genomes.length; i++) assert.ok(genomes[i].mflops >= genomes[i - 1].mflops, 'sorted by MFLOPs');
  for (const g of genomes) {
    assert.equal(cost(decode(g.genome, fixture.decode)).mflops, g.mflops);
    assert.ok(Math.abs(g.mflops - g.a4nnMflops) < 1e-3, `${g.genome}: ours ${g.mflops}, A4NN ${g.a4nnMflops}`);
  }
  assert.equal(
    genomeFromPhaseLists('[[0, 0, 0, 1, 1, 0, 1], [0, 0, 0, 0, 0, 1, 0], [0, 0, 1, 0, 1, 1, 0]]'),
    '000110100000100010110',
  );
  assert.deepEqual(stratified([1, 2, 3, 4, 5, 6, 7, 8, 9], 3), [2, 5, 8], 'the middle of each third');
  assert.throws(() => stratified([1], 2), /only 1/);
});
