// The language server checking a config against an SSH host, as in VS Code: the server asks its client
// (here the test, in the extension's role) for runner RPCs, and the client answers them over a real
// SSH connection to a loopback sshd with the extension's runner client (deploy + `pareto-nas serve`).
// Before the host is connected the client refuses with HOST_NOT_CONNECTED and the server says so on
// `dataset`; once connected, datasets are checked, hovers decode for the host's dataset, and dataset
// folders on the host complete.
import assert from 'node:assert/strict';
import { chownSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ResponseError } from 'vscode-languageserver-protocol/node';
import { RunnerClient } from '../../extension/src/runner/client';
import { SshHostPool, SshTransport } from '../../extension/src/runner/transports';
import { HOST_NOT_CONNECTED, LspMethod, type RunnerRequestParams } from '../../common/lsp';
import { Rpc } from '../../common/protocol';
import { cost, decode } from '../../common/model';
import { RUNNER_VERSION } from '../../common/version';
import { runnerBundle } from '../helpers/cli';
import { LspTestClient, positionOf, serverBundle } from '../helpers/lsp-client';
import { writeSyntheticDataset } from '../helpers/npy';
import { repoRoot } from '../helpers/paths';
import { createTestUser, sshdUnavailable, startSshd, writeSshConfig, type Sshd, type TestUser } from '../helpers/sshd';

const skip =
  sshdUnavailable() ??
  (existsSync(runnerBundle) && existsSync(serverBundle) ? undefined : 'dist/ bundles missing (npm run build)');
const HOST = 'ssh:gpu';
const GENOME = '0001101 1100000 0110010';

function chownTree(path: string, uid: number): void {
  chownSync(path, uid, uid);
  if (statSync(path).isDirectory()) for (const f of readdirSync(path)) chownTree(join(path, f), uid);
}

describe('language server: dataset checks on the SSH host the config targets', { skip, timeout: 180_000 }, () => {
  let user: TestUser;
  let sshd: Sshd;
  let pool: SshHostPool;
  let runner: RunnerClient | undefined;
  let client: LspTestClient;
  let dataset: string;
  const asked: string[] = [];

  before(async () => {
    user = createTestUser();
    dataset = writeSyntheticDataset(join(user.home, 'data', 'xfel'), {
      size: 20,
      channels: 1,
      classes: 2,
      train: 30,
      val: 10,
    });
    mkdirSync(join(user.home, 'data', 'raw'));
    chownTree(join(user.home, 'data'), user.uid);
    sshd = await startSshd({ user });
    const sshConfig = join(user.clientDir, 'config');
    writeSshConfig(sshConfig, [{ alias: 'gpu', port: sshd.port, user: user.name, identityFile: user.keyFile }]);
    pool = new SshHostPool({
      file: sshConfig,
      prompts: { confirmUnknownHostKey: async () => true },
      knownHostsFiles: [join(user.clientDir, 'kh')],
      agent: false,
    });
    // the extension's part: answer the server's runner requests over the host's runner connection, if
    // connected; field documentation is left to VS Code's JSON service, as the extension starts it
    client = await LspTestClient.start(
      { runnerRequests: true, target: { host: HOST, label: 'gpu' }, fieldHovers: false },
      (c) =>
        c.onRequest(LspMethod.runnerRequest, async (p: RunnerRequestParams) => {
          asked.push(p.method);
          if (p.host !== HOST || !runner) throw new ResponseError(HOST_NOT_CONNECTED, `${p.host} is not connected`);
          if (p.method === 'dataset/check') return runner.request(Rpc.datasetCheck, p.params);
          if (p.method === 'dataset/list') return runner.request(Rpc.datasetList, p.params);
          return runner.request0(Rpc.doctor);
        }),
    );
  });

  after(async () => {
    await client?.stop();
    runner?.dispose();
    pool?.close();
    await sshd?.stop();
    user?.remove();
  });

  it('says the host is not connected, then checks the dataset there once it is', async () => {
    const uri = 'file:///work/remote.pareto-nas.json';
    const good = `{\n  "dataset": ${JSON.stringify(dataset)},\n  "search": { "nodes": 4, "initChannels": 6, "initialGenomes": ["${GENOME}"] }\n}`;
    await client.open(uri, good);
    const offline = await client.diagnostics(uri, (d) => d.some((x) => /not checked/.test(x.message)));
    assert.equal(offline[0].severity, 3, 'information, not an error');
    assert.match(
      offline[0].message,
      /dataset not checked on gpu: gpu is not connected \(Validate on Host connects it\)/,
    );

    // "Validate on Host": the client connects (deploying the runner over SFTP), then asks for a new check
    runner = await RunnerClient.connect(
      new SshTransport({
        pool,
        host: 'gpu',
        distDir: join(repoRoot, 'dist'),
        version: RUNNER_VERSION,
        remote: { runsDir: 'runs' },
      }),
      { reconnect: { maxAttempts: 0 } },
    );
    await client.connection.sendNotification(LspMethod.revalidate);
    await client.diagnostics(uri, (d) => d.length === 0);
    assert.ok(asked.includes('dataset/check'));

    // the hover decodes for the host's dataset: 1×20×20, 2 classes
    const p = positionOf(good, GENOME, 2);
    const hover = await client.hover(uri, p.line, p.character);
    const expected = cost(
      decode(GENOME, { nodes: 4, initChannels: 6, input: { channels: 1, height: 20, width: 20 }, classes: 2 }),
    );
    assert.ok(
      (hover?.contents as { value: string }).value.includes(
        `For 1×20×20 input and 2 classes: **${expected.mflops} MFLOPs**`,
      ),
    );
    // a field: no hover of ours (fieldHovers: false), so VS Code shows the schema's text once
    const field = positionOf(good, '"dataset"', 2);
    assert.equal(await client.hover(uri, field.line, field.character), null);

    // a folder on the host that is not a dataset
    const raw = join(user.home, 'data', 'raw');
    await client.change(uri, `{ "dataset": ${JSON.stringify(raw)} }`);
    const d = await client.diagnostics(uri, (ds) => ds.some((x) => /is not a dataset on gpu/.test(x.message)));
    assert.match(d[0].message, new RegExp(`dataset "${raw}" is not a dataset on gpu: ${raw}/dataset\\.json: missing`));
    assert.equal(d[0].severity, 1);

    // completion lists the host's folders, datasets first
    const typing = `{ "dataset": "${join(user.home, 'data')}/" }`;
    await client.change(uri, typing);
    const at = positionOf(typing, '/" }', 1);
    const items = (await client.completions(uri, at.line, at.character)).filter((i) => i.label !== 'default');
    items.sort((a, b) => (a.sortText ?? '').localeCompare(b.sortText ?? ''));
    assert.deepEqual(
      items.map((i) => [i.label, i.detail]),
      [
        [`${join(user.home, 'data')}/xfel`, 'dataset on gpu'],
        [`${join(user.home, 'data')}/raw`, 'folder on gpu'],
      ],
    );
  });
});
