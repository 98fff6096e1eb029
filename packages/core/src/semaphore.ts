import { releaseGuard } from './internal/guard.js';
import { inspectSymbol } from './internal/inspect.js';
import { show } from './internal/validate.js';
import { QueuedWait, WaiterQueue } from './internal/waiter-queue.js';
import type { SignalOptions } from './suspend.js';

/** What `guard()` returns: releases once, on `using`/`await using` scope exit. */
export type Guard = AsyncDisposable & Disposable;

const ACQUIRED = Promise.resolve(true as const);

/**
 * A counter of permits (asyncio's `Semaphore`): `acquire()` takes one, waiting in FIFO order
 * while there are none; `release()` gives one back.
 *
 * A released permit goes straight to the longest waiter, so a newcomer never overtakes a waiter
 * that was already woken. A waiter that is cancelled or aborted leaves the queue and never keeps
 * a permit; one cancelled in the very tick a permit was handed to it gives the permit on to the
 * next waiter and throws `CancelledError`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { Semaphore, gather, sleep } from '@corio/core';
 *
 * const sem = new Semaphore(2);
 * let running = 0;
 * let most = 0;
 * await gather(
 *   [1, 2, 3, 4, 5].map((n) => () =>
 *     sem.use(async () => {
 *       most = Math.max(most, ++running);
 *       await sleep(1);
 *       running--;
 *       return n;
 *     }),
 *   ),
 * );
 * assert.equal(most, 2);
 * assert.equal(sem.value, 2);
 * ```
 */
export class Semaphore {
  // #value > 0 implies no waiters: a release hands its permit to the first waiter instead.
  #value: number;
  readonly #waiters = new WaiterQueue<true>(this, 'acquire');
  readonly #giveBack = (): void => {
    this.release();
  };

  /**
   * @param value - the number of permits.
   * @throws `RangeError` if `value` is not a non-negative integer.
   */
  constructor(value = 1) {
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(
        `Cannot create ${new.target.name}: 'value' must be a non-negative integer, received ${show(value)}`,
      );
    }
    this.#value = value;
  }

  /** The number of permits available now. */
  get value(): number {
    return this.#value;
  }

  /** Whether `acquire()` would have to wait. */
  locked(): boolean {
    return this.#value === 0;
  }

  /**
   * Takes a permit, waiting (FIFO) while there is none. Waiting is a cancellation point.
   *
   * @returns `true`, once the permit is the caller's.
   * @throws `CancelledError` if the waiting task is cancelled; the signal's reason if aborted.
   */
  acquire(options?: SignalOptions): Promise<true> {
    const wait = this.#take(options?.signal);
    return wait === undefined ? ACQUIRED : wait.result;
  }

  /**
   * Gives a permit back: to the first waiter if there is one, else to the counter.
   */
  release(): void {
    const waiter = this.#waiters.shift();
    if (waiter === undefined) this.#value++;
    else waiter.resolve(true);
  }

  /**
   * Runs `fn` holding a permit, and gives the permit back however `fn` ends.
   *
   * @typeParam T - `fn`'s result.
   */
  async use<T>(fn: () => T | PromiseLike<T>, options?: SignalOptions): Promise<T> {
    const wait = this.#take(options?.signal);
    if (wait !== undefined) wait.resumed(await wait.promise);
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  /**
   * Takes a permit and returns a guard that gives it back at the end of the scope:
   * `await using _ = await sem.guard()`.
   */
  async guard(options?: SignalOptions): Promise<Guard> {
    const wait = this.#take(options?.signal);
    if (wait !== undefined) wait.resumed(await wait.promise);
    return releaseGuard(this.#giveBack);
  }

  /**
   * Takes a free permit now, with no turn lost (returns undefined), or starts a wait for one.
   * acquire() hands out the wait's `result`; use() and guard(), whose wait nobody else holds,
   * await its promise and call `resumed()`: no promise is made for others to cancel it by.
   */
  #take(signal: AbortSignal | undefined): QueuedWait<true> | undefined {
    if (this.#value > 0 && signal?.aborted !== true) {
      this.#value--;
      return undefined;
    }
    const wait = new QueuedWait<true>(signal, this.#giveBack);
    this.#waiters.start(wait);
    return wait;
  }

  /** Renders the state: `<Semaphore [locked, value:0, waiters:2]>`. */
  toString(): string {
    const waiters = this.#waiters.size > 0 ? `, waiters:${String(this.#waiters.size)}` : '';
    const state = this.locked() ? 'locked' : 'unlocked';
    return `<${this.constructor.name} [${state}, value:${String(this.#value)}${waiters}]>`;
  }

  /** @internal */
  [inspectSymbol](): string {
    return this.toString();
  }
}
