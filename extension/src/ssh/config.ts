// Hosts the way OpenSSH users wrote them in ~/.ssh/config, parsed with `ssh-config`. We read
// `Include` files ourselves (the package has no file access), never run `Match exec`, and resolve
// the ProxyJump chain hop by hop through the same config, as `ssh -J` does.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import SSHConfig from 'ssh-config';

export class SshConfigError extends Error {
  override name = 'SshConfigError';
}

export interface ResolvedHost {
  /** What the user typed / the Host alias. */
  alias: string;
  hostName: string;
  port: number;
  user: string;
  /** Identity files (tilde and %-tokens expanded), in config order; may not exist. */
  identityFiles: string[];
  identitiesOnly: boolean;
  /** Known-hosts files named by UserKnownHostsFile (expanded), if any. */
  userKnownHostsFiles: string[];
  /** Jump hosts, outermost first (the first one is connected to directly). */
  jumps: ResolvedHost[];
  /** Seconds; 0 when unset. */
  serverAliveInterval: number;
  serverAliveCountMax: number;
  connectTimeout: number;
}

export interface ConfigOptions {
  /** The config file (default ~/.ssh/config); a missing file means "no config". */
  file?: string;
  home?: string;
  localUser?: string;
}

const MAX_INCLUDE_DEPTH = 16;

/** The config text with every `Include` replaced by the text of the files it names. */
export function expandIncludes(file: string, baseDir: string, home: string, depth = 0, seen: string[] = []): string {
  if (depth > MAX_INCLUDE_DEPTH)
    throw new SshConfigError(
      `${file}: Include nested more than ${MAX_INCLUDE_DEPTH} levels (a loop? ${seen.join(' → ')})`,
    );
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SshConfigError(`cannot read ssh config ${file}: ${(e as Error).message}`);
  }
  const out: string[] = [];
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    const m = /^\s*include(?:\s+|\s*=\s*)(.+?)\s*$/i.exec(line);
    if (!m) {
      out.push(line);
      continue;
    }
    for (const raw of splitArgs(m[1], `${file}:${i + 1}`)) {
      let pattern = expandTilde(raw, home);
      if (!isAbsolute(pattern)) pattern = join(baseDir, pattern);
      for (const f of globFiles(pattern)) {
        out.push(`# --- include ${f}`);
        out.push(expandIncludes(f, baseDir, home, depth + 1, [...seen, file]));
      }
    }
  }
  return out.join('\n');
}

/** Splits an OpenSSH argument list (whitespace separated, "double quotes" group). */
function splitArgs(s: string, where: string): string[] {
  const args: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) args.push(m[1] ?? m[2]);
  if (s.split('"').length % 2 === 0) throw new SshConfigError(`${where}: unbalanced quote in Include`);
  return args;
}

/** Files matching a path whose segments may hold * and ? (OpenSSH's glob(3) use), sorted. */
export function globFiles(pattern: string): string[] {
  const parts = pattern.split('/');
  let bases = [parts[0] === '' ? '/' : parts[0]];
  for (const part of parts.slice(1)) {
    if (part === '') continue;
    const next: string[] = [];
    for (const base of bases) {
      if (!/[*?[]/.test(part)) {
        const p = join(base, part);
        if (existsSync(p)) next.push(p);
        continue;
      }
      let names: string[];
      try {
        names = readdirSync(base);
      } catch {
        continue;
      }
      const re = globToRegExp(part);
      for (const n of names.sort()) if (!n.startsWith('.') && re.test(n)) next.push(join(base, n));
    }
    bases = next;
  }
  return bases.filter((p) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  });
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (const ch of glob) re += ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${re}$`);
}

function expandTilde(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return join(home, p.slice(2));
  return p;
}

export function loadSshConfig(o: ConfigOptions = {}): SSHConfig {
  const home = o.home ?? homedir();
  const file = o.file ?? join(home, '.ssh', 'config');
  if (!existsSync(file)) return SSHConfig.parse('');
  // Relative Include paths are taken from the folder of the main config (~/.ssh for the default).
  const text = expandIncludes(file, dirname(file), home);
  try {
    return SSHConfig.parse(text);
  } catch (e) {
    throw new SshConfigError(`cannot parse ssh config ${file}: ${(e as Error).message}`);
  }
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function all(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(/\s+/)).filter(Boolean);
}

function num(v: string | undefined, field: string, alias: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new SshConfigError(`ssh config for host "${alias}": ${field} "${v}" is not a number`);
  return n;
}

/** Parses one ProxyJump / `ssh -J` hop: [user@]host[:port], or ssh://[user@]host[:port]. */
export function parseJumpSpec(spec: string): { user?: string; host: string; port?: number } {
  let s = spec.trim();
  if (s.startsWith('ssh://')) s = s.slice(6);
  const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(s);
  if (!m) throw new SshConfigError(`ProxyJump: cannot read "${spec}" (expected [user@]host[:port])`);
  return { user: m[1], host: m[2].replace(/^\[|\]$/g, ''), port: m[3] ? Number(m[3]) : undefined };
}

/**
 * Resolves a host alias (or `[user@]host[:port]`) to connection parameters, jump chain included.
 * Throws SshConfigError naming the host and field on bad values; ProxyCommand is refused clearly.
 */
export function resolveHost(target: string, o: ConfigOptions = {}, config = loadSshConfig(o), depth = 0): ResolvedHost {
  if (depth > 8) throw new SshConfigError(`ProxyJump chain for "${target}" is longer than 8 hops (a loop?)`);
  const home = o.home ?? homedir();
  const localUser = o.localUser ?? userInfo().username;
  const spec = parseJumpSpec(target);
  const alias = spec.host;
  const c = config.compute({ Host: alias, User: spec.user }, { ignoreCase: true, matchExec: false });
  const hostName = (first(c.hostname) ?? alias).replace(/%h/g, alias).replace(/%%/g, '%');
  const user = spec.user ?? first(c.user) ?? localUser;
  const port = spec.port ?? num(first(c.port), 'Port', alias, 22);
  if (port < 1 || port > 65535)
    throw new SshConfigError(`ssh config for host "${alias}": Port ${port} is out of range`);
  const tokens = (p: string) =>
    expandTilde(p, home)
      .replace(/%d/g, home)
      .replace(/%u/g, localUser)
      .replace(/%r/g, user)
      .replace(/%h/g, hostName)
      .replace(/%n/g, alias)
      .replace(/%p/g, String(port))
      .replace(/%%/g, '%');
  const proxyCommand = first(c.proxycommand);
  const proxyJump = first(c.proxyjump);
  if (proxyCommand && proxyCommand.toLowerCase() !== 'none' && !proxyJump) {
    throw new SshConfigError(
      `ssh config for host "${alias}": ProxyCommand is not supported by Pareto NAS; use ProxyJump`,
    );
  }
  const jumps: ResolvedHost[] = [];
  if (proxyJump && proxyJump.toLowerCase() !== 'none') {
    // `ProxyJump a,b`: connect to a, through it to b, through b to the target.
    for (const hop of proxyJump.split(',')) {
      const j = resolveHost(hop.trim(), o, config, depth + 1);
      jumps.push(...j.jumps, { ...j, jumps: [] });
    }
  }
  return {
    alias,
    hostName,
    port,
    user,
    identityFiles: all(c.identityfile).map(tokens),
    identitiesOnly: (first(c.identitiesonly) ?? 'no').toLowerCase() === 'yes',
    userKnownHostsFiles: all(c.userknownhostsfile).map(tokens),
    jumps,
    serverAliveInterval: num(first(c.serveraliveinterval), 'ServerAliveInterval', alias, 0),
    serverAliveCountMax: num(first(c.serveralivecountmax), 'ServerAliveCountMax', alias, 3),
    connectTimeout: num(first(c.connecttimeout), 'ConnectTimeout', alias, 0),
  };
}

/** Host aliases defined in the config (no wildcards), for a host picker. */
export function listHostAliases(config: SSHConfig): string[] {
  const out = new Set<string>();
  for (const line of config) {
    if (line.type !== SSHConfig.DIRECTIVE || line.param.toLowerCase() !== 'host') continue;
    const v = line.value;
    const names = Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : x.val)) : String(v).split(/\s+/);
    for (const n of names) if (n && !/[*?!]/.test(n)) out.add(n);
  }
  return [...out];
}
