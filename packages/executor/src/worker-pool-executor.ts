import { availableParallelism } from 'node:os';
import type { ResourceLimits, Transferable } from 'node:worker_threads';
import { Future, InvalidStateError } from '@corio/core';
import { BrokenWorkerError } from './errors.js';
import type { Job, SpawnOptions } from './internal/pool-worker.js';
import { PoolWorker } from './internal/pool-worker.js';
import type { FunctionDef, ResultMessage } from './internal/protocol.js';
import { MAX_IN_FLIGHT, deserializeError, unwrapTransfer } from './internal/protocol.js';
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

/** A function a worker can run: self-contained, or named with {@link workerFunction}. */
export type WorkerCallable<F extends (...args: never[]) => unknown> = F | WorkerFunction<F>;

/**
 * A job's future. The pool hears of its cancellation synchronously, inside `cancel()`: a done
 * callback would run a microtask later, by which time the worker thread may already have begun
 * the job it was meant to take back.
 */
class JobFuture<T> extends Future<T> {
  onCancel: (() => void) | undefined = undefined;

  override cancel(message?: string): boolean {
    if (!super.cancel(message)) return false;
    this.onCancel?.();
    return true;
  }
}

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
  readonly #fnIds = new Map<string, number>();
  readonly #defs = new WeakMap<object, { id: number; def: FunctionDef; name: string }>();
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

  /**
   * Runs `fn(...args)` in a worker (asyncio's `Executor.submit`).
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
    const { id, def, name } = this.#define(fn);
    const transferList: Transferable[] = [];
    const sent = (args as unknown[]).map((arg) => unwrapTransfer(arg, transferList));
    const future = new JobFuture<Awaited<ReturnType<F>>>();
    const job: Job = {
      future,
      fnId: id,
      def,
      name,
      args: sent,
      transferList,
      worker: undefined,
      seq: 0,
    };
    future.onCancel = () => {
      this.#onCancel(job);
    };
    this.#queue.push(job);
    this.#dispatch();
    return future;
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

  #define(fn: unknown): { id: number; def: FunctionDef; name: string } {
    if (typeof fn !== 'function' && !isWorkerFunction(fn)) {
      throw new TypeError(
        `submit: 'fn' must be a function or a workerFunction(), received ${fn === null ? 'null' : typeof fn}`,
      );
    }
    const known = this.#defs.get(fn);
    if (known !== undefined) return known;
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
    const entry = { id, def, name };
    this.#defs.set(fn, entry);
    return entry;
  }

  /** Hands queued jobs to workers; ends the workers once shut down and out of work. */
  #dispatch(): void {
    while (this.#head < this.#queue.length) {
      const job = this.#queue[this.#head] as Job;
      if (job.future.done()) {
        this.#head++;
        continue;
      }
      const worker = this.#pickWorker();
      if (worker === undefined) break;
      this.#head++;
      this.#send(worker, job);
    }
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

  #pickWorker(): PoolWorker | undefined {
    let best: PoolWorker | undefined;
    for (const worker of this.#workers) {
      const load = worker.inflight.length;
      if (load === 0) return worker;
      if (load < MAX_IN_FLIGHT && (best === undefined || load < best.inflight.length))
        best = worker;
    }
    if (this.#workers.length < this.#maxWorkers) return this.#spawn();
    return best;
  }

  #spawn(): PoolWorker {
    const worker = new PoolWorker(this.#spawnOptions, (w, m) => {
      this.#onResult(w, m);
    });
    worker.thread.on('exit', (code) => {
      this.#onExit(worker, code);
    });
    this.#workers.push(worker);
    return worker;
  }

  #send(worker: PoolWorker, job: Job): void {
    const seq = worker.nextSeq;
    const withDef = !worker.defs.has(job.fnId);
    const message = withDef
      ? { seq, fn: job.fnId, def: job.def, args: job.args }
      : { seq, fn: job.fnId, args: job.args };
    try {
      worker.thread.postMessage(message, job.transferList);
    } catch (error) {
      job.future.setException(cloneError(job, error));
      return;
    }
    worker.nextSeq++;
    if (withDef) worker.defs.add(job.fnId);
    job.seq = seq;
    job.worker = worker;
    worker.inflight.push(job);
    if (worker.inflight.length === 1) {
      clearTimeout(worker.idleTimer);
      worker.idleTimer = undefined;
      worker.thread.ref();
    }
  }

  #onResult(worker: PoolWorker, message: ResultMessage): void {
    const job = worker.inflight.find((j) => j.seq === message.seq);
    // A job cancelled after it finished: its result is dropped.
    if (job === undefined) return;
    worker.remove(job);
    job.worker = undefined;
    if (!job.future.done()) {
      if (message.ok) job.future.setResult(message.value);
      else job.future.setException(deserializeError(message.error));
    }
    this.#dispatch();
  }

  /** A worker with nothing to do: takes back a job another worker has not begun, or rests. */
  #idle(worker: PoolWorker): void {
    if (!this.#shutdown || this.#workers.some((w) => w.inflight.length > 1)) {
      for (const other of this.#workers) {
        if (other === worker || other.inflight.length < 2) continue;
        const job = other.inflight.at(-1) as Job;
        if (job.transferList.length > 0 || other.revoke(job) !== 'revoked') continue;
        other.remove(job);
        job.worker = undefined;
        this.#send(worker, job);
        return;
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
    for (let i = this.#head; i < this.#queue.length; i++) (this.#queue[i] as Job).future.cancel();
    for (const worker of this.#workers) {
      for (const job of [...worker.inflight]) {
        if (worker.revoke(job) !== 'revoked') continue;
        worker.remove(job);
        job.worker = undefined;
        job.future.cancel();
      }
    }
  }

  /** Terminates a worker on purpose; its unstarted jobs go back to the queue when it exits. */
  #retire(worker: PoolWorker): void {
    if (worker.retired) return;
    worker.retired = true;
    clearTimeout(worker.idleTimer);
    const index = this.#workers.indexOf(worker);
    if (index !== -1) this.#workers.splice(index, 1);
    this.#exiting.add(worker);
    void worker.thread.terminate();
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
      if (job.future.done()) continue;
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
      job.future.setException(
        new BrokenWorkerError(`The worker running '${job.name}' ${how}`, { cause }),
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
    `Cannot send ${what} of '${job.name}' to a worker: ${reason}`,
    'DataCloneError',
  );
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
