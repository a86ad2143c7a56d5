// Where tests find the repository root and the read-only shared/ folder (a sibling of the clone).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '..', '..');

/** Path inside the shared/ folder: $PARETO_NAS_SHARED, else ../shared next to the repository. */
export function sharedPath(relative: string): string {
  const base = process.env.PARETO_NAS_SHARED ?? join(repoRoot, '..', 'shared');
  const full = join(base, relative);
  if (!existsSync(full)) throw new Error(`shared file ${full} is missing; set PARETO_NAS_SHARED to the shared/ folder`);
  return full;
}
