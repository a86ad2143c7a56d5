// The "Candidate" side panel: the hovered point while the pointer is on one, otherwise the candidate
// last opened or toggled (pinned). Hovering leaves no trace: when the pointer leaves a point or the
// selection changes, the panel shows the pinned candidate again (or the hint), never a stale hover.
import { clear, h } from './dom';
import type { CandidateRecord } from '../../common/explorer/messages';
import { formatAccuracy } from '../../common/explorer/format';
import { formatInt, formatNumber } from '../../common/explorer/scale';

export interface CandidateActions {
  record(id: string): CandidateRecord | undefined;
  isSelected(id: string): boolean;
  /** Whether a finished refinement keeps this network's weights (only those can be exported). */
  isRefined(id: string): boolean;
  toggle(id: string): void;
  topology(id: string): void;
  /** Absent in the standalone report (no extension to export with). */
  exportModel?: (id: string) => void;
}

const HINT = 'Hover a point for details; click it to open.';

export class CandidatePanel {
  private pinned: string | null = null;
  private hovered: string | null = null;
  private shown: string | null | undefined = undefined;

  constructor(
    private readonly el: HTMLElement,
    private readonly actions: CandidateActions,
  ) {
    this.render();
  }

  hover(id: string | null): void {
    this.hovered = id;
    this.render();
  }

  /** Keeps this candidate in the panel once the pointer leaves it. */
  pin(id: string): void {
    this.pinned = id;
    this.hovered = null;
    this.render(true);
  }

  /** The selection changed: drop the hover, redraw the pinned candidate (its Select button changes). */
  selectionChanged(): void {
    this.hovered = null;
    this.render(true);
  }

  /** The id shown now (tests). */
  current(): string | null {
    return this.shown ?? null;
  }

  private render(force = false): void {
    const id = this.hovered ?? this.pinned;
    const r = id ? this.actions.record(id) : undefined;
    const want = r ? r.id : null;
    if (!force && want === this.shown) return;
    this.shown = want;
    clear(this.el);
    this.el.append(r ? this.describe(r) : h('p', { class: 'muted', text: HINT }));
  }

  private describe(r: CandidateRecord): HTMLElement {
    const dl = h('dl', { 'data-id': r.id });
    const row = (k: string, v: string) => dl.append(h('dt', { text: k }), h('dd', { text: v }));
    row('id', r.id);
    row('generation', String(r.generation));
    row(
      'status',
      r.status + (r.reusedFrom ? ` (from ${r.reusedFrom})` : '') + (r.failure ? `: ${r.failure.message}` : ''),
    );
    row('accuracy', formatAccuracy(r.valAccuracy));
    row('MFLOPs', formatNumber(r.mflops));
    row('params', formatInt(r.params));
    row('epochs', String(r.epochs.length));
    row('training', `${formatNumber(r.trainSeconds, 1)} s`);
    row('genome', r.genome);
    if (r.parents.length) row('parents', r.parents.join(', '));
    return h('div', {}, dl, this.buttons(r.id));
  }

  private buttons(id: string): HTMLElement {
    const a = this.actions;
    const toggle = h('button', {
      class: 'secondary',
      id: 'details-toggle',
      text: a.isSelected(id) ? 'Unselect' : 'Select',
    });
    toggle.addEventListener('click', () => a.toggle(id));
    const topo = h('button', { class: 'secondary', id: 'details-topology', text: 'Topology' });
    topo.addEventListener('click', () => a.topology(id));
    const row = h('div', { class: 'buttons' }, toggle, topo);
    if (a.exportModel) {
      const refined = a.isRefined(id);
      const exp = h('button', {
        class: 'secondary',
        id: 'details-export',
        text: 'Export Model…',
        disabled: !refined,
        title: refined
          ? 'Write this network as ONNX or TorchScript'
          : 'Refine this network first: only refined networks keep their weights',
      });
      exp.addEventListener('click', () => a.exportModel?.(id));
      row.append(exp);
    }
    return row;
  }
}
