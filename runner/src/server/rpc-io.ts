// Message I/O for `pareto-nas serve`: Content-Length framing with limits (frame-reader.ts), plus
// what vscode-jsonrpc leaves out: a JSON-RPC error reply (instead of a log line) for a body that is not JSON
// (-32700), for a batch or a message that is not a JSON-RPC 2.0 request/notification/response
// (-32600). Only well-formed messages reach the connection, so nothing a client sends can crash it.
import type { Readable, Writable } from 'node:stream';
import {
  AbstractMessageReader,
  DataCallback,
  Disposable,
  ErrorCodes,
  Message,
  MessageReader,
  MessageWriter,
  StreamMessageWriter,
} from 'vscode-jsonrpc/node';
import { DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_STALL_MS, FrameReader, type FrameLimits } from './frame-reader';

const INVALID = Symbol('invalid-json');

interface InvalidJson {
  [INVALID]: string;
}

export type Log = (line: string) => void;

/**
 * Reads framed messages (frame-reader.ts, with its size limit) and answers malformed ones itself
 * with JSON-RPC errors. A frame that cannot be read on (bad header, oversized, stalled) gets one
 * parse-error reply, a line on the log, and closes the connection: the client reconnects as after
 * a drop. Never a silent hang.
 */
export class ValidatingReader extends AbstractMessageReader implements MessageReader {
  private readonly frames: FrameReader;
  private callback: DataCallback | undefined;
  private closed = false;

  constructor(
    readable: Readable,
    private readonly writer: MessageWriter,
    private readonly log: Log,
    limits: Partial<FrameLimits> = {},
  ) {
    super();
    this.frames = new FrameReader(
      readable,
      { maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES, stallMs: DEFAULT_STALL_MS, ...limits },
      {
        message: (body) => this.onBody(body),
        fatal: (reason) => void this.closeAfterError(reason),
        end: (reason) => {
          if (reason) this.log(`serve: ${reason}`);
          this.close();
        },
      },
    );
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    this.frames.start();
    return Disposable.create(() => this.frames.stop());
  }

  override dispose(): void {
    this.frames.stop();
    super.dispose();
  }

  private onBody(body: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(body);
    } catch (e) {
      raw = { [INVALID]: (e as Error).message.replace(/, ".*" is not valid JSON$/s, '') };
    }
    const problem = checkMessage(raw);
    if (problem === undefined) {
      this.callback?.(raw as Message);
      return;
    }
    this.log(`serve: rejected message: ${problem.message}`);
    if (problem.reply) void this.replyError(problem.id, problem.code, problem.message);
  }

  private async closeAfterError(reason: string): Promise<void> {
    this.log(`serve: framing error, closing the connection: ${reason}`);
    await this.replyError(null, ErrorCodes.ParseError, `Parse error: ${reason}; closing the connection`);
    this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.fireClose();
  }

  private replyError(id: string | number | null, code: number, message: string): Promise<void> {
    return this.writer
      .write({ jsonrpc: '2.0', id, error: { code, message } } as Message)
      .catch((e: Error) => this.log(`serve: cannot write error reply: ${e.message}`));
  }
}

interface Problem {
  code: number;
  message: string;
  id: string | number | null;
  /** false for notifications and stray responses: JSON-RPC forbids replying to them. */
  reply: boolean;
}

/** Undefined when `msg` is a well-formed JSON-RPC 2.0 message; else what is wrong with it. */
export function checkMessage(msg: unknown): Problem | undefined {
  if (msg !== null && typeof msg === 'object' && INVALID in (msg as object)) {
    return {
      code: ErrorCodes.ParseError,
      message: `Parse error: ${(msg as InvalidJson)[INVALID]}`,
      id: null,
      reply: true,
    };
  }
  if (Array.isArray(msg)) {
    return {
      code: ErrorCodes.InvalidRequest,
      message: 'Invalid Request: batch requests are not supported',
      id: null,
      reply: true,
    };
  }
  if (msg === null || typeof msg !== 'object') {
    return {
      code: ErrorCodes.InvalidRequest,
      message: 'Invalid Request: a message must be a JSON object',
      id: null,
      reply: true,
    };
  }
  const m = msg as Record<string, unknown>;
  const idOk =
    m.id === undefined ||
    m.id === null ||
    typeof m.id === 'string' ||
    (typeof m.id === 'number' && Number.isFinite(m.id));
  const id = typeof m.id === 'string' || typeof m.id === 'number' ? m.id : null;
  const bad = (why: string, reply = true): Problem => ({
    code: ErrorCodes.InvalidRequest,
    message: `Invalid Request: ${why}`,
    id,
    reply,
  });
  if (m.jsonrpc !== '2.0') return bad('"jsonrpc" must be "2.0"');
  if (!idOk) return bad('"id" must be a string, a number or null');
  if ('method' in m) {
    const isRequest = m.id !== undefined;
    if (typeof m.method !== 'string' || m.method.length === 0)
      return bad('"method" must be a non-empty string', isRequest);
    if (m.params !== undefined && (m.params === null || typeof m.params !== 'object')) {
      return bad('"params" must be an object or an array', isRequest);
    }
    return undefined;
  }
  if (m.id === undefined) return bad('neither a request, a notification nor a response (no "method", no "id")');
  if (!('result' in m) && !('error' in m)) return bad('a response needs "result" or "error"', false);
  return undefined;
}

export function streamWriter(writable: Writable): StreamMessageWriter {
  return new StreamMessageWriter(writable, { charset: 'utf-8' });
}
