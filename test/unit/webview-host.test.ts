// Panel host pieces that need no VS Code: the CSP'd HTML shell, the data source over a RunsApi
// (a test double of the run manager, driven with the fixture's real event stream), decode options.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decode } from '../../common/model';
import type { CandidateGetResult, StoredEvent } from '../../common/protocol';
import { cspFor, panelHtml } from '../../extension/src/webview/html';
import { runsDataSource } from '../../extension/src/webview/data-source';
import type { RunRef, RunsApi } from '../../extension/src/runs/api';
import { applyEvent, newRunModel, type RunModel } from '../../extension/src/runs/run-model';
import type { ExplorerDelta } from '../../common/explorer/messages';
import { decodeOptionsFromSpec } from '../../common/explorer/decode-options';
import { ExplorerData } from '../../webview/src/model/state';
import { generateRun } from '../fixtures/gen-run-small';

test('panel HTML: default-src none, the one script by nonce, resources only from the webview origin', () => {
  const html = panelHtml({
    cspSource: 'https://x.vscode-resource',
    scriptUri: 'https://x.vscode-resource/dist/webview.js',
    styleUri: 'https://x.vscode-resource/dist/webview.css',
    view: 'topology',
    title: 'T <1>',
    nonce: 'abc123',
  });
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1];
  assert.equal(csp, cspFor('https://x.vscode-resource', 'abc123'));
  assert.match(csp, /^default-src 'none'; /);
  assert.match(csp, /script-src 'nonce-abc123'$/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
  assert.equal((html.match(/<script/g) ?? []).length, 1);
  assert.match(html, /<script nonce="abc123" src="https:\/\/x\.vscode-resource\/dist\/webview\.js"><\/script>/);
  assert.match(html, /<body data-view="topology">/);
  assert.match(html, /<title>T &lt;1&gt;<\/title>/);
});

test('decode options recovered from a spec decode the genome to the same spec', () => {
  const opts = { nodes: 4, initChannels: 8, input: { channels: 1, height: 32, width: 32 }, classes: 2 };
  for (const g of ['010000100000000000001', '110000010011001010101', '000000000000000100000']) {
    const spec = decode(g, opts);
    assert.deepEqual(decode(g, decodeOptionsFromSpec(spec, g)), spec, g);
    assert.deepEqual(decodeOptionsFromSpec(spec, g, { nodes: 4, initChannels: 8 }), opts);
  }
});

function fakeRuns(ref: RunRef, model: RunModel, specOf: (genome: string) => ReturnType<typeof decode>) {
  const listeners: Array<(e: { ref: RunRef; events: StoredEvent[] }) => void> = [];
  const refined: Array<{ ids: string[]; epochs?: number }> = [];
  const api: RunsApi = {
    get: (r) => (r.host === ref.host && r.run === ref.run ? model : undefined),
    ensureAttached: async () => model,
    onDidApplyEvents: (cb: (e: { ref: RunRef; events: StoredEvent[] }) => void) => {
      listeners.push(cb);
      return { dispose: () => listeners.splice(listeners.indexOf(cb), 1) };
    },
    candidate: async (_r, id): Promise<CandidateGetResult> => {
      const rec = model.candidates.get(id)?.record;
      if (!rec) throw new Error(`no ${id}`);
      return { record: rec, spec: specOf(rec.genome), curves: rec.epochs };
    },
    refine: async (_r, ids, epochs) => {
      refined.push({ ids, epochs });
    },
  } as RunsApi;
  const emit = (events: StoredEvent[]) => {
    for (const e of events) applyEvent(model, e);
    for (const l of [...listeners]) l({ ref, events });
  };
  return { api, emit, refined, listeners };
}

test('data source over the run manager: snapshot + deltas rebuild the run in the webview state', async () => {
  const run = generateRun({ seed: 3 });
  const ref = { host: 'local', run: 'run-small' };
  const model = newRunModel(ref.host, ref.run);
  const half = Math.floor(run.events.length / 2);
  for (const e of run.events.slice(0, half)) applyEvent(model, e);
  const { api, emit, refined, listeners } = fakeRuns(ref, model, (g) => decode(g, run.decode));
  const source = runsDataSource(api, ref);
  const snap = await source.snapshot();
  assert.equal(snap.run.host, 'local');
  assert.deepEqual(snap.decode, run.decode);
  const view = new ExplorerData();
  view.applySnapshot(snap);
  const deltas: ExplorerDelta[] = [];
  const sub = source.onDelta((d) => {
    deltas.push(d);
    view.applyDelta(d);
  });
  for (let i = half; i < run.events.length; i += 7) emit(run.events.slice(i, i + 7));
  // another run's events are ignored
  emit([]);
  listeners.forEach((l) => l({ ref: { host: 'local', run: 'other' }, events: run.events }));
  assert.ok(deltas.length > 1);
  assert.deepEqual([...view.candidates.values()].map((c) => c.id).sort(), run.candidates.map((c) => c.id).sort());
  assert.equal(view.lastSeq, run.events.at(-1)!.seq);
  for (const r of run.refinements.filter((x) => x.status === 'done')) assert.deepEqual(view.refinements.get(r.id), r);
  sub.dispose();
  assert.equal(listeners.length, 0);
  await source.refine(['g1-00'], 500);
  assert.deepEqual(refined, [{ ids: ['g1-00'], epochs: 500 }]);
  const c = await source.candidate(run.candidates[0].id);
  assert.deepEqual(c.decode, run.decode);
});
