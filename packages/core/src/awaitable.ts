import type { Future } from './future.js';

/**
 * What corio accepts where asyncio accepts an awaitable: a future, a promise, or a function
 * (started as a new task).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { createTask, gather } from '@corio/core';
 * import type { Awaitable } from '@corio/core';
 *
 * const inputs: Awaitable<number>[] = [
 *   createTask(() => 1),
 *   Promise.resolve(2),
 *   () => 3,
 * ];
 * assert.deepEqual(await gather(inputs), [1, 2, 3]);
 * ```
 */
export type Awaitable<T> = Future<T> | PromiseLike<T> | (() => T | PromiseLike<T>);

/**
 * The result type of an {@link Awaitable}.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import type { AwaitableResult, Task } from '@corio/core';
 *
 * const answer: AwaitableResult<Task<number>> = 42;
 * assert.equal(answer, 42);
 * ```
 */
export type AwaitableResult<A> =
  A extends Future<infer R>
    ? R
    : A extends PromiseLike<infer R>
      ? R
      : A extends () => infer R
        ? Awaited<R>
        : never;
