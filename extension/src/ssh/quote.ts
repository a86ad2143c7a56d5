// Remote command lines without shell injection: every argument is quoted for a POSIX shell (the
// login shell sshd runs the command string with: bash, zsh, dash, ksh). A user's shell prefix
// (e.g. `module load cuda`) is shell text on purpose and is the only unquoted part.

/** One word, safe for sh: left bare when it has only harmless characters, else single-quoted. */
export function shQuote(word: string): string {
  if (word.includes('\0')) throw new Error('a shell argument cannot contain a NUL byte');
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** argv → one command string; every word quoted. */
export function shJoin(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('empty command');
  return argv.map(shQuote).join(' ');
}

export interface RemoteCommand {
  argv: readonly string[];
  /** Environment for the command, set with `env NAME=value ...` (names checked, values quoted). */
  env?: Record<string, string>;
  /** Shell text run first, e.g. `module load cuda`; the command runs only if it succeeds. */
  prefix?: string;
  /** Replace the shell with the command (no extra process; signals reach it). */
  exec?: boolean;
}

export function remoteCommand(c: RemoteCommand): string {
  const envWords = Object.entries(c.env ?? {}).map(([k, v]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`not an environment variable name: "${k}"`);
    return shQuote(`${k}=${v}`);
  });
  const words = envWords.length ? ['env', ...envWords, ...c.argv.map(shQuote)] : c.argv.map(shQuote);
  const cmd = `${c.exec ? 'exec ' : ''}${words.join(' ')}`;
  // a prefix written as a shell line ("module load cuda &&", "source env.sh;") works as well as a bare one
  const prefix = c.prefix
    ?.trim()
    .replace(/\s*(&&|;)$/, '')
    .trim();
  return prefix ? `${prefix} && ${cmd}` : cmd;
}

/** A remote path that may start with `~/`: the `~` is left to the shell ("$HOME"), the rest quoted. */
export function shPath(path: string): string {
  if (path === '~') return '"$HOME"';
  if (path.startsWith('~/')) return `"$HOME"/${shQuote(path.slice(2))}`;
  return shQuote(path);
}
