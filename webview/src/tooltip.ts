// The scatter's tooltip: what a candidate is, in a few lines.
import type { CandidateRecord } from '../../common/explorer/messages';
import { formatAccuracy } from '../../common/explorer/format';
import { formatInt, formatNumber } from '../../common/explorer/scale';

export function tooltipLines(
  r: CandidateRecord | undefined,
  id: string,
  earlyStop: (r: CandidateRecord) => string | undefined,
): string[] {
  if (!r) return [id];
  const stopped = earlyStop(r);
  return [
    `${r.id}${r.status === 'reused' ? ` (reuses ${r.reusedFrom ?? '?'})` : ''}`,
    `generation ${r.generation}`,
    `accuracy ${formatAccuracy(r.valAccuracy)}`,
    `${formatNumber(r.mflops)} MFLOPs`,
    `${formatInt(r.params)} params`,
    `${r.epochs.length} epochs`,
    `training ${formatNumber(r.trainSeconds, 1)} s`,
    ...(stopped ? [stopped] : []),
  ];
}
