import { InvalidStateError } from '@corio/core';

/** Where the worker's bootstrap (worker.js) puts its accessor: every copy of corio finds it. */
const CURRENT_JOB = Symbol.for('corio.executor.currentJob');

/**
 * The job a worker thread is running, as {@link currentJob} returns it: how it hears that it was
 * cancelled.
 *
 * @example
 * ```ts
 * import type { JobContext } from '@corio/executor';
 *
 * function checkpoint(job: JobContext): void {
 *   job.throwIfCancelled(); // in a loop that never awaits
 * }
 * ```
 */
export interface JobContext {
  /**
   * Aborted once the job is cancelled, with a `CancelledError` (by its brand:
   * `isCancelledError(signal.reason)`) as its reason. Pass it to `fetch`, streams, timers or
   * corio waits. A job that never yields to the worker's event loop does not see it abort: check
   * {@link JobContext.cancelled} instead.
   */
  readonly signal: AbortSignal;
  /** Whether the job was cancelled: read from memory shared with the pool, so it is true at once,
   * even in a loop that never awaits. */
  readonly cancelled: boolean;
  /** Throws the cancellation if the job was cancelled. */
  throwIfCancelled(): void;
  /** `<JobContext seq=7>`, or `<JobContext seq=7 cancelled>`. */
  toString(): string;
}

/**
 * The job running in this worker thread: call it inside a function run by
 * `WorkerPoolExecutor.submit`, `map`, `runInExecutor` or `toThread` to hear its cancellation.
 *
 * Cancelling a running job's future first aborts `currentJob().signal` in the worker and sets
 * `cancelled`; a job that then ends (returns or throws) within the pool's `cancelGraceMs` keeps
 * its worker, which goes on with the next job. One that does not is stopped by terminating the
 * worker, as before. Its result is dropped either way: the future is already cancelled.
 *
 * A worker runs one job at a time, so this is the job that called it, as long as it is called
 * before the job ends: read it at the start of the job, not in a callback the job left behind. A
 * self-contained function imports it inside itself (`await import('@corio/executor')`); a module
 * named with {@link workerFunction} imports it as usual.
 *
 * @returns the running job's context.
 * @throws `InvalidStateError` outside a job of a corio worker (on the main thread, say).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { sleep } from '@corio/core';
 * import { WorkerPoolExecutor } from '@corio/executor';
 *
 * await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
 * const job = pool.submit(async () => {
 *   const { currentJob } = await import('@corio/executor');
 *   const { signal } = currentJob();
 *   const { setTimeout } = await import('node:timers/promises');
 *   try {
 *     await setTimeout(60_000, undefined, { signal });
 *   } finally {
 *     // clean up: close files, roll back
 *   }
 * });
 * await sleep(200);
 * job.cancel();
 * // The job heard it and ended at once: the same worker runs the next.
 * assert.equal(await pool.submit(() => 'next'), 'next');
 * assert.equal(pool.stats().workersStarted, 1);
 * ```
 */
export function currentJob(): JobContext {
  const accessor = (globalThis as { [CURRENT_JOB]?: () => JobContext | undefined })[CURRENT_JOB];
  const job = accessor?.();
  if (job === undefined) {
    throw new InvalidStateError(
      accessor === undefined
        ? 'currentJob() called outside a worker of a WorkerPoolExecutor'
        : 'currentJob() called in a worker between jobs (read it at the start of the job)',
    );
  }
  return job;
}
