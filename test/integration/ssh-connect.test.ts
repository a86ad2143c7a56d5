// The SSH layer against real OpenSSH servers on 127.0.0.1: ProxyJump through a jump sshd, unknown
// host keys (asked, remembered), changed host keys (refused), keyboard-interactive through PAM,
// encrypted keys (passphrase prompt), deployment of the runner and `serve` over the SSH channel.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  connectSsh,
  HostKeyError,
  SshAuthError,
  type SshOptions,
  type SshPrompts,
} from '../../extension/src/ssh/connection';
import { DeployError, deployRunner } from '../../extension/src/ssh/deploy';
import { fingerprint } from '../../extension/src/ssh/known-hosts';
import { RunnerClient } from '../../extension/src/runner/client';
import { SshHostPool, SshTransport } from '../../extension/src/runner/transports';
import { Rpc } from '../../common/protocol';
import { PROTOCOL_VERSION, RUNNER_VERSION } from '../../common/version';
import { repoRoot } from '../helpers/paths';
import { createTestUser, sshdUnavailable, startSshd, writeSshConfig, type Sshd, type TestUser } from '../helpers/sshd';

const skip = sshdUnavailable();

class RecordingPrompts implements SshPrompts {
  asked: Array<{ host: string; port?: number; fingerprint: string }> = [];
  changed: string[] = [];
  kbd: string[][] = [];
  constructor(
    public trust = true,
    public answers: string[] | undefined = undefined,
    public pass: string | undefined = undefined,
  ) {}
  async confirmUnknownHostKey(q: { host: string; port?: number; fingerprint: string }) {
    this.asked.push(q);
    return this.trust;
  }
  async reportChangedHostKey(q: { fingerprint: string }) {
    this.changed.push(q.fingerprint);
  }
  async passphrase() {
    return this.pass;
  }
  async keyboardInteractive(_h: string, _n: string, _i: string, prompts: Array<{ prompt: string }>) {
    this.kbd.push(prompts.map((p) => p.prompt));
    return this.answers;
  }
}

describe('ssh against real sshd', { skip, timeout: 120_000 }, () => {
  let user: TestUser;
  let jump: Sshd;
  let target: Sshd;
  let kbd: Sshd;
  let config: string;
  let knownHosts: string;
  const opts = (prompts: SshPrompts, extra: Partial<SshOptions> = {}): SshOptions => ({
    file: config,
    prompts,
    knownHostsFiles: [knownHosts],
    agent: false,
    keepaliveInterval: 2000,
    readyTimeout: 20_000,
    ...extra,
  });

  before(async () => {
    user = createTestUser();
    jump = await startSshd({ user });
    target = await startSshd({ user });
    kbd = await startSshd({
      user,
      keyboardInteractive: true,
      extra: ['AuthenticationMethods publickey,keyboard-interactive'],
    });
    config = join(user.clientDir, 'config');
    knownHosts = join(user.clientDir, 'known_hosts');
    writeSshConfig(config, [
      { alias: 'jump', port: jump.port, user: user.name, identityFile: user.keyFile },
      { alias: 'gpu', port: target.port, user: user.name, identityFile: user.keyFile, proxyJump: 'jump' },
      { alias: 'direct', port: target.port, user: user.name, identityFile: user.keyFile },
      { alias: 'mfa', port: kbd.port, user: user.name, identityFile: user.keyFile },
      { alias: 'enc', port: target.port, user: user.name, identityFile: user.encryptedKeyFile },
    ]);
  });

  after(async () => {
    await Promise.all([jump?.stop(), target?.stop(), kbd?.stop()]);
    user?.remove();
  });

  it('asks about unknown host keys with their SHA256 fingerprints, through ProxyJump', async () => {
    const p = new RecordingPrompts(true);
    const s = await connectSsh('gpu', opts(p));
    try {
      const r = await s.run('id -un; printf %s "$SSH_CONNECTION"');
      assert.equal(r.code, 0);
      assert.equal(r.stdout.split('\n')[0], user.name);
      assert.match(r.stdout, new RegExp(` ${target.port}$`)); // arrived at the target's port
    } finally {
      s.close();
    }
    assert.deepEqual(
      p.asked.map((q) => [q.port, q.fingerprint]),
      [
        [jump.port, fingerprint(jump.hostKey)],
        [target.port, fingerprint(target.hostKey)],
      ],
    );
    const kh = readFileSync(knownHosts, 'utf8');
    assert.ok(kh.includes(`[127.0.0.1]:${jump.port} ${jump.hostKeyType} ${jump.hostKey.toString('base64')}`));
    // remembered: the second connection asks nothing
    const p2 = new RecordingPrompts(false);
    const s2 = await connectSsh('gpu', opts(p2));
    s2.close();
    assert.equal(p2.asked.length, 0);
  });

  it('refuses an untrusted unknown key and a changed key, naming the known_hosts line', async () => {
    const fresh = join(user.clientDir, 'kh-empty');
    await assert.rejects(
      connectSsh('direct', opts(new RecordingPrompts(false), { knownHostsFiles: [fresh] })),
      HostKeyError,
    );
    assert.ok(!existsSync(fresh) || readFileSync(fresh, 'utf8') === '');

    const changedFile = join(user.clientDir, 'kh-changed');
    // jump's key recorded under the target's name: the target now presents a "changed" key
    writeFileSync(
      changedFile,
      `# old\n[127.0.0.1]:${target.port} ${jump.hostKeyType} ${jump.hostKey.toString('base64')}\n`,
    );
    const p = new RecordingPrompts(true);
    await assert.rejects(connectSsh('direct', opts(p, { knownHostsFiles: [changedFile] })), (e: Error) => {
      assert.ok(e instanceof HostKeyError);
      assert.match(e.message, /HAS CHANGED/);
      assert.ok(e.message.includes(`${changedFile}:2`));
      return true;
    });
    assert.equal(p.asked.length, 0, 'a changed key must never be offered for trust');
    assert.deepEqual(p.changed, [fingerprint(target.hostKey)]);
  });

  it('answers keyboard-interactive (key + PAM password, HPC style) and stops on a wrong answer', async () => {
    const ok = new RecordingPrompts(true, [user.password]);
    const s = await connectSsh('mfa', opts(ok));
    assert.equal((await s.run('id -un')).stdout.trim(), user.name);
    s.close();
    assert.equal(ok.kbd.length, 1);
    assert.match(ok.kbd[0][0], /password/i);

    const bad = new RecordingPrompts(true, ['wrong']);
    await assert.rejects(connectSsh('mfa', opts(bad)), SshAuthError);
    assert.equal(bad.kbd.length, 1, 'a failed 2FA round must not be retried automatically');
  });

  it('unlocks an encrypted identity file with the passphrase prompt', async () => {
    const s = await connectSsh('enc', opts(new RecordingPrompts(true, undefined, user.passphrase)));
    assert.equal((await s.run('true')).code, 0);
    s.close();
    await assert.rejects(connectSsh('enc', opts(new RecordingPrompts(true, undefined, undefined))), SshAuthError);
  });

  it('deploys the runner once per version, checks the remote Node, and serves JSON-RPC over the channel', async () => {
    const dist = join(repoRoot, 'dist');
    assert.ok(existsSync(join(dist, 'runner.js')), 'dist/runner.js missing: npm run build');
    const s = await connectSsh('gpu', opts(new RecordingPrompts(true)));
    try {
      await assert.rejects(
        deployRunner(s, dist, RUNNER_VERSION, { nodePath: '/nonexistent/node' }),
        (e: Error) => e instanceof DeployError && /Node\.js was not found.*nodePath/.test(e.message),
      );
      const old = join(user.home, 'old-node');
      writeFileSync(old, '#!/bin/sh\necho v16.20.2\n', { mode: 0o755 });
      await assert.rejects(deployRunner(s, dist, RUNNER_VERSION, { nodePath: old }), /v16\.20\.2 is too old/);
      const first = await deployRunner(s, dist, RUNNER_VERSION, { shellPrefix: 'export PNAS_PREFIX_RAN=1' });
      assert.equal(first.uploaded, true);
      assert.equal(first.dir, `${user.home}/.pareto-nas/runner/${RUNNER_VERSION}`);
      const again = await deployRunner(s, dist, RUNNER_VERSION, {});
      assert.equal(again.uploaded, false);
      const v = await s.run(`node ${first.script} --version`);
      assert.equal(v.stdout.trim(), RUNNER_VERSION);
      const owner = await s.run(`stat -c %U ${first.script}`);
      assert.equal(owner.stdout.trim(), user.name);
    } finally {
      s.close();
    }

    const pool = new SshHostPool(opts(new RecordingPrompts(true)));
    const client = await RunnerClient.connect(
      new SshTransport({ pool, host: 'gpu', distDir: dist, version: RUNNER_VERSION, remote: { runsDir: 'runs' } }),
    );
    try {
      assert.deepEqual(client.version, { runner: RUNNER_VERSION, protocol: PROTOCOL_VERSION });
      assert.deepEqual(await client.request(Rpc.runsList, {}), []);
      const d = await client.request0(Rpc.doctor);
      assert.equal(d.node.version, process.versions.node);
      // one multiplexed connection: a command on the same session while serve runs
      const session = await pool.peek('gpu');
      assert.ok(session);
      assert.equal((await session.run('printf ok')).stdout, 'ok');
    } finally {
      client.dispose();
      pool.close();
    }
  });
});
