import { runtime } from './internal/current.js';

/**
 * The monotonic clock corio's deadlines use, in milliseconds (`performance.now()`), like
 * asyncio's `loop.time()` but in ms. `timeoutAt(when)` and `TimeoutScope.when()` are on it.
 *
 * While a virtual clock is installed (`withVirtualClock` from `@corio/core/testing`), it returns
 * that clock's time instead.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { now } from '@corio/core';
 *
 * const start = now();
 * assert.ok(now() >= start);
 * ```
 */
export function now(): number {
  const clock = runtime.clock;
  return clock === undefined ? performance.now() : clock.now();
}
