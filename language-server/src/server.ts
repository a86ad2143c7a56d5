// The Pareto NAS language server for `*.pareto-nas.json` search configs (dist/language-server.js):
// started by the extension through vscode-languageclient, or by any editor as
// `node dist/language-server.js --stdio`. This file only wires the LSP connection to the features;
// how the server reaches the target host is host-gateway.ts.
import { createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LspMethod, type LspInitOptions, type TargetParams } from '../../common/lsp';
import { ConfigService } from './config-service';
import { ClientGateway, LOCAL_TARGET } from './host-gateway';
import { LocalRunnerGateway } from './local-runner';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
let service: ConfigService | undefined;

connection.onInitialize((params) => {
  const options = (params.initializationOptions ?? {}) as LspInitOptions;
  const gateway = options.runnerRequests
    ? new ClientGateway(connection)
    : new LocalRunnerGateway(undefined, (l) => connection.console.log(l));
  service = new ConfigService(
    gateway,
    options.target ?? LOCAL_TARGET,
    (uri, diagnostics) => void connection.sendDiagnostics({ uri, diagnostics }),
    options.fieldHovers ?? true,
  );
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      codeLensProvider: { resolveProvider: false },
      completionProvider: { triggerCharacters: ['"', '/'] },
    },
    serverInfo: { name: 'pareto-nas-language-server' },
  };
});

const open = () => documents.all().filter((d) => ConfigService.handles(d.uri));
const validate = (d: TextDocument) =>
  void service
    ?.validate(d)
    .catch((e: Error) => connection.console.error(`validating ${d.uri}: ${e.stack ?? e.message}`));
documents.onDidChangeContent((e) => ConfigService.handles(e.document.uri) && validate(e.document));
documents.onDidClose((e) => service?.forget(e.document.uri));
connection.onHover((p) => withDoc(p.textDocument.uri, (d) => service!.hover(d, p.position)));
connection.onCodeLens((p) => withDoc(p.textDocument.uri, (d) => service!.codeLenses(d)));
connection.onCompletion((p) => withDoc(p.textDocument.uri, (d) => service!.completions(d, p.position)));
connection.onNotification(LspMethod.target, (t: TargetParams) => {
  service?.setTarget(t);
  for (const d of open()) validate(d);
  void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
});
connection.onNotification(LspMethod.revalidate, () => {
  service?.clearHostFacts();
  for (const d of open()) validate(d);
  void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
});
connection.onShutdown(() => service?.dispose());

async function withDoc<R>(uri: string, fn: (d: TextDocument) => Promise<R>): Promise<R | null> {
  const d = documents.get(uri);
  return d && service && ConfigService.handles(uri) ? fn(d) : null;
}

documents.listen(connection);
connection.listen();
