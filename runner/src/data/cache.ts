// The user cache folder for generated data (grids, the demo dataset): $PARETO_NAS_CACHE, else
// $XDG_CACHE_HOME/pareto-nas, else ~/.cache/pareto-nas. Never inside the repository.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function cacheDir(): string {
  if (process.env.PARETO_NAS_CACHE) return process.env.PARETO_NAS_CACHE;
  if (process.env.XDG_CACHE_HOME) return join(process.env.XDG_CACHE_HOME, 'pareto-nas');
  return join(homedir(), '.cache', 'pareto-nas');
}
