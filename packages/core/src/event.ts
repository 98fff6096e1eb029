import { inspectSymbol } from './internal/inspect.js';
import { QueuedWait, WaiterQueue, abortedCall } from './internal/waiter-queue.js';
import type { SignalOptions } from './suspend.js';

const SET = Promise.resolve(true as const);

// A set event wakes every waiter, so a waiter cancelled after the wake-up has nothing to give
// back: it simply throws CancelledError on resume, as in asyncio.
function nothingToGiveBack(): void {
  // Other waiters were woken by the same set().
}

/**
 * A flag that tasks can wait for (asyncio's `Event`): `set()` raises it and wakes every waiter,
 * `clear()` lowers it, `wait()` waits until it is raised.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { Event, createTask, sleep } from '@corio/core';
 *
 * const ready = new Event();
 * const waiters = [1, 2].map((n) =>
 *   createTask(async () => (await ready.wait()) && n),
 * );
 * await sleep(0);
 * assert.equal(ready.isSet(), false);
 * ready.set();
 * assert.deepEqual(await Promise.all(waiters), [1, 2]);
 * assert.equal(await ready.wait(), true); // already set: at once
 * ```
 */
export class Event {
  // #value implies no waiters: set() wakes them all.
  #value = false;
  readonly #waiters = new WaiterQueue<true>(this, 'wait');

  /** Whether the flag is raised. */
  isSet(): boolean {
    return this.#value;
  }

  /** Raises the flag and wakes every waiter. Calls to `wait()` from now on return at once. */
  set(): void {
    if (this.#value) return;
    this.#value = true;
    for (let waiter = this.#waiters.shift(); waiter !== undefined; waiter = this.#waiters.shift()) {
      waiter.resolve(true);
    }
  }

  /** Lowers the flag: calls to `wait()` from now on wait for the next `set()`. */
  clear(): void {
    this.#value = false;
  }

  /**
   * Waits until the flag is raised; returns at once if it is. Waiting is a cancellation point.
   *
   * @param options - `signal` gives up waiting.
   * @returns `true`.
   * @throws `CancelledError` if the waiting task is cancelled; the signal's reason if aborted.
   */
  wait(options?: SignalOptions): Promise<true> {
    const aborted = abortedCall(options?.signal);
    if (aborted !== undefined) return aborted;
    if (this.#value) return SET;
    return this.#waiters.enqueue(new QueuedWait<true>(options?.signal, nothingToGiveBack));
  }

  /** Renders the state: `<Event [unset, waiters:2]>`. */
  toString(): string {
    const waiters = this.#waiters.size > 0 ? `, waiters:${String(this.#waiters.size)}` : '';
    return `<${this.constructor.name} [${this.#value ? 'set' : 'unset'}${waiters}]>`;
  }

  /** @internal */
  [inspectSymbol](): string {
    return this.toString();
  }
}
