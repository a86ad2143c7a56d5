// The unknown-host-key dialog requires an explicit choice (issue 16): connecting to a real OpenSSH sshd
// on 127.0.0.1 whose key is not in known_hosts shows a modal with the fingerprint; Enter (its default
// button) refuses, and nothing is written to known_hosts; only "Trust and Connect" connects and
// remembers the key. Needs root (sshd, a throw-away user) and the VS Code test host.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createTestUser, sshdUnavailable, startSshd, writeSshConfig, type Sshd, type TestUser } from '../helpers/sshd';
import { artifactsDir, ensureBuilt, hostMissing, Workbench } from '../helpers/workbench';

const HOST = 'loopback-new-key';
const skip = hostMissing() ?? sshdUnavailable() ?? false;
if (skip) console.error(`ssh host-key host test skipped: ${skip}`);

let user: TestUser | undefined;
let sshd: Sshd | undefined;
let tmp: string;
let knownHosts: string;

before(async () => {
  if (skip) return;
  ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'pareto-nas-host-key-'));
  user = createTestUser();
  sshd = await startSshd({ user });
  writeSshConfig(join(user.clientDir, 'config'), [
    { alias: HOST, port: sshd.port, user: user.name, identityFile: user.keyFile },
  ]);
  knownHosts = join(user.clientDir, 'known_hosts_empty');
  writeFileSync(knownHosts, ''); // the host's key is unknown
});

after(async () => {
  await sshd?.stop();
  user?.remove();
  if (tmp && process.env.KEEP_RUN !== '1') rmSync(tmp, { recursive: true, force: true });
});

test(
  'an unknown host key needs an explicit "Trust and Connect"; Enter refuses it',
  { skip, timeout: 240_000 },
  async () => {
    const wb = await Workbench.start({
      settings: {
        'paretoNas.ssh.configFile': join(user!.clientDir, 'config'),
        'paretoNas.ssh.knownHostsFile': knownHosts,
        'paretoNas.ssh.maxReconnectAttempts': 0,
        'paretoNas.local.runsDir': join(tmp, 'local-runs'),
      },
    });
    const page = wb.page;
    const dialog = page.locator('.monaco-dialog-box');
    try {
      await wb.openViewContainer('Pareto NAS');
      await wb.treeItem('This machine').first().waitFor({ timeout: 60_000 });

      // first attempt: the modal shows the fingerprint; Enter takes its default button, which refuses
      await wb.runCommand('Pareto NAS: Connect to Host');
      await wb.quickPick(HOST);
      await dialog.waitFor({ timeout: 60_000 });
      assert.match(await dialog.innerText(), /can't be established[\s\S]*SHA256:/);
      await page.keyboard.press('Enter');
      // the refusal: the host shows the error and one notification says why (raised while the dialog
      // closes, it goes to the notification centre rather than a toast); the palette shows no second
      // "command resulted in an error" dialog (the next attempt's dialog locator would then match two)
      await dialog.waitFor({ state: 'detached', timeout: 10_000 });
      await wb
        .treeItem(new RegExp(`${HOST}.*error`))
        .first()
        .waitFor({ timeout: 60_000 });
      await wb.runCommand('Notifications: Show Notifications');
      const said = page.locator('.notifications-center .notification-list-item', { hasText: 'was not trusted' });
      await said.first().waitFor({ timeout: 30_000 });
      assert.equal(await said.count(), 1, 'the refusal is said once');
      assert.equal(await dialog.count(), 0, 'no dialog after the refusal');
      await wb.runCommand('Notifications: Hide Notifications');
      assert.equal(readFileSync(knownHosts, 'utf8'), '', 'a refused key is not remembered');

      // second attempt: the explicit choice connects and remembers the key
      await wb.runCommand('Pareto NAS: Connect to Host');
      await wb.quickPick(HOST);
      await dialog.waitFor({ timeout: 60_000 });
      await dialog.getByRole('button', { name: 'Trust and Connect' }).click();
      await wb
        .treeItem(new RegExp(`${HOST}.*\\d+ runs?`))
        .first()
        .waitFor({ timeout: 120_000 });
      const remembered = readFileSync(knownHosts, 'utf8');
      assert.ok(
        remembered.includes(`[127.0.0.1]:${sshd!.port} ${sshd!.hostKeyType} ${sshd!.hostKey.toString('base64')}`),
        remembered,
      );
    } catch (e) {
      await wb.screenshot('host-ssh-host-key-failure').catch(() => undefined);
      mkdirSync(artifactsDir, { recursive: true });
      writeFileSync(
        join(artifactsDir, 'ssh-host-key-server.log'),
        `${wb.serverLog()}\n--- sshd ---\n${sshd?.log() ?? ''}`,
      );
      throw e;
    } finally {
      await wb.close();
    }
  },
);
