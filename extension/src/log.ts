// The "Pareto NAS" output channel: connection steps, runner stderr, run log events.
import * as vscode from 'vscode';

export interface Log {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  append(level: 'info' | 'warn' | 'error', message: string): void;
  show(): void;
}

export function createLog(context: vscode.ExtensionContext): Log {
  const channel = vscode.window.createOutputChannel('Pareto NAS', { log: true });
  context.subscriptions.push(channel);
  const log: Log = {
    info: (m) => channel.info(m),
    warn: (m) => channel.warn(m),
    error: (m) => channel.error(m),
    append: (level, m) => log[level](m),
    show: () => channel.show(true),
  };
  return log;
}
