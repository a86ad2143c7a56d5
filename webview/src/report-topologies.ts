// The standalone report's topology figures: one per selected network, below the plot, and one on
// demand from the candidate panel. (In VS Code, topologies open in their own panel instead.)
import { clear, h, svgNode } from './dom';
import type { CandidateRecord, DecodeOptions } from '../../common/explorer/messages';
import { formatAccuracy } from '../../common/explorer/format';
import { formatInt, formatNumber } from '../../common/explorer/scale';
import { topologySvg } from './model/topology';

export class ReportTopologies {
  constructor(private readonly el: HTMLElement) {}

  /** The figures of these ids, redrawn only when the list changes. */
  render(ids: readonly string[], records: ReadonlyMap<string, CandidateRecord>, decode: DecodeOptions | null): void {
    const want = ids.join(',');
    if (this.el.dataset.ids === want) return;
    this.el.dataset.ids = want;
    clear(this.el);
    if (!decode) return;
    this.el.append(h('h2', { text: `Topologies of the selected networks (${ids.length})` }));
    for (const id of ids) {
      const r = records.get(id);
      if (r) this.el.append(figure(r, decode));
    }
  }

  /** Shows one candidate's figure (scrolls to it when it is already there). */
  show(r: CandidateRecord, decode: DecodeOptions | null): void {
    if (!decode) return;
    const existing = this.el.querySelector(`[data-topology="${CSS.escape(r.id)}"]`);
    if (existing) existing.scrollIntoView({ block: 'nearest' });
    else this.el.prepend(figure(r, decode));
  }
}

function figure(r: CandidateRecord, decode: DecodeOptions): HTMLElement {
  const fig = h('figure', { class: 'topology', 'data-topology': r.id });
  try {
    const t = topologySvg(r.genome, decode, `t-${r.id}`);
    fig.append(
      h('figcaption', {
        text: `${r.id} · generation ${r.generation} · ${formatAccuracy(r.valAccuracy)} · ${formatNumber(t.mflops)} MFLOPs · ${formatInt(t.params)} params`,
      }),
      h('div', { class: 'topo-scroll' }, svgNode(t.svg)),
    );
  } catch (e) {
    fig.append(h('figcaption', { text: `${r.id}: cannot draw (${(e as Error).message})` }));
  }
  return fig;
}
