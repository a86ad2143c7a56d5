// The local executor with real torch workers on CPU: several candidates train at once on separate
// worker processes and each is reported through onResult with its own result.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineSettings, TrainingSettings } from '../../common/config';
import { TrainingError, type TrainResult } from '../../runner/src/engines/engine';
import { LocalExecutor } from '../../runner/src/exec/local';
import { decode } from '../../common/model';
import { writeSyntheticDataset } from '../helpers/npy';

const tmp = mkdtempSync(join(tmpdir(), 'pareto-exec-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('local executor trains 4 candidates on 2 torch workers in parallel and reports each', async () => {
  const dataset = writeSyntheticDataset(join(tmp, 'ds'), { size: 12, train: 32, val: 16 });
  const ex = new LocalExecutor({
    engine: EngineSettings.parse({ name: 'torch', device: 'cpu' }),
    executor: { workers: 2 },
    gpus: [],
    cpus: 2,
  });
  const genomes = ['000000100000000000001', '010000000000000000001', '010000100000000000001', '000110111000000110010'];
  const jobs = genomes.map((g, i) => ({
    id: `g1-0${i}`,
    spec: decode(g, { nodes: 4, initChannels: 4, input: { channels: 1, height: 12, width: 12 }, classes: 2 }),
    dataset,
    training: TrainingSettings.parse({ epochs: 2, batchSize: 16 }),
  }));
  // The last job gets a spec that does not fit the data: it must fail alone, as bad-input.
  jobs.push({
    ...jobs[0],
    id: 'g1-bad',
    spec: decode(genomes[0], { nodes: 4, initChannels: 4, input: { channels: 1, height: 20, width: 20 }, classes: 2 }),
  });
  const results = new Map<string, TrainResult | TrainingError>();
  const active = new Set<string>();
  let peak = 0;
  try {
    await ex.evaluate(jobs, {
      onStart: (id) => {
        active.add(id);
        peak = Math.max(peak, active.size);
      },
      onResult: (id, outcome) => {
        active.delete(id);
        results.set(id, outcome);
      },
    });
    assert.match(ex.describe(), /^local: 2 workers on cpu×1, cpu×1 \(torch/);
  } finally {
    await ex.close();
  }
  assert.equal(peak, 2, 'two candidates trained at the same time');
  assert.equal(results.size, 5);
  for (const job of jobs.slice(0, 4)) {
    const r = results.get(job.id);
    assert.ok(r && !(r instanceof Error), `${job.id}: ${r instanceof Error ? r.message : 'missing'}`);
    assert.equal(r.epochs.length, 2);
  }
  const bad = results.get('g1-bad');
  assert.ok(bad instanceof TrainingError && bad.kind === 'bad-input', String(bad));
});
