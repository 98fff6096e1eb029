import { CancelledError } from '../errors.js';
import type { Task } from '../task.js';
import { lastResolve, newPromise } from './deferred.js';
import { ADD_WAITER, CANCEL_ARRIVED, NO_CANCEL, REMOVE_WAITER, TAKE_CANCEL } from './symbols.js';

function rejected(reason: unknown): Promise<never> {
  return Promise.reject(reason);
}

function passThrough<T>(value: T): T {
  return value;
}

/**
 * A promise that rejects with a new `CancelledError` two microtasks from now.
 *
 * The wait's promise is resolved with it. By the time `throwCancelled` runs, the wait's promise
 * already follows this one, so the error is built in a reaction chained to the suspended `await`
 * and V8's async stack trace names the line where the task was suspended, not only the code
 * that called `cancel()`. Only cancellation pays for this; the normal path allocates nothing.
 */
export function cancellation(
  message: string | undefined,
  task: Task<unknown> | undefined,
): Promise<never> {
  const throwCancelled = (): never => {
    task?.[CANCEL_ARRIVED]();
    const error = new CancelledError(message);
    Error.captureStackTrace(error, throwCancelled);
    throw error;
  };
  return Promise.resolve().then(passThrough).then(throwCancelled);
}

/** What a task's `cancel()` interrupts: the waits it is suspended in. */
export interface Interruptible {
  interrupt(message: string | undefined): void;
}

/**
 * One suspension of a task (or of a caller with an AbortSignal) at a corio cancellation point.
 *
 * `promise` is what the caller awaits. The wait ends exactly once: by `resolve`/`reject` from
 * the primitive, by the task's cancellation (`interrupt`), or by the signal's abort. Subclasses
 * undo their side effects in `stop()`, which runs only for the last two.
 */
export class Wait<T> implements Interruptible {
  readonly promise: Promise<T>;
  // Set exactly while the wait is active. Only the resolve function is kept: a rejection is a
  // resolve with a rejected promise (rare paths), so the reject function dies young and a
  // waiter that sits in a queue for long costs less to the garbage collector.
  #resolve: ((value: unknown) => void) | undefined;
  readonly #task: Task<unknown> | undefined;
  readonly #signal: AbortSignal | undefined;

  constructor(task: Task<unknown> | undefined, signal: AbortSignal | undefined) {
    this.#task = task;
    this.#signal = signal;
    this.promise = newPromise<T>();
    this.#resolve = lastResolve;
  }

  /**
   * Registers the wait with its task and signal. Returns false when it ended at once: the signal
   * was already aborted, or a cancellation was pending for the task (delivered here, as asyncio
   * delivers a pending cancel at the next suspension).
   */
  begin(): boolean {
    const signal = this.#signal;
    if (signal !== undefined) {
      if (signal.aborted) {
        this.#finish()?.(rejected(signal.reason));
        return false;
      }
      signal.addEventListener('abort', this);
    }
    const task = this.#task;
    if (task !== undefined) {
      const message = task[TAKE_CANCEL]();
      if (message !== NO_CANCEL) {
        this.interrupt(message);
        return this.active;
      }
      task[ADD_WAITER](this);
    }
    return true;
  }

  /** The task suspended in this wait, if any. */
  protected get task(): Task<unknown> | undefined {
    return this.#task;
  }

  /** Whether the wait has not ended yet. */
  get active(): boolean {
    return this.#resolve !== undefined;
  }

  resolve(value: T | PromiseLike<T>): void {
    this.#finish()?.(value);
  }

  reject(reason: unknown): void {
    const settle = this.#finish();
    if (settle !== undefined) settle(rejected(reason));
  }

  /** Delivers the task's cancellation. Called by `Task.cancel()` or by `begin()`. */
  interrupt(message: string | undefined): void {
    if (this.#resolve === undefined) return;
    if (this.keepWaiting(message)) {
      // keepWaiting may have settled the wait already (the work it cancelled ended at once).
      if (this.active) this.#task?.[ADD_WAITER](this);
      return;
    }
    const settle = this.#finish();
    this.stop();
    settle?.(cancellation(message, this.#task));
    this.cancelled(message);
  }

  /** The signal's abort: an EventListener object, so no closure is allocated per wait. */
  handleEvent(): void {
    const settle = this.#finish();
    if (settle === undefined) return;
    this.stop();
    settle(rejected(this.#signal?.reason));
  }

  /** Ends the wait with the task's cancellation, as if `interrupt` had decided to stop. */
  protected rejectCancelled(message: string | undefined): void {
    const settle = this.#finish();
    if (settle !== undefined) settle(cancellation(message, this.#task));
  }

  /**
   * Reacts to the task's cancellation before the wait ends. Returning true keeps it pending: its
   * owner settles it later (e.g. once the work it cancelled has really finished).
   */
  protected keepWaiting(_message: string | undefined): boolean {
    return false;
  }

  /** Runs after the wait ended by the task's cancellation (e.g. to pass the cancel on). */
  protected cancelled(_message: string | undefined): void {
    // Nothing to pass on by default.
  }

  /** Undoes the wait's side effects when it ends by cancellation or abort. */
  protected stop(): void {
    // Nothing to undo by default.
  }

  /**
   * Ends the wait: unregisters it and hands back the function that settles its promise, or
   * undefined if it had already ended. Inactive from here on, so whatever the caller does next
   * (undoing side effects that wake listeners) cannot settle it a second way.
   */
  #finish(): ((value: unknown) => void) | undefined {
    const resolve = this.#resolve;
    if (resolve === undefined) return undefined;
    this.#resolve = undefined;
    this.#task?.[REMOVE_WAITER](this);
    this.#signal?.removeEventListener('abort', this);
    return resolve;
  }
}
