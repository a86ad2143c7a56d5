// A candidate's decoded network as SVG: phases left to right, each with its entry conv, the phase
// input (node 0), computation nodes placed by depth with their edges, concat + 1×1 processors, the
// skip connection, the output node and the max-pool; then the head. Inactive phases and isolated
// nodes are drawn greyed so every genome bit can be explained. Styling is by CSS class only (the
// webview's CSP forbids inline styles), so the same markup follows the VS Code theme.
import { cost } from '../../../common/model/cost';
import { decode, decodePhase } from '../../../common/model/decode';
import { parseGenome, phaseBits, PHASES } from '../../../common/model/genome';
import type { DecodeOptions, NetworkSpec, PhaseSpec } from '../../../common/model/spec';
import { escapeXml } from './plotSvg';
import { formatInt } from './scale';

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

export function topologySvg(genomeText: string, options: DecodeOptions, idPrefix = 'topo'): Topology {
  const N = options.nodes;
  const genome = parseGenome(genomeText, N);
  const spec = decode(genome, options);
  const { mflops, params } = cost(spec);
  const specByPhase = new Map<number, PhaseSpec>(spec.phases.map((p) => [p.genomePhase, p]));
  const pid = idPrefix.replace(/[^A-Za-z0-9_-]/g, '_');

  const parts: string[] = [];
  const edges: string[] = [];
  let x = PAD;

  // first pass: measure each phase
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
  const layouts: PhaseLayout[] = [];
  for (let p = 0; p < PHASES; p++) {
    const ps = specByPhase.get(p);
    const raw = decodePhase(phaseBits(genome, N, p), N);
    if (!ps) {
      const w = NODE_W + 2 * PAD + 40;
      const h = HEADER + N * (NODE_H * 0.7 + ROW_GAP * 0.6) + PAD * 2 + 20;
      layouts.push({ p, w, h, nodes: new Map(), inactiveNodes: range(1, N), isolated: [], skip: false });
      continue;
    }
    const depth = new Map<number, number>([[0, 0]]);
    for (const node of ps.nodes) depth.set(node.id, 1 + Math.max(...node.inputs.map((i) => depth.get(i) ?? 0)));
    const outDepth = 1 + Math.max(...ps.output.inputs.map((i) => depth.get(i) ?? 0));
    depth.set(N + 1, outDepth);
    const columns: number[][] = Array.from({ length: outDepth + 1 }, () => []);
    for (const [id, d] of depth) columns[d].push(id);
    for (const col of columns) col.sort((a, b) => a - b);
    const tallest = Math.max(...columns.map((c) => c.length));
    const isolated = ps.isolated;
    const bodyH = tallest * NODE_H + (tallest - 1) * ROW_GAP;
    const isoH = isolated.length ? NODE_H + ROW_GAP + 14 : 0;
    const entryW = BLOCK_W + COL_GAP;
    const w = PAD + entryW + (outDepth + 1) * NODE_W + outDepth * COL_GAP + PAD;
    const h = HEADER + 24 + bodyH + isoH + PAD * 2;
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
    layouts.push({ p, spec: ps, w, h, nodes, inactiveNodes: [], isolated, skip: raw.deps[N + 1].includes(0) });
  }
  const height = Math.max(...layouts.map((l) => l.h), 160) + 2 * PAD + 40;
  const centre = (height - 40) / 2 + 20;

  const block = (b: Box, cls: string, lines: string[], attrs = ''): string => {
    const t = lines
      .map((line, i) => `<text x="${b.x + b.w / 2}" y="${b.y + b.h / 2 + (i - (lines.length - 1) / 2) * 13 + 4}" text-anchor="middle"${i > 0 ? ' class="topo-sub"' : ''}>${escapeXml(line)}</text>`)
      .join('');
    return `<g class="${cls}"${attrs}><rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="5"/>${t}</g>`;
  };
  const arrow = (x1: number, y1: number, x2: number, y2: number, cls = 'topo-edge'): string => {
    const dx = Math.max(12, (x2 - x1) / 2);
    return `<path class="${cls}" d="M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}" marker-end="url(#${pid}-arrow)"/>`;
  };

  // input
  const inBox: Box = { x, y: centre - 25, w: BLOCK_W, h: 50 };
  parts.push(block(inBox, 'topo-io', ['input', `${spec.input.channels}×${spec.input.height}×${spec.input.width}`]));
  let prevRight = { x: inBox.x + inBox.w, y: centre };
  x += BLOCK_W + COL_GAP;

  let isolatedCount = 0;
  for (const l of layouts) {
    const top = centre - l.h / 2;
    const ox = x;
    const abs = (b: Box): Box => ({ x: ox + b.x, y: top + b.y, w: b.w, h: b.h });
    const phaseAttrs = ` data-phase="${l.p + 1}" data-active="${l.spec ? 'true' : 'false'}"`;
    if (!l.spec) {
      parts.push(`<g class="topo-phase inactive"${phaseAttrs}><rect x="${ox}" y="${top}" width="${l.w}" height="${l.h}" rx="8"/>` +
        `<text x="${ox + PAD}" y="${top + 20}" class="topo-title">Phase ${l.p + 1} · inactive</text>` +
        `<text x="${ox + PAD}" y="${top + 34}" class="topo-sub">no connection bits: skipped</text></g>`);
      const nh = NODE_H * 0.7;
      l.inactiveNodes.forEach((id, k) => {
        const b: Box = { x: ox + PAD + 20, y: top + HEADER + 16 + k * (nh + ROW_GAP * 0.6), w: NODE_W, h: nh };
        parts.push(block(b, 'topo-node inactive', [`node ${id}`], ` data-node="${id}" data-state="inactive"`));
      });
      edges.push(`<path class="topo-edge passthrough" d="M${prevRight.x},${prevRight.y} H${ox + l.w}" marker-end="url(#${pid}-arrow)"/>`);
      prevRight = { x: ox + l.w, y: centre };
      x += l.w + COL_GAP;
      continue;
    }
    const ps = l.spec;
    parts.push(`<g class="topo-phase"${phaseAttrs}><rect x="${ox}" y="${top}" width="${l.w}" height="${l.h}" rx="8"/>` +
      `<text x="${ox + PAD}" y="${top + 20}" class="topo-title">Phase ${l.p + 1} · ${ps.channels} ch · ${ps.height}×${ps.width}</text>` +
      `<text x="${ox + PAD}" y="${top + 34}" class="topo-sub">${ps.nodes.length} node${ps.nodes.length === 1 ? '' : 's'}${l.skip ? ' · skip' : ''}</text></g>`);
    // entry conv
    const n0 = abs(l.nodes.get(0) as Box);
    const entry: Box = { x: ox + PAD, y: n0.y, w: BLOCK_W, h: NODE_H };
    const k = ps.entryConv.kernel;
    parts.push(block(entry, `topo-entry${ps.entryConv.applied ? '' : ' unused'}`,
      [ps.entryConv.applied ? `conv ${k}×${k}` : `conv ${k}×${k} unused`, `${ps.inChannels}→${ps.channels} ch`]));
    edges.push(`<path class="topo-edge" d="M${prevRight.x},${prevRight.y} C${prevRight.x + 20},${prevRight.y} ${entry.x - 20},${entry.y + entry.h / 2} ${entry.x},${entry.y + entry.h / 2}" marker-end="url(#${pid}-arrow)"/>`);
    edges.push(arrow(entry.x + entry.w, entry.y + entry.h / 2, n0.x, n0.y + n0.h / 2));
    parts.push(block(n0, 'topo-node input', ['node 0', 'phase input'], ' data-node="0"'));
    for (const node of ps.nodes) {
      const b = abs(l.nodes.get(node.id) as Box);
      const proc = node.inputs.length > 1;
      parts.push(block(b, `topo-node${proc ? ' proc' : ''}`, [`node ${node.id}`, proc ? `concat+1×1 · conv3×3` : 'conv3×3·BN·ReLU'],
        ` data-node="${node.id}" data-state="active" data-inputs="${node.inputs.join(',')}"`));
      for (const i of node.inputs) {
        const s = abs(l.nodes.get(i) as Box);
        edges.push(arrow(s.x + s.w, s.y + s.h / 2, b.x, b.y + b.h / 2));
      }
    }
    const out = abs(l.nodes.get(N + 1) as Box);
    const outProc = ps.output.inputs.length > 1;
    parts.push(block(out, `topo-node output${outProc ? ' proc' : ''}`, ['output', outProc ? 'concat+1×1·BN·ReLU' : 'BN·ReLU'],
      ` data-node="out" data-inputs="${ps.output.inputs.join(',')}"`));
    for (const i of ps.output.inputs) {
      const s = abs(l.nodes.get(i) as Box);
      if (i === 0) {
        // the skip connection: routed over the top of the phase
        const yTop = top + HEADER + 10;
        edges.push(`<path class="topo-edge skip" data-skip="true" d="M${s.x + s.w / 2},${s.y} C${s.x + s.w / 2},${yTop} ${out.x + out.w / 2},${yTop} ${out.x + out.w / 2},${out.y}" marker-end="url(#${pid}-arrow)"/>`);
      } else {
        edges.push(arrow(s.x + s.w, s.y + s.h / 2, out.x, out.y + out.h / 2));
      }
    }
    l.isolated.forEach((id, j) => {
      const b: Box = { x: ox + PAD + BLOCK_W + COL_GAP + j * (NODE_W + 8), y: top + l.h - PAD - NODE_H, w: NODE_W, h: NODE_H };
      parts.push(block(b, 'topo-node isolated', [`node ${id}`, 'isolated'], ` data-node="${id}" data-state="isolated"`));
      isolatedCount++;
    });
    prevRight = { x: out.x + out.w, y: out.y + out.h / 2 };
    x += l.w + COL_GAP;
    if (ps.poolAfter) {
      const pool: Box = { x: x - COL_GAP / 2, y: centre - 25, w: BLOCK_W - 16, h: 50 };
      edges.push(arrow(prevRight.x, prevRight.y, pool.x, centre));
      parts.push(block(pool, 'topo-pool', ['max-pool 2×2', `→ ${Math.floor(ps.height / 2)}×${Math.floor(ps.width / 2)}`]));
      prevRight = { x: pool.x + pool.w, y: centre };
      x = pool.x + pool.w + COL_GAP;
    }
  }
  const head: Box = { x, y: centre - 30, w: BLOCK_W + 40, h: 60 };
  edges.push(arrow(prevRight.x, prevRight.y, head.x, centre));
  parts.push(block(head, 'topo-head', ['GAP + linear', `${spec.head.inChannels}→${spec.head.classes}`, `pool ${spec.head.poolHeight}×${spec.head.poolWidth}`]));
  const width = head.x + head.w + PAD;
  const title = `${formatInt(params)} params · ${mflops} MFLOPs · ${spec.phases.length}/${PHASES} phases active`;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" class="topo" role="img" aria-label="${escapeXml(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" data-mflops="${mflops}" data-params="${params}">` +
    `<title>${escapeXml(title)}</title>` +
    `<defs><marker id="${pid}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="topo-arrowhead" d="M0,0 L10,5 L0,10 z"/></marker></defs>` +
    `<g class="topo-edges">${edges.join('')}</g>${parts.join('')}` +
    `<text x="${PAD}" y="${height - 10}" class="topo-caption">${escapeXml(title)}</text></svg>`;
  return { svg, spec, mflops, params, width, height, activePhases: spec.phases.length, isolatedNodes: isolatedCount };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}
