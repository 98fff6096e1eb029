import { currentNode } from './internal/current.js';
import { ScopeNode, enterScope, scopeRunner } from './internal/scope-node.js';
import { checkOptionalDuration } from './internal/validate.js';
import { now } from './now.js';
import { createTaskAt } from './create-task.js';
import { ENTER_SCOPE, EXIT_SCOPE, TimeoutScope, YIELD_DUE, checkBody } from './timeout-scope.js';

/** The body of a {@link timeout} or {@link timeoutAt} scope. */
export type TimeoutBody<T> = (scope: TimeoutScope) => PromiseLike<T> | T;

/**
 * Runs `body` with a deadline `ms` milliseconds from now (asyncio's `timeout`); `null` means no
 * deadline (yet: see `scope.reschedule`).
 *
 * `body` runs in a cancel scope of its own: at the deadline the corio waits begun inside it (and
 * in callbacks set up there) throw `CancelledError`, and the `CancelledError` leaving `body`
 * becomes a `TimeoutError` whose `cause` is it. The task's other code, and callbacks it set up
 * elsewhere, are not touched: a `timeout()` in a request handler times out that request only. A
 * cancellation from outside stays a `CancelledError`, and nested scopes each report only their
 * own deadline. Inside the body, `currentTask().signal` is the scope's signal (aborted at the
 * deadline): pass it to `fetch` and other signal-taking APIs. Outside any task, `body` runs in a
 * new task. A deadline already passed (`ms <= 0`) expires once the code running now has settled,
 * before any timer: a body that finishes without suspending keeps its value, one that suspends
 * times out.
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
export function timeout<T>(ms: number | null, body: TimeoutBody<T>): Promise<T> {
  try {
    checkOptionalDuration('timeout', 'ms', ms);
    checkBody('timeout', body);
  } catch (error) {
    return Promise.reject(error);
  }
  return runScoped(new TimeoutScope(ms === null ? null : now() + ms), body, timeout);
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
 * await assert.rejects(
 *   timeoutAt(now() + 5, () => sleep(1_000)),
 *   TimeoutError,
 * );
 * ```
 */
export function timeoutAt<T>(when: number | null, body: TimeoutBody<T>): Promise<T> {
  try {
    checkOptionalDuration('timeoutAt', 'when', when);
    checkBody('timeoutAt', body);
  } catch (error) {
    return Promise.reject(error);
  }
  return runScoped(new TimeoutScope(when), body, timeoutAt);
}

// The scope runner: its frames mark the body's await chain (see ownership.ts).
const runScoped = scopeRunner(
  async <T>(scope: TimeoutScope, body: TimeoutBody<T>, boundary: CallableFunction): Promise<T> => {
    const parent = currentNode();
    if (parent === undefined) {
      return await createTaskAt(() => runScoped(scope, body, boundary), undefined, boundary);
    }
    const node = new ScopeNode(parent, scope);
    scope[ENTER_SCOPE](node);
    let value: T;
    try {
      value = await enterScope(node, body, scope);
    } catch (error) {
      throw scope[EXIT_SCOPE](true, error);
    }
    scope[EXIT_SCOPE](false, undefined);
    if (scope[YIELD_DUE]) await nextTurn();
    return value;
  },
);

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
