// Early termination in a real search: the tfjs engine (wasm, a real worker process) trains the
// candidates of a small search on a separable synthetic dataset with training.earlyStop
// "front-bound"; candidates the policy stops end early in the engine and are recorded with their
// history and the reason (status ok, never failed), and NSGA-II gets their last measured accuracy.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../common/config';
import { LocalExecutor } from '../../runner/src/exec/local';
import { createRun } from '../../runner/src/search/execute';
import { runSearch } from '../../runner/src/search/loop';
import { readCandidates, readEvents } from '../../runner/src/store';
import { writeSyntheticDataset } from '../helpers/npy';

const tmp = mkdtempSync(join(tmpdir(), 'pareto-earlystop-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('front-bound stops candidates in the engine and records them with their history and reason', async (t) => {
  const dataset = writeSyntheticDataset(join(tmp, 'ds'), { size: 12, classes: 4, train: 64, val: 32, seed: 3 });
  const EPOCHS = 6;
  const config = parseConfig({
    name: 'early-stop',
    dataset,
    search: { population: 8, offspring: 4, generations: 2, initChannels: 4, seed: 2 },
    training: { epochs: EPOCHS, batchSize: 16, learningRate: 0.05, earlyStop: 'front-bound' },
    engine: { name: 'tfjs', tfjsBackend: 'wasm' },
    executor: { workers: 1 },
  });
  const store = await createRun(config, join(tmp, 'run'));
  const executor = new LocalExecutor({ engine: config.engine, executor: config.executor, gpus: [], cpus: 1 });
  try {
    assert.equal(await runSearch({ store, executor }), 'completed');
  } finally {
    await executor.close();
  }
  const records = readCandidates(store.dir);
  const stopped = records.filter((r) => r.earlyStop);
  t.diagnostic(
    records
      .map(
        (r) =>
          `${r.id} ${r.mflops} MFLOPs ${r.valAccuracy}% ${r.epochs.length} epochs ${r.earlyStop?.reason ?? r.status}`,
      )
      .join('; '),
  );
  assert.ok(
    stopped.length > 0,
    `some candidate was stopped (accuracies ${records.map((r) => r.valAccuracy).join(', ')})`,
  );
  assert.ok(
    records.every((r) => r.status !== 'failed'),
    'a stop is never a failure',
  );
  const epochEvents = readEvents(store.dir).filter((e) => e.type === 'candidate-epoch');
  for (const r of stopped) {
    const s = r.earlyStop!;
    assert.equal(r.status, 'ok');
    assert.equal(s.policy, 'front-bound');
    assert.equal(s.epochsPlanned, EPOCHS);
    assert.equal(s.epochsTrained, r.epochs.length);
    assert.ok(r.epochs.length < EPOCHS, `${r.id} trained ${r.epochs.length} of ${EPOCHS} epochs`);
    assert.equal(r.valAccuracy, r.epochs.at(-1)!.valAccuracy, 'the objective is the last measured accuracy');
    assert.equal(r.error, 100 - r.valAccuracy!);
    assert.equal(
      epochEvents.filter((e) => e.type === 'candidate-epoch' && e.id === r.id).length,
      r.epochs.length,
      'every trained epoch was streamed',
    );
    if (s.reason === 'dominated') {
      const blocker = records.find((b) => b.id === s.dominatedBy);
      assert.ok(blocker && blocker.mflops <= r.mflops, `${r.id} is blocked by a network with no more MFLOPs`);
      assert.ok(s.upperBound! < blocker.valAccuracy! + 0.2 + 1e-9);
    } else {
      assert.equal(s.prediction?.kind, 'prediction');
    }
  }
  // Candidates not stopped trained every epoch.
  for (const r of records.filter((x) => x.status === 'ok' && !x.earlyStop)) assert.equal(r.epochs.length, EPOCHS, r.id);
});
