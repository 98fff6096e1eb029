import { Future } from './future.js';
import { FAILED, LISTEN, RETRIEVE } from './internal/symbols.js';
import type { Awaitable } from './internal/to-future.js';
import { toFuture } from './internal/to-future.js';

/**
 * Protects `aw` from cancellation (asyncio's `shield`): cancelling the returned future, or the
 * task awaiting it, does not cancel `aw`, which runs on.
 *
 * @typeParam T - the result type.
 * @param aw - a task, future, promise or function (started as a task).
 * @returns a future that follows `aw` until it is itself cancelled.
 * @throws `TypeError` for a non-awaitable.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { CancelledError, createTask, shield, sleep } from '@corio/core';
 *
 * const save = createTask(() => sleep(10, 'saved'));
 * const caller = createTask(() => shield(save));
 * await sleep(1);
 * caller.cancel();
 * await assert.rejects(caller, CancelledError);
 * assert.equal(await save, 'saved');
 * ```
 */
export function shield<T>(aw: Awaitable<T>): Future<T> {
  const inner = toFuture(aw, 'shield', 'aw');
  if (inner.done()) return inner;
  const outer = new Future<T>();
  inner[LISTEN](() => {
    if (outer.cancelled()) {
      // Nobody is waiting for the outcome any more; do not report it as never retrieved.
      inner[RETRIEVE]();
      return;
    }
    if (inner.cancelled()) outer.cancel();
    else if (inner[FAILED]()) outer.setException(inner[RETRIEVE]());
    else outer.setResult(inner.result());
  });
  return outer;
}
