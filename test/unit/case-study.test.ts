// The case study's bookkeeping without engines: step times summed over invocations and not
// counted twice, Table I rows matched to the paper's networks by genome, and their Markdown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLedger, timedStep } from '../../runner/src/case-study/ledger';
import { PAPER_NETWORKS } from '../../runner/src/case-study/paper';
import { caseStudyRows, formatSeconds, rowsMarkdown } from '../../runner/src/case-study/table';
import { cost, decode } from '../../common/model';
import type { CandidateRecord, RefineRecord } from '../../common/protocol';

test("the paper's genomes give the paper's MFLOPs at N=4, C=24 on 1×127×127 with 2 classes", () => {
  for (const n of PAPER_NETWORKS) {
    const spec = decode(n.genome, {
      nodes: 4,
      initChannels: 24,
      input: { channels: 1, height: 127, width: 127 },
      classes: 2,
    });
    assert.equal(cost(spec).mflops, n.mflops, n.name);
  }
});

test('step times add up over interrupted invocations, stop once done, restart with other settings', async () => {
  const out = mkdtempSync(join(tmpdir(), 'pnas-ledger-'));
  const busy = (ms: number) => async () => {
    const until = performance.now() + ms;
    while (performance.now() < until) await new Promise((r) => setImmediate(r));
  };
  await assert.rejects(
    timedStep(out, 'train', 'k1', async () => {
      await busy(20)();
      throw new Error('interrupted');
    }),
    /interrupted/,
  );
  const first = readLedger(out).train!;
  assert.equal(first.done, false);
  assert.ok(first.seconds >= 0.02);
  await timedStep(out, 'train', 'k1', busy(20));
  const done = readLedger(out).train!;
  assert.equal(done.done, true);
  assert.ok(done.seconds >= first.seconds + 0.02);
  await timedStep(out, 'train', 'k1', busy(20));
  assert.equal(readLedger(out).train!.seconds, done.seconds, 'a step already done is not timed again');
  await timedStep(out, 'refine', 'r', busy(1));
  assert.equal(readLedger(out).train!.seconds, done.seconds, 'other steps keep their entries');
  await timedStep(out, 'train', 'k2', busy(1));
  assert.ok(readLedger(out).train!.seconds < done.seconds, 'other settings start the clock over');
});

test('rows follow the paper’s order, matched by genome; missing results show as dashes', () => {
  const c = (id: string, genome: string, valAccuracy: number | null): CandidateRecord => ({
    id,
    generation: 1,
    index: 0,
    genome,
    specHash: id,
    mflops: 1.5,
    params: 10,
    status: valAccuracy === null ? 'failed' : 'ok',
    valAccuracy,
    error: 100 - (valAccuracy ?? 0),
    epochs: [],
    trainSeconds: 1,
    parents: [],
    finishedAt: '',
    ...(valAccuracy === null && { failure: { kind: 'out-of-memory' as const, message: 'CUDA out of memory' } }),
  });
  const refined: RefineRecord = {
    id: 'g1-2',
    candidate: 'g1-2',
    genome: PAPER_NETWORKS[2].genome,
    mflops: 1.5,
    params: 10,
    epochsPlanned: 3,
    epochs: [1, 2, 3].map((e) => ({
      epoch: e - 1,
      trainLoss: 0,
      trainAccuracy: 0,
      valAccuracy: 90 + e,
      learningRate: 0,
      seconds: 1,
    })),
    searchAccuracy: 80,
    valAccuracy: 93,
    status: 'done',
    inference: { images: 10, seconds: 0.01, perImageMs: 1 },
    device: 'torch cpu',
  };
  const rows = caseStudyRows(
    PAPER_NETWORKS,
    [c('g1-2', PAPER_NETWORKS[2].genome, 80), c('g1-1', PAPER_NETWORKS[1].genome, null)],
    [refined],
  );
  assert.deepEqual(
    rows.map((r) => [r.network, r.candidate]),
    [
      ['740', null],
      ['729', 'g1-1'],
      ['736', 'g1-2'],
    ],
  );
  assert.deepEqual(rows[2].measured, {
    mflops: 1.5,
    params: 10,
    accuracyBefore: 80,
    accuracyAfter: 93,
    refineEpochs: 3,
    refineStatus: 'done',
    inferenceMsPerImage: 1,
    device: 'torch cpu',
    failure: null,
  });
  const md = rowsMarkdown(rows).split('\n');
  assert.equal(md[2], '| 740 | `000000100000000000001` | 0.0161 | — | — | 57.1 | — | 57.1 | — | 0 | — |');
  assert.equal(
    md[3],
    '| 729 | `010000000000000000001` | 169.125 | 1.5 | 10 | 92.4 | — | 97.7 | — (out-of-memory: CUDA out of memory) | 0 | — |',
  );
  assert.equal(md[4], '| 736 | `010000100000000000001` | 187.125 | 1.5 | 10 | 94.6 | 80.0 | 98.1 | 93.0 | 3 | 1.00 |');
  assert.deepEqual([formatSeconds(4.21), formatSeconds(125), formatSeconds(7322)], ['4.2 s', '2 min 5 s', '2 h 2 min']);
});
