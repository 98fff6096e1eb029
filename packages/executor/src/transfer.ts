import type { Transferable } from 'node:worker_threads';
import { TRANSFER } from './internal/protocol.js';

/**
 * Marks a job argument or result to be moved to the other thread instead of copied: the objects
 * in `transferList` (`ArrayBuffer`s, `MessagePort`s) are detached on the sending side.
 *
 * The returned value is typed as `value` (it is a wrapper the executor unwraps), so it can stand
 * in for the argument. A job can return `transfer(result, [buffer])` too (from a worker module,
 * or from a self-contained function after `await import('@corio/executor')`). A job whose
 * arguments were transferred is never moved to another worker, since they cannot be sent twice:
 * if its worker is terminated before it begins (a cancelled job ahead of it outlived
 * `cancelGraceMs`), it fails with `BrokenWorkerError`, and its buffers are gone with the worker.
 *
 * @typeParam T - the value's type.
 * @param value - the argument or result.
 * @param transferList - the objects inside `value` to move.
 * @returns `value`, marked for transfer.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { WorkerPoolExecutor, transfer } from '@corio/executor';
 *
 * const pool = new WorkerPoolExecutor({ maxWorkers: 1 });
 * const buffer = new Uint8Array([1, 2, 3]).buffer;
 * const sum = pool.submit(
 *   (b: ArrayBuffer) => new Uint8Array(b).reduce((a, x) => a + x, 0),
 *   transfer(buffer, [buffer]),
 * );
 * assert.equal(buffer.byteLength, 0); // detached: it moved to the worker
 * assert.equal(await sum, 6);
 * await pool.shutdown();
 * ```
 */
export function transfer<T>(value: T, transferList: readonly Transferable[]): T {
  if (!Array.isArray(transferList)) {
    throw new TypeError(
      `transfer: 'transferList' must be an array, received ${typeof transferList}`,
    );
  }
  return {
    [TRANSFER]: true,
    value,
    transferList: [...(transferList as Transferable[])],
  } as unknown as T;
}
