// What the explorer shows, computed in one place from the run and the UI state: the front of the
// candidates up to the replayed generation, the front of the whole run (which the selection and the
// default cutoff use), the cutoff in force and the selected ids. The rules themselves are
// common/pareto.ts and selection.ts; the controller calls this once per redraw and reads the result.
import { paretoFrontOf, type FrontPoint } from './front';
import type { CandidateRecord, ExplorerUiState, RefineRecord } from './messages';
import { defaultCutoff, selectedIds } from './selection';

export interface ExplorerView {
  /** Front of the candidates shown (up to the replayed generation), by MFLOPs. */
  visibleFront: FrontPoint[];
  /** Front of the whole run. */
  fullFront: FrontPoint[];
  /** The cutoff in force: the default one while the user has not chosen (ui.cutoffAuto). */
  cutoff: number | null;
  selected: string[];
}

export const EMPTY_VIEW: ExplorerView = { visibleFront: [], fullFront: [], cutoff: null, selected: [] };

export function explorerView(
  candidates: ReadonlyMap<string, CandidateRecord>,
  refinements: Iterable<RefineRecord>,
  ui: ExplorerUiState,
): ExplorerView {
  const fullFront = paretoFrontOf(candidates.values());
  const limit = ui.generation;
  const visibleFront =
    limit === null ? fullFront : paretoFrontOf([...candidates.values()].filter((r) => r.generation <= limit));
  const cutoff = ui.cutoffAuto ? defaultCutoff(fullFront, refinements) : ui.cutoff;
  const selected = selectedIds(candidates, fullFront, { ...ui, cutoff });
  return { visibleFront, fullFront, cutoff, selected };
}
