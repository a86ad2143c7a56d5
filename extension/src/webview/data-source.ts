// What the explorer panel needs from the extension's run state, and its implementation over the run
// manager's RunsApi. The panel keeps no truth: it asks for a snapshot, then follows deltas.
import type * as vscode from 'vscode';
import type { CandidateRecord, RefineRecord, StoredEvent } from '../../../common/protocol';
import type { DecodeOptions, ExplorerDelta, ExplorerSnapshot } from '../../../common/explorer/messages';
import { decodeOptionsFromSpec } from '../../../common/explorer/decode-options';
import { deltaFromEvents } from '../../../common/explorer/events';
import type { RunRef, RunsApi } from '../runs/api';
import type { RunModel } from '../runs/run-model';

export interface ExplorerDataSource {
  readonly ref: RunRef;
  /** The run as it is now (attaching first when needed). */
  snapshot(): Promise<ExplorerSnapshot>;
  /** Changes after the snapshot, in seq order. */
  onDelta(cb: (delta: ExplorerDelta) => void): vscode.Disposable;
  /** Starts refinement of these candidates for this many epochs. */
  refine(ids: string[], epochs: number): Promise<void>;
  /** One candidate's record and how the run decodes genomes (for the topology view). */
  candidate(id: string): Promise<{ record: CandidateRecord; decode: DecodeOptions; refinements: RefineRecord[] }>;
}

/** The explorer's snapshot of the extension's run model. */
export function snapshotFromModel(ref: RunRef, m: RunModel, decode: DecodeOptions | null): ExplorerSnapshot {
  const candidates: CandidateRecord[] = [];
  for (const c of m.candidates.values()) if (c.record) candidates.push(c.record);
  const byId = new Map(candidates.map((c) => [c.id, c]));
  const refinements: RefineRecord[] = [...m.refinements.values()].map((r) => {
    if (r.record) return r.record;
    const c = byId.get(r.candidate);
    return {
      id: r.id,
      candidate: r.candidate,
      genome: c?.genome ?? '',
      mflops: c?.mflops ?? 0,
      params: c?.params ?? 0,
      epochsPlanned: r.epochsPlanned,
      epochs: [],
      searchAccuracy: c?.valAccuracy ?? null,
      valAccuracy: null,
      status: 'running',
    };
  });
  return {
    run: {
      id: ref.run,
      host: ref.host,
      name: m.name || ref.run,
      dir: m.dir,
      dataset: m.dataset,
      state: m.state === 'unknown' ? undefined : m.state,
      generations: m.generations,
    },
    lastSeq: m.lastSeq,
    decode,
    candidates,
    refinements,
    workers: [...m.workers.values()].map((w) => ({ ...w })),
  };
}

export function sameRef(a: RunRef, b: RunRef): boolean {
  return a.host === b.host && a.run === b.run;
}

/** The data source over the run manager (the extension engineer's RunsApi). */
export function runsDataSource(runs: RunsApi, ref: RunRef): ExplorerDataSource {
  let decode: DecodeOptions | null = null;
  const decodeFor = async (m: RunModel): Promise<DecodeOptions | null> => {
    if (decode) return decode;
    const any = [...m.candidates.values()].find((c) => c.record && c.record.status !== 'failed')?.record;
    if (!any) return null;
    try {
      const got = await runs.candidate(ref, any.id);
      if (got.spec) decode = decodeOptionsFromSpec(got.spec, any.genome, m.config?.search);
    } catch {
      decode = null; // no topology until a candidate can be fetched
    }
    return decode;
  };
  return {
    ref,
    async snapshot() {
      const m = runs.get(ref) ?? (await runs.ensureAttached(ref));
      return snapshotFromModel(ref, m, await decodeFor(m));
    },
    onDelta(cb) {
      return runs.onDidApplyEvents(({ ref: r, events }: { ref: RunRef; events: StoredEvent[] }) => {
        if (!sameRef(r, ref)) return;
        const d = deltaFromEvents(events);
        if (d) cb(d);
      });
    },
    refine: (ids, epochs) => runs.refine(ref, ids, epochs),
    async candidate(id) {
      const got = await runs.candidate(ref, id);
      if (!got.spec) throw new Error(`candidate ${id} has no network spec`);
      const m = runs.get(ref);
      return {
        record: got.record,
        decode: decodeOptionsFromSpec(got.spec, got.record.genome, m?.config?.search),
        refinements: got.refine ?? [],
      };
    },
  };
}
