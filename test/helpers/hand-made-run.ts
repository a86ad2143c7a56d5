// A run directory "found" by hand: three candidates with given accuracies, no search trained them.
// Refinement, export and report tests start from it, so they train only what they test.
import { join } from 'node:path';
import { parseConfig } from '../../common/config';
import { cost, decode } from '../../common/model';
import type { CandidateRecord } from '../../common/protocol';
import { specHash } from '../../runner/src/model/hash';
import { RunStore } from '../../runner/src/store';

/** g1-00 (small, 80 %), g1-01 (bigger, better: 95 %), g1-02 (dominated: 70 %), at C=4. */
export const HAND_MADE_CANDIDATES: ReadonlyArray<[genome: string, accuracy: number]> = [
  ['000000100000000000001', 80],
  ['000110111000000110010', 95],
  ['010000100000000000001', 70],
];

export function makeHandMadeRun(root: string, name: string, dataset: string, size: number): string {
  const dir = join(root, name);
  const config = parseConfig({
    name,
    dataset,
    search: { initChannels: 4 },
    training: { epochs: 2, batchSize: 16 },
    engine: { name: 'torch', device: 'cpu' },
    executor: { workers: 1 },
  });
  const store = RunStore.create(dir, config, {
    runner: 'test',
    createdAt: new Date().toISOString(),
    dataset: { dir: dataset, name: 'synthetic', shape: [1, size, size], classes: ['q0', 'q1'] },
  });
  HAND_MADE_CANDIDATES.forEach(([genome, acc], index) => {
    const spec = decode(genome, {
      nodes: 4,
      initChannels: 4,
      input: { channels: 1, height: size, width: size },
      classes: 2,
    });
    const c = cost(spec);
    const record: CandidateRecord = {
      id: `g1-0${index}`,
      generation: 1,
      index,
      genome,
      specHash: specHash(spec),
      mflops: c.mflops,
      params: c.params,
      status: 'ok',
      valAccuracy: acc,
      error: 100 - acc,
      epochs: [],
      trainSeconds: 1,
      parents: [],
      finishedAt: new Date().toISOString(),
    };
    store.appendCandidate(record);
  });
  return dir;
}
