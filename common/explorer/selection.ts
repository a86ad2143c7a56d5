// Cutoff selection, the paper's rule: the Pareto networks below the FLOPs cutoff are selected by
// default; the user may add any evaluated network or remove a default one.
import { kneeOf, selectBelowCutoff } from '../pareto';
import type { CandidateRecord, ExplorerUiState, RefineRecord } from './messages';
import type { FrontPoint } from './front';

export type SelectionState = Pick<ExplorerUiState, 'cutoff' | 'added' | 'removed'>;

/**
 * The cutoff an explorer starts with. Once networks were refined: the largest refined one, which is
 * the cutoff they were chosen under (the report's rule too). Before that: the knee of the front, where
 * more FLOPs stop buying much accuracy (common/pareto.ts `kneeOf`). null with no front.
 */
export function defaultCutoff(
  front: readonly FrontPoint[],
  refinements: Iterable<Pick<RefineRecord, 'mflops'>>,
): number | null {
  let refined = -Infinity;
  for (const r of refinements) if (Number.isFinite(r.mflops) && r.mflops > refined) refined = r.mflops;
  if (refined > 0) return refined;
  return kneeOf(front)?.mflops ?? null;
}

/** Pareto networks at or below the cutoff (all of them when there is no cutoff), by MFLOPs. */
export function defaultSelection(front: readonly FrontPoint[], cutoff: number | null): string[] {
  return selectBelowCutoff(front, cutoff).map((p) => p.id);
}

/** The selected ids: (default ∪ added) \ removed, restricted to known, trained records, in MFLOPs order. */
export function selectedIds(
  records: ReadonlyMap<string, CandidateRecord>,
  front: readonly FrontPoint[],
  state: SelectionState,
): string[] {
  const removed = new Set(state.removed);
  const ids = new Set(defaultSelection(front, state.cutoff).filter((id) => !removed.has(id)));
  for (const id of state.added) {
    const r = records.get(id);
    if (r && !removed.has(id) && r.status !== 'failed') ids.add(id);
  }
  return [...ids].sort((a, b) => {
    const ra = records.get(a);
    const rb = records.get(b);
    return (ra?.mflops ?? 0) - (rb?.mflops ?? 0) || a.localeCompare(b);
  });
}

/** Flip one id in or out of the selection, keeping added/removed minimal. */
export function toggleSelection(
  records: ReadonlyMap<string, CandidateRecord>,
  front: readonly FrontPoint[],
  state: SelectionState,
  id: string,
): SelectionState {
  const isDefault = defaultSelection(front, state.cutoff).includes(id);
  const selected = selectedIds(records, front, state).includes(id);
  let added = state.added.filter((x) => x !== id);
  let removed = state.removed.filter((x) => x !== id);
  if (selected) {
    if (isDefault) removed = [...removed, id];
  } else if (!isDefault) {
    const r = records.get(id);
    if (r && r.status !== 'failed') added = [...added, id];
  }
  return { cutoff: state.cutoff, added, removed };
}

/** A new cutoff keeps the user's explicit additions and removals. Negative or NaN clears it. */
export function setCutoff(state: SelectionState, cutoff: number | null): SelectionState {
  const c = cutoff === null || !Number.isFinite(cutoff) || cutoff < 0 ? null : cutoff;
  return { ...state, cutoff: c };
}
