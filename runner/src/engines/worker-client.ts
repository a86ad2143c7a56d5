// The engine side of a training worker process, shared by the torch engine (Python, JSON lines on
// stdio) and the tfjs engine (Node, IPC): one request at a time (later ones queue), the worker's
// replies matched to the request by id, epochs streamed to the caller's hook, errors turned into
// TrainingError, cancellation sent to the worker with a grace period before the process is killed,
// and the last lines the worker printed kept for error messages. Subclasses own the process and
// the transport.
import { existsSync } from 'node:fs';
import { TrainingError, type EpochMetrics, type FailureKind, type TrainHooks } from './engine';

/**
 * The first of `candidates` that exists (undefined ones skipped: an unset override variable): a
 * worker script is next to the bundle in dist/, or next to its engine when run from source.
 */
export function findWorkerScript(what: string, candidates: Array<string | undefined>): string {
  const paths = candidates.filter((p): p is string => Boolean(p));
  const found = paths.find((p) => existsSync(p));
  if (!found) throw new TrainingError('engine-error', `${what} worker script not found; looked in ${paths.join(', ')}`);
  return found;
}

/** The replies every worker protocol has; each protocol adds its own result messages. */
export type WorkerReply =
  | { type: 'epoch'; id: string; metrics: EpochMetrics }
  | { type: 'error'; id?: string; kind: FailureKind; message: string }
  | { type: string; id?: string };

interface Pending<M> {
  id: string;
  onMessage: (m: M) => void;
  fail: (e: TrainingError) => void;
}

export abstract class WorkerClient<M extends WorkerReply> {
  private queue: Promise<unknown> = Promise.resolve();
  private pending?: Pending<M>;
  /** The last lines the worker printed (stderr, logs), oldest first. */
  protected readonly outputTail: string[] = [];
  /** Set by close(): requests then fail. */
  protected closed = false;

  protected constructor(
    private readonly client: {
      /** Receives the worker's log lines, and errors thrown by an onEpoch hook. */
      onLog?: (line: string) => void;
      /** After a cancel, how long the worker gets to stop before it is killed (default 10 s). */
      cancelGraceMs?: number;
      /** Lines kept in `outputTail`. */
      tailLines: number;
    },
  ) {}

  /** Starts the worker if it is not running (and rejects with a TrainingError if it cannot). */
  protected abstract start(): Promise<unknown>;
  /** Sends one message to the running worker. */
  protected abstract post(message: object): void;
  /** Kills a worker that did not stop after a cancel; the next request starts a new one. */
  protected abstract kill(): void;

  /**
   * Sends `message` with id `id` once the worker is free and resolves with `pick` of the first reply
   * for which it is defined; epochs go to `hooks.onEpoch`; an error reply or the worker's exit rejects.
   */
  protected request<T>(id: string, message: object, pick: (m: M) => T | undefined, hooks: TrainHooks = {}): Promise<T> {
    const { signal } = hooks;
    const run = async (): Promise<T> => {
      if (this.closed) throw new TrainingError('engine-error', `${id}: the engine is closed`);
      if (signal?.aborted) throw new TrainingError('cancelled', `${id}: cancelled before it started`);
      await this.start();
      // Starting a worker takes seconds (importing torch): a cancel that came meanwhile still counts.
      if (signal?.aborted) throw new TrainingError('cancelled', `${id}: cancelled while the worker started`);
      return await new Promise<T>((resolveJob, rejectJob) => {
        let killTimer: NodeJS.Timeout | undefined;
        const onAbort = () => {
          this.post({ type: 'cancel', id });
          // A worker stuck in a long kernel gets a grace period, then is killed.
          killTimer = setTimeout(() => {
            this.kill();
            this.failPending(new TrainingError('cancelled', `${id}: cancelled (worker stopped)`));
          }, this.client.cancelGraceMs ?? 10_000);
        };
        const finish = () => {
          signal?.removeEventListener('abort', onAbort);
          if (killTimer) clearTimeout(killTimer);
          if (this.pending?.id === id) this.pending = undefined;
        };
        this.pending = {
          id,
          onMessage: (m) => {
            if (isEpoch(m)) {
              try {
                hooks.onEpoch?.(m.metrics);
                if (hooks.stopAfter?.(m.metrics)) this.post({ type: 'stop', id });
              } catch (e) {
                this.client.onLog?.(`onEpoch hook threw: ${(e as Error).message}`);
              }
              return;
            }
            if (isError(m)) {
              finish();
              rejectJob(new TrainingError(m.kind, `${id}: ${m.message}`));
              return;
            }
            const value = pick(m);
            if (value !== undefined) {
              finish();
              resolveJob(value);
            }
          },
          fail: (e) => {
            finish();
            rejectJob(signal?.aborted ? new TrainingError('cancelled', `${id}: cancelled (${e.message})`) : e);
          },
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.post({ ...message, id });
      });
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Hands a reply to the request it belongs to (replies for another id are dropped). */
  protected deliver(m: M): void {
    if (this.pending && (m.id === undefined || m.id === this.pending.id)) this.pending.onMessage(m);
  }

  /** Fails the request in flight, if any (the worker exited or was killed). */
  protected failPending(e: TrainingError): void {
    const p = this.pending;
    this.pending = undefined;
    p?.fail(e);
  }

  /** Keeps a line of the worker's output for error messages and passes it to onLog. */
  protected keepOutput(line: string): void {
    this.outputTail.push(line);
    if (this.outputTail.length > this.client.tailLines) this.outputTail.shift();
    this.client.onLog?.(line);
  }
}

function isEpoch(m: WorkerReply): m is { type: 'epoch'; id: string; metrics: EpochMetrics } {
  return m.type === 'epoch';
}

function isError(m: WorkerReply): m is { type: 'error'; id?: string; kind: FailureKind; message: string } {
  return m.type === 'error';
}
