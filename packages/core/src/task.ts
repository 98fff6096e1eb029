import { CancelledError, InvalidStateError, isCancelledError } from './errors.js';
import { Future } from './future.js';
import { taskStorage } from './internal/current.js';
import { callSite, debugMode } from './internal/debug.js';
import { SLOW_STEP_MS, reportSlowStep } from './internal/slow-monitor.js';
import { NEXT, PREV, register, unregister } from './internal/task-registry.js';
import type { Registered } from './internal/task-registry.js';
import {
  ADD_WAITER,
  CANCEL_ARRIVED,
  IS_CANCELLATION,
  CANCEL_NOW,
  NO_CANCEL,
  REMOVE_WAITER,
  START,
  TAKE_CANCEL,
} from './internal/symbols.js';
import { AbortState } from './internal/abort-state.js';
import type { Interruptible } from './internal/wait.js';

type Waiter = Interruptible;

let taskCounter = 0;
// Debug mode only: where each task was created. Kept out of the task so a task costs no more
// outside debug mode.
const creationSites = new WeakMap<Task<unknown>, string>();

/**
 * A future that runs a function as a concurrent unit of work (asyncio's `Task`).
 *
 * Tasks are made by {@link createTask} (or `TaskGroup.createTask`), never with `new`. A task can
 * be cancelled: `cancel()` rejects the corio await it is suspended at with `CancelledError`, or,
 * if it is running other code, aborts `task.signal` and makes its next corio await throw.
 *
 * @typeParam T - the type of the result.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { createTask, sleep } from '@corio/core';
 *
 * const task = createTask(async () => {
 *   await sleep(10);
 *   return 'done';
 * }, { name: 'worker' });
 * assert.equal(task.name, 'worker');
 * assert.equal(await task, 'done');
 * ```
 */
export class Task<T> extends Future<T> {
  // #fn is set until the task starts; a cancel requested before then means it never runs.
  #fn: (() => T | PromiseLike<T>) | undefined;
  // The name is made from the id only when asked for.
  #name: string | number;
  // Made by the first cancel() or the first look at `signal`: most tasks never need it.
  #abort: AbortState | undefined = undefined;
  #cancelRequests = 0;
  // A requested cancellation not yet delivered at a cancellation point, with its message.
  #pendingCancel: string | undefined | typeof NO_CANCEL = NO_CANCEL;
  // A cancellation was handed to the waits the task is suspended in and has not reached the
  // task's code yet: a second cancel() meanwhile is the same cancellation (asyncio delivers one).
  #cancelInFlight = false;
  #waiters: Waiter | Waiter[] | undefined = undefined;
  /** @internal Links in the list of pending tasks. */
  [PREV]: Registered | undefined = undefined;
  /** @internal */
  [NEXT]: Registered | undefined = undefined;

  /** @internal Use {@link createTask}. */
  constructor(fn: () => T | PromiseLike<T>, name: string | undefined) {
    super();
    this.#fn = fn;
    this.#name = name ?? ++taskCounter;
    if (debugMode.enabled) creationSites.set(this, callSite());
    register(this);
  }

  /** The task's name (settable). */
  get name(): string {
    if (typeof this.#name === 'number') this.#name = `Task-${String(this.#name)}`;
    return this.#name;
  }

  set name(value: string) {
    this.#name = value;
  }

  /**
   * Aborted, with the task's `CancelledError` as its reason, as soon as cancellation is
   * requested. Pass it to APIs that take a signal (`fetch`, `fs`, `timers/promises`). It stays
   * aborted after a cancellation that was caught. Once every request is withdrawn with
   * `uncancel()` (as a timeout scope does after its own expiry), `signal` is a fresh one, so the
   * task's later work is not aborted by a timeout it already handled.
   */
  get signal(): AbortSignal {
    const abort = (this.#abort ??= new AbortState());
    if (abort.controller === undefined) {
      abort.controller = new AbortController();
      if (abort.requested) abort.controller.abort(abort.reason());
    }
    return abort.controller.signal;
  }

  /** Where the task was created, in debug mode. */
  get createdAt(): string | undefined {
    return creationSites.get(this);
  }

  /**
   * Requests cancellation (asyncio's `Task.cancel`). If the task is suspended at a corio await,
   * that await throws `CancelledError` at once and whatever it awaited is cancelled too;
   * otherwise `signal` aborts and the next corio await throws. A task cancelled before it starts
   * never runs.
   *
   * @returns false if the task is already done.
   */
  override cancel(message?: string): boolean {
    if (this.done()) return false;
    this.#cancelRequests++;
    const abort = (this.#abort ??= new AbortState());
    if (!abort.requested) {
      abort.requested = true;
      abort.message = message;
      abort.controller?.abort(abort.reason());
    }
    const waiters = this.#waiters;
    if (waiters !== undefined) {
      this.#waiters = undefined;
      if (Array.isArray(waiters)) for (const waiter of waiters) waiter.interrupt(message);
      else waiters.interrupt(message);
      this.#cancelInFlight = true;
    } else if (!this.#cancelInFlight) {
      this.#pendingCancel = message;
    }
    return true;
  }

  /** How many cancellation requests are outstanding (asyncio's `Task.cancelling`). */
  cancelling(): number {
    return this.#cancelRequests;
  }

  /**
   * Withdraws one cancellation request (asyncio's `Task.uncancel`); at zero a cancellation not
   * yet delivered is dropped.
   *
   * @returns the remaining count.
   */
  uncancel(): number {
    if (this.#cancelRequests > 0) {
      this.#cancelRequests--;
      if (this.#cancelRequests === 0) {
        this.#pendingCancel = NO_CANCEL;
        this.#abort?.renew();
      }
    }
    return this.#cancelRequests;
  }

  /** @throws `InvalidStateError`: a task's result comes from its function. */
  override setResult(_value: T): void {
    throw new InvalidStateError(
      `Cannot call setResult() on ${this.toString()}: a task sets its own result`,
    );
  }

  /** @throws `InvalidStateError`: a task's error comes from its function. */
  override setException(_error: unknown): void {
    throw new InvalidStateError(
      `Cannot call setException() on ${this.toString()}: a task sets its own error`,
    );
  }

  /** @internal */
  protected override describeFields(): string {
    const state = !this.done() && this.#cancelRequests > 0 ? ' cancelling' : super.describeFields();
    const site = this.createdAt;
    const where = site === undefined ? '' : ` created at ${site}`;
    return ` name=${this.name}${state}${where}`;
  }

  /** @internal */
  [TAKE_CANCEL](): string | undefined | typeof NO_CANCEL {
    const message = this.#pendingCancel;
    this.#pendingCancel = NO_CANCEL;
    return message;
  }

  /** @internal */
  [ADD_WAITER](waiter: Waiter): void {
    const waiters = this.#waiters;
    if (waiters === undefined) this.#waiters = waiter;
    else if (Array.isArray(waiters)) {
      if (!waiters.includes(waiter)) waiters.push(waiter);
    } else if (waiters !== waiter) this.#waiters = [waiters, waiter];
  }

  /** @internal */
  [REMOVE_WAITER](waiter: Waiter): void {
    // A wait that ends means the task is about to resume.
    this.#cancelInFlight = false;
    const waiters = this.#waiters;
    if (waiters === waiter) this.#waiters = undefined;
    else if (Array.isArray(waiters)) {
      const index = waiters.indexOf(waiter);
      if (index !== -1) waiters.splice(index, 1);
      if (waiters.length === 0) this.#waiters = undefined;
    }
  }

  /** @internal The cancellation handed to a wait has reached the task's code. */
  [CANCEL_ARRIVED](): void {
    this.#cancelInFlight = false;
  }

  /**
   * @internal Whether `error` is this task's cancellation: a CancelledError, or an error caused
   * by the abort of `task.signal`.
   */
  [IS_CANCELLATION](error: unknown): boolean {
    return isCancelledError(error) || this.#abort?.hasReason(error) === true;
  }

  /** @internal */
  [START](): void {
    const pending = this[TAKE_CANCEL]();
    if (pending !== NO_CANCEL) {
      this.#fn = undefined;
      this.#finishCancelled(new CancelledError(pending));
      return;
    }
    // This runs in its own microtask, in the creator's context (see task-registry.ts, which
    // undoes the enter where the context would leak out of it); entering costs half of `run`.
    taskStorage.enterWith(this);
    const fn = this.#fn as () => unknown;
    this.#fn = undefined;
    let value: unknown;
    try {
      value = debugMode.enabled ? timed(this, fn) : fn();
    } catch (error) {
      this.#finishError(error);
      return;
    }
    if (!isThenable(value)) {
      this.#finishValue(value);
      return;
    }
    if (value === this) {
      this.#finishError(new InvalidStateError(`${this.toString()} cannot await itself`));
      return;
    }
    // The handlers are shared, not per-task closures: the reaction runs in the task's context,
    // so the task is found with getStore(). A Future goes through Promise.resolve, which awaits
    // it from inside the task (a cancellation point that propagates the cancel).
    void (value instanceof Promise ? value : Promise.resolve(value)).then(
      Task.#onFulfilled,
      Task.#onRejected,
    );
  }

  static readonly #onFulfilled = (value: unknown): void => {
    (taskStorage.getStore() as Task<unknown>).#finishValue(value);
  };

  static readonly #onRejected = (error: unknown): void => {
    (taskStorage.getStore() as Task<unknown>).#finishError(error);
  };

  #finishValue(value: unknown): void {
    const pending = this[TAKE_CANCEL]();
    if (pending !== NO_CANCEL) {
      // Cancelled while running code that then returned without reaching a cancellation point:
      // the task ends cancelled, as in asyncio.
      this.#finishCancelled(new CancelledError(pending));
      return;
    }
    unregister(this);
    this.#waiters = undefined;
    super.setResult(value as T);
  }

  #finishError(error: unknown): void {
    if (isCancelledError(error)) this.#finishCancelled(error);
    else if (this.#abort?.hasReason(error) === true) {
      this.#finishCancelled(new CancelledError(this.#abort.message, { cause: error }));
    } else {
      unregister(this);
      this.#waiters = undefined;
      super.setException(error);
    }
  }

  #finishCancelled(error: CancelledError): void {
    unregister(this);
    this.#waiters = undefined;
    this[CANCEL_NOW](error);
  }
}

function timed(task: Task<unknown>, fn: () => unknown): unknown {
  const start = performance.now();
  try {
    return fn();
  } finally {
    const elapsed = performance.now() - start;
    if (elapsed >= SLOW_STEP_MS) reportSlowStep(task.toString(), elapsed);
  }
}

/** Whether `value` has a `then` method (a promise, a future, any thenable). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
