// Content-Length framing (the LSP base protocol) for `pareto-nas serve`, with limits: a header
// block must end within MAX_HEADER_BYTES, must carry a Content-Length that is a plain decimal no
// larger than the message limit, and a message must not stall half-way for longer than the stall
// limit. A body that is not JSON is only a bad message (the frame boundary is still known); a bad
// header is fatal, because after it no frame boundary can be trusted: the owner replies once and
// closes the connection. Memory is bounded by the limit: nothing beyond one message is buffered.
import type { Readable } from 'node:stream';

export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
export const DEFAULT_STALL_MS = 60_000;
const MAX_HEADER_BYTES = 8 * 1024;
const HEADER_END = Buffer.from('\r\n\r\n');

export interface FrameLimits {
  /** Largest body accepted, in bytes. */
  maxMessageBytes: number;
  /** How long a message may stay half-received before the connection is closed. */
  stallMs: number;
}

export interface FrameHandlers {
  /** One complete body (utf-8 text, not yet parsed). */
  message(body: string): void;
  /** A framing error after which the stream cannot be read on: the reader has stopped. */
  fatal(reason: string): void;
  /** The input ended (reason set when it ended inside a message). */
  end(reason?: string): void;
}

export class FrameReader {
  private buffered: Buffer[] = [];
  private size = 0;
  /** Body length of the message being read, once its header is parsed. */
  private bodyLength: number | undefined;
  private stopped = false;
  private stallTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly input: Readable,
    private readonly limits: FrameLimits,
    private readonly on: FrameHandlers,
  ) {}

  start(): void {
    this.input.on('data', this.onData);
    this.input.on('end', this.onEnd);
    this.input.on('close', this.onEnd);
    this.input.on('error', this.onEnd);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.stallTimer);
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    this.input.off('close', this.onEnd);
    this.input.off('error', this.onEnd);
    this.buffered = [];
    this.size = 0;
  }

  private readonly onData = (chunk: Buffer | string): void => {
    if (this.stopped) return;
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    this.buffered.push(buf);
    this.size += buf.length;
    try {
      while (!this.stopped && this.next());
    } catch (e) {
      this.fail((e as Error).message);
      return;
    }
    this.armStallTimer();
  };

  private readonly onEnd = (): void => {
    if (this.stopped) return;
    const partial = this.size > 0 ? `the input ended inside a message (${this.size} bytes unread)` : undefined;
    this.stop();
    this.on.end(partial);
  };

  /** Consumes one header or one body when enough bytes are there; false when it must wait. */
  private next(): boolean {
    if (this.bodyLength === undefined) {
      const all = this.concat();
      const end = all.indexOf(HEADER_END);
      if (end < 0) {
        if (all.length > MAX_HEADER_BYTES)
          throw new Error(`no end of header (a blank line) within ${MAX_HEADER_BYTES} bytes`);
        return false;
      }
      if (end > MAX_HEADER_BYTES) throw new Error(`header longer than ${MAX_HEADER_BYTES} bytes`);
      this.bodyLength = parseHeader(all.subarray(0, end).toString('latin1'), this.limits.maxMessageBytes);
      this.keep(all.subarray(end + HEADER_END.length));
      return true;
    }
    if (this.size < this.bodyLength) return false;
    const all = this.concat();
    const body = all.subarray(0, this.bodyLength).toString('utf8');
    this.keep(all.subarray(this.bodyLength));
    this.bodyLength = undefined;
    this.on.message(body);
    return true;
  }

  private concat(): Buffer {
    if (this.buffered.length !== 1) this.buffered = [Buffer.concat(this.buffered, this.size)];
    return this.buffered[0];
  }

  private keep(rest: Buffer): void {
    this.buffered = rest.length ? [Buffer.from(rest)] : [];
    this.size = rest.length;
  }

  private armStallTimer(): void {
    clearTimeout(this.stallTimer);
    if (this.stopped || (this.size === 0 && this.bodyLength === undefined)) return;
    this.stallTimer = setTimeout(
      () => this.fail(`a message stayed incomplete for ${this.limits.stallMs} ms`),
      this.limits.stallMs,
    );
    this.stallTimer.unref();
  }

  private fail(reason: string): void {
    if (this.stopped) return;
    this.stop();
    this.on.fatal(reason);
  }
}

/** The Content-Length of a header block; throws saying what is wrong with it. */
function parseHeader(text: string, maxMessageBytes: number): number {
  let length: number | undefined;
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`malformed header line ${JSON.stringify(line.slice(0, 40))}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-length') {
      if (!/^\d{1,15}$/.test(value))
        throw new Error(`Content-Length ${JSON.stringify(value.slice(0, 40))} is not a byte count`);
      length = Number(value);
    } else if (name === 'content-type' && !/charset\s*=\s*"?utf-?8"?/i.test(value) && /charset/i.test(value)) {
      throw new Error(`Content-Type ${JSON.stringify(value.slice(0, 60))}: only utf-8 is supported`);
    }
  }
  if (length === undefined) throw new Error('header without Content-Length');
  if (length > maxMessageBytes)
    throw new Error(`message of ${length} bytes is larger than the limit of ${maxMessageBytes} bytes`);
  return length;
}
