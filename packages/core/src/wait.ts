import { Future } from './future.js';
import { FAILED, LISTEN, UNLISTEN } from './internal/symbols.js';
import { Timer } from './internal/timer.js';
import { checkDuration, isIterable, show } from './internal/validate.js';
import { DESCRIBE, withWork } from './internal/protocol.js';
import { Wait } from './internal/wait.js';
import type { SignalOptions } from './suspend.js';

/** `wait()` returns when any future finishes or is cancelled. */
export const FIRST_COMPLETED = 'FIRST_COMPLETED';
/** `wait()` returns when any future fails with an error, or when all have finished. */
export const FIRST_EXCEPTION = 'FIRST_EXCEPTION';
/** `wait()` returns when every future has finished. */
export const ALL_COMPLETED = 'ALL_COMPLETED';

/** When {@link wait} returns. */
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

/** Options for {@link wait}. */
export interface WaitOptions extends SignalOptions {
  /**
   * Return after this many milliseconds even if the condition is not met (no error is thrown).
   * @default undefined (no limit)
   */
  timeout?: number | null | undefined;
  /**
   * When to return.
   * @default ALL_COMPLETED
   */
  returnWhen?: ReturnWhen | undefined;
}

/** The futures that are done and those still pending when {@link wait} returned. */
export interface WaitResult<F> {
  done: Set<F>;
  pending: Set<F>;
}

class WaitAll<F extends Future<unknown>> extends Wait<WaitResult<F>> {
  readonly #futures: readonly F[];
  readonly #returnWhen: ReturnWhen;
  readonly #listener = (future: Future<unknown>): void => {
    this.#onDone(future);
  };
  #remaining: number;
  #timer: Timer | undefined;

  constructor(futures: readonly F[], returnWhen: ReturnWhen, signal: AbortSignal | undefined) {
    super(signal);
    this.#futures = futures;
    this.#returnWhen = returnWhen;
    this.#remaining = new Set(futures).size;
  }

  arm(timeout: number | null | undefined): Promise<WaitResult<F>> {
    if (!this.begin()) return this.promise;
    const unique = new Set(this.#futures);
    for (const future of unique) {
      future[LISTEN](this.#listener);
      if (!this.active) return this.promise;
    }
    if (timeout !== undefined && timeout !== null) {
      this.#timer = new Timer(timeout, () => {
        this.#finish();
      });
    }
    return this.promise;
  }

  protected override stop(): void {
    this.#timer?.clear();
    for (const future of this.#futures) future[UNLISTEN](this.#listener);
  }

  #onDone(future: Future<unknown>): void {
    this.#remaining--;
    if (
      this.#remaining === 0 ||
      this.#returnWhen === FIRST_COMPLETED ||
      (this.#returnWhen === FIRST_EXCEPTION && future[FAILED]())
    ) {
      this.#finish();
    }
  }

  /** @internal `wait FIRST_COMPLETED: 2 of 3 pending`. */
  override [DESCRIBE](): string {
    const total = new Set(this.#futures).size;
    return `wait ${this.#returnWhen}: ${String(this.#remaining)} of ${String(total)} pending`;
  }

  #finish(): void {
    if (!this.active) return;
    this.stop();
    const done = new Set<F>();
    const pending = new Set<F>();
    for (const future of this.#futures) (future.done() ? done : pending).add(future);
    this.resolve({ done, pending });
  }
}

/**
 * Waits for tasks and futures until a condition is met (asyncio's `wait`): all done
 * (`ALL_COMPLETED`, the default), the first done (`FIRST_COMPLETED`), or the first error
 * (`FIRST_EXCEPTION`). It never cancels anything and never throws on timeout: it returns the
 * `done` and `pending` sets.
 *
 * @typeParam F - the type of the futures.
 * @param aws - tasks and futures (not promises or functions: their identity is what you get back).
 * @param options - see {@link WaitOptions}.
 * @throws `TypeError` (as a rejection) for anything but a Task/Future; `RangeError` for an
 * empty set or a NaN timeout.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { FIRST_COMPLETED, createTask, sleep, wait } from '@corio/core';
 *
 * const fast = createTask(() => sleep(1, 'fast'));
 * const slow = createTask(() => sleep(1_000, 'slow'));
 * const { done, pending } = await wait([fast, slow], {
 *   returnWhen: FIRST_COMPLETED,
 * });
 * assert.ok(done.has(fast) && pending.has(slow));
 * slow.cancel();
 * ```
 */
export function wait<F extends Future<unknown>>(
  aws: Iterable<F>,
  options?: WaitOptions,
): Promise<WaitResult<F>> {
  let futures: F[];
  const returnWhen: unknown = options?.returnWhen ?? ALL_COMPLETED;
  const timeout = options?.timeout;
  try {
    if (!isIterable(aws)) {
      throw new TypeError(
        `wait: 'aws' must be an iterable of tasks or futures, received ${show(aws)}`,
      );
    }
    futures = Array.from(aws);
    futures.forEach((future, index) => {
      if (!((future as unknown) instanceof Future)) {
        throw new TypeError(
          `wait: 'aws[${String(index)}]' must be a Task or Future (wrap promises with createTask), received ${show(future)}`,
        );
      }
    });
    if (futures.length === 0) throw new RangeError(`wait: 'aws' must not be empty`);
    if (
      returnWhen !== FIRST_COMPLETED &&
      returnWhen !== FIRST_EXCEPTION &&
      returnWhen !== ALL_COMPLETED
    ) {
      throw new RangeError(
        `wait: 'options.returnWhen' must be FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED, received ${show(returnWhen)}`,
      );
    }
    if (timeout !== undefined && timeout !== null)
      checkDuration('wait', 'options.timeout', timeout);
  } catch (error) {
    return Promise.reject(error);
  }
  const waiting = new WaitAll(futures, returnWhen, options?.signal);
  return withWork(waiting.arm(timeout), waiting);
}
