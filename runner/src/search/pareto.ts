// The Pareto set of a run: the non-dominated candidates over (error, MFLOPs), and the paper's
// selection rule "Pareto networks below a FLOPs cutoff". Browser-safe: the webview uses it too.
import type { CandidateRecord } from '../protocol';
import { nonDominated } from './dominance';

/** Objectives of a record as the search minimises them: [100 − accuracy, MFLOPs]. */
export function objectives(r: CandidateRecord): [number, number] {
  return [r.error, r.mflops];
}

/**
 * Non-dominated successful candidates, sorted by MFLOPs. Reused records duplicate a trained
 * network's result, so only one record per network (spec hash) is kept.
 */
export function paretoFront(records: readonly CandidateRecord[]): CandidateRecord[] {
  const unique = new Map<string, CandidateRecord>();
  for (const r of records) if (r.status === 'ok' && !unique.has(r.specHash)) unique.set(r.specHash, r);
  const pool = [...unique.values()];
  return nonDominated(pool.map(objectives))
    .map((i) => pool[i])
    .sort((a, b) => a.mflops - b.mflops || a.error - b.error);
}

export function selectBelowCutoff(front: readonly CandidateRecord[], cutoffMflops: number): CandidateRecord[] {
  return front.filter((r) => r.mflops <= cutoffMflops);
}

