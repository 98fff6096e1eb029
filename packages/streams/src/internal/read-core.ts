// The machinery behind StreamReader: its buffer, the reads' attempts and the one read that may
// wait, and the flow control of the socket that feeds it. StreamReader (reader.ts) is its public
// face: arguments, documentation, rendering.
import { InvalidStateError, suspend } from '@corio/core';
import type { SignalOptions } from '@corio/core';
import { IncompleteReadError, LimitOverrunError } from '../errors.js';
import { ByteBuffer } from './byte-buffer.js';
import { findSeparator } from './find-separator.js';
import type { Match } from './find-separator.js';
import { NEWLINES, checkSize, knownSeparators, separators } from './read-args.js';

/** What a reader pauses and resumes (the public `ReaderTransport`). */
export interface Pausable {
  pause(): unknown;
  resume(): unknown;
}

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
  /** The read method, as the task tree shows it: `readLine`. */
  readonly method: string;
  readonly attempt: Attempt;
  readonly resolve: (bytes: Buffer) => void;
  readonly reject: (reason: unknown) => void;
}

// A search fills this and its caller reads it at once (nothing runs in between): the fast path
// of readUntil() and the attempts of readUntil() and readLine() share it.
const SCRATCH: Match = { start: 0, end: 0 };

// #waiter is set only while a read waits for data (its attempt found too few bytes at the call
// and at every feed since); #paused only while #transport is paused, never while a read waits.
/**
 * The state and the reads of a StreamReader, whose public methods document them (StreamReader
 * validates the limit and renders the state; this does the rest).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { StreamReader } from '@corio/streams';
 *
 * // Used through StreamReader, which holds one:
 * const reader = new StreamReader();
 * reader.feedData('one\ntwo\n');
 * assert.equal((await reader.readLine()).toString(), 'one\n');
 * ```
 */
export class ReadCore {
  readonly #buffer = new ByteBuffer();
  #eof = false;
  #exception: Error | undefined = undefined;
  #waiter: PendingRead | undefined = undefined;
  #transport: Pausable | undefined = undefined;
  #paused = false;
  readonly #limit: number;
  readonly #reader: { toString(): string } | undefined;

  /**
   * @param limit - a positive integer (the reader validates it).
   * @param reader - the StreamReader, whose printed state describes a waiting read.
   */
  constructor(limit: number, reader?: { toString(): string }) {
    this.#limit = limit;
    this.#reader = reader;
  }

  /**
   * What a waiting read waits on, as taskTree() shows it (the `waitingOn` of its `suspend()`):
   * `readLine() <StreamReader [buffered:3, waiting]>`.
   */
  toString(): string {
    const reader = this.#reader?.toString() ?? '<StreamReader>';
    const method = this.#waiter?.method;
    return method === undefined ? reader : `${method}() ${reader}`;
  }

  get buffered(): number {
    return this.#buffer.length;
  }

  get eof(): boolean {
    return this.#eof;
  }

  get exception(): Error | undefined {
    return this.#exception;
  }

  get waiting(): boolean {
    return this.#waiter !== undefined;
  }

  get paused(): boolean {
    return this.#paused;
  }

  setException(error: Error): void {
    this.#exception = error;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(error);
  }

  /** Appends bytes (`bytes` itself if `adopt`, else a copy) and wakes the waiting read. */
  feed(bytes: Buffer, adopt: boolean): void {
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

  feedEof(): void {
    this.#eof = true;
    this.#wakeup();
  }

  setTransport(transport: Pausable): void {
    this.#transport = transport;
    // A new transport (after a TLS upgrade) starts paused if the reader is full.
    if (this.#paused) transport.pause();
  }

  read(n: number, options?: SignalOptions): Promise<Buffer> {
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

  readLine(options?: SignalOptions): Promise<Buffer> {
    // The common case: a whole line is buffered.
    if (options?.signal?.aborted !== true) {
      const line = this.lineNow();
      if (line !== undefined) return Promise.resolve(line);
    }
    return this.#startReadLine(options);
  }

  /**
   * Takes a whole line if one is buffered within the limit and the reader has not failed; else
   * returns `undefined` and takes nothing. The synchronous fast path of readLine(), of
   * readUntil('\n') and of the reader's line iterator.
   */
  lineNow(): Buffer | undefined {
    return this.#exception === undefined ? this.#takeThrough(0x0a) : undefined;
  }

  /** Takes the bytes up to and including `byte`, if it is buffered within the limit. */
  #takeThrough(byte: number): Buffer | undefined {
    const buffer = this.#buffer;
    // The common case, within the first chunk: one search and a view, no copy.
    let bytes = buffer.takeThrough(byte, this.#limit);
    if (bytes === undefined) {
      if (buffer.chunks < 2) return undefined;
      const index = buffer.indexOfByte(byte, 0);
      if (index === -1 || index > this.#limit) return undefined;
      bytes = buffer.take(index + 1);
    }
    this.#maybeResume();
    return bytes;
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

  readUntil(separator: unknown, options?: SignalOptions): Promise<Buffer> {
    // The common case: the separator is buffered, within the limit (and is one already seen, so
    // it needs no validation).
    if (this.#exception === undefined && options?.signal?.aborted !== true) {
      const seps = knownSeparators(separator);
      if (seps !== undefined) {
        const only = seps.length === 1 ? (seps[0] as Buffer) : undefined;
        if (only?.length === 1) {
          const bytes = this.#takeThrough(only[0] as number);
          if (bytes !== undefined) return Promise.resolve(bytes);
        } else if (findSeparator(this.#buffer, seps, 0, SCRATCH) && SCRATCH.start <= this.#limit) {
          return Promise.resolve(this.#take(SCRATCH.end));
        }
      }
    }
    return this.#read('readUntil', options, () =>
      this.#until(knownSeparators(separator) ?? separators(separator)),
    );
  }

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
    return suspend<Buffer>(
      (resolve, reject) => {
        const waiter: PendingRead = { method, attempt, resolve, reject };
        this.#waiter = waiter;
        if (this.#paused) {
          this.#paused = false;
          this.#transport?.resume();
        }
        // Cancelled or aborted: the attempt has taken nothing, the bytes stay for the next read.
        return () => {
          if (this.#waiter === waiter) this.#waiter = undefined;
        };
      },
      { signal: options?.signal, waitingOn: this },
    );
  }

  /** The attempt of `readUntil(seps)`: `seps` sorted shortest first. */
  #until(seps: readonly Buffer[]): Attempt {
    const minLength = (seps[0] as Buffer).length;
    const maxLength = (seps[seps.length - 1] as Buffer).length;
    // Bytes before `offset` hold no separator; the search resumes there after each feed.
    let offset = 0;
    const match = SCRATCH;
    return () => {
      const length = this.#buffer.length;
      if (length - offset >= minLength) {
        if (findSeparator(this.#buffer, seps, offset, match)) {
          if (match.start > this.#limit) {
            throw new LimitOverrunError(
              'Separator is found, but chunk is longer than limit',
              match.start,
            );
          }
          return this.#take(match.end);
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

  /** Removes the first `n` buffered bytes and returns them (see ByteBuffer.take). */
  #take(n: number): Buffer {
    const chunk = this.#buffer.take(n);
    this.#maybeResume();
    return chunk;
  }
}
