import { Future, InvalidStateError } from '@corio/core';
import { IncompleteReadError, LimitOverrunError } from './errors.js';
import { SET_TRANSPORT } from './internal/symbols.js';
import { awaitFuture } from './internal/waiters.js';
import type { StreamWaitOptions } from './internal/waiters.js';

/**
 * The default `limit` of a reader: 64 KiB, as in asyncio (`streams._DEFAULT_LIMIT`).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { DEFAULT_LIMIT, StreamReader } from '@corio/streams';
 *
 * assert.equal(new StreamReader().limit, DEFAULT_LIMIT);
 * assert.equal(DEFAULT_LIMIT, 65536);
 * ```
 */
export const DEFAULT_LIMIT = 64 * 1024;

/** Options for {@link StreamReader}. */
export interface StreamReaderOptions {
  /**
   * The most bytes `readUntil`/`readLine` look through for a separator; the reader pauses its
   * socket while it holds more than twice this.
   * @default 65536
   */
  limit?: number | undefined;
}

/** What a reader pauses and resumes: the socket it is fed by. */
export interface ReaderTransport {
  pause(): unknown;
  resume(): unknown;
}

/** A separator for `readUntil`: bytes, a string (UTF-8), or several of them. */
export type Separator = string | Uint8Array | readonly (string | Uint8Array)[];

const EMPTY = Buffer.alloc(0);
const NEWLINE = Buffer.from('\n');

function toBytes(data: string | Uint8Array): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function checkSize(method: string, n: unknown, allowNegative: boolean): number {
  if (typeof n !== 'number') {
    throw new TypeError(`${method}: 'n' must be a number, received ${typeof n}`);
  }
  if (!Number.isInteger(n) || (!allowNegative && n < 0)) {
    throw new RangeError(
      `${method}: 'n' must be a ${allowNegative ? '' : 'non-negative '}integer, received ${describe(n)}`,
    );
  }
  return n;
}

function separators(separator: unknown): Buffer[] {
  const list: unknown[] = Array.isArray(separator) ? (separator as unknown[]) : [separator];
  if (list.length === 0) {
    throw new RangeError("readUntil: 'separator' must contain at least one element, received []");
  }
  const result = list.map((sep) => {
    if (typeof sep !== 'string' && !(sep instanceof Uint8Array)) {
      throw new TypeError(
        `readUntil: 'separator' must be a string or a Uint8Array, received ${typeof sep}`,
      );
    }
    const bytes = toBytes(sep);
    if (bytes.length === 0) {
      throw new RangeError(`readUntil: 'separator' must not be empty, received ${describe(sep)}`);
    }
    return bytes;
  });
  return result.sort((a, b) => a.length - b.length);
}

/**
 * Reads bytes from a connection (asyncio's `StreamReader`): `read`, `readLine`, `readUntil`,
 * `readExactly`, and `for await (const line of reader)`.
 *
 * `openConnection` and `startServer` create readers fed by a socket; `feedData`/`feedEof` feed
 * one by hand. Every read that waits is a corio cancellation point and takes `{ signal }` as its
 * last argument; a read cancelled mid-wait loses no bytes: the next read returns them. Only one
 * read may wait at a time. Reads return `Buffer`s. The reader pauses its socket while it holds
 * more than `2 * limit` bytes and resumes it below `limit`, so memory stays bounded against a
 * fast or hostile peer.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { StreamReader } from '@corio/streams';
 *
 * const reader = new StreamReader();
 * reader.feedData('hello\nworld');
 * reader.feedEof();
 * assert.equal((await reader.readLine()).toString(), 'hello\n');
 * assert.equal((await reader.read()).toString(), 'world');
 * assert.equal(reader.atEof(), true);
 * ```
 */
export class StreamReader implements AsyncIterable<Buffer> {
  // Live bytes are #buffer[#start, #end); #waiter is set only while a read waits for data.
  #buffer: Buffer = EMPTY;
  #start = 0;
  #end = 0;
  #eof = false;
  #exception: Error | undefined = undefined;
  #waiter: Future<void> | undefined = undefined;
  #transport: ReaderTransport | undefined = undefined;
  #paused = false;
  // Whether #buffer is ours to write into (false for a chunk adopted from feedData).
  #owned = true;
  readonly #limit: number;

  /** @param options - see {@link StreamReaderOptions}. */
  constructor(options?: StreamReaderOptions) {
    const limit = options?.limit ?? DEFAULT_LIMIT;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit <= 0) {
      throw new RangeError(
        `Cannot create StreamReader: 'limit' must be a positive integer, received ${describe(limit)}`,
      );
    }
    this.#limit = limit;
  }

  /** The `limit` given at construction. */
  get limit(): number {
    return this.#limit;
  }

  /** How many bytes are buffered. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /** The error the connection failed with, or `undefined`. */
  exception(): Error | undefined {
    return this.#exception;
  }

  /** Fails the reader: the waiting read and every later one throw `error`. */
  setException(error: Error): void {
    this.#exception = error;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter !== undefined && !waiter.done()) waiter.setException(error);
  }

  /** Whether the end of the stream was reached and every byte was read. */
  atEof(): boolean {
    return this.#eof && this.#end === this.#start;
  }

  /**
   * Appends bytes to the buffer, waking the waiting read.
   *
   * @throws `InvalidStateError` after `feedEof()`.
   */
  feedData(data: string | Uint8Array): void {
    if (this.#eof) throw new InvalidStateError('Cannot feed data to a StreamReader after EOF');
    const bytes = toBytes(data);
    if (bytes.length === 0) return;
    this.#append(bytes);
    this.#wakeup();
    if (this.#transport !== undefined && !this.#paused && this.buffered > 2 * this.#limit) {
      this.#paused = true;
      this.#transport.pause();
    }
  }

  /** Marks the end of the stream, waking the waiting read. */
  feedEof(): void {
    this.#eof = true;
    this.#wakeup();
  }

  /**
   * Reads up to `n` bytes (asyncio's `read`): waits until at least one byte is there or EOF.
   * With `n < 0` (the default) reads until EOF.
   *
   * @param n - the most bytes to read; negative reads everything until EOF.
   * @param options - `{ signal }`.
   * @returns the bytes read; empty at EOF (or for `n = 0`).
   */
  async read(n = -1, options?: StreamWaitOptions): Promise<Buffer> {
    checkSize('read', n, true);
    this.#throwIfFailed();
    if (n === 0) return Buffer.alloc(0);
    if (n < 0) {
      // Bytes stay in the buffer until EOF, so a cancelled read(-1) loses nothing.
      while (!this.#eof) await this.#waitForData('read', options);
      return this.#take(this.buffered);
    }
    if (this.#end === this.#start && !this.#eof) await this.#waitForData('read', options);
    return this.#take(Math.min(n, this.buffered));
  }

  /**
   * Reads one line ending in `\n` (asyncio's `readline`).
   *
   * At EOF it returns the partial line, and an empty buffer after it. A line longer than `limit`
   * throws `LimitOverrunError` and is discarded, up to and including its `\n` if buffered (as in
   * asyncio, which raises `ValueError` there).
   *
   * @param options - `{ signal }`.
   * @throws `LimitOverrunError` if no `\n` is found within `limit` bytes.
   */
  async readLine(options?: StreamWaitOptions): Promise<Buffer> {
    try {
      return await this.#readUntil([NEWLINE], options);
    } catch (error) {
      if (error instanceof IncompleteReadError) return error.partial;
      if (error instanceof LimitOverrunError) {
        if (this.#buffer[this.#start + error.consumed] === 0x0a) {
          this.#start += error.consumed + NEWLINE.length;
        } else {
          this.#start = this.#end;
        }
        this.#compact();
        this.#maybeResume();
      }
      throw error;
    }
  }

  /**
   * Reads up to and including a separator (asyncio's `readuntil`). With several separators, it
   * returns the shortest data that ends with any of them (asyncio 3.13).
   *
   * @param separator - bytes, a string (UTF-8) or an array of them; `'\n'` by default.
   * @param options - `{ signal }`.
   * @throws `IncompleteReadError` with the rest of the stream if EOF comes first;
   * `LimitOverrunError` if no separator is found within `limit` bytes (the buffer is left
   * intact); `RangeError` for an empty separator.
   */
  async readUntil(separator: Separator = NEWLINE, options?: StreamWaitOptions): Promise<Buffer> {
    return this.#readUntil(separators(separator), options);
  }

  /**
   * Reads exactly `n` bytes (asyncio's `readexactly`).
   *
   * @param n - how many bytes to read.
   * @param options - `{ signal }`.
   * @throws `IncompleteReadError` with the rest of the stream if EOF comes first; `RangeError`
   * if `n` is negative.
   */
  async readExactly(n: number, options?: StreamWaitOptions): Promise<Buffer> {
    checkSize('readExactly', n, false);
    this.#throwIfFailed();
    if (n === 0) return Buffer.alloc(0);
    while (this.buffered < n) {
      if (this.#eof) throw new IncompleteReadError(this.#take(this.buffered), n);
      await this.#waitForData('readExactly', options);
    }
    return this.#take(n);
  }

  /** Iterates over the lines until EOF, as `readLine()` returns them. */
  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (;;) {
      const line = await this.readLine();
      if (line.length === 0) return;
      yield line;
    }
  }

  /** Renders the state: `<StreamReader [buffered:5, eof, paused]>`. */
  toString(): string {
    const fields = [`buffered:${String(this.buffered)}`];
    if (this.#eof) fields.push('eof');
    if (this.#limit !== DEFAULT_LIMIT) fields.push(`limit:${String(this.#limit)}`);
    if (this.#exception !== undefined) fields.push(`exception:${String(this.#exception)}`);
    if (this.#waiter !== undefined) fields.push('waiting');
    if (this.#paused) fields.push('paused');
    return `<StreamReader [${fields.join(', ')}]>`;
  }

  /** @internal */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /** @internal */
  [SET_TRANSPORT](transport: ReaderTransport): void {
    this.#transport = transport;
  }

  async #readUntil(seps: Buffer[], options: StreamWaitOptions | undefined): Promise<Buffer> {
    this.#throwIfFailed();
    const minLength = (seps[0] as Buffer).length;
    const maxLength = (seps[seps.length - 1] as Buffer).length;
    // Bytes before `offset` hold no separator; the search resumes there after each wait.
    let offset = 0;
    let matchStart = -1;
    let matchEnd = -1;
    for (;;) {
      const length = this.buffered;
      if (length - offset >= minLength) {
        const live = this.#buffer.subarray(this.#start, this.#end);
        for (const sep of seps) {
          const index = live.indexOf(sep, offset);
          if (index !== -1 && (matchEnd === -1 || index + sep.length < matchEnd)) {
            matchStart = index;
            matchEnd = index + sep.length;
          }
        }
        if (matchEnd !== -1) break;
        offset = Math.max(0, length + 1 - maxLength);
        if (offset > this.#limit) {
          throw new LimitOverrunError('Separator is not found, and chunk exceed the limit', offset);
        }
      }
      // A complete match may have arrived with the EOF: check the buffer first.
      if (this.#eof) throw new IncompleteReadError(this.#take(this.buffered), undefined);
      await this.#waitForData('readUntil', options);
    }
    if (matchStart > this.#limit) {
      throw new LimitOverrunError('Separator is found, but chunk is longer than limit', matchStart);
    }
    return this.#take(matchEnd);
  }

  async #waitForData(method: string, options: StreamWaitOptions | undefined): Promise<void> {
    if (this.#waiter !== undefined) {
      throw new InvalidStateError(
        `${method}() called while another read is already waiting for incoming data`,
      );
    }
    if (this.#paused) {
      this.#paused = false;
      this.#transport?.resume();
    }
    const waiter = new Future<void>();
    this.#waiter = waiter;
    try {
      await awaitFuture(waiter, options?.signal);
    } finally {
      if (this.#waiter === waiter) this.#waiter = undefined;
    }
  }

  #throwIfFailed(): void {
    if (this.#exception !== undefined) throw this.#exception;
  }

  #wakeup(): void {
    const waiter = this.#waiter;
    if (waiter === undefined) return;
    this.#waiter = undefined;
    if (!waiter.done()) waiter.setResult(undefined);
  }

  #maybeResume(): void {
    if (this.#paused && this.buffered <= this.#limit) {
      this.#paused = false;
      this.#transport?.resume();
    }
  }

  /** Removes the first `n` live bytes and returns a copy of them. */
  #take(n: number): Buffer {
    const start = this.#start;
    const chunk = Buffer.from(this.#buffer.subarray(start, start + n));
    this.#start = start + n;
    this.#compact();
    this.#maybeResume();
    return chunk;
  }

  #compact(): void {
    if (this.#start === this.#end) {
      this.#start = 0;
      this.#end = 0;
    }
  }

  #append(bytes: Buffer): void {
    const live = this.#end - this.#start;
    if (live === 0 && (!this.#owned || this.#buffer.length < bytes.length)) {
      // Adopt the chunk: reads copy out of the buffer, and nothing else holds it.
      this.#buffer = bytes;
      this.#owned = false;
      this.#start = 0;
      this.#end = bytes.length;
      return;
    }
    if (this.#end + bytes.length > this.#buffer.length) {
      const needed = live + bytes.length;
      if (this.#owned && needed <= this.#buffer.length && this.#start >= live) {
        // Enough room once the live bytes move to the front (source and target do not overlap).
        this.#buffer.copy(this.#buffer, 0, this.#start, this.#end);
      } else {
        const grown = Buffer.allocUnsafe(Math.max(needed, 2 * this.#buffer.length));
        this.#buffer.copy(grown, 0, this.#start, this.#end);
        this.#buffer = grown;
        this.#owned = true;
      }
      this.#start = 0;
      this.#end = live;
    }
    bytes.copy(this.#buffer, this.#end);
    this.#end += bytes.length;
  }
}
