// How the explorer marks candidates whose training the early-termination policy stopped: a
// triangle instead of a circle on the scatter, and a tooltip line saying why and when.
import type { CandidateRecord } from '../../../common/explorer/messages';

export function candidatePointStyle(r: CandidateRecord | undefined): 'triangle' | 'circle' {
  return r?.earlyStop ? 'triangle' : 'circle';
}

export function earlyStopLine(r: CandidateRecord): string | undefined {
  const s = r.earlyStop;
  if (!s) return undefined;
  const why = s.reason === 'dominated' ? `cannot beat ${s.dominatedBy ?? 'a cheaper network'}` : 'curve settled';
  const predicted = s.prediction ? `, predicted final ${s.prediction.finalAccuracy.toFixed(2)} % (prediction)` : '';
  return `stopped early after ${s.epochsTrained}/${s.epochsPlanned} epochs: ${why}${predicted}`;
}
