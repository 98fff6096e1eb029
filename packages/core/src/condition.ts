import { InvalidStateError, isCancelledError } from './errors.js';
import { inspectSymbol } from './internal/inspect.js';
import { show } from './internal/validate.js';
import { QueuedWait, WaiterQueue } from './internal/waiter-queue.js';
import { Lock } from './lock.js';
import type { Guard } from './semaphore.js';
import type { SignalOptions } from './suspend.js';

/**
 * A condition variable (asyncio's `Condition`): tasks holding its lock `wait()` until another
 * task holding the lock `notify()`s them.
 *
 * `wait()` releases the lock while it waits and takes it back before it returns, however it ends:
 * when the wait is cancelled or aborted, the lock is re-acquired before the error leaves
 * `wait()`, so the caller's `finally` still runs holding it. A waiter that was notified but ends
 * with an error (cancelled in the tick of the notification, or while taking the lock back) passes
 * its notification on to the next waiter: a notification is never lost. As with every condition
 * variable, re-check the state after waking (or use `waitFor`).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { Condition, createTask, sleep } from '@corio/core';
 *
 * const cond = new Condition();
 * const items: number[] = [];
 * const consumer = createTask(() =>
 *   cond.use(async () => {
 *     await cond.waitFor(() => items.length > 0);
 *     return items.shift();
 *   }),
 * );
 * await sleep(0);
 * await cond.use(() => {
 *   items.push(42);
 *   cond.notify();
 * });
 * assert.equal(await consumer, 42);
 * ```
 */
export class Condition {
  // Every queued waiter has released the lock and is waiting for a notification.
  readonly #lock: Lock;
  readonly #waiters = new WaiterQueue<true>(this, 'wait');
  // A notified waiter cancelled before it resumed hands its notification to the next one.
  readonly #passOn = (): void => {
    this.#notify(1);
  };

  /**
   * @param lock - the lock to use; a new `Lock` by default. Share one lock between conditions
   * that guard the same state.
   * @throws `TypeError` if `lock` is not a `Lock`.
   */
  constructor(lock?: Lock) {
    if (lock !== undefined && !(lock instanceof Lock)) {
      throw new TypeError(`Cannot create Condition: 'lock' must be a Lock, received ${show(lock)}`);
    }
    this.#lock = lock ?? new Lock();
  }

  /** Whether the underlying lock is held. */
  locked(): boolean {
    return this.#lock.locked();
  }

  /**
   * Takes the underlying lock (see `Lock.acquire`).
   *
   * @param options - `signal` gives up waiting.
   * @returns `true`, once the lock is the caller's.
   */
  acquire(options?: SignalOptions): Promise<true> {
    return this.#lock.acquire(options);
  }

  /**
   * Releases the underlying lock.
   *
   * @throws `InvalidStateError` if it is not locked.
   */
  release(): void {
    this.#lock.release();
  }

  /**
   * Runs `fn` holding the underlying lock (see `Lock.use`).
   *
   * @typeParam T - `fn`'s result.
   */
  use<T>(fn: () => T | PromiseLike<T>, options?: SignalOptions): Promise<T> {
    return this.#lock.use(fn, options);
  }

  /**
   * Takes the underlying lock and returns a guard that releases it at the end of the scope:
   * `await using _ = await cond.guard()`.
   */
  guard(options?: SignalOptions): Promise<Guard> {
    return this.#lock.guard(options);
  }

  /**
   * Releases the lock, waits until notified, and takes the lock back. Waiting is a cancellation
   * point; the lock is held again when `wait()` returns or throws.
   *
   * @param options - `signal` gives up waiting (the lock is re-acquired, then the signal's reason
   * is thrown). An already aborted signal throws at once, without releasing the lock.
   * @returns `true`.
   * @throws `InvalidStateError` if the lock is not held; `CancelledError` if the waiting task is
   * cancelled; the signal's reason if aborted.
   */
  async wait(options?: SignalOptions): Promise<true> {
    this.#checkLocked('wait');
    const signal = options?.signal;
    if (signal?.aborted === true) throw signal.reason;
    this.release();
    let failed = false;
    let error: unknown;
    let notified = false;
    try {
      const wait = new QueuedWait<true>(signal, this.#passOn);
      this.#waiters.start(wait);
      wait.resumed(await wait.promise);
      notified = true;
    } catch (caught) {
      failed = true;
      error = caught;
    }
    // The lock must be taken back, even when cancelled while taking it back (asyncio's rule).
    for (;;) {
      try {
        await this.#lock.acquire();
        break;
      } catch (caught) {
        if (!isCancelledError(caught)) throw caught;
        failed = true;
        error = caught;
      }
    }
    if (!failed) return true;
    // Notified, but the caller sees an error instead: the notification goes to someone else.
    if (notified) this.#notify(1);
    throw error;
  }

  /**
   * Waits until `predicate()` is truthy (asyncio's `wait_for`): calls it, then `wait()`s and
   * calls it again after every wake-up. The lock must be held to wait (a predicate already true
   * returns at once, as in asyncio).
   *
   * @typeParam T - the predicate's result.
   * @param predicate - reads the state the lock guards.
   * @param options - `signal` gives up waiting.
   * @returns the predicate's last (truthy) result.
   * @throws `InvalidStateError` if it must wait and the lock is not held; what `wait()` throws.
   */
  async waitFor<T>(predicate: () => T, options?: SignalOptions): Promise<T> {
    let result = predicate();
    // As in asyncio, a predicate already true returns at once: only waiting needs the lock.
    if (!result) this.#checkLocked('waitFor');
    while (!result) {
      await this.wait(options);
      result = predicate();
    }
    return result;
  }

  /**
   * Wakes up to `n` waiters, longest waiting first. They return from `wait()` once they have the
   * lock back, so release it after notifying.
   *
   * @param n - how many waiters to wake.
   * @throws `InvalidStateError` if the lock is not held; `RangeError` if `n` is not a
   * non-negative integer (or `Infinity`).
   */
  notify(n = 1): void {
    this.#checkLocked('notify');
    if (!(Number.isInteger(n) || n === Infinity) || n < 0) {
      throw new RangeError(
        `Cannot call notify() on ${this.toString()}: 'n' must be a non-negative integer, received ${show(n)}`,
      );
    }
    this.#notify(n);
  }

  /**
   * Wakes every waiter.
   *
   * @throws `InvalidStateError` if the lock is not held.
   */
  notifyAll(): void {
    this.#checkLocked('notifyAll');
    this.#notify(this.#waiters.size);
  }

  /** Renders the state: `<Condition [locked, waiters:2]>`. */
  toString(): string {
    const waiters = this.#waiters.size > 0 ? `, waiters:${String(this.#waiters.size)}` : '';
    return `<${this.constructor.name} [${this.locked() ? 'locked' : 'unlocked'}${waiters}]>`;
  }

  /** @internal */
  [inspectSymbol](): string {
    return this.toString();
  }

  #notify(n: number): void {
    for (let i = 0; i < n; i++) {
      const waiter = this.#waiters.shift();
      if (waiter === undefined) return;
      waiter.resolve(true);
    }
  }

  #checkLocked(method: string): void {
    if (!this.locked()) {
      throw new InvalidStateError(
        `Cannot call ${method}() on ${this.toString()}: the lock is not acquired`,
      );
    }
  }
}
