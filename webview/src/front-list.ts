// The "Pareto networks" checklist beside the plot: every network of the run's front (and any other
// selected one) with a checkbox to select it and an "open" button; those beyond the cutoff are dimmed.
import { clear, h } from './dom';
import type { CandidateRecord } from '../../common/explorer/messages';
import type { FrontPoint } from '../../common/explorer/front';
import { formatAccuracy } from '../../common/explorer/format';
import { withinCutoff } from '../../common/pareto';
import { formatNumber } from '../../common/explorer/scale';

export interface FrontListActions {
  record(id: string): CandidateRecord | undefined;
  toggle(id: string): void;
  open(id: string): void;
}

export function renderFrontList(
  el: HTMLElement,
  front: readonly FrontPoint[],
  selected: readonly string[],
  cutoff: number | null,
  a: FrontListActions,
): void {
  clear(el);
  const sel = new Set(selected);
  const onFront = new Set(front.map((p) => p.id));
  const ul = h('ul', { class: 'checklist' });
  for (const id of [...onFront, ...selected.filter((s) => !onFront.has(s))]) {
    const r = a.record(id);
    if (!r) continue;
    const cb = h('input', { type: 'checkbox', id: `sel-${id}`, 'data-id': id });
    cb.checked = sel.has(id);
    cb.addEventListener('change', () => a.toggle(id));
    const open = h('button', { class: 'link', text: 'open', 'aria-label': `Open ${id}`, 'data-id': id });
    open.addEventListener('click', () => a.open(id));
    ul.append(
      h(
        'li',
        { class: withinCutoff(r.mflops, cutoff) ? '' : 'beyond' },
        cb,
        h('label', {
          for: `sel-${id}`,
          text: `${id} · ${formatNumber(r.mflops)} MFLOPs · ${formatAccuracy(r.valAccuracy)}`,
        }),
        open,
      ),
    );
  }
  el.append(ul);
}
