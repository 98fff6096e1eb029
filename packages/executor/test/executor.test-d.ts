import type { Future } from '@corio/core';
import type { Executor, ExecutorStats, WorkerFunction } from '@corio/executor';
import {
  WorkerPoolExecutor,
  currentJob,
  runInExecutor,
  toThread,
  workerFunction,
} from '@corio/executor';
import { describe, expectTypeOf, it } from 'vitest';

declare const pool: InstanceType<typeof WorkerPoolExecutor>;
const add = (a: number, b: number): number => a + b;
const fetchName = async (id: number): Promise<string> => Promise.resolve(String(id));

describe('WorkerPoolExecutor types', () => {
  it('submit() types the future by the return type, awaited, and checks the arguments', () => {
    expectTypeOf(pool.submit(add, 1, 2)).toEqualTypeOf<Future<number>>();
    expectTypeOf(pool.submit(fetchName, 1)).toEqualTypeOf<Future<string>>();
    // @ts-expect-error: a string where a number is expected
    pool.submit(add, 1, '2');
    // @ts-expect-error: a missing argument
    pool.submit(add, 1);
  });

  it('map() yields the awaited results and takes items of the parameter type', () => {
    expectTypeOf(pool.map(fetchName, [1, 2])).toEqualTypeOf<AsyncIterableIterator<string>>();
    async function* ids(): AsyncGenerator<number> {
      yield 1;
      await Promise.resolve();
    }
    const addOne = (n: number): number => n + 1;
    expectTypeOf(pool.map(addOne, ids())).toEqualTypeOf<AsyncIterableIterator<number>>();
    // @ts-expect-error: strings for a function of numbers
    pool.map(fetchName, ['a']);
  });

  it('workerFunction() carries the function type to submit(), runInExecutor() and toThread()', () => {
    const named = workerFunction<typeof add>('file:///jobs.js', 'add');
    expectTypeOf(pool.submit(named, 1, 2)).toEqualTypeOf<Future<number>>();
    expectTypeOf(runInExecutor(null, named, 1, 2)).toEqualTypeOf<Future<number>>();
    expectTypeOf(toThread(fetchName, 3)).toEqualTypeOf<Future<string>>();
  });

  it('stats() and currentJob() are typed; the new options take numbers', () => {
    const stats = pool.stats();
    expectTypeOf(stats.completed).toEqualTypeOf<number>();
    expectTypeOf(stats.workers[0]?.state).toEqualTypeOf<
      'running' | 'idle' | 'stopping' | 'retiring' | undefined
    >();
    expectTypeOf(stats.runTime.p99).toEqualTypeOf<number>();
    expectTypeOf(currentJob().signal).toEqualTypeOf<AbortSignal>();
    expectTypeOf(currentJob().cancelled).toEqualTypeOf<boolean>();
    expectTypeOf<ExecutorStats>().toHaveProperty('waitTime');
    expectTypeOf(WorkerPoolExecutor).toBeConstructibleWith({
      cancelGraceMs: 10,
      maxJobsPerWorker: 5,
      maxHeapUsedMb: 64,
    });
    // @ts-expect-error: a string for a number of ms
    expectTypeOf(WorkerPoolExecutor).toBeConstructibleWith({ cancelGraceMs: '10' });
  });

  it('runInExecutor() takes any Executor, with a workerFunction only; both pools are Executors', () => {
    const named = workerFunction<typeof add>('file:///jobs.js', 'add');
    expectTypeOf(pool).toExtend<Executor>();
    // Another process's executor: submit() of a workerFunction, nothing else.
    class Remote {
      submit<F extends (...args: never[]) => unknown>(
        fn: WorkerFunction<F>,
        ...args: Parameters<F>
      ): Future<Awaited<ReturnType<F>>> {
        return pool.submit(fn, ...args);
      }
    }
    const remote = new Remote();
    expectTypeOf(remote).toExtend<Executor>();
    expectTypeOf(runInExecutor(remote, named, 1, 2)).toEqualTypeOf<Future<number>>();
    expectTypeOf(runInExecutor(pool, add, 1, 2)).toEqualTypeOf<Future<number>>();
    // @ts-expect-error: a plain function cannot travel to another process
    runInExecutor(remote, add, 1, 2);
    // @ts-expect-error: a string where a number is expected
    runInExecutor(remote, named, 1, '2');
    // @ts-expect-error: not an executor
    runInExecutor({}, named, 1, 2);
  });
});
