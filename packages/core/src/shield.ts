import { Future } from './future.js';
import { FAILED, LISTEN, RETRIEVE } from './internal/symbols.js';
import { toFuture } from './internal/to-future.js';
import { show } from './internal/validate.js';

/**
 * Protects `aw` from cancellation (asyncio's `shield`): cancelling the returned future, or the
 * task awaiting it, does not cancel `aw`, which runs on.
 *
 * Pass a function (it runs as a new task, whose waits no cancellation of the caller reaches) or
 * a task or future. A promise is refused: the work behind it has already begun in the caller's
 * task, where the caller's cancellation would still interrupt it half-way.
 *
 * @typeParam T - the result type.
 * @param aw - a function (started as a task), a task or a future.
 * @returns a future that follows `aw` until it is itself cancelled.
 * @throws `TypeError` for a promise or any other non-awaitable.
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
export function shield<T>(aw: Future<T> | (() => T | PromiseLike<T>)): Future<T> {
  if (!(aw instanceof Future) && typeof aw !== 'function') {
    throw new TypeError(
      `shield: 'aw' must be a function, Task or Future, received ${show(aw)}: the work behind a promise began in the caller's task and cannot be protected; pass () => work() instead`,
    );
  }
  const inner = toFuture(aw, 'shield', 'aw', shield);
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
