import { runningTask } from './internal/current.js';
import { checkOptionalDuration } from './internal/validate.js';
import { now } from './now.js';
import { createTask } from './create-task.js';
import { ENTER_SCOPE, EXIT_SCOPE, TimeoutScope, checkBody } from './timeout-scope.js';

/** The body of a {@link timeout} or {@link timeoutAt} scope. */
export type TimeoutBody<T> = (scope: TimeoutScope) => PromiseLike<T> | T;

/**
 * Runs `body` with a deadline `ms` milliseconds from now (asyncio's `timeout`); `null` means no
 * deadline (yet: see `scope.reschedule`).
 *
 * At the deadline the task running `body` is cancelled; the `CancelledError` leaving `body`
 * becomes a `TimeoutError` whose `cause` is it. A cancellation from outside stays a
 * `CancelledError`, and nested scopes each report only their own deadline. Outside any task,
 * `body` runs in a new task. A negative `ms` is a deadline already passed: the body's first
 * cancellation point throws.
 *
 * @typeParam T - the body's result.
 * @param ms - milliseconds until the deadline, or `null`.
 * @param body - the work; receives the {@link TimeoutScope}.
 * @throws `TimeoutError` when the deadline passes; `RangeError` (as a rejection) for a NaN `ms`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { TimeoutError, sleep, timeout } from '@corio/core';
 *
 * await assert.rejects(
 *   timeout(5, async () => {
 *     await sleep(1_000);
 *   }),
 *   TimeoutError,
 * );
 * assert.equal(await timeout(1_000, () => sleep(1, 'quick')), 'quick');
 * ```
 */
export async function timeout<T>(ms: number | null, body: TimeoutBody<T>): Promise<T> {
  checkOptionalDuration('timeout', 'ms', ms);
  checkBody('timeout', body);
  return runScoped(new TimeoutScope(ms === null ? null : now() + ms), body);
}

/**
 * Like {@link timeout}, with the deadline given as a time on the {@link now} clock (asyncio's
 * `timeout_at`).
 *
 * @typeParam T - the body's result.
 * @param when - the deadline on the `now()` clock, or `null`.
 * @param body - the work; receives the {@link TimeoutScope}.
 * @throws `TimeoutError` when the deadline passes.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { TimeoutError, now, sleep, timeoutAt } from '@corio/core';
 *
 * await assert.rejects(timeoutAt(now() + 5, () => sleep(1_000)), TimeoutError);
 * ```
 */
export async function timeoutAt<T>(when: number | null, body: TimeoutBody<T>): Promise<T> {
  checkOptionalDuration('timeoutAt', 'when', when);
  checkBody('timeoutAt', body);
  return runScoped(new TimeoutScope(when), body);
}

async function runScoped<T>(scope: TimeoutScope, body: TimeoutBody<T>): Promise<T> {
  const task = runningTask();
  if (task === undefined) return await createTask(() => runScoped(scope, body));
  scope[ENTER_SCOPE](task);
  let value: T;
  try {
    value = await body(scope);
  } catch (error) {
    throw scope[EXIT_SCOPE](true, error);
  }
  scope[EXIT_SCOPE](false, undefined);
  return value;
}
