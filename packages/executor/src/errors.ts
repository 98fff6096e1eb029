const BROKEN_WORKER_BRAND = Symbol.for('corio.BrokenWorkerError');

/**
 * The error a job fails with when its worker dies under it (asyncio's `BrokenProcessPool`, but
 * only for the one job: the pool replaces the worker and keeps serving).
 *
 * Its `cause` is what killed the worker: the error thrown outside the job (for example in a
 * `setImmediate` callback), the out-of-memory error under `resourceLimits`, or the exit code
 * passed to `process.exit`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { BrokenWorkerError, WorkerPoolExecutor } from '@corio/executor';
 *
 * const pool = new WorkerPoolExecutor({ maxWorkers: 1 });
 * const error = await pool
 *   .submit(() => process.exit(3))
 *   .catch((e: unknown) => e);
 * assert.ok(error instanceof BrokenWorkerError);
 * assert.equal(error.cause, 3);
 * // still serving
 * assert.equal(
 *   await pool.submit((a: number, b: number) => a + b, 2, 3),
 *   5,
 * );
 * await pool.shutdown();
 * ```
 */
export class BrokenWorkerError extends Error {
  declare readonly [BROKEN_WORKER_BRAND]: true;
  static {
    Object.defineProperty(this.prototype, BROKEN_WORKER_BRAND, { value: true });
    this.prototype.name = 'BrokenWorkerError';
  }
}

/**
 * Whether `error` is a {@link BrokenWorkerError}, from this copy of corio or another one.
 *
 * @param error - any value.
 * @returns true for a `BrokenWorkerError`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import {
 *   BrokenWorkerError,
 *   isBrokenWorkerError,
 * } from '@corio/executor';
 *
 * assert.equal(isBrokenWorkerError(new BrokenWorkerError('gone')), true);
 * assert.equal(isBrokenWorkerError(new Error('gone')), false);
 * ```
 */
export function isBrokenWorkerError(error: unknown): error is BrokenWorkerError {
  return (
    error instanceof BrokenWorkerError ||
    (typeof error === 'object' &&
      error !== null &&
      (error as Record<symbol, unknown>)[BROKEN_WORKER_BRAND] === true)
  );
}
