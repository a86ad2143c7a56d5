// Search sizes a user most likely did not mean: the number of networks a search trains grows with
// population + offspring × (generations − 1); past MAX_NETWORKS (the paper's search trains 750) the
// field that contributes most gets a warning naming the total, before hours of GPU time are spent.
import type { Diagnostic } from 'vscode-languageserver/node';
import type { ConfigDocument } from './config-document';
import { diagnostic, DiagnosticSeverity } from './diagnostic';
import type { EffectiveConfig } from './effective-config';
import { trainings } from './search-cost';

/** A search over more networks than this is most likely a typo (the paper's: 750). */
export const MAX_NETWORKS = 10_000;

export function sizeDiagnostics(doc: ConfigDocument, config: EffectiveConfig): Diagnostic[] {
  const s = config.search;
  const total = trainings(s);
  if (total <= MAX_NETWORKS) return [];
  // the written field with the largest share of the total carries the warning
  const shares = [
    { field: 'population', share: s.population },
    { field: 'offspring', share: s.offspring * (s.generations - 1) },
    { field: 'generations', share: s.offspring * (s.generations - 1) },
  ].filter((f) => doc.node(['search', f.field]) !== undefined);
  const culprit = shares.sort((a, b) => b.share - a.share)[0]?.field;
  const path = culprit ? ['search', culprit] : ['search'];
  return [
    diagnostic(
      doc.rangeOf(path),
      `population ${s.population}, offspring ${s.offspring} and generations ${s.generations} make a search over ` +
        `${total.toLocaleString('en-US')} networks (more than ${MAX_NETWORKS.toLocaleString('en-US')}; the paper's trains 750): is ${culprit ?? 'search'} what you meant?`,
      DiagnosticSeverity.Warning,
    ),
  ];
}
