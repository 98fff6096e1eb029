import { ArrivalStore } from './internal/item-store.js';
import { Queue } from './queue.js';

/**
 * A queue that returns the item put last first (asyncio's `LifoQueue`): a stack.
 *
 * Everything else is {@link Queue}'s: waiting, hand-offs, `taskDone()`/`join()`, `shutdown()`.
 * Getters still wait in FIFO order, and an item put while one waits goes straight to it. An item
 * given back by a `get()` cancelled before it resumed goes back where it would be had it never
 * been taken: under the items put after it.
 *
 * @typeParam T - the items.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { LifoQueue } from '@corio/core';
 *
 * const stack = new LifoQueue<string>();
 * for (const page of ['home', 'docs', 'api']) await stack.put(page);
 * assert.equal(await stack.get(), 'api');
 * assert.equal(stack.getNowait(), 'docs');
 * assert.equal(stack.qsize(), 1);
 * ```
 */
export class LifoQueue<T> extends Queue<T> {
  /**
   * @param maxsize - how many items the queue holds before `put()` waits; 0 or less for no
   * limit.
   * @throws `RangeError` if `maxsize` is not an integer.
   */
  constructor(maxsize = 0) {
    super(maxsize, new ArrivalStore<T>('lifo'));
  }
}
