// `npm run bench:search` end to end on CPU with real PyTorch, at the smallest size that still goes
// through every part (2 networks of the fixture, 32×32 images, 2 epochs; the default variants:
// today's settings, the tuned ones, the plain loop): the per-network tables and the projection are
// printed and the last line is the JSON object the issue asks for. Speed is not asserted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

test(
  'bench:search --quick prints a table per variant, the projection, and a JSON last line',
  { timeout: 600_000 },
  async () => {
    const args = [
      '--import',
      'tsx',
      'scripts/bench-search.ts',
      '--quick',
      '--genomes',
      '2',
      '--size',
      '32',
      '--train',
      '32',
      '--val',
      '16',
      '--batch',
      '16',
    ];
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, args, { cwd: ROOT, maxBuffer: 16 << 20 }, (err, out, errOut) =>
        err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(`${out}`),
      ),
    );
    const lines = stdout.trim().split('\n');
    const last = JSON.parse(lines.at(-1)!);
    assert.deepEqual(Object.keys(last).sort(), [
      'baselineHours',
      'defaultHours',
      'device',
      'projectedHours',
      'settings',
    ]);
    for (const k of ['projectedHours', 'baselineHours', 'defaultHours'])
      assert.ok(last[k] > 0 && Number.isFinite(last[k]), `${k}: ${last[k]}`);
    assert.match(last.device, /^torch \S+ (cpu|cuda)/);
    assert.deepEqual(last.settings.engine, { compile: false, cudaGraphs: true, evalBatchSize: 1024 });
    for (const variant of ['defaults', 'tuned', 'baseline']) {
      const at = lines.findIndex((l) => l.startsWith(`${variant}: `));
      assert.ok(at >= 0, `a table for ${variant}`);
      const rows = lines.slice(at + 3, at + 5);
      for (const row of rows)
        assert.match(
          row,
          /^\| n0\d-[01]{21} \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \|$/,
          row,
        );
    }
    assert.ok(
      lines.some((l) => /^Assumptions: 750 networks, 15 epochs, 63508 train \+ 15876 validation images/.test(l)),
    );
    assert.ok(lines.some((l) => /^Tuned vs today's defaults: [\d.]+× faster; vs the plain loop: [\d.]+×$/.test(l)));
  },
);
