import { createTask, gather } from '@corio/core';
import type { Future, Task } from '@corio/core';
import type { RedisConnection } from './connection.js';
import { RedisSemaphore } from './redis-semaphore.js';

/** Options for {@link redisLimiter}. */
export interface RedisLimiterOptions {
  /** Where Redis is: see {@link RedisConnection}. */
  connection: RedisConnection;
  /** The limit's name: every process that uses it shares the `concurrency`. */
  name: string;
  /** See {@link RedisSemaphoreOptions.leaseMs}. @default 30000 */
  leaseMs?: number | undefined;
  /** See {@link RedisSemaphoreOptions.prefix}. @default 'corio:semaphore:' */
  prefix?: string | undefined;
}

/**
 * What {@link redisLimiter} returns: p-limit's calls (corio's `LimitFunction`) over a limit shared
 * by every process, and `close()`.
 */
export interface RedisLimitFunction extends AsyncDisposable {
  /**
   * Runs `fn(...args)` as a task once it holds one of the `concurrency` permits shared by every
   * process (FIFO across them). Cancelling the task removes a queued call (it leaves the queue in
   * Redis), or cancels a running one; its permit is given back either way.
   */
  <A extends unknown[], R>(fn: (...args: A) => R | PromiseLike<R>, ...args: A): Task<R>;
  /** This process's calls that hold a permit. */
  readonly activeCount: number;
  /** This process's calls waiting for a permit. */
  readonly pendingCount: number;
  /** The limit shared by every process (read-only: every process must give the same). */
  readonly concurrency: number;
  /** Drops this process's queued calls: their tasks end cancelled. Running calls go on. */
  clearQueue(): void;
  /**
   * Runs `fn(item, index)` for each item through the limiter; resolves to the results in input
   * order, like `gather`. Cancelling the returned future cancels every call.
   */
  map<I, R>(iterable: Iterable<I>, fn: (item: I, index: number) => R | PromiseLike<R>): Future<R[]>;
  /** Cancels the queued calls, waits for none, gives back the permits and ends the connections. */
  close(): Promise<void>;
}

/**
 * A concurrency limit shared by every process of a service through Redis: p-limit's API (as
 * corio's `limiter`) on a {@link RedisSemaphore}. "At most 10 calls to the partner API at once,
 * across all 8 instances."
 *
 * Each call is a corio task: cancel it, give it to `waitFor` or `gather`, or await it like a
 * promise. A queued call waits in Redis in order of arrival across processes; a crashed process's
 * permits come back after `leaseMs`.
 *
 * @param concurrency - how many calls may run at once, across every process.
 * @param options - see {@link RedisLimiterOptions}.
 * @returns the limit function; `close()` it when done.
 * @throws `TypeError` for a `concurrency` that is not a number, `RangeError` below 1 (as
 * p-limit); what `new RedisSemaphore()` throws for the options.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { redisLimiter } from '@corio/redis';
 *
 * const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
 * await using limit = redisLimiter(2, { connection: url, name: 'crawl' });
 * const fetchPage = async (n: number) => `page ${String(n)}`;
 * const pages = await limit.map([1, 2, 3], fetchPage);
 * assert.deepEqual(pages, ['page 1', 'page 2', 'page 3']);
 * ```
 */
export function redisLimiter(
  concurrency: number,
  options: RedisLimiterOptions,
): RedisLimitFunction {
  if (typeof concurrency !== 'number') {
    throw new TypeError(
      `redisLimiter: 'concurrency' must be a positive integer, received ${typeof concurrency}`,
    );
  }
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(
      `redisLimiter: 'concurrency' must be a positive integer, received ${String(concurrency)}`,
    );
  }
  const semaphore = new RedisSemaphore({ ...options, limit: concurrency });
  const queued = new Set<Task<unknown>>();
  let active = 0;

  function call<A extends unknown[], R>(fn: (...args: A) => R | PromiseLike<R>, ...args: A) {
    if (typeof fn !== 'function') {
      throw new TypeError(`redisLimiter: 'fn' must be a function, received ${typeof fn}`);
    }
    const task: Task<R> = createTask(async () => {
      try {
        await semaphore.acquire();
      } finally {
        queued.delete(task);
      }
      active++;
      try {
        return await fn(...args);
      } finally {
        active--;
        semaphore.release();
      }
    });
    queued.add(task);
    return task;
  }

  function map<I, R>(
    iterable: Iterable<I>,
    fn: (item: I, index: number) => R | PromiseLike<R>,
  ): Future<R[]> {
    const tasks: Task<R>[] = [];
    let index = 0;
    for (const item of iterable) tasks.push(call(fn, item, index++));
    return gather(tasks);
  }

  const describe = (): string =>
    `<redisLimiter ${semaphore.name} concurrency=${String(concurrency)} active=${String(active)} pending=${String(queued.size)}>`;

  return Object.defineProperties(call, {
    activeCount: { get: () => active },
    pendingCount: { get: () => queued.size },
    concurrency: { value: concurrency },
    clearQueue: {
      value: () => {
        for (const task of [...queued]) task.cancel();
      },
    },
    map: { value: map },
    close: {
      value: async (): Promise<void> => {
        for (const task of [...queued]) task.cancel();
        await semaphore.close();
      },
    },
    [Symbol.asyncDispose]: {
      value: async (): Promise<void> => {
        for (const task of [...queued]) task.cancel();
        await semaphore.close();
      },
    },
    toString: { value: describe },
    [Symbol.for('nodejs.util.inspect.custom')]: { value: describe },
  }) as unknown as RedisLimitFunction;
}
