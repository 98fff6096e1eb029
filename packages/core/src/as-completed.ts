import { TimeoutError } from './errors.js';
import { Future } from './future.js';
import { LISTEN, UNLISTEN } from './internal/symbols.js';
import { Timer } from './internal/timer.js';
import type { Awaitable } from './awaitable.js';
import { toFutures } from './internal/to-future.js';
import { checkDuration, isIterable, show } from './internal/validate.js';

/**
 * A future that {@link asCompleted} yields: already done, so `result()` returns its value or
 * throws its error at once. It is the very Task or Future that was passed in (or made from a
 * function or promise); its type leaves out `then` because TypeScript types a `for await`
 * variable as the awaited element, which would hide the future behind its result.
 */
export type DoneFuture<T> = Omit<Future<T>, 'then' | 'catch' | 'finally'>;

/** Options for {@link asCompleted}. */
export interface AsCompletedOptions {
  /**
   * Milliseconds for the whole iteration; when they pass first, the iteration throws
   * `TimeoutError`. Nothing is cancelled.
   * @default undefined (no limit)
   */
  timeout?: number | null | undefined;
}

/**
 * Iterates over awaitables in the order they finish (asyncio's `as_completed`), yielding each
 * one's task or future (functions and promises are wrapped first). Awaiting a yielded future
 * gives its result or throws its error.
 *
 * The timeout covers the whole iteration, from its first step; the futures that finished before
 * it passed are yielded, then the iteration throws `TimeoutError`. Leaving the loop early stops listening (nothing is
 * cancelled).
 *
 * @typeParam T - the result type.
 * @param aws - the awaitables.
 * @param options - see {@link AsCompletedOptions}.
 * @throws `TypeError` for a non-awaitable; `RangeError` for a NaN timeout.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { asCompleted, sleep } from '@corio/core';
 *
 * const order: string[] = [];
 * for await (const done of asCompleted([
 *   sleep(20, 'slow'),
 *   sleep(1, 'fast'),
 * ])) {
 *   // done: its result() is there, or throws its error
 *   order.push(done.result());
 * }
 * assert.deepEqual(order, ['fast', 'slow']);
 * ```
 */
export function asCompleted<T>(
  aws: Iterable<Awaitable<T>>,
  options?: AsCompletedOptions,
): AsyncIterable<DoneFuture<T>> {
  if (!isIterable(aws)) {
    throw new TypeError(
      `asCompleted: 'aws' must be an iterable of awaitables, received ${show(aws)}`,
    );
  }
  const timeout = options?.timeout;
  if (timeout !== undefined && timeout !== null)
    checkDuration('asCompleted', 'options.timeout', timeout);
  const futures = [...new Set(toFutures(aws, 'asCompleted', asCompleted))];
  return new CompletionIterator(futures, timeout ?? null);
}

// Not an async generator: `yield` in one awaits a thenable, and the futures must be yielded as
// they are.
class CompletionIterator<T> implements AsyncIterableIterator<DoneFuture<T>> {
  readonly #futures: readonly Future<T>[];
  readonly #finished: Future<T>[] = [];
  readonly #timeout: number | null;
  readonly #listener = (future: Future<unknown>): void => {
    this.#finished.push(future as Future<T>);
    this.#wakeUp();
  };
  #next = 0;
  #started = false;
  #closed = false;
  #timedOut = false;
  #timer: Timer | undefined = undefined;
  #wake: Future<void> | undefined = undefined;

  constructor(futures: readonly Future<T>[], timeout: number | null) {
    this.#futures = futures;
    this.#timeout = timeout;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<DoneFuture<T>, undefined>> {
    if (!this.#started) this.#start();
    while (!this.#closed && this.#next >= this.#finished.length) {
      if (this.#timedOut) {
        this.#close();
        throw new TimeoutError('asCompleted: the timeout passed before every awaitable finished');
      }
      const wake = (this.#wake = new Future<void>());
      try {
        await wake;
      } catch (error) {
        this.#close();
        throw error;
      }
    }
    if (this.#closed && this.#next >= this.#finished.length)
      return { done: true, value: undefined };
    const future = this.#finished[this.#next++] as Future<T>;
    if (this.#next === this.#futures.length) this.#close();
    return { done: false, value: future };
  }

  return(): Promise<IteratorResult<DoneFuture<T>, undefined>> {
    this.#close();
    return Promise.resolve({ done: true, value: undefined });
  }

  #start(): void {
    this.#started = true;
    if (this.#futures.length === 0) {
      this.#closed = true;
      return;
    }
    if (this.#timeout !== null) {
      this.#timer = new Timer(this.#timeout, () => {
        this.#timer = undefined;
        this.#timedOut = true;
        this.#unlisten();
        this.#wakeUp();
      });
    }
    for (const future of this.#futures) future[LISTEN](this.#listener);
  }

  #wakeUp(): void {
    // The wake future may have been cancelled along with the task iterating.
    const wake = this.#wake;
    this.#wake = undefined;
    if (wake !== undefined && !wake.done()) wake.setResult();
  }

  #unlisten(): void {
    for (const future of this.#futures) future[UNLISTEN](this.#listener);
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#timer?.clear();
    this.#timer = undefined;
    this.#unlisten();
  }
}
