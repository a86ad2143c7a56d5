// The Slurm partitions Doctor lists: `sinfo` per partition with its node count, node states,
// CPUs and generic resources (GPUs as gpu:<type>:<n>), so a user can size executor.slurm.
import { spawn } from 'node:child_process';
import type { SlurmPartition } from '../../../common/protocol';

/** Parses `sinfo -h -o '%P|%D|%t|%c|%G|%l'` lines (the default partition carries a '*'). */
export function parseSinfo(text: string): SlurmPartition[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [name = '', nodes = '0', state = '', cpus = '', gres = '', timeLimit = ''] = l.split('|');
      return {
        name: name.replace(/\*$/, ''),
        default: name.endsWith('*'),
        nodes: Number(nodes) || 0,
        state,
        cpusPerNode: cpus,
        gres: gres === '(null)' ? '' : gres,
        timeLimit,
      };
    });
}

/** The partitions, or an error line when sinfo cannot answer (no Slurm, controller down). */
export function slurmPartitions(timeoutMs = 15_000): Promise<{ partitions: SlurmPartition[]; error?: string }> {
  return new Promise((resolve) => {
    const child = spawn('sinfo', ['-h', '-o', '%P|%D|%t|%c|%G|%l'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', (e) => (clearTimeout(timer), resolve({ partitions: [], error: `sinfo: ${e.message}` })));
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve({ partitions: parseSinfo(out) });
      else resolve({ partitions: [], error: `sinfo exited with ${code}: ${err.trim().split('\n').at(-1) ?? ''}` });
    });
  });
}
