// The explorer's copy of the run's workers: the snapshot's list, then the worker events of each
// delta folded with the shared rule (common/workers.ts). Keeps its own seq, like ExplorerData, so an
// old or repeated delta changes nothing; it needs no DOM and is unit-tested on its own.
import type { ExplorerDelta, ExplorerSnapshot } from '../../../common/explorer/messages';
import {
  applyWorkerEvent,
  candidateFinished,
  workerRows,
  workersSummary,
  type WorkerRow,
  type WorkerState,
} from '../../../common/workers';

export class WorkersModel {
  private readonly workers = new Map<string, WorkerState>();
  private seq = 0;

  applySnapshot(s: ExplorerSnapshot): void {
    this.workers.clear();
    for (const w of s.workers ?? []) this.workers.set(w.key, { ...w });
    this.seq = s.lastSeq;
  }

  /** True when the workers changed. */
  applyDelta(d: ExplorerDelta): boolean {
    if (d.seq <= this.seq) return false;
    this.seq = d.seq;
    const events = d.workerEvents ?? [];
    for (const e of events) applyWorkerEvent(this.workers, e);
    // after the events: a delta may start a candidate and finish it
    for (const c of d.candidates ?? []) candidateFinished(this.workers, c.id);
    return events.length > 0 || (this.workers.size > 0 && (d.candidates?.length ?? 0) > 0);
  }

  get size(): number {
    return this.workers.size;
  }

  rows(): WorkerRow[] {
    return workerRows(this.workers.values());
  }

  summary(): string {
    return workersSummary(this.workers.values());
  }
}
