// One line saying which Pythons Doctor tried for the torch engine and what each had, shared by the
// CLI (`pareto-nas doctor`) and the extension's Doctor output. Browser-safe: no Node imports.
import type { PythonTried } from './protocol';

/** "python3 (/root/.pyenv/shims/python3): no torch (No module named 'torch'); /usr/bin/python3: torch 2.4.1". */
export function formatPythonsTried(tried: readonly PythonTried[]): string {
  return tried
    .map(
      (t) =>
        `${t.python}${t.resolved && t.resolved !== t.python ? ` (${t.resolved})` : ''}: ${t.torch ? `torch ${t.torch}` : `no torch (${t.problem ?? 'unusable'})`}`,
    )
    .join('; ');
}
