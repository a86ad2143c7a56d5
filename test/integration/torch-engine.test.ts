// The torch engine against a real PyTorch on CPU: the shared Engine contract (test/helpers/engine-contract.ts:
// analytic parameter counts, learning, NaN losses, cancellation and bad input as TrainingError kinds, weights
// round-tripping through the shared TF.js layout, checkpoints that resume to the same result, inference timing,
// bench), then what is torch's own: a Python without torch, the GPU check's spec fixture, a killed worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TrainingError } from '../../runner/src/engines/engine';
import { TorchEngine, TorchUnavailableError } from '../../runner/src/engines/torch';
import { cost, decode } from '../../common/model';
import { engineContract, spec, training } from '../helpers/engine-contract';

const ctx = engineContract('torch', () => TorchEngine.create({}, { threads: 1 }), {
  device: /^torch .* cpu .*fp32/,
  nanEpochs: 3,
});

test('torch: a Python without torch gives an error that names it and says how to fix it', async () => {
  const fake = join(ctx.tmp, 'python-without-torch');
  writeFileSync(fake, '#!/bin/sh\necho "ModuleNotFoundError: No module named \'torch\'" >&2\nexit 1\n');
  chmodSync(fake, 0o755);
  await assert.rejects(TorchEngine.create({ python: fake }), (e: unknown) => {
    assert.ok(e instanceof TorchUnavailableError);
    assert.ok(e.message.includes(fake), e.message);
    assert.match(e.message, /No module named 'torch'/);
    assert.match(e.message, /engine\.python/);
    assert.match(e.message, /pip install torch/);
    return true;
  });
  await assert.rejects(TorchEngine.create({ python: join(ctx.tmp, 'no-such-python') }), /no-such-python: not found/);
});

test('torch: scripts/bench-seed127-spec.json (the GPU check without node) is the decoded seed-size network', () => {
  const fixture = JSON.parse(readFileSync(join(__dirname, '..', '..', 'scripts', 'bench-seed127-spec.json'), 'utf8'));
  const seed = decode('000110111000000110010', {
    nodes: 4,
    initChannels: 24,
    input: { channels: 1, height: 127, width: 127 },
    classes: 2,
  });
  assert.deepEqual(fixture, seed);
  assert.equal(cost(seed).mflops, 893.3721);
});

test('torch: a worker that dies mid-job fails that job as a TrainingError and the next job starts a new worker', async () => {
  const engine = ctx.engine;
  const s = spec('000110111000000110010', 4);
  const job = engine.train(
    { id: 'crash', spec: spec('000110111000000110010', 4, 4), dataset: ctx.quad, training: training({ epochs: 50 }) },
    // Kill the worker process from outside once training is under way (as a crash would).
    {
      onEpoch: (m) =>
        m.epoch === 0 && (engine as unknown as { proc: { kill(sig: string): void } }).proc.kill('SIGTERM'),
    },
  );
  await assert.rejects(
    job,
    (e: unknown) => e instanceof TrainingError && e.kind === 'engine-error' && /killed by SIGTERM/.test(e.message),
  );
  const r = await engine.train({ id: 'after-crash', spec: s, dataset: ctx.tiny, training: training() });
  assert.equal(r.epochs.length, 1);
});
