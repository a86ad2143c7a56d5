// Run events (events.jsonl, `attach` notifications) → explorer deltas. The extension's data source
// can feed every event it gets through this and post the result; nothing else needs to know the UI.
import type { StoredEvent } from '../protocol';
import type { ExplorerDelta } from './messages';
import { isWorkerEvent } from '../workers';

/** Folds the events with seq > afterSeq into one delta; null when there are none. */
export function deltaFromEvents(events: readonly StoredEvent[], afterSeq = 0): ExplorerDelta | null {
  let seq = afterSeq;
  const d: ExplorerDelta = { seq };
  let any = false;
  for (const e of events) {
    if (e.seq <= afterSeq) continue;
    any = true;
    seq = Math.max(seq, e.seq);
    if (isWorkerEvent(e)) (d.workerEvents ??= []).push(e);
    switch (e.type) {
      case 'candidate-finished':
        (d.candidates ??= []).push(e.record);
        break;
      case 'refine-started':
        (d.refineStarted ??= []).push({ id: e.id, candidate: e.candidate, epochs: e.epochs });
        break;
      case 'refine-epoch':
        (d.refineEpochs ??= []).push({ id: e.id, metrics: e.metrics });
        break;
      case 'refine-finished':
        (d.refinements ??= []).push(e.record);
        break;
      case 'run-started':
        d.state = 'running';
        break;
      case 'run-finished':
        d.state = e.status;
        break;
      default:
        break;
    }
  }
  if (!any) return null;
  d.seq = seq;
  return d;
}
