// Doctor reports the Python the torch engine will use, and what else it tried: with a `python3` first
// on PATH that cannot import torch (like a pyenv shim), it names the system Python that can, not
// "MISS torch". The shadowing python3 is a real interpreter: the system one without its site packages.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { DoctorResult } from '../../common/protocol';
import { runCli } from '../helpers/cli';

const SYSTEM_PYTHON = '/usr/bin/python3';
const tmp = mkdtempSync(join(tmpdir(), 'pareto-doctor-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test(
  'doctor names the Python with torch that the engine uses, and the python3 on PATH it skipped',
  { skip: !existsSync(SYSTEM_PYTHON) && `${SYSTEM_PYTHON} missing` },
  () => {
    const shim = join(tmp, 'python3');
    writeFileSync(shim, `#!/bin/sh\nexec ${SYSTEM_PYTHON} -S "$@"\n`); // -S: no site-packages, so no torch
    chmodSync(shim, 0o755);
    const env = { PATH: `${tmp}:${process.env.PATH}`, PARETO_NAS_PYTHON: '' };
    const r = runCli(['doctor', '--json'], env, 180_000);
    assert.equal(r.status, 0, r.stderr);
    const d = JSON.parse(r.stdout) as DoctorResult;
    assert.equal(d.python.path, SYSTEM_PYTHON, JSON.stringify(d.python));
    assert.ok(d.torch.version, `torch found in ${SYSTEM_PYTHON}: ${JSON.stringify(d.torch)}`);
    const first = d.python.tried?.[0];
    assert.deepEqual([first?.python, first?.resolved, first?.torch], ['python3', shim, null]);
    assert.match(first?.problem ?? '', /No module named/);
    assert.equal(d.python.tried?.at(-1)?.python, SYSTEM_PYTHON);

    const text = runCli(['doctor'], env, 180_000);
    assert.match(text.stdout, new RegExp(`ok   python [\\d.]+ \\(${SYSTEM_PYTHON}\\)`));
    assert.match(text.stdout, new RegExp(`tried: python3 \\(${shim}\\): no torch .*; ${SYSTEM_PYTHON}: torch \\S+`));
    assert.doesNotMatch(text.stdout, /MISS torch/);
  },
);
