// Where the bench's own files (genomes.json, baseline.py) are: beside this module under tsx, or under
// scripts/bench-search/ when the bench runs as the bundle dist/bench-search.cjs (the GPU script).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export function benchFile(name: string): string {
  const dirs = [__dirname, join(__dirname, 'bench-search'), resolve(__dirname, '..', 'scripts', 'bench-search')];
  for (const dir of dirs) if (existsSync(join(dir, name))) return join(dir, name);
  throw new Error(`bench:search: cannot find ${name} in ${dirs.join(', ')}`);
}
