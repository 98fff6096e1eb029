import { CancelledError, InvalidStateError, TimeoutError, isCancelledError } from './errors.js';
import { inspectSymbol } from './internal/inspect.js';
import { IS_CANCELLATION } from './internal/symbols.js';
import { Timer } from './internal/timer.js';
import { checkDuration, show } from './internal/validate.js';
import { now } from './now.js';
import type { Task } from './task.js';

const ENTER = Symbol('enter');
const EXIT = Symbol('exit');
export { ENTER as ENTER_SCOPE, EXIT as EXIT_SCOPE };

type ScopeState = 'created' | 'active' | 'expiring' | 'expired' | 'exited';

/**
 * The deadline of a running {@link timeout} or {@link timeoutAt} body (asyncio's `Timeout`).
 *
 * At the deadline the task running the body is cancelled; when the resulting `CancelledError`
 * leaves the body, it becomes a `TimeoutError`. Cancellation counts (`task.cancelling()`) tell
 * this scope's expiry apart from an outer scope's or from a cancel from outside, so only its own
 * expiry is converted.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { now, sleep, timeout } from '@corio/core';
 *
 * const value = await timeout(null, async (scope) => {
 *   scope.reschedule(now() + 60_000); // a deadline, decided once inside
 *   assert.ok((scope.when() ?? 0) > now());
 *   await sleep(1);
 *   assert.equal(scope.expired(), false);
 *   return 'in time';
 * });
 * assert.equal(value, 'in time');
 * ```
 */
export class TimeoutScope {
  // #timer is set exactly while the state is 'active' with a deadline in the future.
  #when: number | null;
  #state: ScopeState = 'created';
  #task: Task<unknown> | undefined = undefined;
  #cancellingAtEntry = 0;
  #timer: Timer | undefined = undefined;

  /** @internal Use {@link timeout} or {@link timeoutAt}. */
  constructor(when: number | null) {
    this.#when = when;
  }

  /** The deadline on the {@link now} clock, or `null` for none. */
  when(): number | null {
    return this.#when;
  }

  /**
   * Moves the deadline (`null` removes it). A deadline already passed expires the scope at once.
   *
   * @throws `InvalidStateError` once the body has finished or the scope has expired.
   */
  reschedule(when: number | null): void {
    if (when !== null) checkDuration('TimeoutScope.reschedule', 'when', when);
    if (this.#state !== 'active' && this.#state !== 'created') {
      throw new InvalidStateError(`Cannot reschedule ${this.toString()}: it is ${this.#state}`);
    }
    this.#when = when;
    if (this.#state === 'active') this.#arm();
  }

  /** Whether the deadline passed and the scope cancelled its task. */
  expired(): boolean {
    return this.#state === 'expiring' || this.#state === 'expired';
  }

  /** Renders the state: `<TimeoutScope active when=1234.5>`. */
  toString(): string {
    const when = this.#when === null ? 'none' : this.#when.toFixed(1);
    return `<TimeoutScope ${this.#state} when=${when}>`;
  }

  /** @internal */
  [inspectSymbol](): string {
    return this.toString();
  }

  /** @internal Starts the deadline for `task`. */
  [ENTER](task: Task<unknown>): void {
    this.#task = task;
    this.#cancellingAtEntry = task.cancelling();
    this.#state = 'active';
    this.#arm();
  }

  /**
   * @internal Ends the scope. Returns the error to throw instead of `error` (a TimeoutError when
   * this scope's expiry caused it), or `error` itself.
   */
  [EXIT](failed: boolean, error: unknown): unknown {
    this.#timer?.clear();
    this.#timer = undefined;
    if (this.#state !== 'expiring') {
      this.#state = 'exited';
      return error;
    }
    this.#state = 'expired';
    const task = this.#task;
    if (task === undefined || task.uncancel() > this.#cancellingAtEntry || !failed) return error;
    if (isCancelledError(error)) {
      return new TimeoutError(`Timed out: the deadline passed`, { cause: error });
    }
    // A signal-taking API (`events.once`, `timers/promises`) rejects with an AbortError whose
    // cause is the task's signal reason: that too is this scope's expiry, not a failure. The
    // TimeoutError gets a new cause: one chained to the signal's reason would still end the task
    // cancelled.
    if (task[IS_CANCELLATION](error)) {
      return new TimeoutError(`Timed out: the deadline passed`, { cause: new CancelledError() });
    }
    return error;
  }

  #arm(): void {
    this.#timer?.clear();
    this.#timer = undefined;
    const when = this.#when;
    if (when === null) return;
    const delay = when - now();
    if (delay <= 0) {
      this.#expire();
      return;
    }
    this.#timer = new Timer(delay, () => {
      this.#timer = undefined;
      this.#expire();
    });
  }

  #expire(): void {
    this.#state = 'expiring';
    this.#task?.cancel();
  }
}

/** Checks the `body` argument of timeout functions. */
export function checkBody(where: string, body: unknown): void {
  if (typeof body !== 'function') {
    throw new TypeError(`${where}: 'body' must be a function, received ${show(body)}`);
  }
}
