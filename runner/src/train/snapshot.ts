// The generation snapshot of a train run: every trained network is in the "population", with its
// NSGA-II rank (0 = non-dominated in error and MFLOPs) and crowding distance, as a search records.
import type { CandidateRecord, GenerationSnapshot } from '../../../common/protocol';
import { crowdingDistance } from '../search/crowding';
import { nonDominatedSort } from '../search/dominance';

export function rankedSnapshot(
  generation: number,
  records: readonly CandidateRecord[],
  evaluations: number,
): GenerationSnapshot {
  const F = records.map((r) => [r.error, r.mflops]);
  const population: GenerationSnapshot['population'] = [];
  nonDominatedSort(F).forEach((front, rank) => {
    const crowding = crowdingDistance(
      front.map((i) => F[i]),
      true,
    );
    front.forEach((i, k) => population.push({ id: records[i].id, rank, crowding: crowding[k] }));
  });
  return { generation, population, evaluations, writtenAt: new Date().toISOString() };
}
