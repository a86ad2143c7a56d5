// The host gateway of a client that cannot forward runner requests: `runner.js serve` (the bundle
// beside this one in dist/) started on this machine on first use, spoken to with the runner's own
// JSON-RPC protocol. Only the local target exists then.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import { Rpc, type DatasetCheckResult, type DatasetListResult, type DoctorResult } from '../../common/protocol';
import { PROTOCOL_VERSION } from '../../common/version';
import { HostUnavailable, type HostGateway } from './host-gateway';

export class LocalRunnerGateway implements HostGateway {
  private child: ChildProcess | undefined;
  private connecting: Promise<MessageConnection> | undefined;

  constructor(
    /** dist/runner.js; default: beside this bundle. */
    private readonly runnerScript = join(__dirname, 'runner.js'),
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  async doctor(host: string): Promise<DoctorResult> {
    return (await this.connectionFor(host)).sendRequest(Rpc.doctor);
  }
  async checkDataset(host: string, path: string): Promise<DatasetCheckResult> {
    return (await this.connectionFor(host)).sendRequest(Rpc.datasetCheck, { path });
  }
  async listDatasets(host: string, dir: string): Promise<DatasetListResult> {
    return (await this.connectionFor(host)).sendRequest(Rpc.datasetList, { dir });
  }

  private connectionFor(host: string): Promise<MessageConnection> {
    if (host !== 'local') {
      return Promise.reject(
        new HostUnavailable(
          `${host}: this editor cannot reach other hosts (only the VS Code extension forwards to SSH hosts)`,
        ),
      );
    }
    this.connecting ??= this.start().catch((e) => {
      this.connecting = undefined; // try again on the next request
      throw e;
    });
    return this.connecting;
  }

  private async start(): Promise<MessageConnection> {
    if (!existsSync(this.runnerScript))
      throw new HostUnavailable(`the runner ${this.runnerScript} is missing (npm run build)`);
    const child = spawn(process.execPath, [this.runnerScript, 'serve'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    child.stderr!.on('data', (d: Buffer) => this.log(`runner: ${d.toString().trimEnd()}`));
    const connection = createMessageConnection(
      new StreamMessageReader(child.stdout!),
      new StreamMessageWriter(child.stdin!),
    );
    child.on('exit', (code) => {
      this.log(`runner exited (${code})`);
      connection.dispose();
      this.connecting = undefined;
    });
    connection.listen();
    try {
      await connection.sendRequest(Rpc.version, { protocol: PROTOCOL_VERSION, client: 'pareto-nas language server' });
    } catch (e) {
      child.kill();
      throw new HostUnavailable(`the local runner refused the connection: ${(e as Error).message}`);
    }
    return connection;
  }

  dispose(): void {
    this.child?.kill();
  }
}
