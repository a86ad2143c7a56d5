// Picks the executor a config asks for. A Slurm search is one batch job (`pareto-nas search` or
// `serve` submits it); inside that allocation the runner starts its training workers as job steps
// on every node (slurm-steps.ts). Local runs use the pool of local workers.
import type { SearchConfig } from '../../../common/config';
import type { Executor } from './executor';
import { LocalExecutor } from './local';
import { slurmJobId } from './slurm-allocation';
import { SlurmStepExecutor } from './slurm-steps';

export type { Executor, ExecutorHooks, WorkerEvent } from './executor';

export function createExecutor(config: SearchConfig, env: NodeJS.ProcessEnv = process.env): Executor {
  if (config.executor.kind === 'slurm' && slurmJobId(env)) {
    return new SlurmStepExecutor({ engine: config.engine, executor: config.executor, jobId: slurmJobId(env) });
  }
  return new LocalExecutor({ engine: config.engine, executor: config.executor });
}
