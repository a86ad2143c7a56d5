// What the runner knows about the Slurm allocation it runs in (as the batch step of a search job):
// its nodes, and the srun command line that starts one training worker as a job step on one of
// them. Pure apart from `allocationNodes`, which asks scontrol to expand the node list.
import { spawnSync } from 'node:child_process';
import type { WorkerLayout } from '../server/sbatch-script';

/** Inside a Slurm job (batch script, salloc shell): its id; undefined outside. */
export function slurmJobId(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.SLURM_JOB_ID || undefined;
}

/** The allocation's node names in order ("n[1-2]" → n1, n2); the batch node comes first. */
export function allocationNodes(env: NodeJS.ProcessEnv = process.env): string[] {
  const list = env.SLURM_JOB_NODELIST ?? env.SLURM_NODELIST;
  if (!list) throw new Error('not inside a Slurm allocation (SLURM_JOB_NODELIST is not set)');
  const r = spawnSync('scontrol', ['show', 'hostnames', list], { encoding: 'utf8', env, timeout: 30_000 });
  if (r.error || r.status !== 0)
    throw new Error(`scontrol show hostnames ${list} failed: ${r.error?.message ?? r.stderr.trim()}`);
  const nodes = r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const first = env.SLURMD_NODENAME;
  return first && nodes.includes(first) ? [first, ...nodes.filter((n) => n !== first)] : nodes;
}

/** One worker of the pool: which node it runs on and its place among that node's workers. */
export interface StepSlot {
  index: number;
  node: string;
  /** 0-based worker number on its node. */
  local: number;
}

/** Workers spread over nodes round-robin, so a pool smaller than the allocation still uses every node. */
export function planStepSlots(nodes: string[], perNode: number, limit?: number | null): StepSlot[] {
  const slots: StepSlot[] = [];
  for (let local = 0; local < perNode; local++)
    for (const node of nodes) slots.push({ index: slots.length, node, local });
  return slots.slice(0, limit ?? slots.length);
}

/**
 * srun for one worker step: one task on the slot's node, its own CPUs (--exclusive) and, on GPU
 * partitions, one GPU of the node's GRES (Slurm sets the step's CUDA_VISIBLE_DEVICES).
 */
export function srunWorkerArgs(slot: StepSlot, layout: WorkerLayout, jobId: string): string[] {
  const gpuShare = layout.gpusPerNode > 0 ? layout.gpusPerNode / layout.workersPerNode : 0;
  return [
    'srun',
    `--jobid=${jobId}`,
    '--nodes=1',
    '--ntasks=1',
    '--exclusive',
    `--nodelist=${slot.node}`,
    `--cpus-per-task=${layout.cpusPerWorker}`,
    // workersPerGpu > 1 shares a GPU: those steps ask for no GPU of their own and see the node's
    ...(gpuShare >= 1 ? [`--gpus=${Math.floor(gpuShare)}`] : []),
    `--job-name=pareto-nas-worker-${slot.index}`,
    // a step that cannot start (node down, resources held by a dying step) fails instead of waiting
    '--immediate=60',
    // a step's death must not end the job: the search goes on with the other workers
    '--kill-on-bad-exit=0',
  ];
}
