// Finding the explorer and topology webviews in a code-server workbench and waiting on what they show.
// Webviews are two iframes deep; each content frame's body says data-view and data-ready.
import type { Frame, Page } from 'playwright-core';

/** The webview content frame whose body says data-view=<view> and is ready. */
export async function viewFrame(page: Page, view: 'explorer' | 'topology', timeoutMs = 60_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const f of page.frames()) {
      const ok = await f
        .evaluate((v) => document.body?.dataset.view === v && document.body.dataset.ready === 'true', view)
        .catch(() => false);
      if (ok) return f;
    }
    await page.waitForTimeout(250); // poll: frames appear without an event to wait on
  }
  throw new Error(`no ${view} webview appeared`);
}

/** Polls fn until ok(value); fails with the last value after timeoutMs. */
export async function until<T>(
  what: string,
  fn: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let v = await fn();
  while (!ok(v)) {
    if (Date.now() > deadline) throw new Error(`${what}: last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 250));
    v = await fn();
  }
  return v;
}
