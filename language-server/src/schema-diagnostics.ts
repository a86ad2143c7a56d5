// The runner's own validation (common/config.ts SearchConfig, zod) turned into diagnostics on the
// offending value: JSON syntax errors, wrong types and ranges, unknown fields, genomes whose length
// does not match search.nodes (the schema checks them), and a missing `dataset`.
import { printParseErrorCode } from 'jsonc-parser';
import type { Diagnostic } from 'vscode-languageserver/node';
import type { z } from 'zod';
import { SearchConfig } from '../../common/config';
import type { ConfigDocument } from './config-document';
import { diagnostic } from './diagnostic';

export function schemaDiagnostics(doc: ConfigDocument): Diagnostic[] {
  if (doc.parseErrors.length) {
    return doc.parseErrors.map((e) =>
      diagnostic(
        doc.range({ offset: e.offset, length: Math.max(1, e.length) }),
        `not valid JSON: ${printParseErrorCode(e.error)}`,
      ),
    );
  }
  const result = SearchConfig.safeParse(doc.value);
  return result.success ? [] : result.error.issues.flatMap((issue) => issueDiagnostics(doc, issue));
}

function issueDiagnostics(doc: ConfigDocument, issue: z.core.$ZodIssue): Diagnostic[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const where = path.length ? path.join('.') : 'the config';
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) =>
      diagnostic(
        doc.range(doc.keyNode([...path, key]) ?? doc.rangeNode(path)),
        `${[...path, key].join('.')} is not a field of ${where === 'the config' ? 'a search config' : where}`,
      ),
    );
  }
  const missing = issue.code === 'invalid_type' && doc.node(path) === undefined;
  if (missing) {
    const hint =
      where === 'dataset'
        ? ': name the dataset folder (with dataset.json) on the host, or "default" for the bundled demo data'
        : '';
    return [diagnostic(doc.rangeOf(path), `${where} is missing${hint}`)];
  }
  return [diagnostic(doc.rangeOf(path), `${where}: ${issue.message}`)];
}
