// A candidate's decoded network as SVG: phases left to right, each with its entry conv, the phase
// input (node 0), computation nodes placed by depth with their edges, concat + 1×1 processors, the
// skip connection, the output node and the max-pool; then the head. Inactive phases and isolated
// nodes are drawn greyed so every genome bit can be explained. Styling is by CSS class only (the
// webview's CSP forbids inline styles), so the same markup follows the VS Code theme.
// Two passes: measure each phase (layoutPhase), then draw left to right into a Drawing.
import { cost } from '../../../common/model/cost';
import { decode, decodePhase } from '../../../common/model/decode';
import { parseGenome, phaseBits, PHASES } from '../../../common/model/genome';
import type { DecodeOptions, NetworkSpec, PhaseSpec } from '../../../common/model/spec';
import { escapeXml } from '../../../common/explorer/plotSvg';
import { formatInt } from '../../../common/explorer/scale';

export interface Topology {
  svg: string;
  spec: NetworkSpec;
  mflops: number;
  params: number;
  width: number;
  height: number;
  activePhases: number;
  isolatedNodes: number;
}

const NODE_W = 104;
const NODE_H = 40;
const COL_GAP = 36;
const ROW_GAP = 14;
const PAD = 14;
const HEADER = 34;
const BLOCK_W = 96;

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

interface Point {
  x: number;
  y: number;
}

/** One phase measured: its size and, when active, its node boxes relative to the phase's top-left. */
interface PhaseLayout {
  p: number;
  spec?: PhaseSpec;
  w: number;
  h: number;
  nodes: Map<number, Box>;
  inactiveNodes: number[];
  isolated: number[];
  skip: boolean;
}

export function topologySvg(genomeText: string, options: DecodeOptions, idPrefix = 'topo'): Topology {
  const N = options.nodes;
  const genome = parseGenome(genomeText, N);
  const spec = decode(genome, options);
  const { mflops, params } = cost(spec);
  const specByPhase = new Map<number, PhaseSpec>(spec.phases.map((p) => [p.genomePhase, p]));
  const layouts = Array.from({ length: PHASES }, (_, p) => layoutPhase(p, specByPhase.get(p), genome, N));
  const height = Math.max(...layouts.map((l) => l.h), 160) + 2 * PAD + 40;
  const d = new Drawing(idPrefix.replace(/[^A-Za-z0-9_-]/g, '_'), (height - 40) / 2 + 20);
  d.input(spec);
  for (const l of layouts) {
    if (l.spec) d.activePhase(l, l.spec, N);
    else d.inactivePhase(l);
  }
  const width = d.head(spec);
  const title = `${formatInt(params)} params · ${mflops} MFLOPs · ${spec.phases.length}/${PHASES} phases active`;
  return {
    svg: d.svg(width, height, title, mflops, params),
    spec,
    mflops,
    params,
    width,
    height,
    activePhases: spec.phases.length,
    isolatedNodes: d.isolatedCount,
  };
}

// ---- measuring

function layoutPhase(p: number, ps: PhaseSpec | undefined, genome: string, N: number): PhaseLayout {
  if (!ps) {
    const w = NODE_W + 2 * PAD + 40;
    const h = HEADER + N * (NODE_H * 0.7 + ROW_GAP * 0.6) + PAD * 2 + 20;
    return { p, w, h, nodes: new Map(), inactiveNodes: range(1, N), isolated: [], skip: false };
  }
  const columns = depthColumns(ps, N);
  const outDepth = columns.length - 1;
  const tallest = Math.max(...columns.map((c) => c.length));
  const bodyH = tallest * NODE_H + (tallest - 1) * ROW_GAP;
  const isoH = ps.isolated.length ? NODE_H + ROW_GAP + 14 : 0;
  const entryW = BLOCK_W + COL_GAP;
  const w = PAD + entryW + (outDepth + 1) * NODE_W + outDepth * COL_GAP + PAD;
  const h = HEADER + 24 + bodyH + isoH + PAD * 2;
  const raw = decodePhase(phaseBits(genome, N, p), N);
  return {
    p,
    spec: ps,
    w,
    h,
    nodes: placeColumns(columns, bodyH, entryW),
    inactiveNodes: [],
    isolated: ps.isolated,
    skip: raw.deps[N + 1].includes(0),
  };
}

/** Node ids by depth (longest path from node 0); the output node (N + 1) in the last column. */
function depthColumns(ps: PhaseSpec, N: number): number[][] {
  const depth = new Map<number, number>([[0, 0]]);
  for (const node of ps.nodes) depth.set(node.id, 1 + Math.max(...node.inputs.map((i) => depth.get(i) ?? 0)));
  const outDepth = 1 + Math.max(...ps.output.inputs.map((i) => depth.get(i) ?? 0));
  depth.set(N + 1, outDepth);
  const columns: number[][] = Array.from({ length: outDepth + 1 }, () => []);
  for (const [id, d] of depth) columns[d].push(id);
  for (const col of columns) col.sort((a, b) => a - b);
  return columns;
}

/** Boxes of each column's nodes, centred vertically in the phase body. */
function placeColumns(columns: number[][], bodyH: number, entryW: number): Map<number, Box> {
  const nodes = new Map<number, Box>();
  columns.forEach((col, d) => {
    const colH = col.length * NODE_H + (col.length - 1) * ROW_GAP;
    col.forEach((id, k) => {
      nodes.set(id, {
        x: PAD + entryW + d * (NODE_W + COL_GAP),
        y: HEADER + 24 + PAD + (bodyH - colH) / 2 + k * (NODE_H + ROW_GAP),
        w: NODE_W,
        h: NODE_H,
      });
    });
  });
  return nodes;
}

// ---- drawing

/** Collects the SVG markup left to right: edges (drawn first, under the blocks) and parts. */
class Drawing {
  private readonly parts: string[] = [];
  private readonly edges: string[] = [];
  private x = PAD;
  private prevRight: Point = { x: 0, y: 0 };
  isolatedCount = 0;

  constructor(
    private readonly pid: string,
    private readonly centre: number,
  ) {}

  private block(b: Box, cls: string, lines: string[], attrs = ''): void {
    const t = lines
      .map(
        (line, i) =>
          `<text x="${b.x + b.w / 2}" y="${b.y + b.h / 2 + (i - (lines.length - 1) / 2) * 13 + 4}" text-anchor="middle"${i > 0 ? ' class="topo-sub"' : ''}>${escapeXml(line)}</text>`,
      )
      .join('');
    this.parts.push(
      `<g class="${cls}"${attrs}><rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="5"/>${t}</g>`,
    );
  }

  private path(cls: string, d: string, attrs = ''): void {
    this.edges.push(`<path class="${cls}"${attrs} d="${d}" marker-end="url(#${this.pid}-arrow)"/>`);
  }

  private arrow(from: Point, to: Point): void {
    const dx = Math.max(12, (to.x - from.x) / 2);
    this.path('topo-edge', `M${from.x},${from.y} C${from.x + dx},${from.y} ${to.x - dx},${to.y} ${to.x},${to.y}`);
  }

  input(spec: NetworkSpec): void {
    const b: Box = { x: this.x, y: this.centre - 25, w: BLOCK_W, h: 50 };
    this.block(b, 'topo-io', ['input', `${spec.input.channels}×${spec.input.height}×${spec.input.width}`]);
    this.prevRight = { x: b.x + b.w, y: this.centre };
    this.x += BLOCK_W + COL_GAP;
  }

  private phaseFrame(l: PhaseLayout, top: number, cls: string, title: string, sub: string): void {
    const ox = this.x;
    this.parts.push(
      `<g class="${cls}" data-phase="${l.p + 1}" data-active="${l.spec ? 'true' : 'false'}"><rect x="${ox}" y="${top}" width="${l.w}" height="${l.h}" rx="8"/>` +
        `<text x="${ox + PAD}" y="${top + 20}" class="topo-title">${title}</text>` +
        `<text x="${ox + PAD}" y="${top + 34}" class="topo-sub">${sub}</text></g>`,
    );
  }

  inactivePhase(l: PhaseLayout): void {
    const top = this.centre - l.h / 2;
    const ox = this.x;
    this.phaseFrame(l, top, 'topo-phase inactive', `Phase ${l.p + 1} · inactive`, 'no connection bits: skipped');
    const nh = NODE_H * 0.7;
    l.inactiveNodes.forEach((id, k) => {
      const b: Box = { x: ox + PAD + 20, y: top + HEADER + 16 + k * (nh + ROW_GAP * 0.6), w: NODE_W, h: nh };
      this.block(b, 'topo-node inactive', [`node ${id}`], ` data-node="${id}" data-state="inactive"`);
    });
    this.edges.push(
      `<path class="topo-edge passthrough" d="M${this.prevRight.x},${this.prevRight.y} H${ox + l.w}" marker-end="url(#${this.pid}-arrow)"/>`,
    );
    this.prevRight = { x: ox + l.w, y: this.centre };
    this.x += l.w + COL_GAP;
  }

  activePhase(l: PhaseLayout, ps: PhaseSpec, N: number): void {
    const top = this.centre - l.h / 2;
    const ox = this.x;
    const abs = (id: number): Box => {
      const b = l.nodes.get(id) as Box;
      return { x: ox + b.x, y: top + b.y, w: b.w, h: b.h };
    };
    const nodes = ps.nodes.length;
    this.phaseFrame(
      l,
      top,
      'topo-phase',
      `Phase ${l.p + 1} · ${ps.channels} ch · ${ps.height}×${ps.width}`,
      `${nodes} node${nodes === 1 ? '' : 's'}${l.skip ? ' · skip' : ''}`,
    );
    this.entry(ps, abs(0));
    for (const node of ps.nodes) this.node(node.id, node.inputs, abs);
    const out = this.output(ps, abs, abs(N + 1), top);
    l.isolated.forEach((id, j) => {
      const b: Box = {
        x: ox + PAD + BLOCK_W + COL_GAP + j * (NODE_W + 8),
        y: top + l.h - PAD - NODE_H,
        w: NODE_W,
        h: NODE_H,
      };
      this.block(b, 'topo-node isolated', [`node ${id}`, 'isolated'], ` data-node="${id}" data-state="isolated"`);
      this.isolatedCount++;
    });
    this.prevRight = { x: out.x + out.w, y: out.y + out.h / 2 };
    this.x += l.w + COL_GAP;
    if (ps.poolAfter) this.pool(ps);
  }

  /** The phase's entry convolution and node 0, the phase input. */
  private entry(ps: PhaseSpec, n0: Box): void {
    const entry: Box = { x: this.x + PAD, y: n0.y, w: BLOCK_W, h: NODE_H };
    const k = ps.entryConv.kernel;
    this.block(entry, `topo-entry${ps.entryConv.applied ? '' : ' unused'}`, [
      ps.entryConv.applied ? `conv ${k}×${k}` : `conv ${k}×${k} unused`,
      `${ps.inChannels}→${ps.channels} ch`,
    ]);
    const p = this.prevRight;
    const ey = entry.y + entry.h / 2;
    this.path('topo-edge', `M${p.x},${p.y} C${p.x + 20},${p.y} ${entry.x - 20},${ey} ${entry.x},${ey}`);
    this.arrow({ x: entry.x + entry.w, y: ey }, { x: n0.x, y: n0.y + n0.h / 2 });
    this.block(n0, 'topo-node input', ['node 0', 'phase input'], ' data-node="0"');
  }

  private node(id: number, inputs: number[], abs: (id: number) => Box): void {
    const b = abs(id);
    const proc = inputs.length > 1;
    this.block(
      b,
      `topo-node${proc ? ' proc' : ''}`,
      [`node ${id}`, proc ? `concat+1×1 · conv3×3` : 'conv3×3·BN·ReLU'],
      ` data-node="${id}" data-state="active" data-inputs="${inputs.join(',')}"`,
    );
    for (const i of inputs) {
      const s = abs(i);
      this.arrow({ x: s.x + s.w, y: s.y + s.h / 2 }, { x: b.x, y: b.y + b.h / 2 });
    }
  }

  /** The output node and its inputs; from node 0 that is the skip connection, routed over the top. */
  private output(ps: PhaseSpec, abs: (id: number) => Box, out: Box, top: number): Box {
    const proc = ps.output.inputs.length > 1;
    this.block(
      out,
      `topo-node output${proc ? ' proc' : ''}`,
      ['output', proc ? 'concat+1×1·BN·ReLU' : 'BN·ReLU'],
      ` data-node="out" data-inputs="${ps.output.inputs.join(',')}"`,
    );
    for (const i of ps.output.inputs) {
      const s = abs(i);
      if (i !== 0) {
        this.arrow({ x: s.x + s.w, y: s.y + s.h / 2 }, { x: out.x, y: out.y + out.h / 2 });
        continue;
      }
      const yTop = top + HEADER + 10;
      const [sx, ox] = [s.x + s.w / 2, out.x + out.w / 2];
      this.path('topo-edge skip', `M${sx},${s.y} C${sx},${yTop} ${ox},${yTop} ${ox},${out.y}`, ' data-skip="true"');
    }
    return out;
  }

  private pool(ps: PhaseSpec): void {
    const b: Box = { x: this.x - COL_GAP / 2, y: this.centre - 25, w: BLOCK_W - 16, h: 50 };
    this.arrow(this.prevRight, { x: b.x, y: this.centre });
    this.block(b, 'topo-pool', ['max-pool 2×2', `→ ${Math.floor(ps.height / 2)}×${Math.floor(ps.width / 2)}`]);
    this.prevRight = { x: b.x + b.w, y: this.centre };
    this.x = b.x + b.w + COL_GAP;
  }

  /** The classifier head; returns the drawing's width. */
  head(spec: NetworkSpec): number {
    const b: Box = { x: this.x, y: this.centre - 30, w: BLOCK_W + 40, h: 60 };
    this.arrow(this.prevRight, { x: b.x, y: this.centre });
    this.block(b, 'topo-head', [
      'GAP + linear',
      `${spec.head.inChannels}→${spec.head.classes}`,
      `pool ${spec.head.poolHeight}×${spec.head.poolWidth}`,
    ]);
    return b.x + b.w + PAD;
  }

  svg(width: number, height: number, title: string, mflops: number, params: number): string {
    return (
      `<svg xmlns="http://www.w3.org/2000/svg" class="topo" role="img" aria-label="${escapeXml(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" data-mflops="${mflops}" data-params="${params}">` +
      `<title>${escapeXml(title)}</title>` +
      `<defs><marker id="${this.pid}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="topo-arrowhead" d="M0,0 L10,5 L0,10 z"/></marker></defs>` +
      `<g class="topo-edges">${this.edges.join('')}</g>${this.parts.join('')}` +
      `<text x="${PAD}" y="${height - 10}" class="topo-caption">${escapeXml(title)}</text></svg>`
    );
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}
