// executor.workersPerGpu "auto": the rule picks the fewest workers that fill the GPU under the measured
// utilisation model, within GPU memory and host cores, and the config accepts "auto" beside integers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../common/config';
import { LocalExecutor } from '../../runner/src/exec/local';
import { autoWorkersPerGpu, DEFAULT_WORKER_COST, utilisationFromSpeedup } from '../../runner/src/exec/workers-per-gpu';
import { EngineSettings } from '../../common/config';
import type { Engine } from '../../runner/src/engines/engine';

const H200 = { gpus: 1, cpus: 16, gpuMemoryMiB: 143_771 };

test('auto: enough workers to fill the GPU at the modelled utilisation, bounded by memory, cores and the cap', () => {
  assert.equal(autoWorkersPerGpu(H200), Math.ceil(1 / DEFAULT_WORKER_COST.utilisation));
  const model = { utilisation: 0.25, memoryMiB: 10_000, coresPerWorker: 2, maxWorkers: 8 };
  assert.equal(autoWorkersPerGpu(H200, model), 4, '1/u');
  assert.equal(autoWorkersPerGpu({ ...H200, gpuMemoryMiB: 32_768 }, model), 2, 'memory: floor(0.9·32768/10000)');
  assert.equal(autoWorkersPerGpu({ ...H200, cpus: 6 }, model), 3, 'cores: 6 / 2');
  assert.equal(autoWorkersPerGpu({ gpus: 8, cpus: 16, gpuMemoryMiB: 143_771 }, model), 1, '16 cores over 8 GPUs');
  assert.equal(autoWorkersPerGpu(H200, { ...model, utilisation: 0.01 }), 8, 'capped');
  assert.equal(autoWorkersPerGpu({ ...H200, gpuMemoryMiB: 8_192 }, model), 1, 'never below one');
  assert.equal(autoWorkersPerGpu({ ...H200, gpuMemoryMiB: undefined }, model), 1, 'unknown memory: one');
  assert.equal(autoWorkersPerGpu({ gpus: 0, cpus: 16 }), 1, 'no GPU');
});

test('utilisationFromSpeedup inverts the model k / (1 + (k − 1) u)', () => {
  for (const u of [0.1, 0.3, 0.7, 1]) {
    const k = 4;
    const speedup = k / (1 + (k - 1) * u);
    assert.ok(Math.abs(utilisationFromSpeedup(k, speedup)! - u) < 1e-12);
  }
  assert.equal(utilisationFromSpeedup(1, 1), undefined);
});

test('the config accepts workersPerGpu "auto" and integers, and names the field otherwise', () => {
  assert.equal(parseConfig({ dataset: 'd', executor: { workersPerGpu: 'auto' } }).executor.workersPerGpu, 'auto');
  assert.equal(parseConfig({ dataset: 'd' }).executor.workersPerGpu, 1);
  assert.throws(() => parseConfig({ dataset: 'd', executor: { workersPerGpu: 'many' } }), /executor\.workersPerGpu/);
  assert.throws(() => parseConfig({ dataset: 'd', executor: { workersPerGpu: 0 } }), /executor\.workersPerGpu/);
});

test('LocalExecutor resolves "auto" from the GPUs, their memory and the cores', async () => {
  const stub = { name: 'torch', close: async () => undefined } as unknown as Engine;
  const ex = new LocalExecutor({
    engine: EngineSettings.parse({ name: 'torch' }),
    executor: { workersPerGpu: 'auto' },
    gpus: ['0', '1'],
    cpus: 32,
    gpuMemoryMiB: 81_559,
    createEngine: async () => ({ engine: stub }),
  });
  await ex.start();
  const k = autoWorkersPerGpu({ gpus: 2, cpus: 32, gpuMemoryMiB: 81_559 });
  assert.ok(k > 1, 'an 80 GB GPU with 16 cores each takes several workers');
  assert.equal(ex.workerCount, 2 * k);
  assert.match(ex.describe(), /cuda:0, cuda:1, cuda:0/);
  await ex.close();
});
