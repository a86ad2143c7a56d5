// Host keys checked against OpenSSH known_hosts files (plain and hashed `|1|salt|hmac` entries,
// wildcards, negation, [host]:port, @revoked). Unknown keys are appended after the user agrees.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface KnownHostEntry {
  file: string;
  line: number;
  marker?: '@revoked' | '@cert-authority';
  patterns: string;
  keyType: string;
  key: string; // base64
}

export type HostKeyStatus =
  | { status: 'known'; entry: KnownHostEntry }
  | { status: 'unknown' }
  | { status: 'changed'; entry: KnownHostEntry }
  | { status: 'revoked'; entry: KnownHostEntry };

/** How known_hosts names a host: `host` on port 22, `[host]:port` otherwise. */
export function hostField(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** OpenSSH's fingerprint: "SHA256:" + unpadded base64 of the key blob's SHA-256. */
export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside an SSH public key blob (string length + name). */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) throw new Error('host key blob too short');
  const n = keyBlob.readUInt32BE(0);
  if (n > keyBlob.length - 4 || n > 64) throw new Error('host key blob malformed');
  return keyBlob.subarray(4, 4 + n).toString('latin1');
}

export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const f = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (f[0].startsWith('@')) {
      if (f[0] !== '@revoked' && f[0] !== '@cert-authority') continue;
      marker = f.shift() as KnownHostEntry['marker'];
    }
    if (f.length < 3) continue;
    out.push({ file, line: i + 1, marker, patterns: f[0], keyType: f[1], key: f[2] });
  }
  return out;
}

function wildcard(pattern: string, name: string): boolean {
  let re = '';
  for (const ch of pattern) re += ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${re}$`, 'i').test(name);
}

/** Whether an entry's host field names `host` on `port` (hashed or plain pattern list). */
export function entryMatches(patterns: string, host: string, port: number): boolean {
  const name = hostField(host, port);
  if (patterns.startsWith('|1|')) {
    const [, , salt, hash] = patterns.split('|');
    if (!salt || !hash) return false;
    const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return mac === hash;
  }
  let matched = false;
  for (const p of patterns.split(',')) {
    if (p.startsWith('!')) {
      if (wildcard(p.slice(1), name)) return false;
    } else if (wildcard(p, name)) matched = true;
  }
  return matched;
}

export function readKnownHosts(files: readonly string[]): KnownHostEntry[] {
  return files.flatMap((f) => (existsSync(f) ? parseKnownHosts(readFileSync(f, 'utf8'), f) : []));
}

/**
 * Checks a host key: known (an entry with this exact key), revoked, changed (entries of the same
 * key type for this host, none with this key), else unknown.
 */
export function checkHostKey(
  entries: readonly KnownHostEntry[],
  host: string,
  port: number,
  keyBlob: Buffer,
): HostKeyStatus {
  const keyType = keyTypeOf(keyBlob);
  const b64 = keyBlob.toString('base64');
  const revoked = entries.find((e) => e.marker === '@revoked' && e.key === b64);
  if (revoked) return { status: 'revoked', entry: revoked };
  const mine = entries.filter((e) => !e.marker && entryMatches(e.patterns, host, port));
  const same = mine.find((e) => e.key === b64 && e.keyType === keyType);
  if (same) return { status: 'known', entry: same };
  const changed = mine.find((e) => e.keyType === keyType);
  if (changed) return { status: 'changed', entry: changed };
  return { status: 'unknown' };
}

/** Appends `host keytype key` (hashed when asked, as HashKnownHosts yes does). */
export function addKnownHost(file: string, host: string, port: number, keyBlob: Buffer, hashed = false): void {
  let name = hostField(host, port);
  if (hashed) {
    const salt = randomBytes(20);
    name = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let prefix = '';
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    if (text.length && !text.endsWith('\n')) prefix = '\n';
  }
  appendFileSync(file, `${prefix}${name} ${keyTypeOf(keyBlob)} ${keyBlob.toString('base64')}\n`, { mode: 0o600 });
}
