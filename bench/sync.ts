// The synchronisation cases of the core suite:
// 6. 100,000 jobs through a concurrency limit of 100, each awaiting once;
// 7. a producer and a consumer passing 200,000 items through a bounded queue (maxsize 1, 100).
// (8, the same workloads in CPython asyncio, is in bench/reference.ts.)
// Every sample returns the milliseconds it took and checks that every result arrived.

import { Queue, Semaphore, gather, limiter, run } from '@corio/core';
import { Semaphore as MutexSemaphore } from 'async-mutex';
import pLimit from 'p-limit';
import PQueue from 'p-queue';
import { effectLimit, effectQueue } from './effect.js';
import { formatNumber, timed } from './harness.js';
import { MinimalQueue, MinimalSemaphore } from './minimal.js';
import { atMost, check, faster, sumOf } from './suite.js';
import type { Case } from './suite.js';

export const LIMIT_JOBS = 100_000;
export const LIMIT_CONCURRENCY = 100;
export const QUEUE_ITEMS = 200_000;
export const QUEUE_MAXSIZES = [1, 100] as const;
export type QueueMaxsize = (typeof QUEUE_MAXSIZES)[number];

/** One job: yields once, returns 1. */
async function job(): Promise<number> {
  // A bare `await null` is the point: one microtask yield.
  // eslint-disable-next-line @typescript-eslint/await-thenable
  await null;
  return 1;
}

/** Submits every job through `submit`, then awaits them all with `join`. */
function limitSample(
  where: string,
  setUp: () => (fn: () => Promise<number>) => PromiseLike<number>,
  join: (calls: PromiseLike<number>[]) => PromiseLike<number[]> = (calls) => Promise.all(calls),
): () => Promise<number> {
  return () =>
    timed(async () => {
      const submit = setUp();
      const calls: PromiseLike<number>[] = [];
      for (let i = 0; i < LIMIT_JOBS; i++) calls.push(submit(job));
      check(sumOf(await join(calls)), LIMIT_JOBS, where);
    });
}

/** Case 6: one sample per implementation. */
export const limitSamples = {
  pLimit: limitSample('p-limit', () => pLimit(LIMIT_CONCURRENCY)),
  pQueue: limitSample('p-queue', () => {
    const queue = new PQueue({ concurrency: LIMIT_CONCURRENCY });
    return (fn) => queue.add(fn);
  }),
  asyncMutex: limitSample('async-mutex', () => {
    const sem = new MutexSemaphore(LIMIT_CONCURRENCY);
    return (fn) => sem.runExclusive(fn);
  }),
  minimal: limitSample('minimal', () => {
    const sem = new MinimalSemaphore(LIMIT_CONCURRENCY);
    return (fn) => sem.use(fn);
  }),
  limiter: limitSample('limiter', () => limiter(LIMIT_CONCURRENCY)),
  limiterGather: limitSample(
    'limiter + gather',
    () => limiter(LIMIT_CONCURRENCY),
    (calls) => gather(calls),
  ),
  semaphoreUse: limitSample('Semaphore.use', () => {
    const sem = new Semaphore(LIMIT_CONCURRENCY);
    return (fn) => sem.use(fn);
  }),
};

interface AnyQueue {
  put(item: number): Promise<void>;
  get(): Promise<number>;
}

/**
 * Case 7: a producer puts QUEUE_ITEMS numbers, a consumer gets them. `inTasks` runs both as
 * corio tasks (joined by gather), else as plain async functions (joined by Promise.all).
 */
export function queueSample(
  where: string,
  make: (maxsize: number) => AnyQueue,
  maxsize: QueueMaxsize,
  inTasks: boolean,
): () => Promise<number> {
  return () =>
    timed(async () => {
      const queue = make(maxsize);
      const producer = async (): Promise<number> => {
        for (let i = 0; i < QUEUE_ITEMS; i++) await queue.put(i);
        return 0;
      };
      const consumer = async (): Promise<number> => {
        let sum = 0;
        for (let i = 0; i < QUEUE_ITEMS; i++) sum += await queue.get();
        return sum;
      };
      const [, sum] = inTasks
        ? await gather([producer, consumer])
        : await Promise.all([producer(), consumer()]);
      check(sum, (QUEUE_ITEMS * (QUEUE_ITEMS - 1)) / 2, where);
    });
}

export const makeCorioQueue = (maxsize: number): AnyQueue => new Queue<number>(maxsize);
export const makeMinimalQueue = (maxsize: number): AnyQueue => new MinimalQueue<number>(maxsize);

export const LIMIT_CASE: Case = {
  id: 'limit',
  title: `6. ${formatNumber(LIMIT_JOBS, 0)} jobs (await null) at concurrency ${String(LIMIT_CONCURRENCY)}`,
  unit: 'ms',
  baseline: 'limit.p-limit',
  plot: 'ratio',
  rows: [
    {
      id: 'limit.p-limit',
      label: 'p-limit: limit(fn)               Promise.all',
      sample: limitSamples.pLimit,
    },
    {
      id: 'limit.p-limit-in-run',
      label: 'p-limit: limit(fn)               Promise.all, inside run()',
      sample: () => run(limitSamples.pLimit),
    },
    {
      id: 'limit.p-queue',
      label: 'p-queue: queue.add(fn)           Promise.all',
      sample: limitSamples.pQueue,
    },
    {
      id: 'limit.async-mutex',
      label: 'async-mutex: sem.runExclusive   Promise.all',
      // Seconds per sample (its waiter queue is far slower at 100k waiters): three rounds.
      maxRounds: 3,
      warmup: false,
      sample: limitSamples.asyncMutex,
    },
    {
      id: 'limit.minimal',
      label: 'minimal semaphore: use(fn)       Promise.all',
      sample: limitSamples.minimal,
    },
    {
      id: 'limit.corio',
      label: 'corio limiter: limit(fn)         Promise.all',
      target: faster(),
      sample: limitSamples.limiter,
    },
    {
      // The issue's second limiter goal: the same workload as run()'s main task, compared with
      // p-limit inside run() (like for like: on Node 24+ run() costs p-limit nothing measurable).
      id: 'limit.corio-in-run',
      label: 'corio limiter: limit(fn)         Promise.all, inside run()',
      vs2: 'limit.p-limit-in-run',
      target: faster('limit.p-limit-in-run'),
      sample: () => run(limitSamples.limiter),
    },
    {
      id: 'limit.corio-gather',
      label: 'corio limiter: limit(fn)         gather',
      sample: limitSamples.limiterGather,
    },
    {
      id: 'limit.semaphore',
      label: 'corio Semaphore: use(fn)         Promise.all',
      vs2: 'limit.minimal',
      target: atMost(1.5, 'limit.minimal'),
      sample: limitSamples.semaphoreUse,
    },
    {
      id: 'limit.effect',
      label: 'Effect.forEach({ concurrency: 100 })',
      vs2: 'limit.corio',
      sample: effectLimit(LIMIT_JOBS, LIMIT_CONCURRENCY, job),
    },
  ],
};

/** Case 7 for one maxsize: its own case, as each maxsize has its own baseline. */
function queueCase(maxsize: QueueMaxsize): Case {
  const size = String(maxsize) as `${QueueMaxsize}`;
  return {
    id: `queue-${size}`,
    title: `7. queue producer → consumer, ${formatNumber(QUEUE_ITEMS, 0)} items, maxsize ${size}`,
    unit: 'ms',
    baseline: `queue.minimal-${size}`,
    plot: 'ratio',
    rows: [
      {
        id: `queue.minimal-${size}`,
        label: 'minimal queue     plain async fns',
        sample: queueSample('minimal', makeMinimalQueue, maxsize, false),
      },
      {
        id: `queue.corio-${size}`,
        label: 'corio Queue       two tasks (gather)',
        target: atMost(1.5),
        sample: queueSample('corio Queue', makeCorioQueue, maxsize, true),
      },
      {
        id: `queue.corio-plain-${size}`,
        label: 'corio Queue       plain async fns',
        sample: queueSample('corio Queue', makeCorioQueue, maxsize, false),
      },
      {
        id: `queue.effect-${size}`,
        label: 'Effect Queue.bounded  two fibers (Effect.all)',
        vs2: `queue.corio-${size}`,
        // Seconds per sample at maxsize 1: six rounds.
        maxRounds: 6,
        sample: effectQueue(QUEUE_ITEMS, maxsize),
      },
    ],
  };
}

export const QUEUE_CASES: readonly Case[] = QUEUE_MAXSIZES.map(queueCase);
