// Answers the language server's runner requests (common/lsp.ts) over the extension's own runner
// connections: the local runner is started when needed (a child process, no prompts); an SSH host is
// used only while connected, since connecting may prompt (the user connects with Validate on Host).
import { ResponseError } from 'vscode-languageclient/node';
import { Rpc } from '../../../common/protocol';
import { FORWARDED_RUNNER_METHODS, HOST_NOT_CONNECTED, type RunnerRequestParams } from '../../../common/lsp';
import { LOCAL_KEY, targetFromKey, targetLabel } from '../hosts/targets';
import type { RunManager } from '../runs/run-manager';

export async function answerRunnerRequest(runs: RunManager, p: RunnerRequestParams): Promise<unknown> {
  if (!(FORWARDED_RUNNER_METHODS as readonly string[]).includes(p.method)) {
    throw new ResponseError(-32601, `the language server may not call ${String(p.method)}`);
  }
  const target = targetFromKey(p.host);
  if (p.host !== LOCAL_KEY && !runs.isConnected(p.host)) {
    throw new ResponseError(HOST_NOT_CONNECTED, `${targetLabel(target)} is not connected`);
  }
  const link = await runs.connect(target);
  switch (p.method) {
    case 'doctor':
      return link.request0(Rpc.doctor);
    case 'dataset/check':
      return link.request(Rpc.datasetCheck, p.params);
    case 'dataset/list':
      return link.request(Rpc.datasetList, p.params);
  }
}
