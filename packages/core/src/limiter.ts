import type { Future } from './future.js';
import { gather } from './gather.js';
import type { DeferredOwner } from './internal/deferred-start.js';
import { inspectSymbol } from './internal/inspect.js';
import { RingBuffer } from './internal/ring-buffer.js';
import { DEFERRED, LAUNCH, LISTEN } from './internal/symbols.js';
import { show } from './internal/validate.js';
import { createDeferredTask, createTaskAt } from './create-task.js';
import type { Task } from './task.js';

/** The options form of {@link limiter}'s argument, as p-limit accepts it. */
export interface LimiterOptions {
  /** How many calls may run at once: an integer from 1 up, or `Infinity`. */
  concurrency: number;
}

/** What {@link limiter} returns: call it like p-limit's `limit(fn, ...args)`. */
export interface LimitFunction {
  /**
   * Runs `fn(...args)` as a task once fewer than `concurrency` calls are running (FIFO).
   * Cancelling the task removes a queued call, or cancels a running one.
   */
  <A extends unknown[], R>(fn: (...args: A) => R | PromiseLike<R>, ...args: A): Task<R>;
  /** How many calls hold a slot: running, or handed a slot and about to run. */
  readonly activeCount: number;
  /** How many calls are queued, waiting for a slot. */
  readonly pendingCount: number;
  /**
   * How many calls may run at once (settable). Raising it hands slots to queued calls at once;
   * lowering it lets running calls finish and starts no new one until below the new limit.
   */
  concurrency: number;
  /** Drops the queued calls: their tasks end cancelled. Running calls are left alone. */
  clearQueue(): void;
  /**
   * Runs `fn(item, index)` for each item through the limiter; resolves to the results in input
   * order, like `gather`. Cancelling the returned future cancels every call.
   */
  map<I, R>(iterable: Iterable<I>, fn: (item: I, index: number) => R | PromiseLike<R>): Future<R[]>;
}

function checkConcurrency(where: string, value: unknown): asserts value is number {
  if (typeof value !== 'number') {
    throw new TypeError(
      `${where}: 'concurrency' must be an integer from 1 up or Infinity, received ${show(value)}`,
    );
  }
  if (!((Number.isInteger(value) || value === Infinity) && value >= 1)) {
    throw new RangeError(
      `${where}: 'concurrency' must be an integer from 1 up or Infinity, received ${show(value)}`,
    );
  }
}

/**
 * The state behind a `LimitFunction`. A queued call is a task whose start waits for a slot
 * (createDeferredTask): no start reaction, no wait and no promise until it gets one.
 */
class Limiter implements DeferredOwner {
  // #active < #concurrency implies no call queued: a free slot goes straight to the first one.
  // #queue holds the queued calls in call order, and calls cancelled while queued (dropped) until
  // they reach the front; #pending counts the queued ones only.
  #active = 0;
  #concurrency: number;
  readonly #queue = new RingBuffer<Task<unknown>>();
  #pending = 0;
  // Shared by every call that holds a slot: the slot is freed when the call's task ends, however
  // it ends (result, error, cancelled before it ran).
  readonly #release = (): void => {
    this.#active--;
    this.fill();
  };

  constructor(concurrency: number) {
    this.#concurrency = concurrency;
  }

  get activeCount(): number {
    return this.#active;
  }

  get pendingCount(): number {
    return this.#pending;
  }

  get concurrency(): number {
    return this.#concurrency;
  }

  set concurrency(value: number) {
    checkConcurrency('Cannot set limiter concurrency', value);
    this.#concurrency = value;
    this.fill();
  }

  call(
    fn: (...args: unknown[]) => unknown,
    args: unknown[],
    boundary: CallableFunction,
  ): Task<unknown> {
    if (typeof fn !== 'function') {
      const error = new TypeError(`limit: 'fn' must be a function, received ${show(fn)}`);
      return createTaskAt(
        () => {
          throw error;
        },
        undefined,
        boundary,
      );
    }
    // p-limit's usual call passes no arguments: then the function itself is the task's body.
    const body = args.length === 0 ? fn : () => fn(...args);
    if (this.#active < this.#concurrency) {
      this.#active++;
      const task = createTaskAt(body, undefined, boundary);
      task[LISTEN](this.#release);
      return task;
    }
    const task = createDeferredTask(body, boundary, this);
    this.#queue.push(task);
    this.#pending++;
    return task;
  }

  /** Hands free slots to queued calls, first come first served. */
  fill(): void {
    while (this.#active < this.#concurrency && this.#pending > 0) {
      const task = this.#queue.shift() as Task<unknown>;
      if (!task[DEFERRED]) continue; // cancelled while queued
      this.#pending--;
      this.#active++;
      task[LISTEN](this.#release);
      task[LAUNCH]();
    }
  }

  /** A queued call was cancelled: it leaves the count now, the queue when it reaches the front. */
  dropped(): void {
    if (--this.#pending === 0) this.#queue.clear();
  }

  clearQueue(): void {
    for (let task = this.#queue.shift(); task !== undefined; task = this.#queue.shift()) {
      if (task[DEFERRED]) task.cancel('The limiter queue was cleared');
    }
  }

  toString(): string {
    const pending = this.#pending > 0 ? `, pending:${String(this.#pending)}` : '';
    return `<limiter [active:${String(this.#active)}/${String(this.#concurrency)}${pending}]>`;
  }
}

/**
 * Limits how many calls run at once: a drop-in for p-limit's `pLimit(concurrency)` built like
 * asyncio's `Semaphore` around each call.
 *
 * `limit(fn, ...args)` runs `fn(...args)` as soon as fewer than `concurrency` calls are running,
 * in call order, and returns its {@link Task}: await it like p-limit's promise, or `cancel()` it
 * to remove a queued call (its `fn` never runs, the others keep their order) or to cancel a
 * running one (asyncio's task cancellation). A slot is held from the call (or hand-off) until the
 * task ends, however it ends, so no cancellation or error ever leaks one. `clearQueue()` ends the
 * queued calls' tasks cancelled, where p-limit leaves their promises pending forever: an awaiter
 * gets a `CancelledError` instead of hanging. `fn` runs inside its own task, so `currentTask()`
 * is that task and corio awaits in `fn` are cancellation points of that call.
 *
 * Do not call the same `limit` from inside a call it limits and wait for it: with every slot
 * taken by such callers, the inner calls never run.
 *
 * @param concurrency - how many calls may run at once: an integer from 1 up, or `Infinity`; or
 * `{ concurrency }`.
 * @returns the `limit` function, with `activeCount`, `pendingCount`, `concurrency`,
 * `clearQueue()` and `map()`.
 * @throws `TypeError` if `concurrency` is not a number; `RangeError` if it is below 1 or not an
 * integer (`Infinity` is allowed).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { CancelledError, limiter, sleep } from '@corio/core';
 *
 * const limit = limiter(2);
 * let running = 0;
 * let most = 0;
 * const fetchPage = async (page: number): Promise<string> => {
 *   most = Math.max(most, ++running);
 *   await sleep(1);
 *   running--;
 *   return `page ${String(page)}`;
 * };
 * const calls = [1, 2, 3, 4].map((page) => limit(fetchPage, page));
 * assert.equal(limit.activeCount, 2);
 * assert.equal(limit.pendingCount, 2);
 * calls[3]?.cancel(); // a queued call: it leaves the queue and never runs
 * assert.equal(limit.pendingCount, 1);
 * assert.deepEqual(await Promise.all(calls.slice(0, 3)), [
 *   'page 1',
 *   'page 2',
 *   'page 3',
 * ]);
 * await assert.rejects(calls[3] ?? [], CancelledError);
 * assert.equal(most, 2);
 * assert.deepEqual(await limit.map([5, 6], fetchPage), [
 *   'page 5',
 *   'page 6',
 * ]);
 * ```
 */
export function limiter(concurrency: number | LimiterOptions): LimitFunction {
  const given: unknown = concurrency;
  const value =
    typeof given === 'object' && given !== null
      ? (given as { concurrency?: unknown }).concurrency
      : given;
  checkConcurrency('Cannot create limiter', value);
  const state = new Limiter(value);
  const limit = (fn: (...args: unknown[]) => unknown, ...args: unknown[]): Task<unknown> =>
    state.call(fn, args, limit);
  const describe = (): string => state.toString();
  Object.defineProperties(limit, {
    activeCount: { get: () => state.activeCount },
    pendingCount: { get: () => state.pendingCount },
    concurrency: {
      get: () => state.concurrency,
      set: (next: number) => {
        state.concurrency = next;
      },
    },
    clearQueue: {
      value: () => {
        state.clearQueue();
      },
    },
    map: { value: map },
    toString: { value: describe },
    [inspectSymbol]: { value: describe },
  });
  function map(
    iterable: Iterable<unknown>,
    fn: (item: unknown, index: number) => unknown,
  ): Future<unknown[]> {
    const tasks: Task<unknown>[] = [];
    try {
      let index = 0;
      for (const item of iterable) tasks.push(state.call(fn as never, [item, index++], map));
    } catch (error) {
      // The calls already made still run; nobody will look at their errors but this.
      for (const task of tasks) task.addDoneCallback(retrieve);
      return gather([
        () => {
          throw error;
        },
      ]);
    }
    return gather(tasks);
  }
  return limit as unknown as LimitFunction;
}

function retrieve(task: Future<unknown>): void {
  if (!task.cancelled()) task.exception();
}
