// Everything the server does for a config document, in one place the LSP wiring (server.ts) calls:
// diagnostics (schema, sizes, host checks), hover, code lenses and completion, all against the
// current target host. Validation of a document supersedes its earlier one still in flight.
import type { CodeLens, CompletionItem, Diagnostic, Hover, Position } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { TargetParams } from '../../common/lsp';
import { codeLenses } from './code-lens';
import { completions } from './completion';
import { ConfigDocument } from './config-document';
import { effectiveConfig } from './effective-config';
import { HostFacts } from './host-facts';
import { datasetDiagnostics, slurmDiagnostics } from './host-checks';
import type { HostGateway } from './host-gateway';
import { hover } from './hover';
import { schemaDiagnostics } from './schema-diagnostics';
import { sizeDiagnostics } from './size-checks';

export class ConfigService {
  private readonly facts: HostFacts;
  private readonly versions = new Map<string, number>();

  constructor(
    private readonly gateway: HostGateway,
    private target: TargetParams,
    private readonly publish: (uri: string, diagnostics: Diagnostic[]) => void,
    private readonly fieldHovers: boolean,
  ) {
    this.facts = new HostFacts(gateway);
  }

  /** The documents this server serves (the extension's document selector says the same). */
  static handles(uri: string): boolean {
    return /\.pareto-nas\.json$/i.test(uri);
  }

  setTarget(t: TargetParams): void {
    this.target = t;
  }

  clearHostFacts(): void {
    this.facts.clear();
  }

  /** Publishes the local diagnostics at once, then again with the host's once it has answered. */
  async validate(text: TextDocument): Promise<void> {
    this.versions.set(text.uri, text.version);
    const doc = new ConfigDocument(text);
    const local = schemaDiagnostics(doc);
    if (doc.parseErrors.length) return this.publish(text.uri, local);
    const config = effectiveConfig(doc.value);
    const offline = [...local, ...sizeDiagnostics(doc, config)];
    this.publish(text.uri, offline);
    const target = this.target;
    const host = (
      await Promise.all([
        datasetDiagnostics(doc, config, this.facts, target),
        slurmDiagnostics(doc, config, this.facts, target),
      ])
    ).flat();
    if (this.versions.get(text.uri) !== text.version) return; // a newer edit is being validated
    this.publish(text.uri, [...offline, ...host]);
  }

  forget(uri: string): void {
    this.versions.delete(uri);
    this.publish(uri, []);
  }

  hover(text: TextDocument, position: Position): Promise<Hover | null> {
    const doc = new ConfigDocument(text);
    return hover(doc, position, effectiveConfig(doc.value), this.facts, this.target, this.fieldHovers);
  }

  codeLenses(text: TextDocument): Promise<CodeLens[]> {
    const doc = new ConfigDocument(text);
    return codeLenses(doc, effectiveConfig(doc.value), this.facts, this.target);
  }

  completions(text: TextDocument, position: Position): Promise<CompletionItem[]> {
    return completions(new ConfigDocument(text), position, this.facts, this.target);
  }

  dispose(): void {
    this.gateway.dispose();
  }
}
