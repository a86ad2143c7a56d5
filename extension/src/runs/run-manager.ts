// Run state in the extension: one RunModel per host+run, fed by `run/attach` events, plus the host
// connections they come through. Everything the tree view, status bar, commands and webview host show
// comes from here.
import * as vscode from 'vscode';
import {
  Rpc,
  type CandidateGetResult,
  type DoctorResult,
  type LaunchResult,
  type RunSummary,
  type StoredEvent,
} from '../../../common/protocol';
import type { RunnerLink, Subscription } from '../hosts/link';
import { targetFromKey, targetKey, targetLabel, type Target } from '../hosts/targets';
import type { Log } from '../log';
import { readSettings } from '../settings';
import type { RunRef, RunsApi } from './api';
import { applyEvent, applySummary, newRunModel, runKey, type RunModel } from './run-model';

export type HostState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'error';

export interface HostEntry {
  key: string;
  target: Target;
  label: string;
  state: HostState;
  detail?: string;
  runs: Map<string, RunModel>;
}

/** Opens a runner connection to a target (hosts/connect.ts; replaced in unit tests). */
export type Connector = (target: Target, token?: vscode.CancellationToken) => Promise<RunnerLink>;

export class RunManager implements RunsApi, vscode.Disposable {
  private readonly hostsByKey = new Map<string, HostEntry>();
  private readonly links = new Map<string, RunnerLink>();
  private readonly connecting = new Map<string, Promise<RunnerLink>>();
  private readonly attachments = new Map<string, Subscription>();
  private readonly linkSubs = new Map<string, Subscription>();
  private pending = new Map<string, { ref: RunRef; events: StoredEvent[] }>();
  private flushTimer: NodeJS.Timeout | undefined;

  private readonly changeEmitter = new vscode.EventEmitter<void>();
  private readonly eventsEmitter = new vscode.EventEmitter<{ ref: RunRef; events: StoredEvent[] }>();
  /** Something in hosts/runs changed (coalesced: at most every `coalesceMs`). */
  readonly onDidChange = this.changeEmitter.event;
  readonly onDidApplyEvents = this.eventsEmitter.event;

  constructor(
    private readonly connector: Connector,
    private readonly log: Log,
    private readonly coalesceMs = 150,
  ) {}

  // ---- hosts

  hosts(): HostEntry[] {
    return [...this.hostsByKey.values()];
  }

  host(key: string): HostEntry | undefined {
    return this.hostsByKey.get(key);
  }

  /** Lists a host in the view without connecting (configured hosts, restored state). */
  addHost(target: Target): HostEntry {
    const key = targetKey(target);
    let h = this.hostsByKey.get(key);
    if (!h) {
      h = { key, target, label: targetLabel(target), state: 'disconnected', runs: new Map() };
      this.hostsByKey.set(key, h);
      this.changed();
    }
    return h;
  }

  removeHost(key: string): void {
    this.disconnect(key);
    if (this.hostsByKey.delete(key)) this.changed();
  }

  /** Connects once per host (concurrent callers share the attempt) and lists its runs. */
  async connect(target: Target, token?: vscode.CancellationToken): Promise<RunnerLink> {
    const h = this.addHost(target);
    const existing = this.links.get(h.key);
    if (existing) return existing;
    const inFlight = this.connecting.get(h.key);
    if (inFlight) return inFlight;
    const attempt = (async () => {
      this.setHostState(h, 'connecting');
      this.log.info(`connecting to ${h.label}`);
      try {
        const link = await this.connector(target, token);
        this.links.set(h.key, link);
        this.linkSubs.set(
          h.key,
          link.onState((state, detail) => {
            this.log.info(`${h.label}: ${state}${detail ? ` (${detail})` : ''}`);
            if (state === 'closed') this.dropLink(h.key, detail);
            else this.setHostState(h, state, detail);
          }),
        );
        this.setHostState(h, 'connected');
        this.log.info(`connected to ${h.label}`);
        await this.refreshRuns(h.key).catch((e) => this.log.warn(`listing runs on ${h.label}: ${msg(e)}`));
        return link;
      } catch (e) {
        this.setHostState(h, 'error', msg(e));
        this.log.error(`connecting to ${h.label} failed: ${msg(e)}`);
        throw e;
      } finally {
        this.connecting.delete(h.key);
      }
    })();
    this.connecting.set(h.key, attempt);
    return attempt;
  }

  disconnect(key: string): void {
    const link = this.links.get(key);
    this.dropLink(key);
    link?.dispose();
  }

  private dropLink(key: string, detail?: string): void {
    this.links.delete(key);
    this.linkSubs.get(key)?.dispose();
    this.linkSubs.delete(key);
    for (const [k, sub] of this.attachments) {
      if (k.startsWith(`${key}\u0000`)) {
        sub.dispose();
        this.attachments.delete(k);
      }
    }
    const h = this.hostsByKey.get(key);
    if (h) this.setHostState(h, detail ? 'error' : 'disconnected', detail);
  }

  private setHostState(h: HostEntry, state: HostState, detail?: string): void {
    h.state = state;
    h.detail = detail;
    this.changed();
  }

  isConnected(key: string): boolean {
    return this.links.has(key);
  }

  private async linkFor(key: string): Promise<RunnerLink> {
    return this.links.get(key) ?? this.connect(targetFromKey(key));
  }

  // ---- runs

  async refreshRuns(key: string): Promise<RunModel[]> {
    const link = await this.linkFor(key);
    const list = await link.request(Rpc.runsList, {});
    const h = this.hostsByKey.get(key)!;
    for (const s of list) this.upsertSummary(h, s);
    this.changed();
    return list.map((s) => h.runs.get(s.id)!);
  }

  private upsertSummary(h: HostEntry, s: RunSummary): RunModel {
    let m = h.runs.get(s.id);
    if (!m) {
      m = newRunModel(h.key, s.id, s);
      h.runs.set(s.id, m);
    } else {
      applySummary(m, s);
    }
    return m;
  }

  get(ref: RunRef): RunModel | undefined {
    return this.hostsByKey.get(ref.host)?.runs.get(ref.run);
  }

  runs(): RunModel[] {
    return this.hosts().flatMap((h) => [...h.runs.values()]);
  }

  isAttached(ref: RunRef): boolean {
    return this.attachments.has(runKey(ref.host, ref.run));
  }

  async startSearch(key: string, config: unknown): Promise<RunRef> {
    const link = await this.linkFor(key);
    const launch: LaunchResult = await link.request(Rpc.searchStart, { config });
    this.log.info(`started run ${launch.run} on ${this.hostsByKey.get(key)?.label} (${launch.executor}` +
      `${launch.pid ? `, pid ${launch.pid}` : ''}${launch.jobId ? `, job ${launch.jobId}` : ''}) in ${launch.dir}`);
    const ref = { host: key, run: launch.run };
    const h = this.hostsByKey.get(key)!;
    if (!h.runs.has(launch.run)) {
      const m = newRunModel(key, launch.run);
      m.dir = launch.dir;
      m.state = 'running';
      h.runs.set(launch.run, m);
      this.changed();
    }
    await this.ensureAttached(ref);
    return ref;
  }

  async ensureAttached(ref: RunRef): Promise<RunModel> {
    const k = runKey(ref.host, ref.run);
    const link = await this.linkFor(ref.host);
    const h = this.hostsByKey.get(ref.host)!;
    let m = h.runs.get(ref.run);
    if (!m) {
      m = newRunModel(ref.host, ref.run);
      h.runs.set(ref.run, m);
    }
    if (this.attachments.has(k)) return m;
    const model = m;
    const attached = await link.attach(ref.run, model.lastSeq, (e) => this.onEvent(ref, model, e));
    this.attachments.set(k, attached);
    applySummary(model, attached.summary);
    this.log.info(`attached to ${ref.run} on ${h.label} from seq ${model.lastSeq}`);
    this.changed();
    return model;
  }

  detach(ref: RunRef): void {
    const k = runKey(ref.host, ref.run);
    const sub = this.attachments.get(k);
    if (!sub) return;
    sub.dispose();
    this.attachments.delete(k);
    void this.links.get(ref.host)?.request(Rpc.runDetach, { run: ref.run }).catch(() => undefined);
    this.changed();
  }

  async cancel(ref: RunRef): Promise<string> {
    const link = await this.linkFor(ref.host);
    const r = await link.request(Rpc.runCancel, { run: ref.run });
    this.log.info(`cancel ${ref.run}: ${r.how}`);
    return r.how;
  }

  async refine(ref: RunRef, ids: string[], epochs?: number): Promise<void> {
    const n = epochs ?? readSettings().refineDefaultEpochs;
    const link = await this.linkFor(ref.host);
    const r = await link.request(Rpc.refineStart, { run: ref.run, ids, epochs: n });
    this.log.info(`refining ${ids.join(', ')} of ${ref.run} for ${n} epochs (${r.executor}${r.pid ? `, pid ${r.pid}` : ''})`);
    await this.ensureAttached(ref);
  }

  async candidate(ref: RunRef, id: string): Promise<CandidateGetResult> {
    const link = await this.linkFor(ref.host);
    return link.request(Rpc.candidateGet, { run: ref.run, id });
  }

  async doctor(key: string): Promise<DoctorResult> {
    const link = await this.linkFor(key);
    return link.request0(Rpc.doctor);
  }

  private onEvent(ref: RunRef, m: RunModel, e: StoredEvent): void {
    if (!applyEvent(m, e)) return; // replayed after a re-attach: already applied
    if (e.type === 'log') this.log.append(e.level, `[${ref.run}] ${e.message}`);
    else if (e.type === 'run-finished') {
      this.log.info(`[${ref.run}] run ${e.status}${e.message ? `: ${e.message}` : ''}`);
    } else if (e.type === 'generation-finished') {
      this.log.info(`[${ref.run}] generation ${e.snapshot.generation} done (${e.snapshot.evaluations} evaluations)`);
    }
    const k = runKey(ref.host, ref.run);
    let p = this.pending.get(k);
    if (!p) {
      p = { ref, events: [] };
      this.pending.set(k, p);
    }
    p.events.push(e);
    this.changed();
  }

  /** Coalesces bursts of events (epochs of many parallel trainings) into one refresh. */
  private changed(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      const batches = [...this.pending.values()];
      this.pending = new Map();
      for (const b of batches) this.eventsEmitter.fire(b);
      this.changeEmitter.fire();
    }, this.coalesceMs);
  }

  dispose(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    for (const sub of this.attachments.values()) sub.dispose();
    this.attachments.clear();
    for (const key of [...this.links.keys()]) this.disconnect(key);
    this.changeEmitter.dispose();
    this.eventsEmitter.dispose();
  }
}

export function msg(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

