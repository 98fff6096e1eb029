import { CancelledError } from '../errors.js';
import type { Task } from '../task.js';
import { ADD_WAITER, NO_CANCEL, REMOVE_WAITER, TAKE_CANCEL } from './symbols.js';

/** A cancellation on its way into a suspended task; turned into a CancelledError by mapCancel. */
class CancelDelivery {
  constructor(readonly message: string | undefined) {}
}

// The CancelledError is built here, in a promise reaction chained straight to the awaiting async
// function, so V8's async stack trace names the `await` where the task was suspended rather than
// only the code that called `cancel()`.
function mapCancel(reason: unknown): never {
  if (reason instanceof CancelDelivery) {
    const error = new CancelledError(reason.message);
    Error.captureStackTrace(error, mapCancel);
    throw error;
  }
  throw reason;
}

/**
 * One suspension of a task (or of a caller with an AbortSignal) at a corio cancellation point.
 *
 * `promise` is what the caller awaits. The wait ends exactly once: by `resolve`/`reject` from
 * the primitive, by the task's cancellation (`interrupt`), or by the signal's abort. Subclasses
 * undo their side effects in `stop()`, which runs only for the last two.
 */
export class Wait<T> {
  readonly promise: Promise<T>;
  #resolve!: (value: unknown) => void;
  #reject!: (reason: unknown) => void;
  readonly #task: Task<unknown> | undefined;
  readonly #signal: AbortSignal | undefined;
  #active = true;

  constructor(task: Task<unknown> | undefined, signal: AbortSignal | undefined) {
    this.#task = task;
    this.#signal = signal;
    this.promise = new Promise<T>((resolve, reject) => {
      this.#resolve = resolve as (value: unknown) => void;
      this.#reject = reject;
    }).then(undefined, mapCancel);
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
        this.#active = false;
        this.#reject(signal.reason);
        return false;
      }
      signal.addEventListener('abort', this);
    }
    const task = this.#task;
    if (task !== undefined) {
      const message = task[TAKE_CANCEL]();
      if (message !== NO_CANCEL) {
        this.interrupt(message);
        return this.#active;
      }
      task[ADD_WAITER](this);
    }
    return true;
  }

  /** Whether the wait has not ended yet. */
  get active(): boolean {
    return this.#active;
  }

  resolve(value: T | PromiseLike<T>): void {
    if (!this.#active) return;
    this.#end();
    this.#resolve(value);
  }

  reject(reason: unknown): void {
    if (!this.#active) return;
    this.#end();
    this.#reject(reason);
  }

  /** Delivers the task's cancellation. Called by `Task.cancel()` or by `begin()`. */
  interrupt(message: string | undefined): void {
    if (!this.#active) return;
    if (this.onCancel(message)) {
      this.#task?.[ADD_WAITER](this);
      return;
    }
    this.#end();
    this.stop();
    this.#reject(new CancelDelivery(message));
  }

  /** The signal's abort: an EventListener object, so no closure is allocated per wait. */
  handleEvent(): void {
    if (!this.#active) return;
    this.#end();
    this.stop();
    this.#reject(this.#signal?.reason);
  }

  /** Ends the wait with the task's cancellation, as if `interrupt` had decided to stop. */
  protected rejectCancelled(message: string | undefined): void {
    if (!this.#active) return;
    this.#end();
    this.#reject(new CancelDelivery(message));
  }

  /**
   * Reacts to the task's cancellation. Returning true keeps the wait pending (its owner settles
   * it later, e.g. once the work it cancelled has really finished).
   */
  protected onCancel(_message: string | undefined): boolean {
    return false;
  }

  /** Undoes the wait's side effects when it ends by cancellation or abort. */
  protected stop(): void {
    // Nothing to undo by default.
  }

  #end(): void {
    this.#active = false;
    this.#task?.[REMOVE_WAITER](this);
    this.#signal?.removeEventListener('abort', this);
  }
}
