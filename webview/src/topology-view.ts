// The topology panel: one candidate's decoded network, with its genome bits grouped by phase so the
// greyed (inactive, isolated) parts can be traced back to the bits that caused them. The drawing fits
// the panel's width (topology-fit.ts) or shows at 100 %.
import { clear, h, svgNode } from './dom';
import type { Host } from './host';
import type { HostToWebview } from '../../common/explorer/messages';
import { bitsPerPhase } from '../../common/model/genome';
import { formatInt, formatNumber } from '../../common/explorer/scale';
import { topologySvg } from './model/topology';
import { TopologyFit, type TopologyZoom } from './topology-fit';
import { formatAccuracy } from '../../common/explorer/format';

export class TopologyView {
  private current: { svg: string; id: string } | null = null;
  private fit: TopologyFit | null = null;
  private zoom: TopologyZoom;

  constructor(
    private readonly root: HTMLElement,
    private readonly host: Host,
  ) {
    this.zoom = (host.getState() as { zoom?: TopologyZoom } | undefined)?.zoom === 'actual' ? 'actual' : 'fit';
    clear(root);
    root.append(h('p', { class: 'muted', text: 'Waiting for a candidate…' }));
  }

  private saveState(run: unknown, id: string): void {
    this.host.setState({ run, id, zoom: this.zoom }); // what the panel serializer needs to bring this view back
  }

  handle(msg: HostToWebview): void {
    if (msg.type === 'topology-error') {
      clear(this.root);
      this.root.append(h('p', { class: 'error', role: 'alert', text: `Cannot draw ${msg.id}: ${msg.message}` }));
      return;
    }
    if (msg.type !== 'topology') return;
    const { candidate: r, decode, run } = msg;
    this.saveState(run, r.id);
    this.fit?.dispose();
    this.fit = null;
    clear(this.root);
    this.root.append(
      h(
        'header',
        {},
        h('h1', { class: 'title', text: `Topology — ${r.id}` }),
        h('p', {
          class: 'stats',
          text: `${run.name || run.id} · generation ${r.generation} · ${r.status} · accuracy ${formatAccuracy(r.valAccuracy)}`,
        }),
      ),
    );
    try {
      const t = topologySvg(r.genome, decode, `t-${r.id}`);
      this.current = { svg: t.svg, id: r.id };
      const L = bitsPerPhase(decode.nodes);
      const bits = h('p', { class: 'genome', 'aria-label': 'Genome bits by phase' });
      for (let p = 0; p < 3; p++) {
        const chunk = r.genome.replace(/\s/g, '').slice(p * L, (p + 1) * L);
        const active = t.spec.phases.some((s) => s.genomePhase === p);
        bits.append(
          h(
            'span',
            {
              class: `bits${active ? '' : ' inactive'}`,
              title: `phase ${p + 1}: ${L - 1} connection bits + skip bit${active ? '' : ' (inactive: no connection bit set)'}`,
            },
            h('span', { text: chunk.slice(0, -1) }),
            h('span', { class: 'skipbit', text: chunk.slice(-1) }),
          ),
          ' ',
        );
      }
      const save = h('button', { class: 'secondary', id: 'export-topology-svg', text: 'Export SVG' });
      save.addEventListener(
        'click',
        () =>
          this.current && this.host.save(`${this.current.id}-topology.svg`, 'image/svg+xml', this.current.svg, 'utf8'),
      );
      const svg = svgNode(t.svg) as SVGSVGElement;
      const box = h('div', { class: 'topo-scroll', id: 'topology' }, svg);
      const controls = h(
        'div',
        { class: 'controls' },
        h('span', {
          text: `${formatNumber(t.mflops)} MFLOPs · ${formatInt(t.params)} params · ${t.activePhases}/3 phases active · ${t.isolatedNodes} isolated node(s)`,
        }),
        h('span', { class: 'spacer' }),
      );
      this.root.append(
        controls,
        bits,
        box,
        h('p', {
          class: 'muted help',
          text: 'Greyed: inactive phases (no connection bit set: skipped) and isolated nodes (no inputs and no outputs). Dashed: the skip connection. Nodes with several inputs concatenate them and apply a 1×1 convolution.',
        }),
      );
      this.fit = new TopologyFit(box, svg, t, this.zoom, (mode) => {
        this.zoom = mode;
        this.saveState(run, r.id);
      });
      controls.append(this.fit.buttons, save);
    } catch (e) {
      this.root.append(h('p', { class: 'error', text: `Cannot draw ${r.id}: ${(e as Error).message}` }));
    }
  }
}
