const CANCELLED_BRAND = Symbol.for('corio.CancelledError');
const TIMEOUT_BRAND = Symbol.for('corio.TimeoutError');

/**
 * The error delivered into a cancelled task (asyncio's `CancelledError`).
 *
 * It carries the message given to `task.cancel(msg)`. Code that catches it should normally
 * rethrow it: swallowing it turns a cancellation into a normal return.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { CancelledError, createTask, sleep } from '@corio/core';
 *
 * const task = createTask(() => sleep(1_000));
 * await sleep(0);
 * task.cancel('shutting down');
 * await assert.rejects(
 *   task,
 *   (e) => e instanceof CancelledError && e.message === 'shutting down',
 * );
 * ```
 */
export class CancelledError extends Error {
  declare readonly [CANCELLED_BRAND]: true;
  static {
    Object.defineProperty(this.prototype, CANCELLED_BRAND, { value: true });
    this.prototype.name = 'CancelledError';
  }

  /** @param message - the cancellation message, if any. */
  constructor(message?: string, options?: ErrorOptions) {
    super(message ?? '', options);
  }
}

/**
 * The error thrown when a deadline passes (asyncio's `TimeoutError`), by {@link waitFor},
 * {@link timeout}, {@link timeoutAt} and {@link asCompleted}.
 *
 * Its `cause` is the `CancelledError` that interrupted the work. It is not a `CancelledError`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import {
 *   CancelledError,
 *   TimeoutError,
 *   sleep,
 *   waitFor,
 * } from '@corio/core';
 *
 * const error = await waitFor(sleep(1_000), 1).catch((e: unknown) => e);
 * assert.ok(error instanceof TimeoutError);
 * assert.ok(error.cause instanceof CancelledError);
 * ```
 */
export class TimeoutError extends Error {
  declare readonly [TIMEOUT_BRAND]: true;
  static {
    Object.defineProperty(this.prototype, TIMEOUT_BRAND, { value: true });
    this.prototype.name = 'TimeoutError';
  }

  /** @param message - what timed out. */
  constructor(message = 'The operation timed out', options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * Thrown when an operation is not allowed in the object's current state (asyncio's
 * `InvalidStateError`): `result()` of a pending future, `setResult` on a done one, releasing an
 * unlocked lock, and similar misuse.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { Future, InvalidStateError } from '@corio/core';
 *
 * const fut = new Future<number>();
 * assert.throws(() => fut.result(), InvalidStateError);
 * ```
 */
export class InvalidStateError extends Error {
  static {
    this.prototype.name = 'InvalidStateError';
  }
}

/**
 * The failures of a task group (asyncio's `ExceptionGroup` raised by `TaskGroup`): every error
 * other than `CancelledError` raised by the group's children or its body, in the order they
 * happened.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { TaskGroupError, taskGroup } from '@corio/core';
 *
 * const error = await taskGroup((tg) => {
 *   tg.createTask(() => Promise.reject(new Error('boom')));
 *   return Promise.resolve();
 * }).catch((e: unknown) => e);
 * assert.ok(error instanceof TaskGroupError);
 * assert.equal((error.errors[0] as Error).message, 'boom');
 * ```
 */
export class TaskGroupError extends AggregateError {
  static {
    this.prototype.name = 'TaskGroupError';
  }
}

/**
 * Thrown by `getNowait()` on an empty queue (asyncio's `QueueEmpty`).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { QueueEmpty } from '@corio/core';
 *
 * assert.equal(new QueueEmpty().name, 'QueueEmpty');
 * ```
 */
export class QueueEmpty extends Error {
  static {
    this.prototype.name = 'QueueEmpty';
  }
}

/**
 * Thrown by `putNowait()` on a full queue (asyncio's `QueueFull`).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { QueueFull } from '@corio/core';
 *
 * assert.equal(new QueueFull().name, 'QueueFull');
 * ```
 */
export class QueueFull extends Error {
  static {
    this.prototype.name = 'QueueFull';
  }
}

/**
 * Thrown to waiters and later callers once a queue is shut down (asyncio's `QueueShutDown`).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { QueueShutDown } from '@corio/core';
 *
 * assert.equal(new QueueShutDown().name, 'QueueShutDown');
 * ```
 */
export class QueueShutDown extends Error {
  static {
    this.prototype.name = 'QueueShutDown';
  }
}

/**
 * Thrown by `Barrier.wait()` when the barrier is broken or reset (asyncio's
 * `BrokenBarrierError`).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { BrokenBarrierError } from '@corio/core';
 *
 * assert.equal(new BrokenBarrierError().name, 'BrokenBarrierError');
 * ```
 */
export class BrokenBarrierError extends Error {
  static {
    this.prototype.name = 'BrokenBarrierError';
  }
}

/**
 * Tells whether `error` is a corio `CancelledError`, from this copy of corio or another one (the
 * check is by brand, not by class identity).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { CancelledError, isCancelledError } from '@corio/core';
 *
 * assert.equal(isCancelledError(new CancelledError()), true);
 * assert.equal(isCancelledError(new Error('no')), false);
 * ```
 */
export function isCancelledError(error: unknown): error is CancelledError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as Partial<Record<symbol, unknown>>)[CANCELLED_BRAND] === true
  );
}

/**
 * Tells whether `error` is a corio `TimeoutError`, from this copy of corio or another one.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { TimeoutError, isTimeoutError } from '@corio/core';
 *
 * assert.equal(isTimeoutError(new TimeoutError()), true);
 * ```
 */
export function isTimeoutError(error: unknown): error is TimeoutError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as Partial<Record<symbol, unknown>>)[TIMEOUT_BRAND] === true
  );
}

/**
 * The error of {@link withVirtualClock} (from `@corio/core/testing`) when its body can never
 * finish: every task waits, no timer is pending on the virtual clock and no other work (I/O, a
 * foreign timer) is in progress. Asyncio has none; Trio's tests find these by hanging.
 *
 * Its message is the task tree at that moment (`formatTaskTree()`): every pending task, what it
 * waits on and the tasks it started. `now` is the virtual time at which it was found.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { Event } from '@corio/core';
 * import { DeadlockError, withVirtualClock } from '@corio/core/testing';
 *
 * const never = new Event();
 * const error = await withVirtualClock(() => never.wait(), {
 *   autojump: true,
 * }).catch((e: unknown) => e);
 * assert.ok(error instanceof DeadlockError);
 * assert.match(error.message, /<Task name=withVirtualClock pending>/);
 * assert.equal(error.now, 0);
 * ```
 */
export class DeadlockError extends Error {
  static {
    this.prototype.name = 'DeadlockError';
  }

  /**
   * @param message - the description of the deadlock.
   * @param now - the virtual time at which it was found.
   */
  constructor(
    message: string,
    readonly now: number,
  ) {
    super(message);
  }
}
