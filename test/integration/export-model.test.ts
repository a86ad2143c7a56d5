// Export of a refined network: the ONNX file loads in ONNX Runtime (onnxruntime-node) and gives the
// engine's logits within 1e-4 on images exactly as stored (uint8 here: the input transform is inside
// the file); TorchScript loads in torch.jit.load; the metadata beside the file says how to feed it;
// bench-model measures and records throughput; networks without weights get a clear error.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatasetSync } from '../../runner/src/data/reader';
import { TorchEngine } from '../../runner/src/engines/torch';
import { benchModel, readBenchRecord } from '../../runner/src/export/bench-model';
import { exportModel, ExportError, manifestFileOf, type ExportManifest } from '../../runner/src/export/export';
import { OnnxModel } from '../../runner/src/export/onnx-runtime';
import { refine } from '../../runner/src/refine';
import { startServer } from '../../runner/src/server/server';
import { PROTOCOL_VERSION } from '../../common/version';
import { Rpc, RpcErrorCode } from '../../common/protocol';
import { PassThrough } from 'node:stream';
import { createMessageConnection, ResponseError, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { runSpec } from '../../runner/src/search/run-spec';
import { refineDir } from '../../runner/src/store';
import { runCli } from '../helpers/cli';
import { makeHandMadeRun } from '../helpers/hand-made-run';
import { writeSyntheticDataset } from '../helpers/npy';

const tmp = mkdtempSync(join(tmpdir(), 'pareto-export-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const size = 12;
const dataset = writeSyntheticDataset(join(tmp, 'ds'), { size, train: 32, val: 16, dtype: 'uint8' });
const run = makeHandMadeRun(tmp, 'run', dataset, size);

before(async () => {
  const [record] = await refine({ runDir: run, select: { ids: ['g1-01'] }, epochs: 1 });
  assert.equal(record.status, 'done', JSON.stringify(record.failure));
});

test('the ONNX export gives the engine’s logits on stored (uint8) images, within 1e-4', async () => {
  const { file, manifest } = await exportModel({ runDir: run, id: 'g1-01', format: 'onnx' });
  assert.equal(file, join(run, 'exports', 'g1-01', manifest.file));
  assert.ok(existsSync(file));
  assert.deepEqual(JSON.parse(readFileSync(manifestFileOf(file), 'utf8')), manifest);
  assert.deepEqual(manifest.input, {
    name: 'images',
    shape: ['batch', 1, size, size],
    dtype: 'float32',
    storedAs: 'uint8',
  });
  assert.deepEqual(manifest.classes, ['q0', 'q1']);
  assert.equal(manifest.normalization.insideModel, true);

  const engine = await TorchEngine.create({ device: 'cpu' });
  let expected: number[][];
  try {
    const spec = runSpec(run, manifest.genome);
    expected = await engine.predict({ spec, weights: join(refineDir(run, 'g1-01'), 'weights'), dataset, split: 'val' });
  } finally {
    await engine.close();
  }
  const val = openDatasetSync(dataset).splits.val;
  const images = Float32Array.from(await val.images());
  const model = await OnnxModel.open(file, 1);
  try {
    const out = await model.logits(images, [val.count, 1, size, size]);
    assert.deepEqual(out.dims, [val.count, 2]);
    let worst = 0;
    expected.forEach((row, i) => row.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - out.data[i * 2 + k])))));
    assert.ok(worst < 1e-4, `max |onnx - engine| = ${worst}`);
  } finally {
    await model.close();
  }
});

test('export --format torchscript from the CLI writes a file torch.jit.load reads (bench-model loads it), and its metadata', () => {
  const r = runCli(['export', run, 'g1-01', '--format', 'torchscript', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const manifest = JSON.parse(r.stdout) as ExportManifest;
  assert.equal(manifest.modelFormat, 'torchscript');
  const file = join(run, 'exports', 'g1-01', manifest.file);
  assert.ok(existsSync(file) && existsSync(manifestFileOf(file)));
  // bench-model runs the file through torch.jit.load in the torch worker.
  const b = runCli([
    'bench-model',
    run,
    'g1-01',
    '--format',
    'torchscript',
    '--batch',
    '4',
    '--seconds',
    '0.1',
    '--json',
  ]);
  assert.equal(b.status, 0, b.stderr);
  assert.match(JSON.parse(b.stdout).runtime, /torch worker/);
});

test('bench-model records throughput and latency beside the export', async () => {
  const record = await benchModel({ runDir: run, id: 'g1-01', format: 'onnx', batchSize: 8, seconds: 0.2 });
  assert.ok(record.batches >= 5 && record.imagesPerSecond > 0 && record.latencyMs.p95 >= record.latencyMs.p50);
  assert.deepEqual(readBenchRecord(run, 'g1-01'), record);
  const report = runCli(['report', run]);
  assert.equal(report.status, 0, report.stderr);
  const table = readFileSync(join(run, 'table1.md'), 'utf8');
  assert.match(
    table,
    new RegExp(`\\| g1-01 \\| onnx \\| onnxruntime-node .* \\| 8 \\| ${record.imagesPerSecond.toFixed(0)} \\|`),
  );
});

test('a network that was not refined, or an unknown id, gets a clear error', async () => {
  await assert.rejects(
    exportModel({ runDir: run, id: 'g1-00', format: 'onnx' }),
    (e: unknown) => e instanceof ExportError && /refine .* --ids g1-00/.test(e.message),
  );
  const r = runCli(['export', run, 'g9-99']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no candidate "g9-99"/);
});

test("serve: model/export writes the file on the runner's host and times it; unrefined networks get ExportFailed", async () => {
  const toServer = new PassThrough();
  const fromServer = new PassThrough();
  const server = startServer({ input: toServer, output: fromServer, runsRoot: tmp, log: () => undefined });
  const client = createMessageConnection(new StreamMessageReader(fromServer), new StreamMessageWriter(toServer));
  client.listen();
  try {
    await client.sendRequest(Rpc.version, { protocol: PROTOCOL_VERSION });
    const r = await client.sendRequest(Rpc.modelExport, { run: 'run', id: 'g1-01', format: 'onnx', bench: true });
    assert.equal(r.file, join(run, 'exports', 'g1-01', 'g1-01.onnx'));
    assert.equal(r.manifest.candidate, 'g1-01');
    assert.ok(r.bench && r.bench.imagesPerSecond > 0);
    await assert.rejects(
      client.sendRequest(Rpc.modelExport, { run: 'run', id: 'g1-00', format: 'onnx' }),
      (e: unknown) => e instanceof ResponseError && e.code === RpcErrorCode.ExportFailed && /refine/.test(e.message),
    );
  } finally {
    client.dispose();
    server.dispose();
  }
});
