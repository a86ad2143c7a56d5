// What this host offers the runner: Node, Python with torch (CUDA, GPUs), TF.js backends, Slurm.
// Used by the `doctor` RPC and `pareto-nas doctor`; never throws, reports what is missing instead.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { hostname } from 'node:os';
import { delimiter, join } from 'node:path';
import type { DoctorResult, PythonTried } from '../../../common/protocol';
import { formatPythonsTried } from '../../../common/python-tried';
import { probePython, pythonCandidates } from '../engines/torch/python';
import { slurmPartitions } from './sinfo';

const TORCH_PROBE = [
  'import json, sys',
  'out = {"python": sys.version.split()[0]}',
  'try:',
  '    import torch',
  '    out["torch"] = torch.__version__',
  '    out["cuda"] = bool(torch.cuda.is_available())',
  '    out["cudaVersion"] = torch.version.cuda',
  '    out["gpus"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())] if out["cuda"] else []',
  'except Exception as e:',
  '    out["torchError"] = "%s: %s" % (type(e).__name__, e)',
  'print(json.dumps(out))',
].join('\n');

/** The first executable named `name` on PATH, or null. */
export function which(name: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const f = join(dir, name);
    try {
      accessSync(f, constants.X_OK);
      return f;
    } catch {
      // not here
    }
  }
  return null;
}

function run(
  cmd: string,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string; error?: Error }> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let child;
    try {
      child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      resolve({ code: null, stdout, stderr, error: e as Error });
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr, error });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function tfjsBackends(): string[] {
  // cpu and wasm are bundled into the runner; the native bindings are optional installs.
  const backends = ['cpu', 'wasm'];
  for (const [pkg, name] of [
    ['@tensorflow/tfjs-node-gpu', 'node-gpu'],
    ['@tensorflow/tfjs-node', 'node'],
  ] as const) {
    try {
      require.resolve(pkg);
      backends.unshift(name);
    } catch {
      // not installed
    }
  }
  return backends;
}

/**
 * The interpreters the torch engine tries, in its order (engines/torch/python.ts), each probed; the
 * engine's choice is the first with torch. Doctor reports that one, not merely `python3` on PATH.
 */
async function pythonsTried(configured: string | undefined): Promise<{ chosen: string; tried: PythonTried[] }> {
  const tried: PythonTried[] = [];
  for (const python of pythonCandidates(configured)) {
    const p = await probePython(python);
    const resolved = python.includes('/') ? null : which(python);
    tried.push({ python, resolved, torch: p.ok ? (p.torch ?? null) : null, ...(!p.ok && { problem: p.problem }) });
    if (p.ok) return { chosen: python, tried };
  }
  return { chosen: tried[0]?.python ?? 'python3', tried };
}

export async function doctor(o: { python?: string; runsRoot: string }): Promise<DoctorResult> {
  const { chosen: python, tried } = await pythonsTried(o.python);
  const result: DoctorResult = {
    host: hostname(),
    platform: `${process.platform}-${process.arch}`,
    node: { version: process.versions.node, path: process.execPath },
    python: { path: python, version: null, tried },
    torch: { version: null, cuda: false, cudaVersion: null, gpus: [] },
    tfjs: { backends: tfjsBackends() },
    slurm: { available: false, sbatch: which('sbatch'), squeue: which('squeue') },
    runsRoot: o.runsRoot,
  };
  result.slurm.available = result.slurm.sbatch !== null && result.slurm.squeue !== null;
  if (result.slurm.available) Object.assign(result.slurm, await slurmPartitions());
  const r = await run(python, ['-c', TORCH_PROBE], 120_000);
  if (r.error) {
    result.python.error = `${python} could not be started: ${r.error.message}`;
    result.torch.error = 'no python';
  } else if (r.code !== 0) {
    result.python.error = `${python} exited with ${r.code}: ${r.stderr.trim().split('\n').at(-1) ?? ''}`;
  } else {
    try {
      const p = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
      result.python.version = (p.python as string) ?? null;
      result.torch.version = (p.torch as string) ?? null;
      result.torch.cuda = p.cuda === true;
      result.torch.cudaVersion = (p.cudaVersion as string | null) ?? null;
      result.torch.gpus = (p.gpus as string[]) ?? [];
      if (p.torchError) result.torch.error = p.torchError as string;
    } catch {
      result.python.error = `unexpected output from ${python}: ${r.stdout.slice(0, 200)}`;
    }
  }
  return result;
}

/** Human-readable lines for `pareto-nas doctor`. */
export function formatDoctor(d: DoctorResult): string {
  const ok = (b: boolean) => (b ? 'ok  ' : 'MISS');
  return [
    `host      ${d.host} (${d.platform})`,
    `${ok(true)} node ${d.node.version} (${d.node.path})`,
    `${ok(d.python.version !== null)} python ${d.python.version ?? '-'} (${d.python.path})${d.python.error ? `: ${d.python.error}` : ''}`,
    ...(d.python.tried && d.python.tried.length > 1 ? [`     tried: ${formatPythonsTried(d.python.tried)}`] : []),
    `${ok(d.torch.version !== null)} torch ${d.torch.version ?? '-'}${d.torch.error ? `: ${d.torch.error}` : ''}`,
    `${ok(d.torch.cuda)} cuda ${d.torch.cudaVersion ?? '-'}; GPUs: ${d.torch.gpus.length ? d.torch.gpus.join(', ') : 'none'}`,
    `${ok(true)} tfjs backends: ${d.tfjs.backends.join(', ')}`,
    `${ok(d.slurm.available)} slurm: sbatch ${d.slurm.sbatch ?? 'not on PATH'}, squeue ${d.slurm.squeue ?? 'not on PATH'}${d.slurm.error ? `; ${d.slurm.error}` : ''}`,
    ...(d.slurm.partitions ?? []).map(
      (p) =>
        `     partition ${p.name}${p.default ? ' (default)' : ''}: ${p.nodes} nodes ${p.state}, ${p.cpusPerNode} CPUs, GPUs ${p.gres || 'none'}, limit ${p.timeLimit}`,
    ),
    `runs      ${d.runsRoot}`,
  ].join('\n');
}
