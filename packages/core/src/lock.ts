import { InvalidStateError } from './errors.js';
import { releaseGuard } from './internal/guard.js';
import { inspectSymbol } from './internal/inspect.js';
import { QueuedWait, WaiterQueue } from './internal/waiter-queue.js';
import type { Guard } from './semaphore.js';
import type { SignalOptions } from './suspend.js';

const ACQUIRED = Promise.resolve(true as const);

/**
 * A mutual-exclusion lock (asyncio's `Lock`): `acquire()` takes it, waiting in FIFO order while
 * another holder has it; `release()` lets it go.
 *
 * A lock is not owned by a task: any code may release it, but releasing an unlocked lock is an
 * error. A release hands the lock straight to the longest waiter, so a newcomer never overtakes a
 * waiter that was already woken. A waiter that is cancelled or aborted leaves the queue and never
 * keeps the lock; one cancelled in the very tick the lock was handed to it passes the lock on to
 * the next waiter and throws `CancelledError`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { Lock, gather, sleep } from '@corio/core';
 *
 * const lock = new Lock();
 * const log: string[] = [];
 * await gather(
 *   ['a', 'b'].map((name) => () =>
 *     lock.use(async () => {
 *       log.push(`${name} in`);
 *       await sleep(1);
 *       log.push(`${name} out`);
 *     }),
 *   ),
 * );
 * assert.deepEqual(log, ['a in', 'a out', 'b in', 'b out']);
 * assert.equal(lock.locked(), false);
 * ```
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { Lock } from '@corio/core';
 *
 * const lock = new Lock();
 * {
 *   await using _ = await lock.guard();
 *   assert.equal(lock.locked(), true);
 * }
 * assert.equal(lock.locked(), false);
 * ```
 */
export class Lock {
  // !#locked implies no waiters: a release hands the lock to the first waiter instead.
  #locked = false;
  readonly #waiters = new WaiterQueue<true>(this, 'acquire');
  readonly #giveBack = (): void => {
    this.release();
  };

  /** Whether the lock is held. */
  locked(): boolean {
    return this.#locked;
  }

  /**
   * Takes the lock, waiting (FIFO) while it is held. Waiting is a cancellation point.
   *
   * @param options - `signal` gives up waiting.
   * @returns `true`, once the lock is the caller's.
   * @throws `CancelledError` if the waiting task is cancelled; the signal's reason if aborted.
   */
  acquire(options?: SignalOptions): Promise<true> {
    const wait = this.#take(options?.signal);
    return wait === undefined ? ACQUIRED : wait.result;
  }

  /**
   * Lets the lock go: to the first waiter if there is one, else it becomes unlocked.
   *
   * @throws `InvalidStateError` if the lock is not locked.
   */
  release(): void {
    if (!this.#locked) {
      throw new InvalidStateError(`Cannot call release() on ${this.toString()}: it is not locked`);
    }
    const waiter = this.#waiters.shift();
    if (waiter === undefined) this.#locked = false;
    else waiter.resolve(true);
  }

  /**
   * Runs `fn` holding the lock, and releases it however `fn` ends.
   *
   * @typeParam T - `fn`'s result.
   * @param fn - the critical section.
   * @param options - `signal` gives up waiting for the lock.
   * @returns what `fn` returns.
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
   * Takes the lock and returns a guard that releases it at the end of the scope:
   * `await using _ = await lock.guard()`.
   *
   * @param options - `signal` gives up waiting for the lock.
   */
  async guard(options?: SignalOptions): Promise<Guard> {
    const wait = this.#take(options?.signal);
    if (wait !== undefined) wait.resumed(await wait.promise);
    return releaseGuard(this.#giveBack);
  }

  /**
   * Takes a free lock now, with no turn lost (returns undefined), or starts a wait for one.
   * acquire() hands out the wait's `result`; use() and guard(), whose wait nobody else holds,
   * await its promise and call `resumed()`: no promise is made for others to cancel it by.
   */
  #take(signal: AbortSignal | undefined): QueuedWait<true> | undefined {
    if (!this.#locked && signal?.aborted !== true) {
      this.#locked = true;
      return undefined;
    }
    const wait = new QueuedWait<true>(signal, this.#giveBack);
    this.#waiters.start(wait);
    return wait;
  }

  /** Renders the state: `<Lock [locked, waiters:2]>`. */
  toString(): string {
    const waiters = this.#waiters.size > 0 ? `, waiters:${String(this.#waiters.size)}` : '';
    return `<${this.constructor.name} [${this.#locked ? 'locked' : 'unlocked'}${waiters}]>`;
  }

  /** @internal */
  [inspectSymbol](): string {
    return this.toString();
  }
}
