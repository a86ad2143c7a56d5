// Picks the executor a config asks for. A Slurm run is the search itself submitted as a batch job
// (`pareto-nas serve` does the sbatch); inside the allocation it trains with local workers pinned
// to the GPUs Slurm granted (CUDA_VISIBLE_DEVICES), so both kinds use the local pool here.
import type { SearchConfig } from '../../../common/config';
import type { Executor } from './executor';
import { LocalExecutor } from './local';

export type { Executor, ExecutorHooks } from './executor';

export function createExecutor(config: SearchConfig): Executor {
  return new LocalExecutor({ engine: config.engine, executor: config.executor });
}
