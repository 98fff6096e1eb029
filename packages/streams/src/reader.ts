import type { SignalOptions } from '@corio/core';
import { toBytes } from './internal/byte-buffer.js';
import { LineIterator } from './internal/line-iterator.js';
import { ReadCore } from './internal/read-core.js';
import { NEWLINE, describe } from './internal/read-args.js';
import { FEED_CHUNK, SET_TRANSPORT } from './internal/symbols.js';

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

/**
 * Reads bytes from a connection (asyncio's `StreamReader`): `read`, `readLine`, `readUntil`,
 * `readExactly`, and `for await (const line of reader)`.
 *
 * `openConnection` and `startServer` create readers fed by a socket; `feedData`/`feedEof` feed
 * one by hand. A read that finds what it needs in the buffer returns it without waiting. One
 * that waits is a corio cancellation point (a `suspend()` wait: the task's cancel, the expiry of
 * the `timeout()` it runs in, or `waitFor`'s deadline on the promise it returned end it) and
 * takes `{ signal }` as its last argument; a read cancelled mid-wait loses no bytes: the next
 * read returns them. Only one read may wait at a time. Reads return `Buffer`s: a read of most of
 * a chunk received from the socket is a view of it, without a copy (nothing writes into it
 * again); a short one is a copy, so that a line kept for long pins no 64 KiB read; bytes that
 * span chunks are copied once. The reader
 * pauses its socket while it holds more than `2 * limit` bytes and no read waits, and resumes
 * it below `limit`, so memory stays bounded against a fast or hostile peer. Once the peer
 * resets the connection, every read rejects with `ConnectionResetError`.
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
  // The state and the reads live in #core (internal/read-core.ts); this class validates the
  // limit, documents the reads and renders the state.
  readonly #core: ReadCore;
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
    this.#core = new ReadCore(limit, this);
  }

  /** The `limit` given at construction. */
  get limit(): number {
    return this.#limit;
  }

  /** How many bytes are buffered. */
  get buffered(): number {
    return this.#core.buffered;
  }

  /**
   * The error the connection failed with, or `undefined`: a `ConnectionResetError` (Node's
   * error its `cause`) once the peer has reset the connection, Node's error for other failures.
   */
  exception(): Error | undefined {
    return this.#core.exception;
  }

  /** Fails the reader: the waiting read and every later one throw `error`. */
  setException(error: Error): void {
    this.#core.setException(error);
  }

  /** Whether the end of the stream was reached and every byte was read. */
  atEof(): boolean {
    return this.#core.eof && this.#core.buffered === 0;
  }

  /**
   * Appends bytes to the buffer, waking the waiting read.
   *
   * The bytes are those `data` holds at the call (they are copied): the caller may change or
   * reuse its buffer as soon as this returns.
   *
   * @throws `InvalidStateError` after `feedEof()`.
   */
  feedData(data: string | Uint8Array): void {
    // A string is encoded into a new Buffer, which nobody else holds: no copy of it.
    this.#core.feed(toBytes(data), typeof data === 'string');
  }

  /** @internal Feeds a socket's chunk, kept without a copy (see FEED_CHUNK). */
  [FEED_CHUNK](chunk: Buffer): void {
    this.#core.feed(chunk, true);
  }

  /** Marks the end of the stream, waking the waiting read. */
  feedEof(): void {
    this.#core.feedEof();
  }

  /**
   * Reads up to `n` bytes (asyncio's `read`): waits until at least one byte is there or EOF.
   * With `n < 0` (the default) reads until EOF.
   *
   * A read of most of a chunk received from the socket returns a view of it, without a copy;
   * a short one, or one that spans chunks, copies its bytes once, into the Buffer it returns.
   *
   * @param n - the most bytes to read; negative reads everything until EOF.
   * @param options - see {@link SignalOptions}.
   * @returns the bytes read; empty at EOF (or for `n = 0`).
   */
  read(n = -1, options?: SignalOptions): Promise<Buffer> {
    return this.#core.read(n, options);
  }

  /**
   * Reads one line ending in `\n` (asyncio's `readline`).
   *
   * At EOF it returns the partial line, and an empty buffer after it. A line longer than `limit`
   * throws `LimitOverrunError` and is discarded, up to and including its `\n` if buffered (as in
   * asyncio, which raises `ValueError` there). A line already buffered is returned without
   * waiting (in an already resolved promise).
   *
   * @param options - see {@link SignalOptions}.
   * @throws `LimitOverrunError` if no `\n` is found within `limit` bytes.
   */
  readLine(options?: SignalOptions): Promise<Buffer> {
    return this.#core.readLine(options);
  }

  /**
   * Reads up to and including a separator (asyncio's `readuntil`). With several separators, it
   * returns the shortest data that ends with any of them (asyncio 3.13). Data already buffered
   * is returned without waiting (in an already resolved promise).
   *
   * @param separator - bytes, a string (UTF-8) or an array of them; `'\n'` by default.
   * @param options - see {@link SignalOptions}.
   * @throws `IncompleteReadError` with the rest of the stream if EOF comes first;
   * `LimitOverrunError` if no separator is found within `limit` bytes (the buffer is left
   * intact); `RangeError` for an empty separator.
   */
  readUntil(separator: Separator = NEWLINE, options?: SignalOptions): Promise<Buffer> {
    return this.#core.readUntil(separator, options);
  }

  /**
   * Reads exactly `n` bytes (asyncio's `readexactly`), without a copy when they lie within one
   * received chunk.
   *
   * @param n - how many bytes to read.
   * @param options - see {@link SignalOptions}.
   * @throws `IncompleteReadError` with the rest of the stream if EOF comes first; `RangeError`
   * if `n` is negative.
   */
  readExactly(n: number, options?: SignalOptions): Promise<Buffer> {
    return this.#core.readExactly(n, options);
  }

  /**
   * Iterates over the lines until EOF, as `readLine()` returns them; a failed read ends the
   * iteration with its error. A line already buffered comes without waiting.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<Buffer, undefined> {
    return new LineIterator(this.#core);
  }

  /** Renders the state: `<StreamReader [buffered:5, eof, paused]>`. */
  toString(): string {
    const core = this.#core;
    const fields = [`buffered:${String(core.buffered)}`];
    if (core.eof) fields.push('eof');
    if (this.#limit !== DEFAULT_LIMIT) fields.push(`limit:${String(this.#limit)}`);
    const exception = core.exception;
    if (exception !== undefined) fields.push(`exception:${String(exception)}`);
    if (core.waiting) fields.push('waiting');
    if (core.paused) fields.push('paused');
    return `<StreamReader [${fields.join(', ')}]>`;
  }

  /** @internal */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /** @internal */
  [SET_TRANSPORT](transport: ReaderTransport): void {
    this.#core.setTransport(transport);
  }
}
