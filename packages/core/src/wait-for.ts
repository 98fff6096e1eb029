import type { Future } from './future.js';
import { DESCRIBE } from './internal/protocol.js';
import { LISTEN, RETRIEVE, UNLISTEN } from './internal/symbols.js';
import type { Awaitable } from './awaitable.js';
import { toFuture } from './internal/to-future.js';
import { checkOptionalDuration } from './internal/validate.js';
import { Wait } from './internal/wait.js';
import { settleWaitFrom } from './internal/settle-wait.js';
import type { SignalOptions } from './suspend.js';
import { timeout } from './timeout.js';

// Unlike a plain await, a cancellation does not end this wait at once: it cancels the inner
// future and waits until that has really finished, as asyncio's wait_for does. If the inner work
// swallows the cancellation and returns a value, that value is returned (GH-86296).
class WaitUntilFinished<T> extends Wait<T> {
  readonly #inner: Future<T>;
  #cancelMessage: string | undefined;
  #cancelDelivered = false;
  readonly #listener = (): void => {
    if (this.#inner.cancelled() && this.#cancelDelivered) {
      this.#inner[RETRIEVE]();
      this.rejectCancelled(this.#cancelMessage);
    } else {
      settleWaitFrom(this, this.#inner);
    }
  };

  /** @internal `waitFor <Task name=fetch pending>`. */
  override [DESCRIBE](): string {
    return `waitFor ${this.#inner.toString()}`;
  }

  constructor(inner: Future<T>, signal: AbortSignal | undefined) {
    super(signal);
    this.#inner = inner;
  }

  arm(): Promise<T> {
    if (this.begin()) this.#inner[LISTEN](this.#listener);
    return this.promise;
  }

  protected override keepWaiting(message: string | undefined): boolean {
    this.#cancelDelivered = true;
    this.#cancelMessage = message;
    this.#inner.cancel(message);
    return true;
  }

  protected override stop(): void {
    // Only an abort gets here: the inner work is cancelled and left to finish on its own.
    this.#inner[UNLISTEN](this.#listener);
    this.#inner.cancel();
  }
}

/**
 * Waits for `aw` with a time limit (asyncio's `wait_for`): at the deadline `aw` is cancelled,
 * and once it has really finished, `TimeoutError` is thrown. `null` waits without limit. A
 * deadline already passed (`ms <= 0`) expires once the code running now has settled, before any
 * timer: an `aw` that is already done, or finishes first, keeps its value (an item got, a lock
 * taken is never lost); otherwise it is cancelled and `TimeoutError` is thrown. The deadline
 * cancels only this wait: in a request handler, it times out that request, never the task that
 * started the server.
 *
 * If the task calling `waitFor` is cancelled, `aw` is cancelled too and waited for, then
 * `CancelledError` is thrown. If `aw` swallows its cancellation and returns a value, that value
 * is returned, as in asyncio.
 *
 * @typeParam T - the result type.
 * @param aw - a task, future, promise or function (started as a task).
 * @param ms - the time limit in milliseconds, or `null`.
 * @param options - see {@link SignalOptions}.
 * @throws `TimeoutError` at the deadline; `RangeError` (as a rejection) for a NaN `ms`;
 * `TypeError` for a non-awaitable.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { TimeoutError, createTask, sleep, waitFor } from '@corio/core';
 *
 * assert.equal(await waitFor(sleep(1, 'ok'), 1_000), 'ok');
 *
 * const slow = createTask(() => sleep(1_000));
 * await assert.rejects(waitFor(slow, 5), TimeoutError);
 * assert.equal(slow.cancelled(), true);
 * ```
 */
export async function waitFor<T>(
  aw: Awaitable<T>,
  ms: number | null,
  options?: SignalOptions,
): Promise<T> {
  checkOptionalDuration('waitFor', 'ms', ms);
  const inner = toFuture(aw, 'waitFor', 'aw', waitFor);
  const signal = options?.signal;
  // Even without a deadline, a cancel waits for `inner` to finish (a plain await would not).
  if (ms === null) return await new WaitUntilFinished(inner, signal).arm();
  return timeout(ms, () => new WaitUntilFinished(inner, signal).arm());
}
