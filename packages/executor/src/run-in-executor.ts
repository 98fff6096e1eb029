import type { Future } from '@corio/core';
import type { WorkerFunction } from './worker-function.js';
import type { WorkerCallable } from './worker-pool-executor.js';
import { WorkerPoolExecutor } from './worker-pool-executor.js';

/**
 * What {@link runInExecutor} needs of an executor: `submit` of a {@link workerFunction}. A
 * `WorkerPoolExecutor` has it (and takes self-contained functions too), as does
 * `BullMQExecutor` from `@corio/redis`, whose jobs run in other processes.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { basename } from 'node:path';
 * import type { Executor } from '@corio/executor';
 * import { WorkerPoolExecutor } from '@corio/executor';
 *
 * await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
 * const executor: Executor = pool;
 * assert.equal(typeof executor.submit, 'function');
 * ```
 */
export interface Executor {
  /** Runs `fn(...args)` somewhere else and returns the future of its result. */
  submit<F extends (...args: never[]) => unknown>(
    fn: WorkerFunction<F>,
    ...args: Parameters<F>
  ): Future<Awaited<ReturnType<F>>>;
}

let defaultPool: WorkerPoolExecutor | undefined;

// @corio/core's run() calls the hooks in this registry when `main` ends (a well-known global
// symbol, shared by every copy of corio in the process): the default pool is shut down there.
const SHUTDOWN_HOOKS = Symbol.for('corio.run.shutdownHooks');
type Hook = () => PromiseLike<unknown> | undefined;

function shutdownDefaultPool(): PromiseLike<unknown> | undefined {
  const pool = defaultPool;
  defaultPool = undefined;
  return pool?.shutdown();
}

/** The default pool, made on first use. Its idle workers never keep the process alive. */
function getDefaultPool(): WorkerPoolExecutor {
  if (defaultPool === undefined) {
    defaultPool = new WorkerPoolExecutor();
    const holder = globalThis as { [SHUTDOWN_HOOKS]?: Set<Hook> };
    (holder[SHUTDOWN_HOOKS] ??= new Set()).add(shutdownDefaultPool);
  }
  return defaultPool;
}

/**
 * The default pool if one exists (for tests and for `toString()` in reports).
 *
 * @internal
 */
export function currentDefaultPool(): WorkerPoolExecutor | undefined {
  return defaultPool;
}

/**
 * Runs `fn(...args)` in `executor`'s workers, or in the default pool when `executor` is `null`
 * or `undefined` (asyncio's `loop.run_in_executor`).
 *
 * `executor` may be any {@link Executor} (a `BullMQExecutor` of `@corio/redis`, say); then `fn`
 * must be a {@link workerFunction}, as only a `WorkerPoolExecutor` takes self-contained
 * functions.
 *
 * The default pool is created on first use with `os.availableParallelism()` workers; its idle
 * workers never keep the process alive, so a program that used it exits by itself.
 *
 * @typeParam F - the function's type.
 * @param executor - a pool, or `null`/`undefined` for the default one.
 * @param fn - a self-contained function, or a {@link workerFunction}.
 * @param args - its arguments, copied by structured clone.
 * @returns a future for the result, as {@link WorkerPoolExecutor.submit} gives.
 * @throws `InvalidStateError` if `executor` was shut down.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { runInExecutor } from '@corio/executor';
 *
 * const hash = await runInExecutor(null, async (text: string) => {
 *   const { createHash } = await import('node:crypto');
 *   return createHash('sha256').update(text).digest('hex').slice(0, 8);
 * }, 'corio');
 * assert.equal(hash.length, 8);
 * ```
 */
export function runInExecutor<F extends (...args: never[]) => unknown>(
  executor: WorkerPoolExecutor | null | undefined,
  fn: WorkerCallable<F>,
  ...args: Parameters<F>
): Future<Awaited<ReturnType<F>>>;
/**
 * Runs a {@link workerFunction} on any {@link Executor}: a `BullMQExecutor` of `@corio/redis`,
 * or one of your own that wraps a pool. Only a `WorkerPoolExecutor` (the form above) also takes
 * a self-contained function.
 *
 * @typeParam F - the function's type.
 * @param executor - anything with `submit(workerFunction, ...args)`.
 * @param fn - a {@link workerFunction}.
 * @param args - its arguments.
 * @returns the future `executor.submit` returns.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { basename } from 'node:path';
 * import type { Executor } from '@corio/executor';
 * import {
 *   WorkerPoolExecutor,
 *   runInExecutor,
 *   workerFunction,
 * } from '@corio/executor';
 *
 * await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
 * const submitted: string[] = [];
 * const counting: Executor = {
 *   submit: (fn, ...args) => {
 *     submitted.push(fn.exportName);
 *     return pool.submit(fn, ...args);
 *   },
 * };
 * const base = workerFunction<typeof basename>('node:path', 'basename');
 * assert.equal(await runInExecutor(counting, base, '/a/b.txt'), 'b.txt');
 * assert.deepEqual(submitted, ['basename']);
 * ```
 */
export function runInExecutor<F extends (...args: never[]) => unknown>(
  executor: Executor,
  fn: WorkerFunction<F>,
  ...args: Parameters<F>
): Future<Awaited<ReturnType<F>>>;
/**
 * The implementation of both forms: `executor.submit(fn, ...args)`, on the default pool when
 * `executor` is `null` or `undefined`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { runInExecutor } from '@corio/executor';
 *
 * const next = (n: number) => n + 1;
 * assert.equal(await runInExecutor(undefined, next, 1), 2);
 * ```
 */
export function runInExecutor<F extends (...args: never[]) => unknown>(
  executor: Executor | null | undefined,
  fn: WorkerFunction<F>,
  ...args: Parameters<F>
): Future<Awaited<ReturnType<F>>> {
  return (executor ?? getDefaultPool()).submit(fn, ...args);
}

/**
 * Runs `fn(...args)` in a worker thread of the default pool (asyncio's `to_thread`, but in a
 * worker: `fn` shares no memory with the caller and must be self-contained or a
 * {@link workerFunction}).
 *
 * @typeParam F - the function's type.
 * @param fn - a self-contained function, or a {@link workerFunction}.
 * @param args - its arguments, copied by structured clone.
 * @returns a future for the result; cancelling it while it runs aborts the job's
 * `currentJob().signal`, then terminates its worker after `cancelGraceMs`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { toThread } from '@corio/executor';
 *
 * const primes = await toThread((limit: number) => {
 *   const found: number[] = [];
 *   for (let n = 2; found.length < limit; n++) {
 *     if (found.every((p) => n % p !== 0)) found.push(n);
 *   }
 *   return found;
 * }, 5);
 * assert.deepEqual(primes, [2, 3, 5, 7, 11]);
 * ```
 */
export function toThread<F extends (...args: never[]) => unknown>(
  fn: WorkerCallable<F>,
  ...args: Parameters<F>
): Future<Awaited<ReturnType<F>>> {
  return getDefaultPool().submit(fn, ...args);
}
