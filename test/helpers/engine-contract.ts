// The Engine contract, defined once and run against each engine (test/integration/torch-engine.test.ts
// and tfjs-engine.test.ts): parameter counts equal the analytic ones, it learns a separable dataset
// on a cosine schedule, NaN losses, cancellation and bad input come back as TrainingError kinds and
// the worker goes on, weights round-trip through the shared TF.js layout (weights.ts names) with
// identical logits, checkpoints resume to the same result, inference timing and bench report sizes.
// Each engine's file passes how to open it, and keeps only the tests that are its own.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrainingSettings } from '../../common/config';
import {
  TrainingError,
  type BenchEngine,
  type TrainHooks,
  type TrainJob,
  type TrainResult,
} from '../../runner/src/engines/engine';
import { weightEntries } from '../../runner/src/engines/weights';
import { cost, decode, type NetworkSpec } from '../../common/model';
import { writeSyntheticDataset } from './npy';

/** What the contract needs of an engine: training with a logits probe, predict from saved weights, bench. */
export interface EngineUnderTest extends BenchEngine {
  train(job: TrainJob & { probeLogits?: number }, hooks?: TrainHooks): Promise<TrainResult & { probe?: number[][] }>;
  predict(req: { spec: NetworkSpec; weights: string; dataset: string; limit?: number }): Promise<number[][]>;
}

/** Where the engines honestly differ; everything else is asserted the same for both. */
export interface EngineContractOptions {
  /** What TrainResult.device says on this machine (engine, backend, device), for every run. */
  device: RegExp;
  /** Epochs the diverging run gets to reach a NaN loss (torch overflows in 3, tfjs needs more). */
  nanEpochs: number;
}

/** Side of the synthetic images (the datasets below and spec()). */
export const SIZE = 12;

/** The decoded network for a genome on the SIZE×SIZE, one-channel synthetic data. */
export function spec(genome: string, C = 4, classes = 2): NetworkSpec {
  return decode(genome, { nodes: 4, initChannels: C, input: { channels: 1, height: SIZE, width: SIZE }, classes });
}

/** Training settings: one epoch, batch 16, unless overridden. */
export function training(over: Partial<TrainingSettings> = {}): TrainingSettings {
  return TrainingSettings.parse({ epochs: 1, batchSize: 16, ...over });
}

const GENOMES = [
  '000000000000000000000',
  '000000100000000000001',
  '010000000000000000001',
  '010000100000000000001',
  '000110111000000110010',
];

/** The engine under test and the file's temp folder, for an engine's own tests after the contract. */
export interface EngineContext<E extends EngineUnderTest> {
  /** Opened in before(), closed in after(). */
  readonly engine: E;
  /** Temp folder, removed in after(). */
  readonly tmp: string;
  /** 2 classes, 16 train / 8 val images. */
  readonly tiny: string;
  /** 4 separable classes, 128 train / 64 val images. */
  readonly quad: string;
}

/**
 * Registers the contract's tests (named "<label>: …") with a before() that opens the engine and an
 * after() that closes it and removes the temp folder with the synthetic datasets.
 */
export function engineContract<E extends EngineUnderTest>(
  label: string,
  open: () => Promise<E>,
  options: EngineContractOptions,
): EngineContext<E> {
  const tmp = mkdtempSync(join(tmpdir(), `pareto-${label}-`));
  const tiny = writeSyntheticDataset(join(tmp, 'tiny'), { size: SIZE, train: 16, val: 8 });
  const quad = writeSyntheticDataset(join(tmp, 'quad'), { size: SIZE, classes: 4, train: 128, val: 64, seed: 7 });
  let engine: E | undefined;
  const ctx: EngineContext<E> = {
    get engine(): E {
      if (!engine) throw new Error(`${label} engine is not open (before() failed or has not run)`);
      return engine;
    },
    tmp,
    tiny,
    quad,
  };

  before(async () => {
    engine = await open();
  });

  after(async () => {
    await engine?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  const name = (what: string) => `${label}: ${what}`;

  test(name('parameter count equals the analytic count for every genome (C=4 and C=24)'), async () => {
    for (const genome of GENOMES) {
      for (const C of [4, 24]) {
        const s = spec(genome, C);
        const r = await ctx.engine.train({ id: `p-${genome}-${C}`, spec: s, dataset: tiny, training: training() });
        assert.equal(r.params, cost(s).params, `${genome} C=${C}`);
        assert.equal(r.epochs.length, 1);
        assert.match(r.device, options.device);
      }
    }
    // The spec's worked example (arch 51, C=24) has a known size independent of this code's own counter.
    assert.equal(
      cost(
        decode('000110111000000110010', {
          nodes: 4,
          initChannels: 24,
          input: { channels: 1, height: 127, width: 127 },
          classes: 2,
        }),
      ).params,
      442586,
    );
  });

  test(name('learns a separable 4-class dataset well above chance (25%)'), async () => {
    const epochs: number[] = [];
    const r = await ctx.engine.train(
      {
        id: 'learn',
        spec: spec('000110111000000110010', 4, 4),
        dataset: quad,
        training: training({ epochs: 6, learningRate: 0.05 }),
      },
      { onEpoch: (m) => epochs.push(m.epoch) },
    );
    assert.deepEqual(epochs, [0, 1, 2, 3, 4, 5]);
    assert.ok(r.valAccuracy >= 80, `val accuracy ${r.valAccuracy}% after 6 epochs`);
    assert.ok(r.epochs[5].trainLoss < r.epochs[0].trainLoss, 'training loss goes down');
    assert.ok(Math.abs(r.epochs[1].learningRate - (0.05 / 2) * (1 + Math.cos(Math.PI / 6))) < 1e-12, 'cosine schedule');
    assert.match(r.device, options.device);
  });

  test(
    name(
      `a diverging run (huge learning rate, no clipping: the loss overflows within ${options.nanEpochs} epochs) is reported as nan-loss`,
    ),
    async () => {
      await assert.rejects(
        ctx.engine.train({
          id: 'nan',
          spec: spec('010000100000000000001'),
          dataset: tiny,
          training: training({ epochs: options.nanEpochs, learningRate: 1e12, gradClip: null, schedule: 'constant' }),
        }),
        (e: unknown) => e instanceof TrainingError && e.kind === 'nan-loss',
      );
      // The worker survives a failed job.
      const r = await ctx.engine.train({
        id: 'after-nan',
        spec: spec('000000000000000000000'),
        dataset: tiny,
        training: training(),
      });
      assert.equal(r.epochs.length, 1);
    },
  );

  test(name('weights save → load gives identical logits, in the weights.ts layout'), async () => {
    const s = spec('000110111000000110010', 4);
    const dir = join(tmp, 'weights');
    const r = await ctx.engine.train({
      id: 'save',
      spec: s,
      dataset: tiny,
      training: training({ epochs: 2 }),
      saveWeightsTo: dir,
      probeLogits: 8,
    });
    assert.equal(r.weights, dir);
    const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const manifest = model.weightsManifest[0].weights as Array<{ name: string; shape: number[]; dtype: string }>;
    const entries = weightEntries(s);
    assert.deepEqual(
      manifest.map((w) => [w.name, w.shape]),
      entries.map((w) => [w.name, w.shape]),
    );
    assert.ok(manifest.every((w) => w.dtype === 'float32'));
    assert.deepEqual(model.modelTopology.networkSpec, s);
    assert.equal(model.userDefinedMetadata.layout, 'pytorch');
    const floats = entries.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
    assert.equal(statSync(join(dir, 'weights.bin')).size, 4 * floats);
    // BatchNorm running statistics were trained (not the initial 0 / 1).
    const bin = readFileSync(join(dir, 'weights.bin'));
    const values = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
    let offset = 0;
    for (const w of entries) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      if (w.name.endsWith('.running_mean'))
        assert.ok(
          values.subarray(offset, offset + n).some((v) => v !== 0),
          `${w.name} was updated`,
        );
      offset += n;
    }

    const loaded = await ctx.engine.predict({ spec: s, weights: dir, dataset: tiny, limit: 8 });
    assert.equal(loaded.length, 8);
    assert.equal(r.probe?.length, 8);
    assert.deepEqual(loaded, r.probe, 'same logits after save and load');
    // A different network's weights do not load silently.
    await assert.rejects(
      ctx.engine.predict({ spec: spec('000110111000000110010', 6), weights: dir, dataset: tiny }),
      (e: unknown) => e instanceof TrainingError && e.kind === 'bad-input' && /shape/.test(e.message),
    );
  });

  test(
    name('checkpoints: a cancelled run resumes from its last epoch and ends where an uninterrupted run ends'),
    async () => {
      const s = spec('010000100000000000001');
      const t = training({ epochs: 4 });
      const straight = await ctx.engine.train({ id: 'straight', spec: s, dataset: tiny, training: t });
      const ck = join(tmp, 'ck');
      const ac = new AbortController();
      await assert.rejects(
        ctx.engine.train(
          { id: 'part', spec: s, dataset: tiny, training: t, checkpointDir: ck },
          { signal: ac.signal, onEpoch: (m) => m.epoch === 1 && ac.abort() },
        ),
        (e: unknown) => e instanceof TrainingError && e.kind === 'cancelled',
      );
      const seen: number[] = [];
      const resumed = await ctx.engine.train(
        { id: 'resume', spec: s, dataset: tiny, training: t, checkpointDir: ck },
        { onEpoch: (m) => seen.push(m.epoch) },
      );
      assert.ok(seen.length < 4 && seen.at(-1) === 3, `resumed epochs ${seen}`);
      assert.equal(resumed.epochs.length, 4);
      assert.equal(resumed.epochs[3].trainLoss, straight.epochs[3].trainLoss, 'the same loss as without interruption');
      assert.equal(resumed.valAccuracy, straight.valAccuracy);
      // A checkpoint of other settings is refused, naming the field.
      await assert.rejects(
        ctx.engine.train({
          id: 'other',
          spec: s,
          dataset: tiny,
          training: training({ epochs: 4, learningRate: 0.1 }),
          checkpointDir: ck,
        }),
        (e: unknown) => e instanceof TrainingError && e.kind === 'bad-input' && /learningRate/.test(e.message),
      );
    },
  );

  // At 200 ms tfjs (wasm) is still in its first epoch and torch (CPU) a few epochs in; either way the
  // cancel reaches a running worker (started by the tests above) mid-run and must stop it within 5 s.
  test(name('cancellation 200 ms into a 50-epoch run stops the job promptly, and the engine goes on'), async () => {
    const ac = new AbortController();
    const job = ctx.engine.train(
      { id: 'cancel', spec: spec('000110111000000110010', 8, 4), dataset: quad, training: training({ epochs: 50 }) },
      { signal: ac.signal },
    );
    setTimeout(() => ac.abort(), 200);
    const t0 = Date.now();
    await assert.rejects(job, (e: unknown) => e instanceof TrainingError && e.kind === 'cancelled');
    assert.ok(Date.now() - t0 < 5000, 'stopped promptly');
    const r = await ctx.engine.train({
      id: 'after-cancel',
      spec: spec('000000000000000000000'),
      dataset: tiny,
      training: training(),
    });
    assert.equal(r.epochs.length, 1);
  });

  // Early termination: the worker ends the job as soon as the stop arrives (at worst one more epoch
  // finishes first) and resolves with the epochs it finished, not an error; the engine goes on.
  test(
    name('stopAfter ends a 50-epoch run after the asked epoch with a result holding the epochs so far'),
    async () => {
      const asked: number[] = [];
      const r = await ctx.engine.train(
        { id: 'stop', spec: spec('000110111000000110010', 8, 4), dataset: quad, training: training({ epochs: 50 }) },
        { stopAfter: (m) => (asked.push(m.epoch), m.epoch >= 1) },
      );
      assert.ok(
        r.epochs.length >= 2 && r.epochs.length <= 3,
        `trained ${r.epochs.length} epochs (asked to stop after 2)`,
      );
      assert.deepEqual(
        r.epochs.map((e) => e.epoch),
        asked,
        'every finished epoch was reported before the result',
      );
      assert.equal(r.valAccuracy, r.epochs.at(-1)!.valAccuracy, 'the result is the last measured accuracy');
      const after = await ctx.engine.train({
        id: 'after-stop',
        spec: spec('000000000000000000000'),
        dataset: tiny,
        training: training({ epochs: 2 }),
      });
      assert.equal(after.epochs.length, 2, 'a stop does not leak into the next job');
    },
  );

  // A fresh engine: torch starts its worker with the first job, and a cancel during that start
  // (importing torch takes seconds) must not be lost.
  test(name('a cancel that arrives while the worker is starting cancels the job'), async () => {
    const fresh = await open();
    try {
      const ac = new AbortController();
      const job = fresh.train(
        {
          id: 'cancel-at-start',
          spec: spec('000110111000000110010', 8, 4),
          dataset: quad,
          training: training({ epochs: 50 }),
        },
        { signal: ac.signal },
      );
      setTimeout(() => ac.abort(), 20);
      await assert.rejects(job, (e: unknown) => e instanceof TrainingError && e.kind === 'cancelled');
    } finally {
      await fresh.close();
    }
  });

  test(name('bad input names the field: spec input size differs from the dataset'), async () => {
    const s = decode('010000100000000000001', {
      nodes: 4,
      initChannels: 4,
      input: { channels: 1, height: 16, width: 16 },
      classes: 2,
    });
    await assert.rejects(
      ctx.engine.train({ id: 'bad', spec: s, dataset: tiny, training: training() }),
      (e: unknown) => e instanceof TrainingError && e.kind === 'bad-input' && /spec\.input/.test(e.message),
    );
    await assert.rejects(
      ctx.engine.train({
        id: 'nodata',
        spec: spec('010000100000000000001'),
        dataset: join(tmp, 'missing'),
        training: training(),
      }),
      (e: unknown) => e instanceof TrainingError && e.kind === 'bad-input' && /dataset\.json/.test(e.message),
    );
  });

  test(name('inference timing on the validation split'), async () => {
    const r = await ctx.engine.train({
      id: 'infer',
      spec: spec('000000100000000000001'),
      dataset: tiny,
      training: training(),
      measureInference: true,
    });
    assert.equal(r.inference?.images, 8);
    assert.ok(r.inference!.seconds > 0 && r.inference!.perImageMs > 0);
  });

  test(name('bench: device-resident training throughput with the analytic parameter count'), async () => {
    const s = spec('000110111000000110010', 4);
    const r = await ctx.engine.bench({ spec: s, batchSize: 8, steps: 2, warmup: 1, mixedPrecision: 'off' });
    assert.ok(r.imagesPerSecond > 0 && r.seconds > 0);
    assert.equal(r.params, cost(s).params);
  });

  return ctx;
}
