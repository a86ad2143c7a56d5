// The search loop against a test double of the executor: recording, duplicates, failures,
// cancellation, and resume after a crash reproducing the uninterrupted search exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type SearchConfigInput } from '../../common/config';
import { TrainingError, type TrainJob, type TrainResult } from '../../runner/src/engines/engine';
import type { Executor, ExecutorHooks } from '../../runner/src/exec/executor';
import type { NetworkSpec } from '../../common/model';
import type { RunInfo } from '../../common/protocol';
import { runSearch } from '../../runner/src/search/loop';
import { readCandidates, readEvents, readSnapshots, RunStore } from '../../runner/src/store';

const info: RunInfo = {
  runner: 'test',
  createdAt: new Date(0).toISOString(),
  dataset: { dir: '/nonexistent/dataset', name: 'synthetic', shape: [1, 16, 16], classes: ['a', 'b'] },
};

/** Accuracy grows with the number of node inputs, so error and FLOPs trade off as in a real search. */
function fakeAccuracy(spec: NetworkSpec): number {
  const edges = spec.phases.reduce((n, p) => n + p.nodes.reduce((m, node) => m + node.inputs.length, 0), 0);
  const h = [...JSON.stringify(spec)].reduce((acc, ch) => (acc * 31 + ch.charCodeAt(0)) % 997, 0);
  return Math.min(99, 50 + 2 * edges + (h % 7) / 10);
}

class FakeExecutor implements Executor {
  trained: string[] = [];
  constructor(private readonly opts: { crashAfter?: number; fail?: (spec: NetworkSpec) => boolean } = {}) {}
  describe() {
    return 'fake';
  }
  async close() {}
  async evaluate(jobs: TrainJob[], hooks: ExecutorHooks): Promise<void> {
    for (const job of jobs) {
      if (hooks.signal?.aborted) {
        // Like the local executor: the job in flight reports a cancellation.
        await hooks.onResult(job.id, new TrainingError('cancelled', 'training cancelled'));
        return;
      }
      if (this.opts.crashAfter !== undefined && this.trained.length >= this.opts.crashAfter)
        throw new Error('simulated crash');
      hooks.onStart?.(job.id);
      this.trained.push(job.id);
      if (this.opts.fail?.(job.spec)) {
        await hooks.onResult(job.id, new TrainingError('nan-loss', 'loss became NaN in epoch 1'));
        continue;
      }
      const acc = fakeAccuracy(job.spec);
      const result: TrainResult = {
        epochs: [
          { epoch: 0, trainLoss: 0.5, trainAccuracy: acc, valAccuracy: acc, learningRate: 0.025, seconds: 0.01 },
        ],
        valAccuracy: acc,
        params: 0,
        device: 'fake',
      };
      hooks.onEpoch?.(job.id, result.epochs[0]);
      await hooks.onResult(job.id, result);
    }
  }
}

function config(overrides: Partial<SearchConfigInput['search']> = {}) {
  return parseConfig({
    name: 'unit',
    dataset: info.dataset.dir,
    search: { population: 8, offspring: 8, generations: 4, nodes: 4, initChannels: 8, seed: 3, ...overrides },
  } satisfies SearchConfigInput);
}

function newRun(cfg = config()): RunStore {
  return RunStore.create(mkdtempSync(join(tmpdir(), 'pnas-loop-')), cfg, info);
}

test('a complete search records every evaluation, snapshot and event', async () => {
  const store = newRun();
  const outcome = await runSearch({ store, executor: new FakeExecutor() });
  assert.equal(outcome, 'completed');
  const records = readCandidates(store.dir);
  assert.equal(records.length, 8 + 3 * 8);
  assert.deepEqual(
    readSnapshots(store.dir).map((s) => s.generation),
    [1, 2, 3, 4],
  );
  const events = readEvents(store.dir);
  assert.deepEqual(
    events.map((e) => e.seq),
    events.map((_, i) => i + 1),
  );
  assert.equal(events.at(-1)?.type, 'run-finished');
  for (const r of records.filter((r) => r.generation > 1)) {
    assert.equal(r.parents.length, 2, `${r.id} has two parents`);
    assert.ok(
      records.some((q) => q.id === r.parents[0]),
      `${r.id}'s parent ${r.parents[0]} exists`,
    );
  }
  const final = readSnapshots(store.dir).at(-1)!;
  assert.equal(final.population.length, 8);
  assert.ok(final.population.some((m) => m.rank === 0));
});

test('the same seed gives the same search; another seed gives another', async () => {
  const runs = [config(), config(), config({ seed: 4 })].map(newRun);
  for (const store of runs) await runSearch({ store, executor: new FakeExecutor() });
  const genomes = runs.map((s) =>
    readCandidates(s.dir)
      .map((r) => r.genome)
      .join(','),
  );
  assert.equal(genomes[0], genomes[1]);
  assert.notEqual(genomes[0], genomes[2]);
});

for (const crashAfter of [3, 8, 13, 21]) {
  test(`a crash after ${crashAfter} trainings, then resume, ends with the uninterrupted search's population`, async () => {
    const reference = newRun();
    await runSearch({ store: reference, executor: new FakeExecutor() });

    const crashed = newRun();
    await assert.rejects(runSearch({ store: crashed, executor: new FakeExecutor({ crashAfter }) }), /simulated crash/);
    appendFileSync(join(crashed.dir, 'candidates.jsonl'), '{"id":"g9-torn'); // an append cut by kill -9
    const resumedExecutor = new FakeExecutor();
    const outcome = await runSearch({ store: RunStore.open(crashed.dir), executor: resumedExecutor });
    assert.equal(outcome, 'completed');

    const finalOf = (dir: string) => readSnapshots(dir).at(-1)!.population;
    assert.deepEqual(finalOf(crashed.dir), finalOf(reference.dir));
    const strip = (dir: string) =>
      readCandidates(dir).map(({ id, genome, status, valAccuracy }) => ({ id, genome, status, valAccuracy }));
    assert.deepEqual(
      strip(crashed.dir).sort((a, b) => a.id.localeCompare(b.id)),
      strip(reference.dir).sort((a, b) => a.id.localeCompare(b.id)),
    );
    const trainedBefore = readCandidates(reference.dir).filter((r) => r.status === 'ok').length;
    assert.ok(resumedExecutor.trained.length < trainedBefore, 'resume does not retrain recorded candidates');
    const events = readEvents(crashed.dir);
    assert.deepEqual(
      events.map((e) => e.seq),
      events.map((_, i) => i + 1),
      'seq stays monotonic across the crash',
    );
  });
}

test('genomes that decode to an already trained network reuse its result', async () => {
  // With 2 nodes per phase each phase has one edge bit and one skip bit; an inactive phase's skip
  // bit is dead, so distinct genomes often decode to the same network.
  const store = newRun(config({ nodes: 2, population: 10, offspring: 10, generations: 3 }));
  const executor = new FakeExecutor();
  await runSearch({ store, executor });
  const records = readCandidates(store.dir);
  const reused = records.filter((r) => r.status === 'reused');
  assert.ok(reused.length > 0, 'some candidates are reused');
  for (const r of reused) {
    const source = records.find((q) => q.id === r.reusedFrom)!;
    assert.equal(source.specHash, r.specHash);
    assert.notEqual(source.id, r.id);
    assert.equal(r.valAccuracy, source.valAccuracy);
  }
  assert.equal(executor.trained.length, records.filter((r) => r.status === 'ok').length);
});

test('a failed training is recorded with its reason and the search goes on', async () => {
  const store = newRun();
  const outcome = await runSearch({
    store,
    executor: new FakeExecutor({ fail: (spec) => spec.phases.length < 3 || spec.phases[0].nodes.length === 2 }),
  });
  assert.equal(outcome, 'completed');
  const failed = readCandidates(store.dir).filter((r) => r.status === 'failed');
  assert.ok(failed.length > 0, 'some candidates failed');
  for (const f of failed) {
    assert.equal(f.error, 100);
    assert.equal(f.failure?.kind, 'nan-loss');
    assert.match(f.failure!.message, /NaN/);
  }
});

test('cancelling stops the search and records it', async () => {
  const store = newRun();
  const controller = new AbortController();
  const executor = new FakeExecutor();
  const original = executor.evaluate.bind(executor);
  executor.evaluate = async (jobs, hooks) => {
    controller.abort();
    return original(jobs, hooks);
  };
  const outcome = await runSearch({ store, executor, signal: controller.signal });
  assert.equal(outcome, 'cancelled');
  const last = readEvents(store.dir).at(-1)!;
  assert.equal(last.type, 'run-finished');
  assert.equal(last.type === 'run-finished' && last.status, 'cancelled');
  assert.deepEqual(readCandidates(store.dir), [], 'a cancelled training is not recorded, so resume trains it');
  assert.ok(readFileSync(join(store.dir, 'config.json'), 'utf8').includes('"unit"'));
});

test('a search in which every candidate failed ends failed with the first failure, not completed', async () => {
  const store = newRun(config({ generations: 2 }));
  const outcome = await runSearch({ store, executor: new FakeExecutor({ fail: () => true }) });
  assert.equal(outcome, 'failed');
  const finished = readEvents(store.dir).at(-1)!;
  assert.ok(finished.type === 'run-finished' && finished.status === 'failed', JSON.stringify(finished));
  assert.match(
    finished.type === 'run-finished' ? (finished.message ?? '') : '',
    /all \d+ candidates failed to train; the first: nan-loss: loss became NaN/,
  );
});

test('search.initialGenomes are the first candidates of generation 1, the rest of it random; bad ones are refused by the config', async () => {
  // 4 nodes: 7 bits per phase; written with the spaces and "|" a paper's table would have
  const seeds = ['1011011 0000000 1111111', '0000001|1100101|0010110'];
  const store = newRun(config({ population: 6, offspring: 4, generations: 2, initialGenomes: seeds }));
  assert.equal(await runSearch({ store, executor: new FakeExecutor() }), 'completed');
  const first = readCandidates(store.dir)
    .filter((r) => r.generation === 1)
    .sort((a, b) => a.index - b.index);
  assert.equal(first.length, 6);
  assert.deepEqual(
    first.slice(0, 2).map((r) => r.genome),
    seeds.map((g) => g.replace(/[\s|]/g, '')),
  );
  // the random rest is what an unseeded search of the same seed draws first
  const plain = newRun(config({ population: 6, offspring: 4, generations: 1 }));
  await runSearch({ store: plain, executor: new FakeExecutor() });
  const plainFirst = readCandidates(plain.dir)
    .sort((a, b) => a.index - b.index)
    .map((r) => r.genome);
  assert.deepEqual(
    first.slice(2).map((r) => r.genome),
    plainFirst.slice(0, 4),
  );

  assert.throws(
    () => config({ initialGenomes: ['101'] }),
    /search\.initialGenomes\.0: genome "101" has 3 bits; 3 phases of 4 nodes need 21/,
  );
  assert.throws(
    () => config({ population: 2, initialGenomes: [seeds[0], seeds[0], seeds[1]] }),
    /3 initial genomes do not fit a population of 2/,
  );
});
