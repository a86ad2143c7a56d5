// Finding a Python that can import PyTorch: the configured interpreter, or (when the setting is the
// default "python3") the usual candidates, because `python3` on PATH is often a pyenv/venv Python
// without torch while the system or a conda Python has it.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const DEFAULT_PYTHON = 'python3';

export interface PythonProbe {
  python: string;
  ok: boolean;
  torch?: string;
  numpy?: string;
  version?: string;
  cuda?: boolean;
  gpus?: number;
  /** Memory of the smallest visible GPU, MiB. */
  gpuMemoryMiB?: number;
  /** Why it cannot be used (first line of the import error, or the spawn error). */
  problem?: string;
}

const PROBE = [
  'import json, sys',
  'import numpy, torch',
  'n = torch.cuda.device_count() if torch.cuda.is_available() else 0',
  'mem = min((torch.cuda.get_device_properties(i).total_memory >> 20 for i in range(n)), default=None)',
  'print(json.dumps({"torch": torch.__version__, "numpy": numpy.__version__, "version": sys.version.split()[0],',
  '  "cuda": n > 0, "gpus": n, "gpuMemoryMiB": mem}))',
].join('\n');

const cache = new Map<string, Promise<PythonProbe>>();

/**
 * Runs `python -c "import torch, numpy"` once per interpreter and GPU visibility (cached) and reports
 * what it found; `gpus` counts the GPUs visible under env's CUDA_VISIBLE_DEVICES.
 */
export function probePython(
  python: string,
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 120_000,
): Promise<PythonProbe> {
  const key = `${python}\0${env.CUDA_VISIBLE_DEVICES ?? ''}`;
  let p = cache.get(key);
  if (!p) {
    p = new Promise<PythonProbe>((resolve) => {
      execFile(python, ['-c', PROBE], { env, timeout: timeoutMs, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
        if (err) {
          const lines = `${stderr}`.trim().split('\n').filter(Boolean);
          const problem =
            (err as NodeJS.ErrnoException).code === 'ENOENT'
              ? 'not found'
              : (lines.at(-1) ?? (err.killed ? `timed out after ${timeoutMs / 1000} s` : err.message));
          resolve({ python, ok: false, problem });
          return;
        }
        try {
          const info = JSON.parse(`${stdout}`.trim().split('\n').at(-1) ?? '');
          resolve({ python, ok: true, ...info });
        } catch {
          resolve({ python, ok: false, problem: `unexpected output: ${`${stdout}`.slice(0, 200)}` });
        }
      });
    });
    cache.set(key, p);
  }
  return p;
}

/** The interpreters worth trying, in order: an explicit setting is the only candidate. */
export function pythonCandidates(configured: string | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.PARETO_NAS_PYTHON) return [env.PARETO_NAS_PYTHON];
  if (configured && configured !== DEFAULT_PYTHON) return [configured];
  const out = [DEFAULT_PYTHON, 'python'];
  if (env.CONDA_PREFIX) out.push(join(env.CONDA_PREFIX, 'bin', 'python'));
  // Debian/Ubuntu's python3-torch lives in the system interpreter, often shadowed by pyenv on PATH.
  for (const sys of ['/usr/bin/python3', '/usr/local/bin/python3']) if (existsSync(sys)) out.push(sys);
  // A Python next to the running node (e.g. a conda env that also provides node).
  const local = join(dirname(process.execPath), 'python3');
  if (existsSync(local)) out.push(local);
  return [...new Set(out)];
}

export class TorchUnavailableError extends Error {
  override name = 'TorchUnavailableError';
  constructor(readonly probes: PythonProbe[]) {
    super(describeMissing(probes));
  }
}

function describeMissing(probes: PythonProbe[]): string {
  const tried = probes.map((p) => `  ${p.python}: ${p.problem ?? 'unusable'}`).join('\n');
  const one = probes.length === 1;
  return (
    `PyTorch is not importable from ${one ? `the configured Python ${probes[0].python}` : 'any Python tried'}:\n${tried}\n` +
    'Fix: install PyTorch and NumPy into that interpreter (pip install torch numpy, conda install pytorch numpy, ' +
    'or on Debian/Ubuntu apt install python3-torch), or point engine.python (or PARETO_NAS_PYTHON) at a Python that ' +
    'has them, e.g. the python of a conda env; or use engine "tfjs".'
  );
}

/** The first candidate that imports torch and numpy; throws TorchUnavailableError naming every one tried. */
export async function findTorchPython(configured?: string, env: NodeJS.ProcessEnv = process.env): Promise<PythonProbe> {
  const probes: PythonProbe[] = [];
  for (const python of pythonCandidates(configured, env)) {
    const probe = await probePython(python, env);
    if (probe.ok) return probe;
    probes.push(probe);
  }
  throw new TorchUnavailableError(probes);
}
