// How the server asks the host a config targets: through the client (the extension forwards the
// request over its runner connection, SSH or local), or, for a client that cannot (another editor),
// through a runner it starts on this machine (local-runner.ts). Either way the server sends the
// runner's own read-only RPCs (common/protocol.ts) and never opens SSH itself.
import { ResponseError, type Connection } from 'vscode-languageserver/node';
import type { DatasetCheckResult, DatasetListResult, DoctorResult } from '../../common/protocol';
import { HOST_NOT_CONNECTED, LspMethod, type RunnerRequestParams, type TargetParams } from '../../common/lsp';

export interface HostGateway {
  doctor(host: string): Promise<DoctorResult>;
  checkDataset(host: string, path: string): Promise<DatasetCheckResult>;
  listDatasets(host: string, dir: string): Promise<DatasetListResult>;
  dispose(): void;
}

/** Why a host could not be asked; shown to the user in place of the check's result. */
export class HostUnavailable extends Error {
  override name = 'HostUnavailable';
  constructor(
    message: string,
    /** The client said the host is not connected (the user can connect it: "Validate on Host"). */
    readonly notConnected = false,
  ) {
    super(message);
  }
}

export const LOCAL_TARGET: TargetParams = { host: 'local', label: 'this machine' };

/** Forwards each request to the client as `paretoNas/runnerRequest`. */
export class ClientGateway implements HostGateway {
  constructor(private readonly connection: Connection) {}

  doctor(host: string): Promise<DoctorResult> {
    return this.ask({ host, method: 'doctor' });
  }
  checkDataset(host: string, path: string): Promise<DatasetCheckResult> {
    return this.ask({ host, method: 'dataset/check', params: { path } });
  }
  listDatasets(host: string, dir: string): Promise<DatasetListResult> {
    return this.ask({ host, method: 'dataset/list', params: { dir } });
  }

  private async ask<R>(params: RunnerRequestParams): Promise<R> {
    try {
      return (await this.connection.sendRequest(LspMethod.runnerRequest, params)) as R;
    } catch (e) {
      const notConnected = e instanceof ResponseError && e.code === HOST_NOT_CONNECTED;
      throw new HostUnavailable((e as Error).message, notConnected);
    }
  }

  dispose(): void {}
}
