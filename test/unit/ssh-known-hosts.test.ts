// known_hosts matching: plain, hashed, wildcard/negated patterns, [host]:port, changed and revoked keys.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  addKnownHost,
  checkHostKey,
  entryMatches,
  fingerprint,
  keyTypeOf,
  parseKnownHosts,
  readKnownHosts,
} from '../../extension/src/ssh/known-hosts';

/** An ssh-ed25519 public key blob (string "ssh-ed25519" + string key). */
function edBlob(): Buffer {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const name = Buffer.from('ssh-ed25519');
  const b = Buffer.alloc(4 + name.length + 4 + raw.length);
  b.writeUInt32BE(name.length, 0);
  name.copy(b, 4);
  b.writeUInt32BE(raw.length, 4 + name.length);
  raw.copy(b, 8 + name.length);
  return b;
}

describe('known_hosts', () => {
  const k1 = edBlob();
  const k2 = edBlob();
  const line = (host: string, k: Buffer) => `${host} ssh-ed25519 ${k.toString('base64')}`;

  it('reads the key type and prints the fingerprint like ssh-keygen -l', () => {
    assert.equal(keyTypeOf(k1), 'ssh-ed25519');
    const dir = mkdtempSync(join(tmpdir(), 'pnas-kh-'));
    try {
      const pub = join(dir, 'k.pub');
      writeFileSync(pub, `ssh-ed25519 ${k1.toString('base64')} test\n`);
      const r = spawnSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', pub], { encoding: 'utf8' });
      if (r.status === 0) assert.ok(r.stdout.includes(fingerprint(k1)), `${r.stdout} vs ${fingerprint(k1)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('matches plain names, [host]:port, wildcards and negations', () => {
    assert.ok(entryMatches('example.org,10.0.0.1', 'example.org', 22));
    assert.ok(!entryMatches('example.org', 'example.org', 2222));
    assert.ok(entryMatches('[example.org]:2222', 'example.org', 2222));
    assert.ok(entryMatches('*.cluster.edu', 'login1.cluster.edu', 22));
    assert.ok(!entryMatches('*.cluster.edu,!bad.cluster.edu', 'bad.cluster.edu', 22));
    assert.ok(entryMatches('node?', 'node7', 22));
    assert.ok(entryMatches('EXAMPLE.org', 'example.ORG', 22));
  });

  it('matches hashed entries written by ssh-keygen -H', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pnas-kh-'));
    try {
      const f = join(dir, 'known_hosts');
      writeFileSync(f, `${line('[127.0.0.1]:2222', k1)}\n${line('gpu.example.org', k2)}\n`);
      const r = spawnSync('ssh-keygen', ['-H', '-f', f], { encoding: 'utf8' });
      if (r.status !== 0) return; // ssh-keygen missing: the addKnownHost test covers hashing
      const text = readFileSync(f, 'utf8');
      assert.ok(!text.includes('127.0.0.1') && text.includes('|1|'));
      const entries = parseKnownHosts(text, f);
      assert.equal(checkHostKey(entries, '127.0.0.1', 2222, k1).status, 'known');
      assert.equal(checkHostKey(entries, 'gpu.example.org', 22, k2).status, 'known');
      assert.equal(checkHostKey(entries, '127.0.0.1', 22, k1).status, 'unknown');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('tells known, unknown, changed and revoked apart, naming the file and line', () => {
    const entries = parseKnownHosts(
      [
        '# comment',
        line('host.a', k1),
        line('host.b', k2),
        `host.c ssh-rsa AAAAB3NzaC1yc2E=`,
        `@revoked * ssh-ed25519 ${k2.toString('base64')}`,
      ].join('\n'),
      '/x/known_hosts',
    );
    assert.equal(checkHostKey(entries, 'host.a', 22, k1).status, 'known');
    const changed = checkHostKey(entries, 'host.a', 22, edBlob());
    assert.equal(changed.status, 'changed');
    assert.equal(changed.status === 'changed' && `${changed.entry.file}:${changed.entry.line}`, '/x/known_hosts:2');
    assert.equal(checkHostKey(entries, 'host.c', 22, k1).status, 'unknown'); // only an rsa key known: ask
    assert.equal(checkHostKey(entries, 'host.b', 22, k2).status, 'revoked');
    assert.equal(checkHostKey(entries, 'nowhere', 22, k1).status, 'unknown');
  });

  it('appends accepted keys, plain or hashed, and finds them again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pnas-kh-'));
    try {
      const f = join(dir, 'sub', 'known_hosts');
      addKnownHost(f, '127.0.0.1', 2200, k1);
      addKnownHost(f, 'h.example', 22, k2, true);
      const entries = readKnownHosts([f, join(dir, 'missing')]);
      assert.equal(entries.length, 2);
      assert.match(readFileSync(f, 'utf8'), /^\[127\.0\.0\.1\]:2200 ssh-ed25519 /);
      assert.equal(checkHostKey(entries, '127.0.0.1', 2200, k1).status, 'known');
      assert.equal(checkHostKey(entries, 'h.example', 22, k2).status, 'known');
      assert.ok(entries[1].patterns.startsWith('|1|'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
