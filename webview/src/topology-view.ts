// The topology panel: one candidate's decoded network, with its genome bits grouped by phase so the
// greyed (inactive, isolated) parts can be traced back to the bits that caused them.
import { clear, h, svgNode } from './dom';
import type { Host } from './host';
import type { HostToWebview } from '../../common/explorer/messages';
import { bitsPerPhase } from '../../common/model/genome';
import { formatInt, formatNumber } from './model/scale';
import { topologySvg } from './model/topology';

export class TopologyView {
  private current: { svg: string; id: string } | null = null;

  constructor(
    private readonly root: HTMLElement,
    private readonly host: Host,
  ) {
    clear(root);
    root.append(h('p', { class: 'muted', text: 'Waiting for a candidate…' }));
  }

  handle(msg: HostToWebview): void {
    if (msg.type === 'topology-error') {
      clear(this.root);
      this.root.append(h('p', { class: 'error', role: 'alert', text: `Cannot draw ${msg.id}: ${msg.message}` }));
      return;
    }
    if (msg.type !== 'topology') return;
    const { candidate: r, decode, run } = msg;
    this.host.setState({ run, id: r.id }); // what the panel serializer needs to bring this view back
    clear(this.root);
    this.root.append(h('header', {}, h('h1', { class: 'title', text: `Topology — ${r.id}` }),
      h('p', { class: 'stats', text: `${run.name || run.id} · generation ${r.generation} · ${r.status} · accuracy ${r.valAccuracy === null ? '—' : formatNumber(r.valAccuracy, 2) + ' %'}` })));
    try {
      const t = topologySvg(r.genome, decode, `t-${r.id}`);
      this.current = { svg: t.svg, id: r.id };
      const L = bitsPerPhase(decode.nodes);
      const bits = h('p', { class: 'genome', 'aria-label': 'Genome bits by phase' });
      for (let p = 0; p < 3; p++) {
        const chunk = r.genome.replace(/\s/g, '').slice(p * L, (p + 1) * L);
        const active = t.spec.phases.some((s) => s.genomePhase === p);
        bits.append(h('span', { class: `bits${active ? '' : ' inactive'}`, title: `phase ${p + 1}: ${L - 1} connection bits + skip bit${active ? '' : ' (inactive: no connection bit set)'}` },
          h('span', { text: chunk.slice(0, -1) }), h('span', { class: 'skipbit', text: chunk.slice(-1) })), ' ');
      }
      const save = h('button', { class: 'secondary', id: 'export-topology-svg', text: 'Export SVG' });
      save.addEventListener('click', () => this.current && this.host.save(`${this.current.id}-topology.svg`, 'image/svg+xml', this.current.svg, 'utf8'));
      this.root.append(
        h('div', { class: 'controls' }, h('span', { text: `${formatNumber(t.mflops)} MFLOPs · ${formatInt(t.params)} params · ${t.activePhases}/3 phases active · ${t.isolatedNodes} isolated node(s)` }), h('span', { class: 'spacer' }), save),
        bits,
        h('div', { class: 'topo-scroll', id: 'topology' }, svgNode(t.svg)),
        h('p', { class: 'muted help', text: 'Greyed: inactive phases (no connection bit set: skipped) and isolated nodes (no inputs and no outputs). Dashed: the skip connection. Nodes with several inputs concatenate them and apply a 1×1 convolution.' }));
    } catch (e) {
      this.root.append(h('p', { class: 'error', text: `Cannot draw ${r.id}: ${(e as Error).message}` }));
    }
  }
}
