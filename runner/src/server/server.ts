// `pareto-nas serve`: the JSON-RPC 2.0 server (vscode-jsonrpc) that reads and controls run
// directories for the extension. It owns no state a client needs to keep: runs are detached
// processes writing their run directory; the server replays and follows events.jsonl.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import {
  createMessageConnection,
  ErrorCodes,
  MessageConnection,
  RequestType,
  RequestType0,
  ResponseError,
} from 'vscode-jsonrpc/node';
import type { z } from 'zod';
import { ConfigError, parseConfig } from '../../../common/config';
import {
  Rpc,
  RpcErrorCode,
  type CandidateGetParams,
  type CandidateGetResult,
  type CandidateRecord,
  type DatasetCheckResult,
  type DatasetListResult,
  type DoctorResult,
  type LaunchResult,
  type ModelExportParams,
  type ModelExportResult,
  type NetworkSpec,
  type ParetoGetParams,
  type ParetoGetResult,
  type RefineStartParams,
  type RunAttachParams,
  type RunAttachResult,
  type RunCancelResult,
  type RunRefParams,
  type RunsListParams,
  type RunSummary,
  type SearchStartParams,
  type StoredEvent,
  type VersionParams,
  type VersionResult,
} from '../../../common/protocol';
import * as store from '../store';
import { PROTOCOL_VERSION, RUNNER_VERSION } from '../../../common/version';
import { doctor } from './doctor';
import { checkDataset, listDatasets } from './dataset-probe';
import { startSearch } from './start-search';
import { cancelRun, launchedProcessAlive, refuseIfWritten } from './cancel';
import { RunsRoots } from './confine';
import type { FrameLimits } from './frame-reader';
import { launch, readLaunch, SLURM_ACTIVE, slurmJobState, type LaunchInfo } from './launch';
import { streamWriter, ValidatingReader, type Log } from './rpc-io';
import { paretoFront, selectBelowCutoff } from '../../../common/pareto';
import { runSpec } from '../search/run-spec';
import { benchModel } from '../export/bench-model';
import { ExportError, exportModel } from '../export/export';
import { OnnxRuntimeUnavailableError } from '../export/onnx-runtime';
import { TorchUnavailableError } from '../engines/torch';
import {
  CandidateGetParamsSchema,
  DatasetCheckParamsSchema,
  DatasetListParamsSchema,
  ModelExportParamsSchema,
  ParetoGetParamsSchema,
  parseParams,
  RefineStartParamsSchema,
  RunAttachParamsSchema,
  RunRefParamsSchema,
  RunsListParamsSchema,
  SearchStartParamsSchema,
  VersionParamsSchema,
} from './params';

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

  /** Every method: each is one handler below, its params checked by the named schema of server/params.ts. */
  private register(): void {
    this.connection.onRequest(Rpc.version.method, (params: unknown) =>
      this.version(parseParams(Rpc.version.method, VersionParamsSchema, params)),
    );
    this.handle0(Rpc.doctor, () => this.doctor());
    this.handle(Rpc.runsList, RunsListParamsSchema, (p) => this.runsList(p));
    this.handle(Rpc.runSummary, RunRefParamsSchema, (p) => this.runSummary(p));
    this.handle(Rpc.searchStart, SearchStartParamsSchema, (p) => this.searchStart(p));
    this.handle(Rpc.searchResume, RunRefParamsSchema, (p) => this.searchResume(p));
    this.handle(Rpc.runAttach, RunAttachParamsSchema, (p) => this.runAttach(p));
    this.handle(Rpc.runDetach, RunRefParamsSchema, (p) => this.runDetach(p));
    this.handle(Rpc.runCancel, RunRefParamsSchema, (p) => this.runCancel(p));
    this.handle(Rpc.refineStart, RefineStartParamsSchema, (p) => this.refineStart(p));
    this.handle(Rpc.candidateGet, CandidateGetParamsSchema, (p) => this.candidateGet(p));
    this.handle(Rpc.paretoGet, ParetoGetParamsSchema, (p) => this.paretoGet(p));
    this.handle(Rpc.modelExport, ModelExportParamsSchema, (p) => this.modelExport(p));
    this.handle(Rpc.datasetCheck, DatasetCheckParamsSchema, (p): DatasetCheckResult => checkDataset(p.path));
    this.handle(Rpc.datasetList, DatasetListParamsSchema, (p): DatasetListResult => listDatasets(p.dir));
  }

  /** Registers a handler that runs only after `version` negotiated, with parsed params, turning throws into errors. */
  private handle<P, R>(type: RequestType<P, R, void>, schema: z.ZodType<P>, fn: (params: P) => R | Promise<R>): void {
    this.connection.onRequest(type.method, (params: unknown) =>
      this.guarded(type.method, () => fn(parseParams(type.method, schema, params))),
    );
  }

  private handle0<R>(type: RequestType0<R, void>, fn: () => R | Promise<R>): void {
    this.connection.onRequest(type.method, () => this.guarded(type.method, fn));
  }

  private async guarded<R>(method: string, fn: () => R | Promise<R>): Promise<R> {
    if (!this.negotiated) {
      throw new ResponseError(
        RpcErrorCode.NotNegotiated,
        `${method}: call "version" with the client's protocol version first`,
      );
    }
    try {
      return await fn();
    } catch (e) {
      if (e instanceof ResponseError) throw e;
      if (e instanceof ConfigError) throw new ResponseError(RpcErrorCode.InvalidConfig, e.message);
      const err = e as Error;
      this.log(`serve: ${method} failed: ${err.stack ?? err.message}`);
      throw new ResponseError(ErrorCodes.InternalError, `${method}: ${err.message}`);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Handlers, one per method of the protocol (common/protocol.ts `Rpc`)

  private version(p: VersionParams): VersionResult {
    if (p.protocol !== PROTOCOL_VERSION) {
      throw new ResponseError(
        RpcErrorCode.ProtocolMismatch,
        `protocol mismatch: the client speaks protocol ${p.protocol}, this runner (pareto-nas ${RUNNER_VERSION}) speaks ${PROTOCOL_VERSION}; ` +
          `deploy the runner that matches the extension`,
        { runner: RUNNER_VERSION, protocol: PROTOCOL_VERSION },
      );
    }
    this.negotiated = true;
    this.log(`serve: client ${p.client ?? '(unnamed)'} speaks protocol ${p.protocol}`);
    return { runner: RUNNER_VERSION, protocol: PROTOCOL_VERSION };
  }

  private doctor(): Promise<DoctorResult> {
    return doctor({ runsRoot: this.root });
  }

  private runsList(p: RunsListParams): RunSummary[] {
    return store
      .listRuns(p.root ? this.roots.confine(p.root, 'root') : this.root)
      .map((s: RunSummary) => this.withJobState(s.dir, s));
  }

  private runSummary(p: RunRefParams): RunSummary {
    return this.summary(this.runDir(p.run, true));
  }

  private searchStart(p: SearchStartParams): LaunchResult {
    if (p.config === undefined)
      throw new ResponseError(ErrorCodes.InvalidParams, 'search/start: params.config is required');
    const config = parseConfig(p.config, 'search/start params.config');
    const dir = p.runDir ? this.roots.confine(p.runDir, 'runDir') : join(this.root, store.newRunId(config.name));
    if (existsSync(join(dir, store.RUN_FILES.config))) {
      throw new ResponseError(RpcErrorCode.LaunchFailed, `search/start: ${dir} already holds a run; use search/resume`);
    }
    let info: LaunchInfo;
    try {
      info = startSearch(config, dir, this.runnerScript);
    } catch (e) {
      throw new ResponseError(RpcErrorCode.LaunchFailed, `search: ${(e as Error).message}`);
    }
    return this.launchResult(dir, info);
  }

  private searchResume(p: RunRefParams): LaunchResult {
    const dir = this.runDir(p.run, true);
    const summary = this.summary(dir);
    if (summary.state === 'running') {
      throw new ResponseError(RpcErrorCode.LaunchFailed, `search/resume: run ${summary.id} is still running`);
    }
    if (summary.state === 'completed')
      throw new ResponseError(
        RpcErrorCode.LaunchFailed,
        `search/resume: run ${summary.id} is finished; nothing to resume`,
      );
    refuseIfWritten(dir);
    const config = store.readRunConfig(dir);
    const info = this.launch(
      'resume',
      dir,
      config.executor.kind,
      config.executor.slurm,
      (d) => ['resume', d],
      config.executor.workersPerGpu,
    );
    return this.launchResult(dir, info);
  }

  private runAttach(p: RunAttachParams): RunAttachResult {
    const dir = this.runDir(p.run, false);
    this.attached.get(p.run)?.abort();
    const ac = new AbortController();
    this.attached.set(p.run, ac);
    const { run } = p;
    const c = this.connection;
    store
      .followEvents(
        dir,
        p.fromSeq,
        (event: StoredEvent) => void c.sendNotification(Rpc.runEvent, { run, event }).catch(() => ac.abort()),
        ac.signal,
      )
      .catch((e: Error) => {
        this.log(`serve: following ${dir} stopped: ${e.message}`);
        void c.sendNotification(Rpc.runEvent, {
          run,
          event: {
            seq: 0,
            time: new Date().toISOString(),
            type: 'log',
            level: 'error',
            message: `following events stopped: ${e.message}`,
          },
        });
      });
    return { run, dir, summary: this.summary(dir) };
  }

  private runDetach(p: RunRefParams): void {
    this.runDir(p.run, false);
    const ac = this.attached.get(p.run);
    if (!ac) throw new ResponseError(RpcErrorCode.NotAttached, `run/detach: not attached to ${p.run}`);
    ac.abort();
    this.attached.delete(p.run);
  }

  private runCancel(p: RunRefParams): RunCancelResult {
    // not only runs with a config: a Slurm job still queued has not written one yet
    const dir = this.runDir(p.run, false);
    return { run: p.run, ...cancelRun(dir) };
  }

  private refineStart(p: RefineStartParams): LaunchResult {
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
  }

  private candidateGet(p: CandidateGetParams): CandidateGetResult {
    const dir = this.runDir(p.run, true);
    const record = store.readCandidates(dir).find((r: CandidateRecord) => r.id === p.id);
    if (!record)
      throw new ResponseError(RpcErrorCode.CandidateNotFound, `candidate/get: run ${p.run} has no candidate ${p.id}`);
    const result: CandidateGetResult = { record, spec: this.specOf(dir, record), curves: record.epochs };
    const refine = store.readRefineRecords(dir).filter((r) => r.candidate === p.id);
    if (refine.length) result.refine = refine;
    return result;
  }

  private async modelExport(p: ModelExportParams): Promise<ModelExportResult> {
    const dir = this.runDir(p.run, true);
    if (!store.readCandidates(dir).some((r) => r.id === p.id)) {
      throw new ResponseError(RpcErrorCode.CandidateNotFound, `model/export: run ${p.run} has no candidate ${p.id}`);
    }
    try {
      const { file, manifest } = await exportModel({ runDir: dir, id: p.id, format: p.format });
      if (!p.bench) return { file, manifest };
      try {
        return {
          file,
          manifest,
          bench: await benchModel({ runDir: dir, id: p.id, format: p.format, batchSize: 256, seconds: 2 }),
        };
      } catch (e) {
        // the export itself succeeded: a runner without the optional ONNX Runtime still hands it over
        if (e instanceof OnnxRuntimeUnavailableError) return { file, manifest, benchError: e.message };
        throw e;
      }
    } catch (e) {
      if (e instanceof ExportError || e instanceof OnnxRuntimeUnavailableError || e instanceof TorchUnavailableError)
        throw new ResponseError(RpcErrorCode.ExportFailed, e.message);
      throw e;
    }
  }

  private paretoGet(p: ParetoGetParams): ParetoGetResult {
    const dir = this.runDir(p.run, true);
    const records = store.readCandidates(dir);
    const front = selectBelowCutoff(paretoFront(records), p.maxMflops ?? null);
    return { run: p.run, evaluations: records.length, front };
  }

  // ---------------------------------------------------------------------------------------------

  /** A run id (folder under the runs root) or an absolute run directory, inside the runs roots. */
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
    const alive =
      l?.pid !== undefined
        ? launchedProcessAlive(l)
        : l?.executor === 'slurm' && l.jobId !== undefined && slurmJobState(l.jobId) !== undefined;
    return {
      id,
      dir,
      name: id,
      dataset: '',
      state: alive ? 'running' : 'stopped',
      generation: 0,
      generations: 0,
      evaluations: 0,
      lastSeq: 0,
      startedAt: l?.startedAt,
    };
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
    workersPerGpu?: number | 'auto',
  ): LaunchInfo {
    try {
      mkdirSync(dir, { recursive: true });
      return launch({
        kind,
        runDir: dir,
        args: args(dir),
        runnerScript: this.runnerScript,
        executor,
        slurm,
        workersPerGpu,
      });
    } catch (e) {
      if (e instanceof ResponseError) throw e;
      throw new ResponseError(RpcErrorCode.LaunchFailed, `${kind}: ${(e as Error).message}`);
    }
  }

  private launchResult(dir: string, info: LaunchInfo): LaunchResult {
    const run =
      dir.startsWith(this.root + '/') && !dir.slice(this.root.length + 1).includes('/')
        ? dir.slice(this.root.length + 1)
        : dir;
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
