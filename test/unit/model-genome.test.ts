// Genome validation and the canonical spec hash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cost, decode, genomeLength, GenomeError, parseGenome } from '../../common/model';
import { specHash } from '../../runner/src/model/hash';

const opts = (nodes = 4) => ({ nodes, initChannels: 24, input: { channels: 1, height: 127, width: 127 }, classes: 2 });

test('genome lengths: 21 bits for 4 nodes, 48 for 6', () => {
  assert.equal(genomeLength(4), 21);
  assert.equal(genomeLength(6), 48);
});

test('a genome of the wrong length or with other characters is a clear error', () => {
  assert.throws(
    () => parseGenome('0101', 4),
    (e: Error) => e instanceof GenomeError && /4 bits.*need 21/.test(e.message),
  );
  assert.throws(() => parseGenome('00011011100000011001x', 4), /"x" at position 20/);
  assert.equal(parseGenome('0001101 1100000 0110010', 4), '000110111000000110010');
});

test('genomes that differ only in dead bits hash the same; different networks do not', () => {
  // Phase 3 inactive: its skip bit is dead.
  const a = decode('1000000' + '1000000' + '0000000', opts());
  const b = decode('1000000' + '1000000' + '0000001', opts());
  const c = decode('1000000' + '1000001' + '0000000', opts());
  assert.equal(specHash(a), specHash(b));
  assert.notEqual(specHash(a), specHash(c));
});

test('6 nodes per phase decode and cost', () => {
  const spec = decode('1'.repeat(48), opts(6));
  assert.equal(spec.phases.length, 3);
  assert.equal(spec.phases[0].nodes.length, 6);
  assert.ok(cost(spec).mflops > 0);
});

test('an inactive first phase shifts channels and the 3×3 entry conv to the next active phase', () => {
  const spec = decode('0000000' + '1000000' + '1000000', opts());
  assert.deepEqual(
    spec.phases.map((p) => [p.genomePhase, p.inChannels, p.channels, p.entryConv.kernel]),
    [
      [1, 1, 24, 3],
      [2, 24, 48, 1],
    ],
  );
});

test('the all-inactive genome is global average pooling + linear', () => {
  const spec = decode('0'.repeat(21), opts());
  assert.equal(spec.phases.length, 0);
  assert.deepEqual(cost(spec), { flops: 127 * 127 + 2, mflops: 0.0161, params: 4 });
});
