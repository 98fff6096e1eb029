import { availableParallelism } from 'node:os';
import type { ResourceLimits, Transferable } from 'node:worker_threads';
import type { Future } from '@corio/core';
import { InvalidStateError } from '@corio/core';
import { BrokenWorkerError } from './errors.js';
import type { FunctionEntry, JobOwner } from './internal/job.js';
import { ChunkFuture, JobFuture, NO_TRANSFER } from './internal/job.js';
import { mapResults } from './internal/map-results.js';
import type { Job, SpawnOptions } from './internal/pool-worker.js';
import { PoolWorker } from './internal/pool-worker.js';
import type { BatchMessage, ChunkResult, FunctionDef, ResultMessage } from './internal/protocol.js';
import { REFILL_AT, TRANSFER, deserializeError } from './internal/protocol.js';
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
   * Passed to each `Worker`.
   * @default process.execArgv
   */
  execArgv?: string[] | undefined;
  /**
   * Passed to each `Worker`.
   * @default process.env
   */
  env?: SpawnOptions['env'];
}

/** Options for {@link WorkerPoolExecutor.shutdown}. */
export interface ShutdownOptions {
  /**
   * Wait until every job has finished and every worker has ended.
   * @default true
   */
  wait?: boolean | undefined;
  /**
   * Cancel the futures of the jobs no worker has begun.
   * @default false
   */
  cancelFutures?: boolean | undefined;
}

/** Options for {@link WorkerPoolExecutor.map}. */
export interface MapOptions {
  /**
   * Items per job: a worker runs `fn` on a chunk of items and sends their results back together.
   * @default 1
   */
  chunkSize?: number | undefined;
  /**
   * Chunks submitted and not yet yielded, at most (asyncio's `buffersize`): bounds how far ahead
   * of the consumer the iterable is read.
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
 * Cancelling the future of a queued job removes it; cancelling a running job terminates its
 * worker and a fresh one takes its place, while the other workers go on. A worker that crashes
 * fails only its own job, with {@link BrokenWorkerError}. Idle workers never keep the process
 * alive; workers with jobs do.
 *
 * Each worker gets a few jobs at once so tiny jobs do not wait on a round trip; a worker that
 * runs out of work takes back jobs another worker has not begun, so nothing waits behind a long
 * job while a worker is idle.
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
 * const results = await Promise.all([25, 26].map((n) => pool.submit(fib, n)));
 * assert.deepEqual(results, [75025, 121393]);
 * ```
 */
export class WorkerPoolExecutor implements AsyncDisposable {
  // Invariant: a queued job has worker === undefined; a job is in at most one worker's inflight.
  readonly #maxWorkers: number;
  readonly #idleTimeoutMs: number;
  readonly #spawnOptions: SpawnOptions;
  readonly #workers: PoolWorker[] = [];
  /** Workers terminated but not exited yet. */
  readonly #exiting = new Set<PoolWorker>();
  #queue: Job[] = [];
  #head = 0;
  /** A dispatch is due in a microtask: the jobs submitted in one turn leave in one batch. */
  #scheduled = false;
  readonly #fnIds = new Map<string, number>();
  readonly #entries = new WeakMap<object, FunctionEntry>();
  #lastFn: unknown = undefined;
  #lastEntry: FunctionEntry | undefined = undefined;
  readonly #owner: JobOwner = {
    jobCancelled: (job) => {
      this.#onCancel(job);
    },
  };
  readonly #runDispatch = (): void => {
    this.#scheduled = false;
    this.#dispatch();
  };
  readonly #onMessage = (worker: PoolWorker, message: ResultMessage): void => {
    this.#onResult(worker, message);
  };
  #shutdown = false;
  #closed: { promise: Promise<void>; resolve: () => void } | undefined = undefined;

  /**
   * @param options - see {@link WorkerPoolExecutorOptions}.
   * @throws `RangeError` if `maxWorkers` is not a positive integer or `idleTimeoutMs` is negative.
   */
  constructor(options: WorkerPoolExecutorOptions = {}) {
    const maxWorkers = options.maxWorkers ?? availableParallelism();
    if (!Number.isInteger(maxWorkers) || maxWorkers < 1) {
      throw new RangeError(
        `Cannot create WorkerPoolExecutor: 'maxWorkers' must be a positive integer, received ${String(maxWorkers)}`,
      );
    }
    const idle = options.idleTimeoutMs ?? Infinity;
    if (typeof idle !== 'number' || Number.isNaN(idle) || idle < 0) {
      throw new RangeError(
        `Cannot create WorkerPoolExecutor: 'idleTimeoutMs' must be a non-negative number, received ${String(idle)}`,
      );
    }
    this.#maxWorkers = maxWorkers;
    this.#idleTimeoutMs = idle;
    this.#spawnOptions = {
      resourceLimits: options.resourceLimits,
      execArgv: options.execArgv,
      env: options.env,
    };
  }

  /** The most worker threads this pool runs at once. */
  get maxWorkers(): number {
    return this.#maxWorkers;
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
   * assert.equal(await pool.submit((a: number, b: number) => a * b, 6, 7), 42);
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
    const job = new JobFuture<Awaited<ReturnType<F>>>(this.#owner, entry, list, transferList);
    this.#enqueue(job);
    // Moved objects leave at once (if a worker has room), as the caller expects them detached.
    if (transferList !== NO_TRANSFER) this.#dispatch();
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
   * functions.
   *
   * If an item fails, the results before it are yielded, then its error is thrown; the jobs
   * still outstanding are cancelled. Leaving the `for await` early (`break`, `return`, a thrown
   * error), aborting `signal`, or cancelling the task that consumes the results cancels them
   * too (a chunk that is running is stopped by terminating its worker, as with `cancel()`).
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
   * for await (const square of pool.map((n: number) => n * n, [1, 2, 3, 4, 5], { chunkSize: 2 })) {
   *   squares.push(square);
   * }
   * assert.deepEqual(squares, [1, 4, 9, 16, 25]);
   *
   * // Lazy: an endless generator is read only as far as the results are consumed.
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
    const { chunkSize = 1, signal } = options;
    const bufferSize = options.bufferSize ?? 2 * this.#maxWorkers;
    if (!Number.isInteger(chunkSize) || chunkSize < 1) {
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
      const job = new ChunkFuture<ChunkResult>(this.#owner, entry, items, NO_TRANSFER);
      this.#enqueue(job);
      return job;
    };
    return mapResults<Awaited<ReturnType<F>>>(submitChunk, iterable, {
      chunkSize,
      bufferSize,
      signal,
    });
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
    this.#closed ??= deferred();
    const closed = this.#closed.promise;
    if (!this.#shutdown) {
      this.#shutdown = true;
      if (cancelFutures) this.#cancelUnstarted();
      this.#dispatch();
    }
    if (wait) await closed;
  }

  /** `await using pool = new WorkerPoolExecutor()`: shuts the pool down and waits. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  /** Renders the state: `<WorkerPoolExecutor running workers=2 queued=5>`. */
  toString(): string {
    const state = this.#shutdown ? 'shut down' : 'running';
    const queued = this.#queue.length - this.#head;
    return `<WorkerPoolExecutor ${state} workers=${String(this.#workers.length)} queued=${String(queued)}>`;
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

  #enqueue(job: Job): void {
    this.#queue.push(job);
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(this.#runDispatch);
    }
  }

  /** Hands queued jobs to workers; ends the workers once shut down and out of work. */
  #dispatch(): void {
    if (this.#head < this.#queue.length) this.#assign();
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    if (this.#head === this.#queue.length) {
      for (const worker of [...this.#workers]) {
        if (worker.inflight.length === 0) this.#idle(worker);
      }
    }
    this.#maybeClose();
  }

  /**
   * Picks a worker for each queued job (an idle one, else a new one while below maxWorkers,
   * else the least loaded with room), then sends each worker its jobs in one message.
   */
  #assign(): void {
    const queue = this.#queue;
    for (const worker of this.#workers) worker.room = worker.openRoom(REFILL_AT);
    let used: PoolWorker[] | undefined;
    while (this.#head < queue.length) {
      const job = queue[this.#head] as Job;
      if (job.done()) {
        this.#head++;
        continue;
      }
      const worker = this.#pickWorker();
      if (worker === undefined) break;
      this.#head++;
      if (worker.outbox.length === 0) (used ??= []).push(worker);
      worker.outbox.push(job);
      worker.room--;
    }
    if (used !== undefined) for (const worker of used) this.#send(worker);
  }

  #pickWorker(): PoolWorker | undefined {
    let best: PoolWorker | undefined;
    let bestLoad = Infinity;
    for (const worker of this.#workers) {
      if (worker.room <= 0) continue;
      const load = worker.inflight.length + worker.outbox.length;
      if (load === 0) return worker;
      if (load < bestLoad) {
        best = worker;
        bestLoad = load;
      }
    }
    if (this.#workers.length < this.#maxWorkers) return this.#spawn();
    return best;
  }

  #spawn(): PoolWorker {
    const worker = new PoolWorker(this.#spawnOptions, this.#onMessage);
    worker.thread.on('exit', (code) => {
      this.#onExit(worker, code);
    });
    worker.room = worker.openRoom(REFILL_AT);
    this.#workers.push(worker);
    return worker;
  }

  /** Sends the worker its outbox in one message (one message per job if that one fails). */
  #send(worker: PoolWorker): void {
    const jobs = worker.outbox.splice(0);
    if (jobs.length > 1 && !this.#post(worker, jobs)) {
      // Some argument cannot be cloned: one message per job finds which.
      for (const job of jobs) this.#post(worker, [job]);
    } else if (jobs.length === 1) {
      this.#post(worker, jobs);
    }
  }

  /** Posts jobs as one batch; false (and nothing changed) if it cannot be sent. */
  #post(worker: PoolWorker, jobs: Job[]): boolean {
    let defs: (number | FunctionDef)[] | undefined;
    let transferList: Transferable[] | undefined;
    const flat: unknown[] = new Array<unknown>(2 * jobs.length);
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[i] as Job;
      const { id } = job.fn;
      if (!worker.defs.has(id) && !defs?.includes(id)) {
        (defs ??= []).push(id, job.fn.def);
      }
      flat[2 * i] = job.chunk ? -id : id;
      flat[2 * i + 1] = job.args;
      if (job.transferList.length > 0) (transferList ??= []).push(...job.transferList);
    }
    const message: BatchMessage = { seq: worker.nextSeq, jobs: flat };
    if (defs !== undefined) message.defs = defs;
    try {
      worker.thread.postMessage(message, transferList);
    } catch (error) {
      if (jobs.length > 1) return false;
      const job = jobs[0] as Job;
      job.setException(cloneError(job, error));
      return true;
    }
    if (defs !== undefined)
      for (let i = 0; i < defs.length; i += 2) worker.defs.add(defs[i] as number);
    if (worker.inflight.length === 0) {
      clearTimeout(worker.idleTimer);
      worker.idleTimer = undefined;
      worker.thread.ref();
    }
    for (const job of jobs) {
      job.seq = worker.nextSeq++;
      job.worker = worker;
      worker.inflight.push(job);
    }
    return true;
  }

  #onResult(worker: PoolWorker, message: ResultMessage): void {
    const inflight = worker.inflight;
    // Answers come in seq order, so the job is almost always the first.
    let index = 0;
    while (index < inflight.length && (inflight[index] as Job).seq !== message.seq) index++;
    // A job cancelled after it finished: its result is dropped.
    if (index === inflight.length) return;
    const job = inflight[index] as Job;
    if (index === 0) inflight.shift();
    else inflight.splice(index, 1);
    job.worker = undefined;
    if (!job.done()) {
      if (message.ok) job.setResult(message.value);
      else job.setException(deserializeError(message.error));
    }
    const left = inflight.length;
    if (left === 0 || (left <= REFILL_AT && this.#head < this.#queue.length)) this.#dispatch();
  }

  /** A worker with nothing to do: takes back jobs another worker has not begun, or rests. */
  #idle(worker: PoolWorker): void {
    if (!this.#shutdown || this.#workers.some((w) => w.inflight.length > 1)) {
      let busiest: PoolWorker | undefined;
      for (const other of this.#workers) {
        if (other === worker || other.retired || other.inflight.length < 2) continue;
        if (busiest === undefined || other.inflight.length > busiest.inflight.length) {
          busiest = other;
        }
      }
      if (busiest !== undefined) {
        // The later half of its jobs, from the last one back, until one has begun.
        const taken: Job[] = [];
        const inflight = busiest.inflight;
        for (let n = inflight.length >> 1; n > 0; n--) {
          const job = inflight.at(-1) as Job;
          if (job.transferList.length > 0 || busiest.revoke(job) !== 'revoked') break;
          inflight.pop();
          job.worker = undefined;
          taken.push(job);
        }
        if (taken.length > 0) {
          worker.outbox.push(...taken.reverse());
          this.#send(worker);
          return;
        }
      }
    }
    worker.thread.unref();
    if (Number.isFinite(this.#idleTimeoutMs) && worker.idleTimer === undefined) {
      worker.idleTimer = setTimeout(() => {
        worker.idleTimer = undefined;
        if (worker.inflight.length === 0) this.#retire(worker);
      }, this.#idleTimeoutMs);
      worker.idleTimer.unref();
    }
  }

  #onCancel(job: Job): void {
    const worker = job.worker;
    // A queued job is skipped by #dispatch.
    if (worker === undefined) return;
    const outcome = worker.revoke(job);
    worker.remove(job);
    job.worker = undefined;
    if (outcome === 'running') this.#retire(worker);
    this.#dispatch();
  }

  /** shutdown({ cancelFutures: true }): cancels what no worker has begun. */
  #cancelUnstarted(): void {
    for (let i = this.#head; i < this.#queue.length; i++) (this.#queue[i] as Job).cancel();
    for (const worker of this.#workers) {
      for (const job of [...worker.inflight]) {
        if (worker.revoke(job) !== 'revoked') continue;
        worker.remove(job);
        job.worker = undefined;
        job.cancel();
      }
    }
  }

  /**
   * Terminates a worker on purpose. The jobs it has not begun go back to the queue at once
   * (taken back), or when it exits if they moved buffers to it.
   */
  #retire(worker: PoolWorker): void {
    if (worker.retired) return;
    worker.retired = true;
    clearTimeout(worker.idleTimer);
    const index = this.#workers.indexOf(worker);
    if (index !== -1) this.#workers.splice(index, 1);
    this.#exiting.add(worker);
    void worker.thread.terminate();
    const requeue: Job[] = [];
    for (const job of [...worker.inflight]) {
      if (job.transferList.length > 0 || worker.revoke(job) !== 'revoked') continue;
      worker.remove(job);
      job.worker = undefined;
      requeue.push(job);
    }
    if (requeue.length > 0) this.#queue.splice(this.#head, 0, ...requeue);
  }

  #onExit(worker: PoolWorker, code: number): void {
    clearTimeout(worker.idleTimer);
    const index = this.#workers.indexOf(worker);
    if (index !== -1) this.#workers.splice(index, 1);
    this.#exiting.delete(worker);
    const { started } = worker.progress();
    const requeue: Job[] = [];
    for (const job of worker.inflight) {
      job.worker = undefined;
      if (job.done()) continue;
      if (job.seq > started && job.transferList.length === 0) {
        requeue.push(job);
        continue;
      }
      const cause = worker.crash !== undefined ? worker.crash.error : code;
      const how =
        worker.crash !== undefined
          ? `crashed: ${describe(worker.crash.error)}`
          : worker.retired
            ? 'was terminated'
            : `exited with code ${String(code)}`;
      job.setException(
        new BrokenWorkerError(`The worker running '${job.fn.name}' ${how}`, { cause }),
      );
    }
    worker.inflight.length = 0;
    this.#queue.splice(this.#head, 0, ...requeue);
    this.#dispatch();
  }

  #maybeClose(): void {
    if (!this.#shutdown || this.#head < this.#queue.length) return;
    if (this.#workers.some((w) => w.inflight.length > 0)) return;
    for (const worker of [...this.#workers]) this.#retire(worker);
    if (this.#exiting.size === 0) this.#closed?.resolve();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** The DataCloneError of a job whose arguments cannot be sent, naming the argument. */
function cloneError(job: Job, error: unknown): unknown {
  const index = job.args.findIndex((arg) => {
    if (job.transferList.includes(arg as Transferable)) return false;
    try {
      structuredClone(arg);
      return false;
    } catch {
      return true;
    }
  });
  const what = index === -1 ? 'the arguments' : `argument ${String(index)}`;
  const reason = error instanceof Error ? error.message : String(error);
  return new DOMException(
    `Cannot send ${what} of '${job.fn.name}' to a worker: ${reason}`,
    'DataCloneError',
  );
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
