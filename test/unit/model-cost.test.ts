// The FLOPs/params rule must reproduce NSGA-Net's own counter on every shipped test vector.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cost, decode, decodePhase, phaseBits, type ChannelScheme } from '../../common/model';
import { parse } from 'csv-parse/sync';
import { fixturePath } from '../helpers/paths';

interface Row {
  tag: string;
  bits: string;
  n_nodes: string;
  C: string;
  in_ch: string;
  H: string;
  W: string;
  n_classes: string;
  channels: string;
  flops_exact: string;
  mflops_reported: string;
  params: string;
  dag: string;
}

function readCsv(file: string): Row[] {
  return parse(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true }) as Row[];
}

const rows = readCsv(fixturePath('nsganet/flops-vectors.csv'));

function optionsOf(row: Row) {
  const channels: ChannelScheme = row.channels === 'C,2C,4C' ? 'doubling' : JSON.parse(row.channels);
  return {
    nodes: Number(row.n_nodes),
    initChannels: Number(row.C),
    input: { channels: Number(row.in_ch), height: Number(row.H), width: Number(row.W) },
    classes: Number(row.n_classes),
    channels,
  };
}

test('flops vectors: 130 rows are present', () => {
  assert.equal(rows.length, 130);
});

test('flops, rounded MFLOPs and params equal NSGA-Net’s counter on every vector', () => {
  const failures: string[] = [];
  for (const row of rows) {
    const c = cost(decode(row.bits, optionsOf(row)));
    const want = { flops: Number(row.flops_exact), mflops: Number(row.mflops_reported), params: Number(row.params) };
    if (c.flops !== want.flops || c.mflops !== want.mflops || c.params !== want.params) {
      failures.push(`${row.tag} C=${row.C}: got ${JSON.stringify(c)}, want ${JSON.stringify(want)}`);
    }
  }
  assert.deepEqual(failures, []);
});

test('decoded DAG equals the vectors’ dag column', () => {
  for (const row of rows) {
    const nodes = Number(row.n_nodes);
    const want = JSON.parse(row.dag) as Array<{ active: boolean; deps: Record<string, number[]> }>;
    want.forEach((phase, p) => {
      const g = decodePhase(phaseBits(row.bits, nodes, p), nodes);
      assert.equal(g.active, phase.active, `${row.tag} phase ${p} activity`);
      for (const [k, deps] of Object.entries(phase.deps)) {
        assert.deepEqual(g.deps[Number(k)], deps, `${row.tag} phase ${p} node ${k}`);
      }
    });
  }
});

test('worked example from the spec: arch 51 at 1×127×127 is 893.3721 MFLOPs and 442,586 params', () => {
  const spec = decode('0001101 1100000 0110010', {
    nodes: 4,
    initChannels: 24,
    input: { channels: 1, height: 127, width: 127 },
    classes: 2,
  });
  assert.deepEqual(cost(spec), { flops: 893_372_112, mflops: 893.3721, params: 442_586 });
  assert.deepEqual(spec.phases[0].isolated, [3]);
  assert.deepEqual(spec.phases[0].output.inputs, [0, 4]);
  assert.deepEqual(
    spec.phases.map((p) => [p.height, p.channels]),
    [
      [125, 24],
      [62, 48],
      [31, 96],
    ],
  );
});
