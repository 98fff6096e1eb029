import { InvalidStateError, suspend } from '@corio/core';
import type { SignalOptions } from '@corio/core';
import { IncompleteReadError, LimitOverrunError } from './errors.js';
import { FEED_CHUNK, SET_TRANSPORT } from './internal/symbols.js';
import { ByteBuffer, toBytes } from './internal/byte-buffer.js';
import { checkSize, describe, separators } from './internal/read-args.js';

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

const NEWLINE = Buffer.from('\n');
const NEWLINES = [NEWLINE];

/**
 * What a read does with the buffer, first at the call and then on each feed while it waits:
 * returns the bytes that complete it (taken from the buffer), `undefined` to wait for more, or
 * throws to fail. It takes bytes only when it returns or throws them, so a read cancelled while
 * it waits has taken nothing.
 */
type Attempt = () => Buffer | undefined;

/** The attempt of `read(0)` and `readExactly(0)`. */
const EMPTY_READ: Attempt = () => Buffer.alloc(0);

/** The read waiting for data: its attempt, and the `suspend()` wait it completes. */
interface PendingRead {
  readonly attempt: Attempt;
  readonly resolve: (bytes: Buffer) => void;
  readonly reject: (reason: unknown) => void;
}

/**
 * Reads bytes from a connection (asyncio's `StreamReader`): `read`, `readLine`, `readUntil`,
 * `readExactly`, and `for await (const line of reader)`.
 *
 * `openConnection` and `startServer` create readers fed by a socket; `feedData`/`feedEof` feed
 * one by hand. A read that finds what it needs in the buffer returns it without waiting. One
 * that waits is a corio cancellation point (a `suspend()` wait: the task's cancel, the expiry of
 * the `timeout()` it runs in, or `waitFor`'s deadline on the promise it returned end it) and
 * takes `{ signal }` as its last argument; a read cancelled mid-wait loses no bytes: the next
 * read returns them. Only one read may wait at a time. Reads return `Buffer`s. The reader
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
  // #waiter is set only while a read waits for data (its attempt found too few bytes at the
  // call and at every feed since); #paused only while #transport is paused, never while a read
  // waits.
  readonly #buffer = new ByteBuffer();
  #eof = false;
  #exception: Error | undefined = undefined;
  #waiter: PendingRead | undefined = undefined;
  #transport: ReaderTransport | undefined = undefined;
  #paused = false;
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
    return this.#buffer.length;
  }

  /**
   * The error the connection failed with, or `undefined`: a `ConnectionResetError` (Node's
   * error its `cause`) once the peer has reset the connection, Node's error for other failures.
   */
  exception(): Error | undefined {
    return this.#exception;
  }

  /** Fails the reader: the waiting read and every later one throw `error`. */
  setException(error: Error): void {
    this.#exception = error;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(error);
  }

  /** Whether the end of the stream was reached and every byte was read. */
  atEof(): boolean {
    return this.#eof && this.#buffer.length === 0;
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
    this.#feed(toBytes(data), typeof data === 'string');
  }

  /** @internal Feeds a socket's chunk, kept without a copy (see FEED_CHUNK). */
  [FEED_CHUNK](chunk: Buffer): void {
    this.#feed(chunk, true);
  }

  #feed(bytes: Buffer, adopt: boolean): void {
    if (this.#eof) throw new InvalidStateError('Cannot feed data to a StreamReader after EOF');
    if (bytes.length === 0) return;
    this.#buffer.append(bytes, adopt);
    this.#wakeup();
    // A read still waiting needs more bytes than the buffer holds: the socket keeps flowing for
    // it (readUntil's limit bounds what it waits for; read(-1) and readExactly(n) ask for all).
    if (
      this.#transport !== undefined &&
      !this.#paused &&
      this.#waiter === undefined &&
      this.#buffer.length > 2 * this.#limit
    ) {
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
   * @param options - see {@link SignalOptions}.
   * @returns the bytes read; empty at EOF (or for `n = 0`).
   */
  read(n = -1, options?: SignalOptions): Promise<Buffer> {
    // The common case: bytes are buffered.
    if (
      n > 0 &&
      this.#buffer.length > 0 &&
      Number.isInteger(n) &&
      this.#exception === undefined &&
      options?.signal?.aborted !== true
    ) {
      return Promise.resolve(this.#take(Math.min(n, this.#buffer.length)));
    }
    return this.#startRead(n, options);
  }

  // The slow paths of read(), readLine() and readExactly() are methods of their own: a closure
  // in the public method would cost its fast path a context allocation on every call.
  #startRead(n: number, options: SignalOptions | undefined): Promise<Buffer> {
    return this.#read('read', options, () => {
      checkSize('read', n, true);
      if (n === 0) return EMPTY_READ;
      // Bytes stay in the buffer until EOF, so a cancelled read(-1) loses nothing.
      if (n < 0) return () => (this.#eof ? this.#take(this.#buffer.length) : undefined);
      return () =>
        this.#buffer.length > 0 || this.#eof
          ? this.#take(Math.min(n, this.#buffer.length))
          : undefined;
    });
  }

  /**
   * Reads one line ending in `\n` (asyncio's `readline`).
   *
   * At EOF it returns the partial line, and an empty buffer after it. A line longer than `limit`
   * throws `LimitOverrunError` and is discarded, up to and including its `\n` if buffered (as in
   * asyncio, which raises `ValueError` there).
   *
   * @param options - see {@link SignalOptions}.
   * @throws `LimitOverrunError` if no `\n` is found within `limit` bytes.
   */
  readLine(options?: SignalOptions): Promise<Buffer> {
    // The common case: a whole line is buffered.
    if (this.#exception === undefined && options?.signal?.aborted !== true) {
      const index = this.#buffer.indexOfByte(0x0a, 0);
      if (index !== -1 && index <= this.#limit) return Promise.resolve(this.#take(index + 1));
    }
    return this.#startReadLine(options);
  }

  #startReadLine(options: SignalOptions | undefined): Promise<Buffer> {
    return this.#read('readLine', options, () => {
      const until = this.#until(NEWLINES);
      return () => {
        try {
          return until();
        } catch (error) {
          if (error instanceof IncompleteReadError) return error.partial;
          if (error instanceof LimitOverrunError) {
            const buffer = this.#buffer;
            buffer.discard(buffer.at(error.consumed) === 0x0a ? error.consumed + 1 : buffer.length);
            this.#maybeResume();
          }
          throw error;
        }
      };
    });
  }

  /**
   * Reads up to and including a separator (asyncio's `readuntil`). With several separators, it
   * returns the shortest data that ends with any of them (asyncio 3.13).
   *
   * @param separator - bytes, a string (UTF-8) or an array of them; `'\n'` by default.
   * @param options - see {@link SignalOptions}.
   * @throws `IncompleteReadError` with the rest of the stream if EOF comes first;
   * `LimitOverrunError` if no separator is found within `limit` bytes (the buffer is left
   * intact); `RangeError` for an empty separator.
   */
  readUntil(separator: Separator = NEWLINE, options?: SignalOptions): Promise<Buffer> {
    return this.#read('readUntil', options, () => this.#until(separators(separator)));
  }

  /**
   * Reads exactly `n` bytes (asyncio's `readexactly`).
   *
   * @param n - how many bytes to read.
   * @param options - see {@link SignalOptions}.
   * @throws `IncompleteReadError` with the rest of the stream if EOF comes first; `RangeError`
   * if `n` is negative.
   */
  readExactly(n: number, options?: SignalOptions): Promise<Buffer> {
    // The common case: the bytes are buffered.
    if (
      n > 0 &&
      Number.isInteger(n) &&
      this.#buffer.length >= n &&
      this.#exception === undefined &&
      options?.signal?.aborted !== true
    ) {
      return Promise.resolve(this.#take(n));
    }
    return this.#startReadExactly(n, options);
  }

  #startReadExactly(n: number, options: SignalOptions | undefined): Promise<Buffer> {
    return this.#read('readExactly', options, () => {
      checkSize('readExactly', n, false);
      if (n === 0) return EMPTY_READ;
      return () => {
        if (this.#buffer.length >= n) return this.#take(n);
        if (this.#eof) throw new IncompleteReadError(this.#take(this.#buffer.length), n);
        return undefined;
      };
    });
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
    // A new transport (after a TLS upgrade) starts paused if the reader is full.
    if (this.#paused) transport.pause();
  }

  /**
   * Runs a read: `prepare` validates its arguments and returns its attempt, which runs at once;
   * only if it finds too few bytes does the read wait, in `suspend()`, whose promise it returns
   * (so `waitFor(reader.readLine(), ms)` cancels the read itself at the deadline). A failure,
   * even of the arguments, is a rejection.
   */
  #read(
    method: string,
    options: SignalOptions | undefined,
    prepare: () => Attempt,
  ): Promise<Buffer> {
    let attempt: Attempt;
    let bytes: Buffer | undefined;
    try {
      attempt = prepare();
      const signal = options?.signal;
      if (signal?.aborted === true) return Promise.reject(signal.reason as unknown);
      this.#throwIfFailed();
      bytes = attempt();
    } catch (error) {
      return Promise.reject(error);
    }
    if (bytes !== undefined) return Promise.resolve(bytes);
    if (this.#waiter !== undefined) {
      return Promise.reject(
        new InvalidStateError(
          `${method}() called while another read is already waiting for incoming data`,
        ),
      );
    }
    return suspend<Buffer>((resolve, reject) => {
      const waiter: PendingRead = { attempt, resolve, reject };
      this.#waiter = waiter;
      if (this.#paused) {
        this.#paused = false;
        this.#transport?.resume();
      }
      // Cancelled or aborted: the attempt has taken nothing, the bytes stay for the next read.
      return () => {
        if (this.#waiter === waiter) this.#waiter = undefined;
      };
    }, options);
  }

  /** The attempt of `readUntil(seps)`: `seps` sorted shortest first. */
  #until(seps: Buffer[]): Attempt {
    const minLength = (seps[0] as Buffer).length;
    const maxLength = (seps[seps.length - 1] as Buffer).length;
    // Bytes before `offset` hold no separator; the search resumes there after each feed.
    let offset = 0;
    return () => {
      const length = this.#buffer.length;
      if (length - offset >= minLength) {
        const live = this.#buffer.view();
        let matchStart = -1;
        let matchEnd = -1;
        for (const sep of seps) {
          const index = live.indexOf(sep, offset);
          if (index !== -1 && (matchEnd === -1 || index + sep.length < matchEnd)) {
            matchStart = index;
            matchEnd = index + sep.length;
          }
        }
        if (matchEnd !== -1) {
          if (matchStart > this.#limit) {
            throw new LimitOverrunError(
              'Separator is found, but chunk is longer than limit',
              matchStart,
            );
          }
          return this.#take(matchEnd);
        }
        offset = Math.max(0, length + 1 - maxLength);
        if (offset > this.#limit) {
          throw new LimitOverrunError('Separator is not found, and chunk exceed the limit', offset);
        }
      }
      // A complete match may have arrived with the EOF: the buffer is searched first.
      if (this.#eof) throw new IncompleteReadError(this.#take(this.#buffer.length), undefined);
      return undefined;
    };
  }

  #throwIfFailed(): void {
    if (this.#exception !== undefined) throw this.#exception;
  }

  /** Runs the waiting read's attempt on what the buffer holds now; settles it if it is done. */
  #wakeup(): void {
    const waiter = this.#waiter;
    if (waiter === undefined) return;
    let bytes: Buffer | undefined;
    try {
      bytes = waiter.attempt();
    } catch (error) {
      this.#waiter = undefined;
      waiter.reject(error);
      return;
    }
    if (bytes === undefined) return;
    this.#waiter = undefined;
    waiter.resolve(bytes);
  }

  #maybeResume(): void {
    if (this.#paused && this.buffered <= this.#limit) {
      this.#paused = false;
      this.#transport?.resume();
    }
  }

  /** Removes the first `n` buffered bytes and returns a copy of them. */
  #take(n: number): Buffer {
    const chunk = this.#buffer.take(n);
    this.#maybeResume();
    return chunk;
  }
}
