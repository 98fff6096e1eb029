const INCOMPLETE_READ_BRAND = Symbol.for('corio.IncompleteReadError');
const LIMIT_OVERRUN_BRAND = Symbol.for('corio.LimitOverrunError');
const CONNECTION_RESET_BRAND = Symbol.for('corio.ConnectionResetError');

function hasBrand(error: unknown, brand: symbol): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as Partial<Record<symbol, unknown>>)[brand] === true
  );
}

/**
 * The end of the stream came before a read could complete (asyncio's `IncompleteReadError`),
 * thrown by `readExactly()` and `readUntil()`.
 *
 * `partial` holds the bytes read before the end of the stream (they are consumed); `expected` is
 * the number of bytes `readExactly` wanted, or `undefined` for `readUntil`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { IncompleteReadError, StreamReader } from '@corio/streams';
 *
 * const reader = new StreamReader();
 * reader.feedData('abc');
 * reader.feedEof();
 * const error = await reader.readExactly(5).catch((e: unknown) => e);
 * assert.ok(error instanceof IncompleteReadError);
 * assert.equal(error.partial.toString(), 'abc');
 * assert.equal(error.expected, 5);
 * ```
 */
export class IncompleteReadError extends Error {
  declare readonly [INCOMPLETE_READ_BRAND]: true;
  static {
    Object.defineProperty(this.prototype, INCOMPLETE_READ_BRAND, { value: true });
    this.prototype.name = 'IncompleteReadError';
  }

  /** The bytes read before the end of the stream. */
  readonly partial: Buffer;
  /** How many bytes were expected, or `undefined` when reading up to a separator. */
  readonly expected: number | undefined;

  /**
   * @param partial - the bytes read before the end of the stream.
   * @param expected - how many bytes were expected, if known.
   */
  constructor(partial: Buffer, expected: number | undefined, options?: ErrorOptions) {
    super(
      `${String(partial.length)} bytes read on a total of ${expected === undefined ? 'undefined' : String(expected)} expected bytes`,
      options,
    );
    this.partial = partial;
    this.expected = expected;
  }
}

/**
 * No separator was found within the reader's `limit` (asyncio's `LimitOverrunError`), thrown by
 * `readUntil()` and `readLine()`.
 *
 * `consumed` is the number of bytes to consume to get past the data examined. `readUntil` leaves
 * the buffer intact; `readLine` discards the line (as asyncio does).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { LimitOverrunError, StreamReader } from '@corio/streams';
 *
 * const reader = new StreamReader({ limit: 4 });
 * reader.feedData('abcdefgh\n');
 * const error = await reader.readUntil('\n').catch((e: unknown) => e);
 * assert.ok(error instanceof LimitOverrunError);
 * assert.equal(error.consumed, 8);
 * assert.equal((await reader.read(100)).toString(), 'abcdefgh\n');
 * ```
 */
export class LimitOverrunError extends Error {
  declare readonly [LIMIT_OVERRUN_BRAND]: true;
  static {
    Object.defineProperty(this.prototype, LIMIT_OVERRUN_BRAND, { value: true });
    this.prototype.name = 'LimitOverrunError';
  }

  /** How many bytes to consume to get past the data examined. */
  readonly consumed: number;

  /**
   * @param message - what overran.
   * @param consumed - how many bytes to consume to get past the data examined.
   */
  constructor(message: string, consumed: number, options?: ErrorOptions) {
    super(message, options);
    this.consumed = consumed;
  }
}

/**
 * The connection was lost (asyncio's `ConnectionResetError`): every read and
 * `StreamWriter.drain()` reject with it once the peer has reset the connection, or a write has
 * found the peer gone, and `drain()` also once the connection is closed.
 *
 * Its `code` is `'ECONNRESET'`, like Node's own socket errors; its `cause` is Node's error
 * (`ECONNRESET`, or `EPIPE` for a write) when there is one.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import {
 *   ConnectionResetError,
 *   isConnectionResetError,
 * } from '@corio/streams';
 *
 * const error = new ConnectionResetError();
 * assert.equal(error.code, 'ECONNRESET');
 * assert.equal(isConnectionResetError(error), true);
 * ```
 */
export class ConnectionResetError extends Error {
  declare readonly [CONNECTION_RESET_BRAND]: true;
  static {
    Object.defineProperty(this.prototype, CONNECTION_RESET_BRAND, { value: true });
    this.prototype.name = 'ConnectionResetError';
  }

  /** Always `'ECONNRESET'`. */
  readonly code = 'ECONNRESET';

  /** @param message - what was lost. */
  constructor(message = 'Connection lost', options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * Tells whether `error` is an {@link IncompleteReadError}, from this copy of corio or another
 * one (the check is by brand, not by class identity).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import {
 *   IncompleteReadError,
 *   isIncompleteReadError,
 * } from '@corio/streams';
 *
 * assert.equal(
 *   isIncompleteReadError(new IncompleteReadError(Buffer.alloc(0), 1)),
 *   true,
 * );
 * assert.equal(isIncompleteReadError(new Error('no')), false);
 * ```
 */
export function isIncompleteReadError(error: unknown): error is IncompleteReadError {
  return hasBrand(error, INCOMPLETE_READ_BRAND);
}

/**
 * Tells whether `error` is a {@link LimitOverrunError}, from this copy of corio or another one.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { LimitOverrunError, isLimitOverrunError } from '@corio/streams';
 *
 * assert.equal(
 *   isLimitOverrunError(new LimitOverrunError('too long', 10)),
 *   true,
 * );
 * ```
 */
export function isLimitOverrunError(error: unknown): error is LimitOverrunError {
  return hasBrand(error, LIMIT_OVERRUN_BRAND);
}

/**
 * Tells whether `error` is a {@link ConnectionResetError}, from this copy of corio or another
 * one.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import {
 *   ConnectionResetError,
 *   isConnectionResetError,
 * } from '@corio/streams';
 *
 * assert.equal(isConnectionResetError(new ConnectionResetError()), true);
 * ```
 */
export function isConnectionResetError(error: unknown): error is ConnectionResetError {
  return hasBrand(error, CONNECTION_RESET_BRAND);
}
