import { HeapStore } from './internal/item-store.js';
import { show } from './internal/validate.js';
import { Queue } from './queue.js';

// The default order: numbers, strings and bigints by `<`, arrays element by element like
// Python's tuples, so `[priority, data]` entries work as in asyncio (`[10]` after `[9]`, which a
// plain `<` on arrays would compare as strings). Values `<` cannot order tie.
function defaultCompare(a: unknown, b: unknown): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    const length = Math.min(a.length, b.length);
    for (let i = 0; i < length; i++) {
      const order = defaultCompare(a[i], b[i]);
      if (order !== 0) return order;
    }
    return a.length - b.length;
  }
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

/**
 * A queue that returns its smallest item first (asyncio's `PriorityQueue`), by `compare`: by
 * default `<`, with arrays compared element by element like Python's tuples, so
 * `[priority, data]` entries work as in asyncio. Items that tie come out in the order they were
 * put.
 *
 * Everything else is {@link Queue}'s: waiting, hand-offs, `taskDone()`/`join()`, `shutdown()`.
 * An item put while a getter waits goes straight to that getter, as in every queue here: the
 * queue is empty then, so the item is the smallest there is.
 *
 * @typeParam T - the items.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { PriorityQueue } from '@corio/core';
 *
 * const queue = new PriorityQueue<[number, string]>();
 * queue.putNowait([2, 'write docs']);
 * queue.putNowait([1, 'fix bug']);
 * queue.putNowait([2, 'add tests']);
 * assert.deepEqual(queue.getNowait(), [1, 'fix bug']);
 * // 'add tests' < 'write docs'
 * assert.deepEqual(queue.getNowait(), [2, 'add tests']);
 *
 * const byDeadline = new PriorityQueue<{ due: number }>(
 *   0,
 *   (a, b) => a.due - b.due,
 * );
 * byDeadline.putNowait({ due: 30 });
 * byDeadline.putNowait({ due: 10 });
 * assert.equal((await byDeadline.get()).due, 10);
 * ```
 */
export class PriorityQueue<T> extends Queue<T> {
  /**
   * @param maxsize - how many items the queue holds before `put()` waits; 0 or less for no
   * limit.
   * @param compare - negative if `a` comes out first, positive if `b` does, 0 for a tie. It must
   * be a consistent order; if it throws, the call that used it fails with its error (a `put()` or
   * `get()`, leaving the queue unchanged).
   * @throws `RangeError` if `maxsize` is not an integer; `TypeError` if `compare` is not a
   * function.
   */
  constructor(maxsize = 0, compare: (a: T, b: T) => number = defaultCompare) {
    if (typeof compare !== 'function') {
      throw new TypeError(
        `Cannot create ${new.target.name}: 'compare' must be a function, received ${show(compare)}`,
      );
    }
    super(maxsize, new HeapStore(compare));
  }
}
