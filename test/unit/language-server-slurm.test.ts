// The language server's Slurm checks and partition completion against Doctor results of a host
// (a test double of the host gateway: Doctor's answer as data; the real Doctor is tested elsewhere).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { DoctorResult } from '../../common/protocol';
import { completions } from '../../language-server/src/completion';
import { ConfigDocument } from '../../language-server/src/config-document';
import { effectiveConfig } from '../../language-server/src/effective-config';
import { HostFacts } from '../../language-server/src/host-facts';
import { slurmDiagnostics } from '../../language-server/src/host-checks';
import type { HostGateway } from '../../language-server/src/host-gateway';

const target = { host: 'ssh:cluster', label: 'cluster' };

function doctor(slurm: Partial<DoctorResult['slurm']>, gpus: string[] = []): DoctorResult {
  return {
    host: 'login1',
    platform: 'linux-x64',
    node: { version: '20', path: 'node' },
    python: { path: 'python3', version: '3.11' },
    torch: { version: '2.5', cuda: gpus.length > 0, cudaVersion: null, gpus },
    tfjs: { backends: ['cpu'] },
    slurm: { available: true, sbatch: '/usr/bin/sbatch', squeue: '/usr/bin/squeue', ...slurm },
    runsRoot: '/runs',
  };
}

function factsOf(d: DoctorResult): HostFacts {
  const gateway: HostGateway = {
    doctor: async () => d,
    checkDataset: async () => ({ dir: '/d', ok: true }),
    listDatasets: async () => ({ dir: '/', entries: [] }),
    dispose: () => undefined,
  };
  return new HostFacts(gateway);
}

const cpuAndGpu = [
  { name: 'cpu', default: true, nodes: 2, state: 'idle', cpusPerNode: '2', gres: '', timeLimit: 'infinite' },
  {
    name: 'gpu',
    default: false,
    nodes: 1,
    state: 'mix',
    cpusPerNode: '64',
    gres: 'gpu:h200:4',
    timeLimit: '2-00:00:00',
  },
];

async function check(json: object, d: DoctorResult) {
  const text = JSON.stringify(json, null, 2);
  const doc = new ConfigDocument(TextDocument.create('file:///c.pareto-nas.json', 'json', 1, text));
  return { text, doc, diagnostics: await slurmDiagnostics(doc, effectiveConfig(doc.value), factsOf(d), target) };
}

test('a Slurm search on a host without Slurm is an error on executor.kind', async () => {
  const { diagnostics, doc } = await check(
    { dataset: 'd', executor: { kind: 'slurm' } },
    doctor({ available: false, sbatch: null, squeue: null }),
  );
  assert.equal(diagnostics.length, 1);
  assert.equal(
    diagnostics[0].message,
    'executor.kind is "slurm", but Doctor found no Slurm on cluster (sbatch and squeue not on PATH)',
  );
  assert.deepEqual(diagnostics[0].range, doc.range(doc.node(['executor', 'kind'])!));
});

test('GPUs asked of a partition without GPUs, and an unknown partition, are errors on their values', async () => {
  const d = doctor({ partitions: cpuAndGpu });
  const cpu = await check(
    { dataset: 'd', executor: { kind: 'slurm', slurm: { partition: 'cpu', gpusPerNode: 2 } } },
    d,
  );
  assert.equal(cpu.diagnostics.length, 1);
  assert.match(
    cpu.diagnostics[0].message,
    /asks for 2 GPUs per node, but partition "cpu" on cluster has no GPUs \(Doctor: cpu: no gres; GPUs on login1: none\); set executor\.slurm\.gpusPerNode to 0/,
  );
  assert.deepEqual(cpu.diagnostics[0].range, cpu.doc.range(cpu.doc.node(['executor', 'slurm', 'gpusPerNode'])!));
  assert.deepEqual(
    (await check({ dataset: 'd', executor: { kind: 'slurm', slurm: { partition: 'gpu' } } }, d)).diagnostics,
    [],
  );
  assert.deepEqual(
    (await check({ dataset: 'd', executor: { kind: 'slurm', slurm: { partition: 'cpu', gpusPerNode: 0 } } }, d))
      .diagnostics,
    [],
  );
  const unknown = await check({ dataset: 'd', executor: { kind: 'slurm', slurm: { partition: 'gpus' } } }, d);
  assert.equal(unknown.diagnostics[0].message, 'no Slurm partition "gpus" on cluster (sinfo lists cpu, gpu)');
  // no partition named: the default one (cpu) decides; the default gpusPerNode is 1
  const byDefault = await check({ dataset: 'd', executor: { kind: 'slurm' } }, d);
  assert.match(byDefault.diagnostics[0].message, /asks for 1 GPU per node, but partition "cpu"/);
});

test("partitions complete from the host's sinfo", async () => {
  const text = '{ "executor": { "kind": "slurm", "slurm": { "partition": "" } } }';
  const doc = new ConfigDocument(TextDocument.create('file:///c.pareto-nas.json', 'json', 1, text));
  const items = await completions(
    doc,
    doc.text.positionAt(text.indexOf('""') + 1),
    factsOf(doctor({ partitions: cpuAndGpu })),
    target,
  );
  assert.deepEqual(
    items.map((i) => [i.label, i.detail]),
    [
      ['cpu', 'default, 2 nodes idle, GPUs none, limit infinite (sinfo on cluster)'],
      ['gpu', '1 nodes mix, GPUs gpu:h200:4, limit 2-00:00:00 (sinfo on cluster)'],
    ],
  );
});
