import type { ResourceLimits, SHARE_ENV, Transferable } from 'node:worker_threads';
import type { Future } from '@corio/core';
import { InvalidStateError } from '@corio/core';
import type { FunctionEntry } from './internal/job.js';
import { ChunkFuture, JobFuture, NO_TRANSFER } from './internal/job.js';
import { MapIterator } from './internal/map-iterator.js';
import { poolSettings } from './internal/pool-settings.js';
import { mapResults } from './internal/map-results.js';
import type { ChunkResult, FunctionDef } from './internal/protocol.js';
import { TRANSFER } from './internal/protocol.js';
import { Scheduler } from './internal/scheduler.js';
import type { ExecutorStats } from './executor-stats.js';
import type { WorkerFunction } from './worker-function.js';
import { isWorkerFunction } from './worker-function.js';

/** Options for {@link WorkerPoolExecutor}. */
export interface WorkerPoolExecutorOptions {
  /**
   * The most worker threads at once.
   * @default os.availableParallelism()
   */
  maxWorkers?: number | undefined;
  /**
   * An idle worker ends after this many ms (a new one starts on demand).
   * @default Infinity
   */
  idleTimeoutMs?: number | undefined;
  /** Passed to each `Worker`: a worker that exceeds them fails its job with BrokenWorkerError. */
  resourceLimits?: ResourceLimits | undefined;
  /**
   * Passed to each `Worker` when given. Without it a worker inherits the process's own options,
   * less those Node does not allow in a worker (`--max-old-space-size` and the like), which an
   * explicit list may not contain. A list Node refuses fails the jobs that needed a new worker
   * with `BrokenWorkerError`; the pool keeps serving with the workers it has.
   * @default inherited
   */
  execArgv?: string[] | undefined;
  /**
   * Passed to each `Worker`: an object of strings, or `SHARE_ENV`.
   * @default process.env
   */
  env?: NodeJS.Dict<string> | typeof SHARE_ENV | undefined;
  /**
   * How long a cancelled running job has to end after its `currentJob().signal` aborts, before
   * its worker is terminated (and replaced). A job that ends in time keeps its worker. `0`
   * terminates at once; `Infinity` never does.
   * @default 1000
   */
  cancelGraceMs?: number | undefined;
  /**
   * A worker is replaced after this many jobs (a `map()` chunk is one), as asyncio's
   * `max_tasks_per_child`: for jobs that leak memory or state. Its queued jobs go to others
   * (those that moved buffers to it with `transfer()` cannot: it runs them first).
   * @default Infinity
   */
  maxJobsPerWorker?: number | undefined;
  /**
   * A worker whose V8 heap holds more than this many MiB after a job (garbage not yet collected
   * included) is replaced; its queued jobs go to others. Unlike `resourceLimits`, nothing fails:
   * the worker retires between jobs.
   * @default Infinity
   */
  maxHeapUsedMb?: number | undefined;
}

/** Options for {@link WorkerPoolExecutor.shutdown}. */
export interface ShutdownOptions {
  /**
   * Wait until every job has finished and every worker has ended.
   * @default true
   */
  wait?: boolean | undefined;
  /**
   * Cancel every job's future: those no worker has begun are removed, and the running ones are
   * cancelled by the ladder (their signal aborts; a worker whose job has not ended after
   * `cancelGraceMs` is terminated), so the pool closes once they have stopped. (asyncio's
   * `cancel_futures` leaves running jobs be; here they can hear it.)
   * @default false
   */
  cancelFutures?: boolean | undefined;
}

/** Options for {@link WorkerPoolExecutor.map}. */
export interface MapOptions {
  /**
   * Items per job: a worker runs `fn` on a chunk of items and sends their results back together.
   *
   * Without it, the pool picks the size as it goes: one item while nothing is known (asyncio's
   * default), then, after each result, as many items as the worker ran in 1 ms at the rate it
   * just measured, at most twice the last size and at most 1024. So tiny functions travel a
   * thousand to a message, while items that take a millisecond or more, or that the iterable
   * gives slower than one per millisecond, still go one per job and spread over the workers.
   * Give a number for chunks of exactly that size (asyncio's `chunksize`).
   * @default chosen from the measured rates, 1 to 1024
   */
  chunkSize?: number | undefined;
  /**
   * Chunks submitted and not yet yielded, at most (asyncio's `buffersize`): bounds how far ahead
   * of the consumer the iterable is read, to `bufferSize * chunkSize` items (with the default
   * chunk size, `bufferSize * 1024`).
   * @default 2 * maxWorkers
   */
  bufferSize?: number | undefined;
  /** Aborting it cancels the outstanding jobs and rejects the pending `next()` with its reason. */
  signal?: AbortSignal | undefined;
}

/** A function a worker can run: self-contained, or named with {@link workerFunction}. */
export type WorkerCallable<F extends (...args: never[]) => unknown> = F | WorkerFunction<F>;

/**
 * A pool of worker threads that runs functions off the main thread (asyncio's
 * `ProcessPoolExecutor`, over `node:worker_threads`).
 *
 * `submit` returns a corio `Future`; awaiting it inside a task is a cancellation point. A job is
 * a self-contained function (its source is sent once to each worker and cached; it cannot use
 * variables from an enclosing scope, though a named function may call itself and may
 * `await import(...)`) or a {@link workerFunction}. Arguments and results are
 * copied by structured clone, or moved with {@link transfer}.
 *
 * Cancelling the future of a queued job removes it. Cancelling a running job walks a ladder:
 * its {@link currentJob} signal aborts in the worker, and a job that ends within
 * `cancelGraceMs` keeps its worker; otherwise the worker is terminated and a fresh one takes
 * its place, while the other workers go on. Workers can be recycled after a number of jobs or
 * past a heap size, and {@link WorkerPoolExecutor.stats} gives the pool's figures. A worker that crashes
 * fails only its own job, with {@link BrokenWorkerError}. Idle workers never keep the process
 * alive; workers with jobs do.
 *
 * Jobs travel in batches: those submitted in one turn of the event loop leave together, and a
 * worker holds up to 32 jobs at once, topped up in one message when it runs low, so tiny jobs
 * never wait on a round trip each. A worker that runs out of work takes back the jobs another
 * worker has not begun, so nothing waits behind a long job while a worker is idle, and a worker
 * that crashes hands its unbegun jobs back to the others.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { WorkerPoolExecutor } from '@corio/executor';
 *
 * await using pool = new WorkerPoolExecutor({ maxWorkers: 2 });
 * // A named function may call itself: its name is part of its source.
 * function fib(n: number): number {
 *   return n < 2 ? n : fib(n - 1) + fib(n - 2);
 * }
 * const results = await Promise.all(
 *   [25, 26].map((n) => pool.submit(fib, n)),
 * );
 * assert.deepEqual(results, [75025, 121393]);
 * ```
 */
export class WorkerPoolExecutor implements AsyncDisposable {
  // Invariant: #shutdown implies every later submit() or map() throws.
  readonly #maxWorkers: number;
  readonly #scheduler: Scheduler;
  readonly #fnIds = new Map<string, number>();
  readonly #entries = new WeakMap<object, FunctionEntry>();
  #lastFn: unknown = undefined;
  #lastEntry: FunctionEntry | undefined = undefined;
  #shutdown = false;

  /**
   * @param options - see {@link WorkerPoolExecutorOptions}.
   * @throws `TypeError` for an option of the wrong type or an unknown option, `RangeError` for
   * a number out of range (`maxWorkers` not a positive integer, a negative `idleTimeoutMs`...),
   * each naming the option.
   */
  constructor(options: WorkerPoolExecutorOptions = {}) {
    const settings = poolSettings(options);
    this.#maxWorkers = settings.maxWorkers;
    this.#scheduler = new Scheduler(settings);
  }

  /**
   * Runs `fn(...args)` in a worker (asyncio's `Executor.submit`).
   *
   * The jobs submitted in one turn of the event loop leave for the workers together, a batch
   * per worker, once the turn's synchronous code is done.
   *
   * @typeParam F - the function's type.
   * @param fn - a self-contained function, or a {@link workerFunction}.
   * @param args - its arguments, copied by structured clone (or moved with {@link transfer}).
   * @returns a future for the result. It fails with the job's error (with its `name`,
   * `message`, `stack` and `cause`), with a `DataCloneError` naming the argument that cannot be
   * sent, or with `BrokenWorkerError` if the worker died.
   * @throws `InvalidStateError` after `shutdown()`; `TypeError` if `fn` is not a function.
   *
   * @example
   * ```ts
   * import assert from 'node:assert/strict';
   * import { WorkerPoolExecutor } from '@corio/executor';
   *
   * const pool = new WorkerPoolExecutor({ maxWorkers: 1 });
   * assert.equal(
   *   await pool.submit((a: number, b: number) => a * b, 6, 7),
   *   42,
   * );
   * const error = await pool
   *   .submit(() => {
   *     throw new RangeError('too big', { cause: 'reason' });
   *   })
   *   .catch((e: unknown) => e);
   * assert.ok(error instanceof RangeError);
   * assert.equal(error.cause, 'reason');
   * await pool.shutdown();
   * ```
   */
  submit<F extends (...args: never[]) => unknown>(
    fn: WorkerCallable<F>,
    ...args: Parameters<F>
  ): Future<Awaited<ReturnType<F>>> {
    if (this.#shutdown) {
      throw new InvalidStateError('Cannot submit to a WorkerPoolExecutor after shutdown()');
    }
    const entry = this.#define(fn, 'submit');
    const list = args as unknown[];
    let moved: Transferable[] | undefined;
    for (let i = 0; i < list.length; i++) {
      const arg = list[i];
      if (typeof arg === 'object' && arg !== null && TRANSFER in arg) {
        const marked = arg as unknown as { value: unknown; transferList: Transferable[] };
        (moved ??= []).push(...marked.transferList);
        list[i] = marked.value;
      }
    }
    const transferList = moved ?? NO_TRANSFER;
    const job = new JobFuture<Awaited<ReturnType<F>>>(this.#scheduler, entry, list, transferList);
    this.#scheduler.enqueue(job);
    // Moved objects leave at once (if a worker has room), as the caller expects them detached.
    if (transferList !== NO_TRANSFER) this.#scheduler.dispatchNow();
    return job;
  }

  /**
   * Runs `fn(item)` in the workers for each item of `iterable` and yields the results in input
   * order (asyncio's `Executor.map`, lazy and bounded like its `buffersize`).
   *
   * The items are read only as the results are consumed: at most `bufferSize` chunks of
   * `chunkSize` items are submitted and not yet yielded at any time, so an endless or huge
   * iterable (sync or async) is fine. Each chunk is one job: the worker runs `fn` on its items
   * in turn and sends their results back together, which saves a round trip per item for tiny
   * functions. By default the chunk size follows the measured cost of the items and the rate
   * of the iterable (see {@link MapOptions.chunkSize}): tiny functions run as fast as through
   * `submit()` or faster, slow ones one item per job.
   *
   * If an item fails, the results before it are yielded, then its error is thrown; the jobs
   * still outstanding are cancelled. Leaving the `for await` early (`break`, `return`, a thrown
   * error), aborting `signal`, or cancelling the task that consumes the results cancels them
   * too (a chunk that is running stops before its next item, or as `cancel()` stops a job).
   *
   * @typeParam F - the function's type: it takes one item.
   * @param fn - a self-contained function of one argument, or a {@link workerFunction}.
   * @param iterable - the items, an `Iterable` or an `AsyncIterable`.
   * @param options - see {@link MapOptions}.
   * @returns an async iterator of the results, in the order of the items.
   * @throws `RangeError` if `chunkSize` or `bufferSize` is not a positive integer;
   * `InvalidStateError` after `shutdown()`; `TypeError` if `fn` is not a function.
   *
   * @example
   * ```ts
   * import assert from 'node:assert/strict';
   * import { WorkerPoolExecutor } from '@corio/executor';
   *
   * await using pool = new WorkerPoolExecutor({ maxWorkers: 2 });
   * const squares: number[] = [];
   * for await (const square of pool.map(
   *   (n: number) => n * n,
   *   [1, 2, 3, 4, 5],
   *   { chunkSize: 2 },
   * )) {
   *   squares.push(square);
   * }
   * assert.deepEqual(squares, [1, 4, 9, 16, 25]);
   *
   * // Lazy: an endless generator is read only as far as the results are
   * // consumed.
   * function* naturals(): Generator<number> {
   *   for (let n = 1; ; n++) yield n;
   * }
   * for await (const cube of pool.map((n: number) => n ** 3, naturals())) {
   *   if (cube > 100) break; // cancels the jobs still outstanding
   * }
   * ```
   */
  map<F extends (item: never) => unknown>(
    fn: WorkerCallable<F>,
    iterable: Iterable<Parameters<F>[0]> | AsyncIterable<Parameters<F>[0]>,
    options: MapOptions = {},
  ): AsyncIterableIterator<Awaited<ReturnType<F>>> {
    if (this.#shutdown) {
      throw new InvalidStateError('Cannot map on a WorkerPoolExecutor after shutdown()');
    }
    const entry = this.#define(fn, 'map');
    const { chunkSize, signal } = options;
    const bufferSize = options.bufferSize ?? 2 * this.#maxWorkers;
    if (chunkSize !== undefined && (!Number.isInteger(chunkSize) || chunkSize < 1)) {
      throw new RangeError(
        `Cannot map: 'chunkSize' must be a positive integer, received ${String(chunkSize)}`,
      );
    }
    if (!Number.isInteger(bufferSize) || bufferSize < 1) {
      throw new RangeError(
        `Cannot map: 'bufferSize' must be a positive integer, received ${String(bufferSize)}`,
      );
    }
    const items: unknown = iterable;
    if (
      typeof items !== 'object' ||
      items === null ||
      !(Symbol.iterator in items || Symbol.asyncIterator in items)
    ) {
      throw new TypeError(
        `Cannot map: 'iterable' must be an iterable or an async iterable, received ${items === null ? 'null' : typeof items}`,
      );
    }
    const submitChunk = (items: unknown[]): Future<ChunkResult> => {
      if (this.#shutdown) {
        throw new InvalidStateError('Cannot map on a WorkerPoolExecutor after shutdown()');
      }
      const job = new ChunkFuture<ChunkResult>(this.#scheduler, entry, items, NO_TRANSFER);
      this.#scheduler.enqueue(job);
      return job;
    };
    const chunks = mapResults(submitChunk, iterable, { chunkSize, bufferSize, signal });
    return new MapIterator<Awaited<ReturnType<F>>>(chunks, signal);
  }

  /**
   * Stops taking jobs and ends the workers once their jobs are done (asyncio's
   * `Executor.shutdown`). Calling it again is harmless.
   *
   * @param options - see {@link ShutdownOptions}.
   * @returns a promise that resolves once every worker has ended if `wait` (the default), at
   * once otherwise (the jobs still run to the end).
   *
   * @example
   * ```ts
   * import assert from 'node:assert/strict';
   * import { InvalidStateError } from '@corio/core';
   * import { WorkerPoolExecutor } from '@corio/executor';
   *
   * const pool = new WorkerPoolExecutor({ maxWorkers: 1 });
   * const result = pool.submit(() => 'finished');
   * await pool.shutdown(); // waits for the job
   * assert.equal(result.result(), 'finished');
   * assert.throws(() => pool.submit(() => 1), InvalidStateError);
   * ```
   */
  async shutdown(options: ShutdownOptions = {}): Promise<void> {
    const { wait = true, cancelFutures = false } = options;
    this.#shutdown = true;
    const closed = this.#scheduler.close(cancelFutures);
    if (wait) await closed;
  }

  /** `await using pool = new WorkerPoolExecutor()`: shuts the pool down and waits. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  /**
   * The pool's figures now: jobs queued, running, completed, failed and cancelled, each worker's
   * state and utilization, and percentiles of the jobs' run and wait times. `String()` of it
   * prints them. See {@link ExecutorStats}.
   *
   * @returns a snapshot (it does not change afterwards).
   *
   * @example
   * ```ts
   * import assert from 'node:assert/strict';
   * import { WorkerPoolExecutor } from '@corio/executor';
   *
   * await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
   * await pool.submit(() => 1);
   * await pool.submit(() => {
   *   throw new Error('no');
   * }).catch(() => undefined);
   * const { completed, failed, workers } = pool.stats();
   * assert.deepEqual([completed, failed, workers.length], [1, 1, 1]);
   * ```
   */
  stats(): ExecutorStats {
    return this.#scheduler.stats();
  }

  /** Renders the state: `<WorkerPoolExecutor running workers=2 queued=5>`. */
  toString(): string {
    const state = this.#shutdown ? 'shut down' : 'running';
    const { workerCount, queued } = this.#scheduler;
    return `<WorkerPoolExecutor ${state} workers=${String(workerCount)} queued=${String(queued)}>`;
  }

  /** @internal */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  #define(fn: unknown, method: string): FunctionEntry {
    if (fn === this.#lastFn) return this.#lastEntry as FunctionEntry;
    if (typeof fn !== 'function' && !isWorkerFunction(fn)) {
      throw new TypeError(
        `${method}: 'fn' must be a function or a workerFunction(), received ${fn === null ? 'null' : typeof fn}`,
      );
    }
    let entry = this.#entries.get(fn);
    if (entry === undefined) {
      let def: FunctionDef;
      let key: string;
      let name: string;
      if (isWorkerFunction(fn)) {
        def = { url: fn.moduleUrl, exp: fn.exportName };
        key = `mod ${fn.moduleUrl}#${fn.exportName}`;
        name = fn.exportName;
      } else {
        const src = Function.prototype.toString.call(fn);
        name = (fn as { name: string }).name || 'anonymous';
        def = { src, name };
        key = `src ${src}`;
      }
      let id = this.#fnIds.get(key);
      if (id === undefined) {
        id = this.#fnIds.size + 1;
        this.#fnIds.set(key, id);
      }
      entry = { id, def, name };
      this.#entries.set(fn, entry);
    }
    this.#lastFn = fn;
    this.#lastEntry = entry;
    return entry;
  }
}
