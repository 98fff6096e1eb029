// Workloads of the synchronisation cases (bench/index.ts defines the table rows around them):
// 6. 100,000 jobs through a concurrency limit of 100, each awaiting once;
// 7. a producer and a consumer passing 200,000 items through a bounded queue;
// 8. the same workloads in CPython asyncio (bench/asyncio_sync.py).
// Every sample returns the milliseconds it took and checks that every result arrived.

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Queue, Semaphore, gather, limiter } from '@corio/core';
import { Semaphore as MutexSemaphore } from 'async-mutex';
import pLimit from 'p-limit';
import PQueue from 'p-queue';
import { timed } from './harness.js';
import { MinimalQueue, MinimalSemaphore } from './minimal.js';

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

function check(sum: number, expected: number, where: string): void {
  if (sum !== expected) {
    throw new Error(`${where}: got ${String(sum)}, expected ${String(expected)}`);
  }
}

const sumOf = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

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

/** What bench/asyncio_sync.py prints. */
export interface AsyncioSyncOutput {
  python: string;
  workloads: Record<string, { median_ms: number; runs_ms: number[] }>;
}

/** Case 8: runs the CPython script; undefined (with a note on stderr) if it cannot. */
export async function runAsyncioSync(): Promise<AsyncioSyncOutput | undefined> {
  const script = fileURLToPath(new URL('asyncio_sync.py', import.meta.url));
  const args = [script, String(LIMIT_JOBS), String(QUEUE_ITEMS), '3', '0'];
  try {
    const { stdout } = await promisify(execFile)('python3', args, { timeout: 180_000 });
    return JSON.parse(stdout) as AsyncioSyncOutput;
  } catch (error) {
    console.error(
      `asyncio-sync: skipped (${error instanceof Error ? error.message : String(error)})`,
    );
    return undefined;
  }
}
