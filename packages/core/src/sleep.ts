import { runningTask } from './internal/current.js';
import { Timer } from './internal/timer.js';
import { checkDuration } from './internal/validate.js';
import { Wait } from './internal/wait.js';

/** Options for {@link sleep}. */
export interface SleepOptions {
  /**
   * Ends the sleep early, rejecting with the signal's reason.
   * @default undefined
   */
  signal?: AbortSignal | undefined;
}

class SleepWait<T> extends Wait<T> {
  #timer: Timer | undefined;

  arm(ms: number, value: T): Promise<T> {
    if (this.begin()) {
      this.#timer = new Timer(ms, () => {
        this.resolve(value);
      });
    }
    return this.promise;
  }

  protected override stop(): void {
    this.#timer?.clear();
  }
}

/**
 * Resolves with `value` after `ms` milliseconds (asyncio's `sleep`).
 *
 * Inside a task it is a cancellation point: cancelling the task rejects it at once with
 * `CancelledError` and clears the timer. `sleep(0)` (or any `ms <= 0`) yields for one turn of
 * the event loop (a macrotask, via `setImmediate`), letting pending I/O callbacks run.
 *
 * @typeParam T - the type of the value.
 * @param ms - the delay in milliseconds; negative means no delay, as in asyncio.
 * @param value - the value to resolve with.
 * @param options - see {@link SleepOptions}.
 * @throws `RangeError` (as a rejection) if `ms` is NaN; `TypeError` if it is not a number.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { createTask, sleep, CancelledError } from '@corio/core';
 *
 * assert.equal(await sleep(5, 'slept'), 'slept');
 *
 * const task = createTask(() => sleep(60_000));
 * await sleep(0);
 * task.cancel();
 * await assert.rejects(task, CancelledError);
 * ```
 */
export function sleep(ms: number, value?: undefined, options?: SleepOptions): Promise<void>;
/** With a value: resolves with it. */
export function sleep<T>(ms: number, value: T, options?: SleepOptions): Promise<T>;
/** The implementation behind the overloads above. */
export function sleep<T>(ms: number, value?: T, options?: SleepOptions): Promise<T | undefined> {
  try {
    checkDuration('sleep', 'ms', ms);
  } catch (error) {
    return Promise.reject(error);
  }
  return new SleepWait<T | undefined>(runningTask(), options?.signal).arm(ms, value);
}
