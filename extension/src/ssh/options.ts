// What a caller gives an SSH connection: the questions it may ask the user and the connection options.
import type { ConfigOptions } from './config';

export interface HostKeyQuestion {
  host: string;
  port?: number;
  keyType: string;
  fingerprint: string;
}

export interface KeyboardPrompt {
  prompt: string;
  echo: boolean;
}

/** The questions the connection may ask; the extension answers them with VS Code UI. */
export interface SshPrompts {
  /** Unknown host key: true to trust it (it is then appended to known_hosts). */
  confirmUnknownHostKey(q: HostKeyQuestion): Promise<boolean>;
  /** Changed or revoked host key: the connection is refused either way; this only tells the user. */
  reportChangedHostKey?(q: HostKeyQuestion & { knownHostsFile?: string; line?: number }): Promise<void>;
  /** Passphrase of an encrypted identity file; undefined = skip this key. */
  passphrase?(keyFile: string, retry: boolean): Promise<string | undefined>;
  /** keyboard-interactive round (password, 2FA code); undefined = cancel. */
  keyboardInteractive?(
    host: string,
    name: string,
    instructions: string,
    prompts: KeyboardPrompt[],
  ): Promise<string[] | undefined>;
  password?(host: string, user: string): Promise<string | undefined>;
}

export interface SshOptions extends ConfigOptions {
  prompts: SshPrompts;
  /** known_hosts files to read; default: UserKnownHostsFile, else ~/.ssh/known_hosts and known_hosts2. */
  knownHostsFiles?: string[];
  /** Where accepted keys are appended; default: the first known_hosts file. */
  knownHostsWriteFile?: string;
  /** ssh-agent socket; default $SSH_AUTH_SOCK; false = no agent. */
  agent?: string | false;
  /** Milliseconds between keepalives (default: ServerAliveInterval, else 15 s); 0 = off. */
  keepaliveInterval?: number;
  keepaliveCountMax?: number;
  /** Handshake + authentication limit, prompts included (default 120 s). */
  readyTimeout?: number;
  log?: (line: string) => void;
}
