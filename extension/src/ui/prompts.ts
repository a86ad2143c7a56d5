// The connection layer's questions (host keys, key passphrases, keyboard-interactive / 2FA prompts)
// as VS Code UI. Secrets never go to settings: a passphrase is kept in SecretStorage only if the user
// says so (and the setting allows offering it).
import * as vscode from 'vscode';
import type { HostKeyQuestion, KeyboardPrompt, SshPrompts } from '../ssh/connection';
import { readSettings } from '../settings';

export class VsCodePrompts implements SshPrompts {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  /**
   * Unknown host key: show the fingerprint, connect (and remember) only on an explicit yes. A modal's
   * first button is its default (Enter), so the first is the refusal: Enter never trusts a key, as
   * OpenSSH's yes/no question and Remote-SSH do not default to trust.
   */
  async confirmUnknownHostKey(q: HostKeyQuestion): Promise<boolean> {
    const where = q.port && q.port !== 22 ? `[${q.host}]:${q.port}` : q.host;
    const refuse = 'Do Not Connect';
    const trust = 'Trust and Connect';
    const choice = await vscode.window.showWarningMessage(
      `The authenticity of host "${where}" can't be established.`,
      {
        modal: true,
        detail: `${q.keyType} key fingerprint is ${q.fingerprint}.\nConnect only if this matches the host's key; it will be added to known_hosts.`,
      },
      refuse,
      trust,
    );
    return choice === trust;
  }

  /** Changed host key: always refused, with the warning OpenSSH users know. */
  async reportChangedHostKey(q: HostKeyQuestion & { knownHostsFile?: string; line?: number }): Promise<void> {
    const where = q.knownHostsFile ? ` Offending entry: ${q.knownHostsFile}${q.line ? `:${q.line}` : ''}.` : '';
    await vscode.window.showErrorMessage(
      `WARNING: the host key of "${q.host}" has changed! Someone could be eavesdropping (man-in-the-middle), or the host key was replaced.`,
      {
        modal: true,
        detail: `Offered ${q.keyType} key: ${q.fingerprint}.${where}\nThe connection was refused. Remove the old key from known_hosts if the change is expected.`,
      },
    );
  }

  /** Passphrase of an encrypted private key: from SecretStorage if remembered, else asked. */
  async passphrase(keyFile: string, retry = false): Promise<string | undefined> {
    const secretKey = `paretoNas.passphrase:${keyFile}`;
    if (!retry) {
      const saved = await this.secrets.get(secretKey);
      if (saved !== undefined) return saved;
    } else {
      await this.secrets.delete(secretKey);
    }
    const value = await vscode.window.showInputBox({
      title: 'Pareto NAS: SSH key passphrase',
      prompt: `${retry ? 'Wrong passphrase. ' : ''}Passphrase for ${keyFile}`,
      password: true,
      ignoreFocusOut: true,
    });
    if (value === undefined) return undefined;
    if (readSettings().rememberPassphrases) {
      const keep = 'Remember';
      const choice = await vscode.window.showInformationMessage(
        `Keep the passphrase of ${keyFile} in VS Code's secret storage?`,
        keep,
        'Not Now',
      );
      if (choice === keep) await this.secrets.store(secretKey, value);
    }
    return value;
  }

  /** keyboard-interactive (passwords, 2FA codes, Duo menus): one input box per prompt, in order. */
  async keyboardInteractive(
    host: string,
    name: string,
    instructions: string,
    prompts: KeyboardPrompt[],
  ): Promise<string[] | undefined> {
    const answers: string[] = [];
    for (const [i, p] of prompts.entries()) {
      const value = await vscode.window.showInputBox({
        title: `${name || 'Authentication'} for ${host}${prompts.length > 1 ? ` (${i + 1}/${prompts.length})` : ''}`,
        prompt: [instructions, p.prompt]
          .filter((s) => s && s.trim())
          .join(' — ')
          .trim(),
        password: !p.echo,
        ignoreFocusOut: true,
      });
      if (value === undefined) return undefined;
      answers.push(value);
    }
    return answers;
  }

  async password(host: string, user: string): Promise<string | undefined> {
    return vscode.window.showInputBox({
      title: 'Pareto NAS: SSH password',
      prompt: `Password for ${user}@${host}`,
      password: true,
      ignoreFocusOut: true,
    });
  }
}
