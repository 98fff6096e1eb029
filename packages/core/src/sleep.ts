import { Timer } from './internal/timer.js';
import { checkDuration } from './internal/validate.js';
import { describeLeft } from './internal/describe.js';
import { DESCRIBE, withWork } from './internal/protocol.js';
import { Wait } from './internal/wait.js';
import type { SignalOptions } from './suspend.js';

class SleepWait<T> extends Wait<T> {
  #timer: Timer | undefined;

  arm(ms: number, value: T): Promise<T> {
    if (this.begin()) {
      this.#timer = new Timer(ms, () => {
        this.resolve(value);
      });
    }
    return withWork(this.promise, this);
  }

  protected override stop(): void {
    this.#timer?.clear();
  }

  /** @internal `sleep 1.2 s left`. */
  override [DESCRIBE](): string {
    const left = this.#timer?.remaining();
    if (left === undefined) return 'sleep';
    return left === Infinity ? 'sleep forever' : `sleep ${describeLeft(left)}`;
  }
}

/**
 * Resolves with `value` after `ms` milliseconds (asyncio's `sleep`).
 *
 * Inside a task it is a cancellation point: cancelling the task rejects it at once with
 * `CancelledError` and clears the timer. `sleep(0)` (or any `ms <= 0`) yields for one turn of
 * the event loop (a macrotask, via `setImmediate`), letting pending I/O callbacks run. Delays
 * longer than Node's timer limit (about 24.8 days) are honoured; `Infinity` never ends.
 *
 * @typeParam T - the type of the value.
 * @param ms - the delay in milliseconds; negative means no delay, as in asyncio.
 * @param value - the value to resolve with.
 * @param options - see {@link SignalOptions}.
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
export function sleep(ms: number, value?: undefined, options?: SignalOptions): Promise<void>;
/** With a value: resolves with it. */
export function sleep<T>(ms: number, value: T, options?: SignalOptions): Promise<T>;
/** The implementation behind the overloads above. */
export function sleep<T>(ms: number, value?: T, options?: SignalOptions): Promise<T | undefined> {
  try {
    checkDuration('sleep', 'ms', ms);
  } catch (error) {
    return Promise.reject(error);
  }
  return new SleepWait<T | undefined>(options?.signal).arm(ms, value);
}
