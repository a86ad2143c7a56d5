// Diagnostics of this server: one constructor, so each says where it came from the same way.
import { DiagnosticSeverity, type Diagnostic, type Range } from 'vscode-languageserver/node';

export const SOURCE = 'pareto-nas';

export function diagnostic(
  range: Range,
  message: string,
  severity: DiagnosticSeverity = DiagnosticSeverity.Error,
): Diagnostic {
  return { range, message, severity, source: SOURCE };
}

export { DiagnosticSeverity };
