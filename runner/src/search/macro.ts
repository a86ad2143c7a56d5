// The NSGA-Net macro problem: NSGA-II over bit-string genomes with the public code's operators; the
// initial population starts with the config's known genomes (search.initialGenomes).
import type { SearchSettings } from '../../../common/config';
import { genomeLength, parseGenome } from '../../../common/model/genome';
import { NSGA2 } from './nsga2';
import { BitFlipMutation, exactBits, RandomBitSampling, SeededSampling, TwoPointCrossover } from './operators/binary';

export function macroAlgorithm(settings: SearchSettings): NSGA2<string> {
  const length = genomeLength(settings.nodes, settings.phases);
  const seeds = settings.initialGenomes.map((g) => parseGenome(g, settings.nodes, settings.phases));
  return new NSGA2<string>({
    popSize: settings.population,
    nOffspring: settings.offspring,
    sampling: new SeededSampling(seeds, new RandomBitSampling(length)),
    crossover: new TwoPointCrossover(),
    mutation:
      settings.mutationRate === null ? BitFlipMutation.nsganet(length) : new BitFlipMutation(settings.mutationRate),
    duplicates: exactBits,
    seed: settings.seed,
    propagateTies: true,
  });
}

/** "g<generation>-<index>", index zero-padded to the width of the largest batch. */
export function candidateId(generation: number, index: number, batchSize: number): string {
  return `g${generation}-${String(index).padStart(String(Math.max(batchSize - 1, 9)).length, '0')}`;
}
