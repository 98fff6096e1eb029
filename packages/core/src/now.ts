/**
 * The monotonic clock corio's deadlines use, in milliseconds (`performance.now()`), like
 * asyncio's `loop.time()` but in ms. `timeoutAt(when)` and `TimeoutScope.when()` are on it.
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
  return performance.now();
}
