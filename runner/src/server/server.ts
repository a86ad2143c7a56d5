// `pareto-nas serve`: the JSON-RPC 2.0 server (vscode-jsonrpc) that reads and controls run
// directories for the extension. It owns no state a client needs to keep: runs are detached
// processes writing their run directory; the server replays and follows events.jsonl.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { createMessageConnection, ErrorCodes, MessageConnection, ResponseError } from 'vscode-jsonrpc/node';
import { z } from 'zod';
import { ConfigError, parseConfig } from '../config';
import {
  Rpc,
  RpcErrorCode,
  type CandidateGetResult,
  type CandidateRecord,
  type LaunchResult,
  type NetworkSpec,
  type RunSummary,
  type StoredEvent,
} from '../protocol';
import * as store from '../store';
import { PROTOCOL_VERSION as _PV, RUNNER_VERSION } from '../version';
import { doctor } from './doctor';
import { cancelRun, launchedProcessAlive, refuseIfWritten } from './cancel';
import { RunsRoots } from './confine';
import type { FrameLimits } from './frame-reader';
import { launch, readLaunch, SLURM_ACTIVE, slurmJobState, type LaunchInfo } from './launch';
import { streamWriter, ValidatingReader, type Log } from './rpc-io';
import { paretoFront } from '../search/pareto';
import { runSpec } from '../search/run-spec';

export interface ServerOptions {
  input: Readable;
  output: Writable;
  /** Folder of runs named by id; default store.runsRoot(). */
  runsRoot?: string;
  /** More folders the client may name runs in (`serve --root`); every path must lie in a root. */
  roots?: string[];
  /** Framing limits (message size, stall time); defaults in frame-reader.ts. */
  limits?: Partial<FrameLimits>;
  /** The runner bundle to start searches with; default: the script this process runs. */
  runnerScript?: string;
  log?: Log;
}

const RunRef = z.object({ run: z.string().min(1) }).passthrough();

function invalidParams(method: string, error: z.ZodError): ResponseError<void> {
  const detail = error.issues.map((i) => `params${i.path.length ? '.' + i.path.join('.') : ''}: ${i.message}`).join('; ');
  return new ResponseError(ErrorCodes.InvalidParams, `${method}: ${detail}`);
}

function parse<T extends z.ZodTypeAny>(method: string, schema: T, params: unknown): z.infer<T> {
  const r = schema.safeParse(params ?? {});
  if (!r.success) throw invalidParams(method, r.error);
  return r.data;
}

export class RunnerServer {
  readonly connection: MessageConnection;
  private negotiated = false;
  private readonly attached = new Map<string, AbortController>();
  private readonly root: string;
  private readonly roots: RunsRoots;
  private readonly runnerScript: string;
  private readonly log: Log;

  constructor(o: ServerOptions) {
    this.log = o.log ?? ((l) => process.stderr.write(`${l}\n`));
    this.roots = new RunsRoots([o.runsRoot ?? store.runsRoot(), ...(o.roots ?? [])]);
    this.root = this.roots.main;
    this.runnerScript = o.runnerScript ?? process.argv[1];
    const writer = streamWriter(o.output);
    const reader = new ValidatingReader(o.input, writer, this.log, o.limits);
    this.connection = createMessageConnection(reader, writer, {
      error: (m) => this.log(`serve: ${m}`),
      warn: (m) => this.log(`serve: ${m}`),
      info: () => undefined,
      log: () => undefined,
    });
    this.register();
    this.connection.onError(([e]) => this.log(`serve: connection error: ${e.message}`));
    this.connection.onClose(() => this.detachAll());
  }

  listen(): void {
    this.connection.listen();
  }

  /** Resolves when the client closes the stream. */
  closed(): Promise<void> {
    return new Promise((res) => this.connection.onClose(() => res()));
  }

  dispose(): void {
    this.detachAll();
    this.connection.dispose();
  }

  private detachAll(): void {
    for (const c of this.attached.values()) c.abort();
    this.attached.clear();
  }

  /** Registers a handler that runs only after `version` negotiated, turning throws into errors. */
  private handle<P, R>(type: { method: string }, fn: (params: P) => R | Promise<R>): void {
    this.connection.onRequest(type.method, async (params: unknown) => {
      if (!this.negotiated) {
        throw new ResponseError(RpcErrorCode.NotNegotiated, `${type.method}: call "version" with the client's protocol version first`);
      }
      try {
        return await fn(params as P);
      } catch (e) {
        if (e instanceof ResponseError) throw e;
        if (e instanceof ConfigError) throw new ResponseError(RpcErrorCode.InvalidConfig, e.message);
        const err = e as Error;
        this.log(`serve: ${type.method} failed: ${err.stack ?? err.message}`);
        throw new ResponseError(ErrorCodes.InternalError, `${type.method}: ${err.message}`);
      }
    });
  }

  private register(): void {
    const c = this.connection;
    c.onRequest(Rpc.version.method, (params: unknown) => {
      const p = parse('version', z.object({ protocol: z.number().int(), client: z.string().optional() }), params);
      if (p.protocol !== _PV) {
        throw new ResponseError(
          RpcErrorCode.ProtocolMismatch,
          `protocol mismatch: the client speaks protocol ${p.protocol}, this runner (pareto-nas ${RUNNER_VERSION}) speaks ${_PV}; ` +
            `deploy the runner that matches the extension`,
          { runner: RUNNER_VERSION, protocol: _PV },
        );
      }
      this.negotiated = true;
      this.log(`serve: client ${p.client ?? '(unnamed)'} speaks protocol ${p.protocol}`);
      return { runner: RUNNER_VERSION, protocol: _PV };
    });

    this.handle(Rpc.doctor, () => doctor({ runsRoot: this.root }));

    this.handle(Rpc.runsList, (params: unknown) => {
      const p = parse('runs/list', z.object({ root: z.string().min(1).optional() }), params);
      return store.listRuns(p.root ? this.roots.confine(p.root, 'root') : this.root).map((s: RunSummary) => this.withJobState(s.dir, s));
    });

    this.handle(Rpc.runSummary, (params: unknown) => {
      const p = parse('run/summary', RunRef, params);
      return this.summary(this.runDir(p.run, true));
    });

    this.handle(Rpc.searchStart, (params: unknown) => {
      const p = parse('search/start', z.object({ config: z.unknown(), runDir: z.string().min(1).optional() }), params);
      if (p.config === undefined) throw new ResponseError(ErrorCodes.InvalidParams, 'search/start: params.config is required');
      const config = parseConfig(p.config, 'search/start params.config');
      const dir = p.runDir ? this.roots.confine(p.runDir, 'runDir') : join(this.root, store.newRunId(config.name));
      if (existsSync(join(dir, store.RUN_FILES.config))) {
        throw new ResponseError(RpcErrorCode.LaunchFailed, `search/start: ${dir} already holds a run; use search/resume`);
      }
      const info = this.launch('search', dir, config.executor.kind, config.executor.slurm, (d) => {
        const file = join(d, 'launch-config.json');
        writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
        // An empty events file from the start: run/attach right after search/start follows it
        // (and replays from seq 0) while the search process is still starting or queued.
        writeFileSync(join(d, store.RUN_FILES.events), '', { flag: 'a' });
        return ['search', '--config', file, '--run-dir', d];
      });
      return this.launchResult(dir, info);
    });

    this.handle(Rpc.searchResume, (params: unknown) => {
      const p = parse('search/resume', RunRef, params);
      const dir = this.runDir(p.run, true);
      const summary = this.summary(dir);
      if (summary.state === 'running') {
        throw new ResponseError(RpcErrorCode.LaunchFailed, `search/resume: run ${summary.id} is still running`);
      }
      if (summary.state === 'completed') throw new ResponseError(RpcErrorCode.LaunchFailed, `search/resume: run ${summary.id} is finished; nothing to resume`);
      refuseIfWritten(dir);
      const config = store.readRunConfig(dir);
      const info = this.launch('resume', dir, config.executor.kind, config.executor.slurm, (d) => ['resume', d]);
      return this.launchResult(dir, info);
    });

    this.handle(Rpc.runAttach, (params: unknown) => {
      const p = parse('run/attach', RunRef.extend({ fromSeq: z.number().int().min(0) }), params);
      const dir = this.runDir(p.run, false);
      this.attached.get(p.run)?.abort();
      const ac = new AbortController();
      this.attached.set(p.run, ac);
      const run = p.run;
      store
        .followEvents(dir, p.fromSeq, (event: StoredEvent) => void c.sendNotification(Rpc.runEvent, { run, event }).catch(() => ac.abort()), ac.signal)
        .catch((e: Error) => {
          this.log(`serve: following ${dir} stopped: ${e.message}`);
          void c.sendNotification(Rpc.runEvent, {
            run,
            event: { seq: 0, time: new Date().toISOString(), type: 'log', level: 'error', message: `following events stopped: ${e.message}` },
          });
        });
      return { run, dir, summary: this.summary(dir) };
    });

    this.handle(Rpc.runDetach, (params: unknown) => {
      const p = parse('run/detach', RunRef, params);
      this.runDir(p.run, false);
      const ac = this.attached.get(p.run);
      if (!ac) throw new ResponseError(RpcErrorCode.NotAttached, `run/detach: not attached to ${p.run}`);
      ac.abort();
      this.attached.delete(p.run);
    });

    this.handle(Rpc.runCancel, (params: unknown) => {
      const p = parse('run/cancel', RunRef, params);
      // not only runs with a config: a Slurm job still queued has not written one yet
      const dir = this.runDir(p.run, false);
      return { run: p.run, ...cancelRun(dir) };
    });

    this.handle(Rpc.refineStart, (params: unknown) => {
      const p = parse(
        'refine/start',
        RunRef.extend({
          ids: z.array(z.string().min(1)).min(1).optional(),
          cutoff: z.number().positive().optional(),
          epochs: z.number().int().min(1),
        }).refine((v) => v.ids !== undefined || v.cutoff !== undefined, { message: 'give ids or cutoff' }),
        params,
      );
      const dir = this.runDir(p.run, true);
      refuseIfWritten(dir);
      const config = store.readRunConfig(dir);
      const info = this.launch('refine', dir, config.executor.kind, config.executor.slurm, (d) => [
        'refine',
        d,
        ...(p.ids ? ['--ids', p.ids.join(',')] : ['--cutoff', String(p.cutoff)]),
        '--epochs',
        String(p.epochs),
      ]);
      return this.launchResult(dir, info);
    });

    this.handle(Rpc.candidateGet, (params: unknown) => {
      const p = parse('candidate/get', RunRef.extend({ id: z.string().min(1) }), params);
      const dir = this.runDir(p.run, true);
      const record = store.readCandidates(dir).find((r: CandidateRecord) => r.id === p.id);
      if (!record) throw new ResponseError(RpcErrorCode.CandidateNotFound, `candidate/get: run ${p.run} has no candidate ${p.id}`);
      const result: CandidateGetResult = { record, spec: this.specOf(dir, record), curves: record.epochs };
      const refine = store.readRefineRecords(dir).filter((r) => r.candidate === p.id);
      if (refine.length) result.refine = refine;
      return result;
    });

    this.handle(Rpc.paretoGet, (params: unknown) => {
      const p = parse('pareto/get', RunRef.extend({ maxMflops: z.number().positive().optional() }), params);
      const dir = this.runDir(p.run, true);
      const records = store.readCandidates(dir);
      let front = paretoFront(records);
      if (p.maxMflops !== undefined) front = front.filter((r) => r.mflops <= p.maxMflops!);
      return { run: p.run, evaluations: records.length, front };
    });
  }

  /** A run id (folder under the runs root) or an absolute run directory. */
  private runDir(run: string, mustHaveConfig: boolean): string {
    const dir = this.roots.confine(run, 'run');
    const ok = mustHaveConfig ? existsSync(join(dir, store.RUN_FILES.config)) : existsSync(dir);
    if (!ok) throw new ResponseError(RpcErrorCode.RunNotFound, `no run ${run} (looked in ${dir})`);
    return dir;
  }

  private summary(dir: string): RunSummary {
    if (existsSync(join(dir, store.RUN_FILES.config))) return this.withJobState(dir, store.summarizeRun(dir));
    // Just launched (or queued): the search has not written its config yet.
    const l = readLaunch(dir);
    const id = dir.split(/[\\/]/).filter(Boolean).at(-1) ?? dir;
    const alive = l?.pid !== undefined ? launchedProcessAlive(l) : l?.executor === 'slurm' && l.jobId !== undefined && slurmJobState(l.jobId) !== undefined;
    return { id, dir, name: id, dataset: '', state: alive ? 'running' : 'stopped', generation: 0, generations: 0, evaluations: 0, lastSeq: 0, startedAt: l?.startedAt };
  }

  /**
   * A Slurm run's state from its job where the events cannot tell: the search may run on another
   * node (its pid means nothing here), may have been killed by Slurm (time limit, scancel -9)
   * without a run-finished event, or may be queued after search/resume.
   */
  private withJobState(dir: string, s: RunSummary): RunSummary {
    const l = readLaunch(dir);
    if (l?.executor !== 'slurm' || !l.jobId) return s;
    const job = slurmJobState(l.jobId);
    if (job === null) return s; // squeue not reachable from here: keep what the events say
    const active = job !== undefined && SLURM_ACTIVE.has(job);
    if (active && s.state !== 'running' && (s.updatedAt ?? '') <= l.startedAt) return { ...s, state: 'running' };
    if (!active && s.state === 'running') return { ...s, state: 'stopped' };
    return s;
  }

  private launch(
    kind: LaunchInfo['kind'],
    dir: string,
    executor: 'local' | 'slurm',
    slurm: Parameters<typeof launch>[0]['slurm'],
    args: (dir: string) => string[],
  ): LaunchInfo {
    try {
      mkdirSync(dir, { recursive: true });
      return launch({ kind, runDir: dir, args: args(dir), runnerScript: this.runnerScript, executor, slurm });
    } catch (e) {
      if (e instanceof ResponseError) throw e;
      throw new ResponseError(RpcErrorCode.LaunchFailed, `${kind}: ${(e as Error).message}`);
    }
  }

  private launchResult(dir: string, info: LaunchInfo): LaunchResult {
    const run = dir.startsWith(this.root + '/') && !dir.slice(this.root.length + 1).includes('/') ? dir.slice(this.root.length + 1) : dir;
    return { run, dir, pid: info.pid, jobId: info.jobId, executor: info.executor };
  }

  /** The candidate's network as its run decodes it (config.json + run.json; the dataset may be gone). */
  private specOf(dir: string, record: CandidateRecord): NetworkSpec | null {
    try {
      return runSpec(dir, record.genome);
    } catch (e) {
      this.log(`serve: no spec for ${record.id}: ${(e as Error).message}`);
      return null;
    }
  }

}


export function startServer(o: ServerOptions): RunnerServer {
  const s = new RunnerServer(o);
  s.listen();
  return s;
}
