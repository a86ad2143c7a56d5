// The tfjs engine through its worker process (the wasm backend on this CPU): the shared Engine contract
// (test/helpers/engine-contract.ts: analytic parameter counts, learning, NaN losses, cancellation and bad
// input as TrainingError kinds, weights round-tripping through the shared TF.js layout, checkpoints that
// resume, inference timing, bench), then what is tfjs's own: the backend it reports, a backend that cannot start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineSettings } from '../../common/config';
import { createTfjsEngine } from '../../runner/src/engines/tfjs';
import { engineContract } from '../helpers/engine-contract';

const ctx = engineContract(
  'tfjs',
  () => createTfjsEngine(EngineSettings.parse({ name: 'tfjs', tfjsBackend: 'wasm' })),
  {
    device: /^tfjs .* wasm$/,
    nanEpochs: 12,
  },
);

test('tfjs: reports its backend', async () => {
  const info = await ctx.engine.info();
  assert.equal(info.name, 'tfjs');
  assert.match(info.description, /^tfjs \d+\.\d+\.\d+ wasm$/);
});

test('tfjs: an unknown or missing backend fails at creation with the reason', async () => {
  await assert.rejects(
    createTfjsEngine(EngineSettings.parse({ name: 'tfjs', tfjsBackend: 'node' })),
    (e: unknown) => e instanceof Error && /tfjs-node/.test(e.message),
  );
});
