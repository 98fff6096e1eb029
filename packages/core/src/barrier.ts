import { BrokenBarrierError } from './errors.js';
import { inspectSymbol } from './internal/inspect.js';
import { show } from './internal/validate.js';
import { withWork } from './internal/protocol.js';
import { QueuedWait, WaiterQueue, abortedCall } from './internal/waiter-queue.js';
import type { SignalOptions } from './suspend.js';

/** asyncio's barrier states, shown by `toString()`. */
type BarrierState = 'filling' | 'draining' | 'resetting' | 'broken';

/** A party inside the barrier (or queued at its door while it drains or resets). */
class BarrierWait extends QueuedWait<number> {
  /** Counted in the barrier's parties inside, until it leaves. */
  inside = false;
  readonly #leave: (wait: BarrierWait) => void;

  constructor(signal: AbortSignal | undefined, leave: (wait: BarrierWait) => void) {
    super(signal);
    this.#leave = leave;
  }

  protected override stop(): void {
    super.stop();
    this.#leave(this);
  }
}

/**
 * A meeting point for a fixed number of tasks (asyncio's `Barrier`): each `wait()` blocks until
 * `parties` callers are waiting, then all of them go on together.
 *
 * The barrier is reusable. After it lets a group through it is `draining` until every member of
 * that group has resumed; a caller arriving meanwhile waits at the door and joins the next group.
 * `reset()` sends the current group away with `BrokenBarrierError` and makes the barrier usable
 * again; `abort()` breaks it: current and later callers get `BrokenBarrierError` until
 * `reset()`. A waiter that is cancelled or aborted while the group fills simply leaves it (as in
 * asyncio), and the group waits for someone else.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { Barrier, gather } from '@corio/core';
 *
 * const barrier = new Barrier(3);
 * const log: string[] = [];
 * const indices = await gather(
 *   ['a', 'b', 'c'].map((name) => async () => {
 *     log.push(`${name} arrives`);
 *     const index = await barrier.wait();
 *     log.push(`${name} leaves`);
 *     return index;
 *   }),
 * );
 * assert.deepEqual(indices, [0, 1, 2]);
 * assert.deepEqual(log.slice(0, 3), [
 *   'a arrives',
 *   'b arrives',
 *   'c arrives',
 * ]);
 * ```
 */
export class Barrier {
  // 'filling' implies #count === #arrivals.size and an empty #door; otherwise #arrivals is empty.
  readonly #parties: number;
  #state: BarrierState = 'filling';
  // The parties inside: waiting in #arrivals, or let through (or sent away) and not yet resumed.
  #count = 0;
  readonly #arrivals = new WaiterQueue<number>(this, 'wait');
  // Callers that arrived while the barrier was draining or resetting, in arrival order.
  readonly #door = new WaiterQueue<number>(this, 'wait');
  readonly #leave = (wait: BarrierWait): void => {
    if (!wait.inside) return;
    wait.inside = false;
    if (--this.#count === 0) this.#drained();
  };

  /**
   * @param parties - how many callers of `wait()` make a group.
   * @throws `RangeError` if `parties` is not a positive integer.
   */
  constructor(parties: number) {
    if (!Number.isInteger(parties) || parties < 1) {
      throw new RangeError(
        `Cannot create Barrier: 'parties' must be a positive integer, received ${show(parties)}`,
      );
    }
    this.#parties = parties;
  }

  /** How many callers make a group. */
  get parties(): number {
    return this.#parties;
  }

  /** How many callers wait for the group to fill. */
  get nWaiting(): number {
    return this.#state === 'filling' ? this.#arrivals.size : 0;
  }

  /** Whether the barrier is broken (by `abort()`). */
  get broken(): boolean {
    return this.#state === 'broken';
  }

  /**
   * Waits until `parties` callers are waiting, then returns. Waiting is a cancellation point.
   *
   * @param options - `signal` gives up waiting (the caller leaves the group).
   * @returns the caller's index in its group, `0` to `parties - 1` in arrival order.
   * @throws `BrokenBarrierError` if the barrier is broken, or is aborted or reset while waiting;
   * `CancelledError` if the waiting task is cancelled; the signal's reason if aborted.
   */
  wait(options?: SignalOptions): Promise<number> {
    const aborted = abortedCall(options?.signal);
    if (aborted !== undefined) return aborted;
    if (this.#state === 'broken') {
      return Promise.reject(
        new BrokenBarrierError(`Cannot call wait() on ${this.toString()}: it is broken`),
      );
    }
    if (this.#state === 'filling' && this.#arrivals.size + 1 === this.#parties) {
      // The last party: lets the group through without waiting, and leaves at once.
      this.#letThrough();
      if (this.#count === 0) this.#drained();
      return Promise.resolve(this.#parties - 1);
    }
    const wait = new BarrierWait(options?.signal, this.#leave);
    if (!wait.begin()) return wait.promise;
    if (this.#state === 'filling') this.#arrive(wait);
    else this.#door.push(wait);
    return withWork(
      wait.promise.then(
        (index) => {
          this.#leave(wait);
          return index;
        },
        (error: unknown) => {
          this.#leave(wait);
          throw error;
        },
      ),
      wait,
    );
  }

  /**
   * Returns the barrier to its empty, filling state (asyncio's `reset`): callers waiting for the
   * group to fill get `BrokenBarrierError`. A broken barrier becomes usable again.
   */
  reset(): void {
    this.#arrivals.rejectAll(() => new BrokenBarrierError('The barrier was reset'));
    if (this.#count > 0) {
      // Until the parties sent away (or let through) have resumed.
      this.#state = 'resetting';
    } else {
      this.#state = 'filling';
    }
  }

  /**
   * Breaks the barrier (asyncio's `abort`): every waiter, and every later `wait()` until
   * `reset()`, gets `BrokenBarrierError`.
   */
  abort(): void {
    this.#state = 'broken';
    this.#arrivals.rejectAll(() => new BrokenBarrierError('The barrier was aborted'));
    this.#door.rejectAll(() => new BrokenBarrierError('The barrier was aborted'));
  }

  /** Renders the state: `<Barrier [filling, waiters:1/3]>`, `<Barrier [broken]>`. */
  toString(): string {
    const waiters = this.broken
      ? ''
      : `, waiters:${String(this.nWaiting)}/${String(this.#parties)}`;
    return `<${this.constructor.name} [${this.#state}${waiters}]>`;
  }

  /** @internal */
  [inspectSymbol](): string {
    return this.toString();
  }

  #arrive(wait: BarrierWait): void {
    wait.inside = true;
    this.#count++;
    if (this.#arrivals.size + 1 < this.#parties) {
      this.#arrivals.push(wait);
      return;
    }
    this.#letThrough();
    wait.resolve(this.#parties - 1);
  }

  /** The group is complete: every waiting party goes on with its index; the barrier drains. */
  #letThrough(): void {
    this.#state = 'draining';
    let index = 0;
    for (let wait = this.#arrivals.shift(); wait !== undefined; wait = this.#arrivals.shift()) {
      wait.resolve(index++);
    }
  }

  /** The last party inside has left: a draining or resetting barrier fills again. */
  #drained(): void {
    if (this.#state !== 'draining' && this.#state !== 'resetting') return;
    this.#state = 'filling';
    this.#admit();
  }

  /** Lets the callers at the door in, in arrival order, while the barrier fills. */
  #admit(): void {
    while (this.#state === 'filling') {
      const wait = this.#door.shift() as BarrierWait | undefined;
      if (wait === undefined) return;
      this.#arrive(wait);
    }
  }
}
