import { CancelledError, InvalidStateError, TimeoutError, isCancelledError } from './errors.js';
import { inspectSymbol } from './internal/inspect.js';
import { DESCRIBE, IS_CANCELLATION } from './internal/protocol.js';
import { describeLeft } from './internal/describe.js';
import type { ScopeNode } from './internal/scope-node.js';
import { Deadline, EXPIRE, schedule, unschedule } from './internal/deadlines.js';
import { checkDuration, show } from './internal/validate.js';
import { now } from './now.js';

const ENTER = Symbol('enter');
const EXIT = Symbol('exit');
const YIELD_DUE = Symbol('yieldDue');
export { ENTER as ENTER_SCOPE, EXIT as EXIT_SCOPE, YIELD_DUE };

type ScopeState = 'created' | 'active' | 'expiring' | 'expired' | 'exited';

/**
 * The deadline of a running {@link timeout} or {@link timeoutAt} body (asyncio's `Timeout`).
 *
 * The body runs in a cancel scope of its own. At the deadline the scope is cancelled: the corio
 * waits begun in the body (and in callbacks set up there) throw `CancelledError`, never the
 * task's other code; when that `CancelledError` leaves the body, it becomes a `TimeoutError`.
 * A cancellation of an enclosing scope or of the task made while the body ran stays a
 * `CancelledError`, so nested scopes each report only their own deadline. A deadline already
 * passed expires once the code running now has settled, before any timer, never synchronously:
 * a body that finishes without suspending keeps its value, one that suspends times out there.
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
  // #timer is set exactly while the state is 'active' with a finite deadline: its Deadline in the
  // shared schedule (which expires one already passed once the code running now has settled).
  #when: number | null;
  #state: ScopeState = 'created';
  #node: ScopeNode | undefined = undefined;
  #timer: Deadline | undefined = undefined;
  #yieldDue = false;

  /** @internal Use {@link timeout} or {@link timeoutAt}. */
  constructor(when: number | null) {
    this.#when = when;
  }

  /** The deadline on the {@link now} clock, or `null` for none. */
  when(): number | null {
    return this.#when;
  }

  /**
   * Moves the deadline (`null` removes it). A deadline already passed expires the scope as soon
   * as the code running now has settled, before any timer: at the body's next cancellation point.
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

  /** Whether the deadline passed and the scope cancelled its body. */
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

  /** @internal For taskTree(): `timeout 1.2 s left <TimeoutScope active when=1234.5>`. */
  [DESCRIBE](): string {
    const when = this.#when;
    const left = when === null ? 'no deadline' : describeLeft(when - now());
    return `timeout ${left} ${this.toString()}`;
  }

  /** @internal Starts the deadline for the body about to run in `node`. */
  [ENTER](node: ScopeNode): void {
    this.#node = node;
    this.#state = 'active';
    this.#arm();
  }

  /**
   * @internal Ends the scope. Returns the error to throw instead of `error` (a TimeoutError when
   * this scope's expiry caused it), or `error` itself.
   */
  [EXIT](failed: boolean, error: unknown): unknown {
    // A deadline already passed when the body finished first: the body keeps its outcome, and
    // the caller still yields to the event loop (a loop of expired waits must not starve timers).
    const timer = this.#timer;
    this.#yieldDue = timer !== undefined && timer.when <= now();
    this.#disarm();
    const node = this.#node;
    const outer = node?.close(false) === true;
    if (this.#state !== 'expiring') {
      this.#state = 'exited';
      return error;
    }
    this.#state = 'expired';
    if (!failed || outer || node === undefined) return error;
    if (isCancelledError(error)) {
      return new TimeoutError(`Timed out: the deadline passed`, { cause: error });
    }
    // A signal-taking API (`events.once`, `timers/promises`) given the scope's signal rejects
    // with an AbortError whose cause is the scope's CancelledError: that too is the expiry.
    if (node[IS_CANCELLATION](error)) {
      return new TimeoutError(`Timed out: the deadline passed`, { cause: cancelledCause(error) });
    }
    return error;
  }

  /** @internal Whether the caller must yield to the event loop before returning. */
  get [YIELD_DUE](): boolean {
    return this.#yieldDue;
  }

  #arm(): void {
    this.#disarm();
    const when = this.#when;
    if (when === null || when === Infinity) return;
    const deadline = new Deadline(when, this);
    schedule(deadline);
    this.#timer = deadline;
  }

  #disarm(): void {
    const timer = this.#timer;
    if (timer === undefined) return;
    this.#timer = undefined;
    unschedule(timer);
  }

  /** @internal The deadline passed. */
  [EXPIRE](): void {
    this.#timer = undefined;
    this.#state = 'expiring';
    this.#node?.cancel();
  }
}

/** The first CancelledError in `error`'s cause chain (there is one: the caller checked). */
function cancelledCause(error: unknown): CancelledError {
  let current = error;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    if (isCancelledError(current)) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return new CancelledError();
}

/** Checks the `body` argument of timeout functions. */
export function checkBody(where: string, body: unknown): void {
  if (typeof body !== 'function') {
    throw new TypeError(`${where}: 'body' must be a function, received ${show(body)}`);
  }
}
