// Starts the Pareto NAS language server (dist/language-server.js) through vscode-languageclient when
// the first search config (*.pareto-nas.json) is opened, forwards its runner requests (forward.ts),
// tells it which host configs target, and implements its code lens action Validate on Host.
import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { LspMethod, type LspInitOptions, type RunnerRequestParams, type TargetParams } from '../../../common/lsp';
import { LOCAL_KEY, targetFromKey, targetKey, targetLabel, type Target } from '../hosts/targets';
import { quietWhenShown } from '../errors';
import type { Log } from '../log';
import type { RunManager } from '../runs/run-manager';
import { pickTarget } from '../ui/pick';
import { withProgress } from '../commands/hosts';
import { answerRunnerRequest } from './forward';

const CONFIG_GLOB = '**/*.pareto-nas.json';
const TARGET_KEY = 'paretoNas.configTarget';

export function registerLanguageClient(context: vscode.ExtensionContext, runs: RunManager, log: Log): void {
  let client: LanguageClient | undefined;
  let starting: Promise<LanguageClient> | undefined;
  const target = (): TargetParams => {
    const key = context.workspaceState.get<string>(TARGET_KEY, LOCAL_KEY);
    return { host: key, label: key === LOCAL_KEY ? 'this machine' : targetLabel(targetFromKey(key)) };
  };

  const start = (): Promise<LanguageClient> => {
    starting ??= (async () => {
      const module = context.asAbsolutePath('dist/language-server.js');
      const serverOptions: ServerOptions = {
        run: { module, transport: TransportKind.ipc },
        debug: { module, transport: TransportKind.ipc },
      };
      // field documentation comes from VS Code's JSON service (the contributed schema), so not twice
      const initializationOptions: LspInitOptions = { runnerRequests: true, target: target(), fieldHovers: false };
      const clientOptions: LanguageClientOptions = {
        documentSelector: [{ scheme: 'file', pattern: CONFIG_GLOB }],
        initializationOptions,
      };
      const c = new LanguageClient('paretoNas.configs', 'Pareto NAS Config', serverOptions, clientOptions);
      c.onRequest(LspMethod.runnerRequest, (p: RunnerRequestParams) => answerRunnerRequest(runs, p));
      await c.start();
      client = c;
      log.info('language server started for search configs');
      return c;
    })();
    return starting;
  };
  const isConfig = (d: vscode.TextDocument) => d.uri.scheme === 'file' && /\.pareto-nas\.json$/i.test(d.uri.fsPath);
  const startFor = (d: vscode.TextDocument) => {
    if (isConfig(d)) void start().catch((e) => log.error(`language server: ${(e as Error).message}`));
  };
  vscode.workspace.textDocuments.forEach(startFor);

  /** Validate on Host: pick the host configs target (this machine or SSH), connect it, check again. */
  const validateOnHost = async (): Promise<string | undefined> => {
    const picked: Target | undefined = await pickTarget(runs, 'Pareto NAS: Validate Config on Host');
    if (!picked) return undefined;
    await withProgress(`Connecting to ${targetLabel(picked)}`, log, (token) => runs.connect(picked, token));
    const key = targetKey(picked);
    await context.workspaceState.update(TARGET_KEY, key);
    const c = await start();
    await c.sendNotification(LspMethod.target, target());
    await c.sendNotification(LspMethod.revalidate);
    return key;
  };

  context.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument(startFor),
    vscode.commands.registerCommand('paretoNas.validateOnHost', quietWhenShown(validateOnHost)),
    { dispose: () => void client?.stop() },
  );
}
