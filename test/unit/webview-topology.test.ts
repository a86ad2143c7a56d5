// The topology drawing: every decoded node and edge appears, inactive phases and isolated nodes greyed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cost, decode, decodePhase, phaseBits, type DecodeOptions } from '../../common/model';
import { topologySvg } from '../../webview/src/model/topology';

const opts: DecodeOptions = { nodes: 4, initChannels: 8, input: { channels: 1, height: 32, width: 32 }, classes: 2 };

function count(svg: string, re: RegExp): number {
  return (svg.match(re) ?? []).length;
}

test('seed genomes: nodes, edges, skip, inactive phases and cost match the decoder', () => {
  for (const g of [
    '000000100000000000001',
    '010000000000000000001',
    '010000100000000000001',
    '110000010011001010101',
    '101101111111110110111',
    '100000011000001000000',
  ]) {
    const t = topologySvg(g, opts, g);
    const spec = decode(g, opts);
    const c = cost(spec);
    assert.equal(t.mflops, c.mflops);
    assert.equal(t.params, c.params);
    assert.match(t.svg, new RegExp(`data-mflops="${c.mflops}"`));
    assert.equal(count(t.svg, /data-active="true"/g), spec.phases.length, g);
    assert.equal(count(t.svg, /data-active="false"/g), 3 - spec.phases.length, g);
    const activeNodes = spec.phases.reduce((s, p) => s + p.nodes.length, 0);
    assert.equal(count(t.svg, /data-state="active"/g), activeNodes, g);
    const isolated = spec.phases.reduce((s, p) => s + p.isolated.length, 0);
    assert.equal(count(t.svg, /data-state="isolated"/g), isolated, g);
    assert.equal(count(t.svg, /data-state="inactive"/g), 4 * (3 - spec.phases.length), g);
    const skips = [0, 1, 2].filter(
      (p) => spec.phases.some((s) => s.genomePhase === p) && decodePhase(phaseBits(g, 4, p), 4).deps[5].includes(0),
    ).length;
    assert.equal(count(t.svg, /data-skip="true"/g), skips, g);
    // processors: nodes with more than one input say so
    const procs = spec.phases.reduce(
      (s, p) => s + p.nodes.filter((n) => n.inputs.length > 1).length + (p.output.inputs.length > 1 ? 1 : 0),
      0,
    );
    assert.equal(count(t.svg, /class="topo-node(?: output)? proc"/g), procs, g);
    // pooling after every active phase but the last
    assert.equal(count(t.svg, /class="topo-pool"/g), Math.max(0, spec.phases.length - 1), g);
    assert.equal(t.svg.includes('style='), false, 'no inline styles (CSP)');
  }
});

test('isolated nodes are drawn (greyed) for a phase with dead nodes', () => {
  // phases 1 and 3: only edge 1→2, so nodes 3 and 4 are isolated; phase 2: 1→2, 1→3, so node 4 is
  const t = topologySvg('100000011000001000000', opts);
  assert.equal(t.isolatedNodes, 2 + 1 + 2);
  assert.equal(count(t.svg, /data-state="isolated"/g), 5);
});

test('all-inactive genome still draws input, greyed phases and the head', () => {
  const t = topologySvg('0'.repeat(21), opts);
  assert.equal(t.activePhases, 0);
  assert.match(t.svg, /GAP \+ linear/);
  assert.match(t.svg, /1→2/);
  assert.equal(count(t.svg, /data-active="false"/g), 3);
});

test('a bad genome is a clear error', () => {
  assert.throws(() => topologySvg('0101', opts), /has 4 bits/);
});
