// ~/.ssh/config resolution: Host patterns, Include (relative, glob, nested), ProxyJump chains, tokens.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  listHostAliases,
  loadSshConfig,
  parseJumpSpec,
  resolveHost,
  SshConfigError,
} from '../../extension/src/ssh/config';

describe('ssh config', () => {
  let dir: string;
  let file: string;
  const home = '/home/tester';

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pnas-sshcfg-'));
    file = join(dir, 'config');
    mkdirSync(join(dir, 'conf.d'));
    writeFileSync(
      file,
      [
        'Include conf.d/*.conf',
        'Host gpu',
        '  HostName gpu01.cluster.example',
        '  User alice',
        '  Port 2222',
        '  IdentityFile ~/.ssh/id_gpu',
        '  IdentityFile %d/.ssh/%r@%h',
        '  ProxyJump login',
        '  UserKnownHostsFile ~/.ssh/kh_cluster',
        'Host deep',
        '  ProxyJump login,gpu',
        'Host evil',
        '  Match exec "touch /tmp/should-not-run"',
        'Host proxied',
        '  ProxyCommand nc %h %p',
        'Host *',
        '  ServerAliveInterval 30',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'conf.d', '10-login.conf'),
      'Host login\n  HostName login.cluster.example\n  User alice2\n  Include nested.inc\n',
    );
    writeFileSync(join(dir, 'nested.inc'), '  Port 2200\n');
    writeFileSync(join(dir, 'conf.d', 'ignored.txt'), 'Host ignored\n  HostName x\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves HostName, User, Port, IdentityFile (tokens), UserKnownHostsFile and defaults', () => {
    const h = resolveHost('gpu', { file, home, localUser: 'me' });
    assert.equal(h.hostName, 'gpu01.cluster.example');
    assert.equal(h.user, 'alice');
    assert.equal(h.port, 2222);
    assert.deepEqual(h.identityFiles, ['/home/tester/.ssh/id_gpu', '/home/tester/.ssh/alice@gpu01.cluster.example']);
    assert.deepEqual(h.userKnownHostsFiles, ['/home/tester/.ssh/kh_cluster']);
    assert.equal(h.serverAliveInterval, 30);
    const plain = resolveHost('unknown.example', { file, home, localUser: 'me' });
    assert.equal(plain.hostName, 'unknown.example');
    assert.equal(plain.user, 'me');
    assert.equal(plain.port, 22);
  });

  it('reads Include files (relative, glob, nested) and resolves ProxyJump through them', () => {
    const h = resolveHost('gpu', { file, home, localUser: 'me' });
    assert.equal(h.jumps.length, 1);
    assert.equal(h.jumps[0].hostName, 'login.cluster.example');
    assert.equal(h.jumps[0].user, 'alice2');
    assert.equal(h.jumps[0].port, 2200);
    assert.ok(!listHostAliases(loadSshConfig({ file, home })).includes('ignored'));
    assert.ok(listHostAliases(loadSshConfig({ file, home })).includes('login'));
  });

  it('flattens a ProxyJump chain outermost first', () => {
    const h = resolveHost('deep', { file, home, localUser: 'me' });
    assert.deepEqual(
      h.jumps.map((j) => j.alias),
      ['login', 'login', 'gpu'],
    );
  });

  it('parses [user@]host[:port] hops and user@alias targets', () => {
    assert.deepEqual(parseJumpSpec('bob@jump:2022'), { user: 'bob', host: 'jump', port: 2022 });
    assert.deepEqual(parseJumpSpec('ssh://h'), { user: undefined, host: 'h', port: undefined });
    const h = resolveHost('carol@gpu:2300', { file, home, localUser: 'me' });
    assert.equal(h.user, 'carol');
    assert.equal(h.port, 2300);
    assert.equal(h.hostName, 'gpu01.cluster.example');
  });

  it('never runs Match exec and refuses ProxyCommand with a message naming the host', () => {
    resolveHost('evil', { file, home, localUser: 'me' });
    assert.ok(!existsSync('/tmp/should-not-run'), 'Match exec ran a command');
    assert.throws(
      () => resolveHost('proxied', { file, home, localUser: 'me' }),
      (e: Error) => e instanceof SshConfigError && /"proxied".*ProxyCommand/.test(e.message),
    );
  });

  it('names the file on Include loops and bad values', () => {
    const loop = join(dir, 'loop');
    writeFileSync(loop, `Include ${loop}\n`);
    assert.throws(() => loadSshConfig({ file: loop, home }), /Include nested/);
    const bad = join(dir, 'bad');
    writeFileSync(bad, 'Host x\n  Port twenty\n');
    assert.throws(() => resolveHost('x', { file: bad, home }), /host "x": Port "twenty"/);
    assert.equal(resolveHost('x', { file: join(dir, 'none'), home, localUser: 'me' }).hostName, 'x');
  });
});
