// Where tests find the repository root and the reference files kept under test/fixtures/.
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '..', '..');

/** Path of a file under test/fixtures/ (each folder there says where its files came from). */
export function fixturePath(relative: string): string {
  return join(repoRoot, 'test', 'fixtures', relative);
}
