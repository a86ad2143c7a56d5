// Starting a search that outlives its caller, shared by `serve` (search/start) and the CLI (`pareto-nas
// search` with the slurm executor, from a login node): the config goes into the run directory, an
// empty events file lets a viewer follow the run while it is queued, and the search is spawned or
// submitted. When the submission fails, nothing is left that looks like a started run.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { SearchConfig } from '../../../common/config';
import { RUN_FILES } from '../store/layout';
import { launch, type LaunchInfo } from './launch';

export const LAUNCH_CONFIG = 'launch-config.json';

export function startSearch(
  config: SearchConfig,
  dir: string,
  runnerScript: string,
  env?: NodeJS.ProcessEnv,
): LaunchInfo {
  if (existsSync(join(dir, RUN_FILES.config))) throw new Error(`${dir} already holds a run; resume it instead`);
  const created = !existsSync(dir);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, LAUNCH_CONFIG);
  try {
    // the job runs in the run directory: a relative dataset path must not depend on where we are now
    const dataset = config.dataset === 'default' ? config.dataset : resolve(config.dataset);
    writeFileSync(file, `${JSON.stringify({ ...config, dataset }, null, 2)}\n`);
    // An empty events file from the start: attaching right after the start follows it (and replays
    // from seq 0) while the search process is still starting or queued.
    writeFileSync(join(dir, RUN_FILES.events), '', { flag: 'a' });
    return launch({
      kind: 'search',
      runDir: dir,
      args: ['search', '--config', file, '--run-dir', dir],
      runnerScript,
      executor: config.executor.kind,
      slurm: config.executor.slurm,
      workersPerGpu: config.executor.workersPerGpu,
      env,
    });
  } catch (e) {
    if (created) rmSync(dir, { recursive: true, force: true });
    else for (const f of [file, join(dir, RUN_FILES.events), join(dir, 'search.sbatch')]) rmSync(f, { force: true });
    throw e;
  }
}
