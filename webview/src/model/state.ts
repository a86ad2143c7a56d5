// The webview's copy of the run: one snapshot, then deltas. Applying a delta twice (or an old one)
// changes nothing, so the host may resend after a reconnect without double-counting.
import type {
  CandidateRecord,
  DecodeOptions,
  ExplorerDelta,
  ExplorerSnapshot,
  RefineRecord,
  ExplorerRun,
} from '../../../common/explorer/messages';

export interface DeltaEffect {
  /** Records not seen before, in arrival order. */
  added: CandidateRecord[];
  /** Records that replaced one with the same id. */
  replaced: CandidateRecord[];
  refinementsChanged: boolean;
  stateChanged: boolean;
}

export class ExplorerData {
  run: ExplorerRun = { id: '', name: '' };
  lastSeq = 0;
  decode: DecodeOptions | null = null;
  readonly candidates = new Map<string, CandidateRecord>();
  /** keyed by refinement id */
  readonly refinements = new Map<string, RefineRecord>();

  applySnapshot(s: ExplorerSnapshot): void {
    this.run = { ...s.run };
    this.lastSeq = s.lastSeq;
    this.decode = s.decode;
    this.candidates.clear();
    this.refinements.clear();
    for (const c of s.candidates) this.candidates.set(c.id, c);
    for (const r of s.refinements) this.refinements.set(r.id, r);
  }

  applyDelta(d: ExplorerDelta): DeltaEffect {
    const effect: DeltaEffect = { added: [], replaced: [], refinementsChanged: false, stateChanged: false };
    if (d.seq <= this.lastSeq) return effect;
    this.lastSeq = d.seq;
    for (const c of d.candidates ?? []) {
      (this.candidates.has(c.id) ? effect.replaced : effect.added).push(c);
      this.candidates.set(c.id, c);
    }
    for (const s of d.refineStarted ?? []) {
      const c = this.candidates.get(s.candidate);
      const prev = this.refinements.get(s.id);
      this.refinements.set(s.id, {
        id: s.id,
        candidate: s.candidate,
        genome: prev?.genome ?? c?.genome ?? '',
        mflops: prev?.mflops ?? c?.mflops ?? 0,
        params: prev?.params ?? c?.params ?? 0,
        epochsPlanned: s.epochs,
        epochs: prev?.epochs ?? [],
        searchAccuracy: prev?.searchAccuracy ?? c?.valAccuracy ?? null,
        valAccuracy: null,
        status: 'running',
      });
      effect.refinementsChanged = true;
    }
    for (const e of d.refineEpochs ?? []) {
      const r = this.refinements.get(e.id);
      if (!r) continue;
      const epochs = r.epochs.filter((m) => m.epoch !== e.metrics.epoch);
      epochs.push(e.metrics);
      epochs.sort((a, b) => a.epoch - b.epoch);
      this.refinements.set(e.id, { ...r, epochs });
      effect.refinementsChanged = true;
    }
    for (const r of d.refinements ?? []) {
      this.refinements.set(r.id, r);
      effect.refinementsChanged = true;
    }
    if (d.state && d.state !== this.run.state) {
      this.run = { ...this.run, state: d.state };
      effect.stateChanged = true;
    }
    return effect;
  }

  /** Merges records fetched out of band: one replaces ours when it knows more (more epochs, or finished). */
  mergeRefineRecords(records: readonly RefineRecord[]): boolean {
    let changed = false;
    for (const r of records) {
      const cur = this.refinements.get(r.id);
      if (!cur || (cur.status === 'running' && (r.status !== 'running' || r.epochs.length > cur.epochs.length))) {
        this.refinements.set(r.id, r);
        changed = true;
      }
    }
    return changed;
  }

  snapshot(): ExplorerSnapshot {
    return {
      run: { ...this.run },
      lastSeq: this.lastSeq,
      decode: this.decode,
      candidates: [...this.candidates.values()],
      refinements: [...this.refinements.values()],
    };
  }
}
