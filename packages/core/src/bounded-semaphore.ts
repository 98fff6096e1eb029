import { Semaphore } from './semaphore.js';

/**
 * A semaphore that refuses to be released more often than it was acquired (asyncio's
 * `BoundedSemaphore`): a `release()` that would raise its value above the initial value throws
 * `RangeError` and changes nothing. It catches the bug of a permit given back twice.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { BoundedSemaphore } from '@corio/core';
 *
 * const sem = new BoundedSemaphore(1);
 * await sem.acquire();
 * sem.release();
 * assert.throws(() => sem.release(), RangeError);
 * assert.equal(sem.value, 1);
 * ```
 */
export class BoundedSemaphore extends Semaphore {
  // value <= #bound: every permit out was taken by an acquire().
  readonly #bound: number;

  /**
   * @param value - the number of permits, and the most `value` can ever be.
   * @throws `RangeError` if `value` is not a non-negative integer.
   */
  constructor(value = 1) {
    super(value);
    this.#bound = value;
  }

  /**
   * Gives a permit back: to the first waiter if there is one, else to the counter.
   *
   * @throws `RangeError` if every permit is already in (a release without an acquire).
   */
  override release(): void {
    if (this.value >= this.#bound) {
      throw new RangeError(
        `Cannot call release() on ${this.toString()}: 'value' would rise to ${String(this.value + 1)}, above its initial value ${String(this.#bound)}`,
      );
    }
    super.release();
  }
}
