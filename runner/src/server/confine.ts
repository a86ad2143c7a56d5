// Path confinement for `pareto-nas serve`: every path a client names (a run id, a run directory,
// a runs root) must lie inside one of the server's runs roots: the configured runs folder plus
// the roots the client named when it started the server (`serve --root <dir>`). Symbolic links
// are resolved first, so a link inside a root cannot lead out of it. A refusal says which roots
// are allowed and never reads the refused path.
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ErrorCodes, ResponseError } from 'vscode-jsonrpc/node';

/** A run id: one folder name under the runs root. */
const RUN_ID = /^[A-Za-z0-9_.-]+$/;

export class RunsRoots {
  /** The roots as given (resolved) and as they are on disk (symlinks resolved). */
  private readonly real: string[];

  constructor(readonly roots: string[]) {
    this.real = roots.map((r) => realPathOf(resolve(r)));
  }

  /** The configured runs folder: where run ids are looked up and new runs go. */
  get main(): string {
    return resolve(this.roots[0]);
  }

  /**
   * The directory a client's reference names, if it lies inside a root: a run id (a folder of the
   * runs folder) or an absolute path. `field` names the parameter in the error (params.<field>).
   */
  confine(ref: string, field: string): string {
    let dir: string;
    if (isAbsolute(ref)) dir = resolve(ref);
    else if (RUN_ID.test(ref) && ref !== '.' && ref !== '..') dir = join(this.main, ref);
    else throw refuse(field, ref, 'is neither a run id nor an absolute path');
    if (!this.contains(dir))
      throw refuse(field, ref, `is outside the runs roots of this server (${this.roots.join(', ')})`);
    return dir;
  }

  /** True when dir, with its symlinks resolved, is a root or lies below one. */
  contains(dir: string): boolean {
    const real = realPathOf(resolve(dir));
    return this.real.some((root) => real === root || isBelow(real, root));
  }
}

function isBelow(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

/** The real path of p: of its longest existing ancestor, with the rest appended (p may not exist yet). */
function realPathOf(p: string): string {
  if (existsSync(p)) {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  }
  const parent = dirname(p);
  return parent === p ? p : join(realPathOf(parent), basename(p));
}

function refuse(field: string, ref: string, why: string): ResponseError<void> {
  const shown = ref.length > 200 ? `${ref.slice(0, 200)}…` : ref;
  return new ResponseError(ErrorCodes.InvalidParams, `params.${field} "${shown}" ${why}`);
}
