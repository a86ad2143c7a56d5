// Where runs live: this machine ("local", the runner as a child process) or an SSH host alias.
export type Target = { kind: 'local' } | { kind: 'ssh'; host: string };

export const LOCAL_KEY = 'local';

/** Stable key of a target in the run manager, tree ids and run references ("local", "ssh:<alias>"). */
export function targetKey(t: Target): string {
  return t.kind === 'local' ? LOCAL_KEY : `ssh:${t.host}`;
}

export function targetFromKey(key: string): Target {
  if (key === LOCAL_KEY) return { kind: 'local' };
  if (key.startsWith('ssh:') && key.length > 4) return { kind: 'ssh', host: key.slice(4) };
  throw new Error(`not a Pareto NAS host key: "${key}"`);
}

export function targetLabel(t: Target): string {
  return t.kind === 'local' ? 'This machine' : t.host;
}
