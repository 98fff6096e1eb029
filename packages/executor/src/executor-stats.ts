/**
 * Durations in ms: how many, their mean, and percentiles (within 6.25 % of the true value; `min`,
 * `max`, `mean` and `count` are exact). All 0 while none were recorded.
 *
 * @example
 * ```ts
 * import type { DurationStats } from '@corio/executor';
 *
 * const slow = (d: DurationStats): boolean => d.p99 > 10 * d.p50;
 * ```
 */
export interface DurationStats {
  readonly count: number;
  readonly mean: number;
  readonly min: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * One worker thread of a pool, as {@link ExecutorStats} shows it.
 *
 * @example
 * ```ts
 * import type { WorkerStats } from '@corio/executor';
 *
 * const busy = (w: WorkerStats): boolean => w.utilization > 0.9;
 * ```
 */
export interface WorkerStats {
  /** Its `threadId`. */
  readonly threadId: number;
  /**
   * `running` a job, `idle`, `stopping` a cancelled job (within its grace), or `retiring`
   * (terminated or recycled, not exited yet).
   */
  readonly state: 'running' | 'idle' | 'stopping' | 'retiring';
  /** Jobs it answered (a `map()` chunk is one). */
  readonly completed: number;
  /** The share of its life its event loop was busy, 0 to 1 (Node's `eventLoopUtilization`). */
  readonly utilization: number;
}

/**
 * What `WorkerPoolExecutor.stats()` returns: the pool's counts since it was created, its workers,
 * and the run and wait times of its jobs (as piscina reports them). `String(stats)` prints it.
 *
 * A job is `queued` until its worker begins it (jobs handed to a worker in a batch and not begun
 * count as queued), then `running`, then one of `completed` (a result), `failed` (an error,
 * `BrokenWorkerError` included) or `cancelled` (its future was cancelled, queued or running).
 * A `map()` chunk counts as one job.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { WorkerPoolExecutor } from '@corio/executor';
 *
 * await using pool = new WorkerPoolExecutor({ maxWorkers: 2 });
 * const echo = (x: number): number => x;
 * await Promise.all([1, 2, 3].map((n) => pool.submit(echo, n)));
 * const stats = pool.stats();
 * assert.equal(stats.completed, 3);
 * assert.equal(stats.runTime.count, 3);
 * console.log(String(stats));
 * ```
 */
export interface ExecutorStats {
  readonly queued: number;
  readonly running: number;
  readonly completed: number;
  readonly failed: number;
  readonly cancelled: number;
  /** Worker threads started over the pool's life (replacements included). */
  readonly workersStarted: number;
  readonly workers: readonly WorkerStats[];
  /** From the moment a worker began a job to its last step. */
  readonly runTime: DurationStats;
  /** From `submit()` (or a `map()` chunk's submission) until a worker began it. */
  readonly waitTime: DurationStats;
  /** Several lines: counts, the run and wait times, one line per worker. */
  toString(): string;
}
