import { randomUUID } from 'node:crypto';
import type { Future } from '@corio/core';
import { InvalidStateError } from '@corio/core';
import type { ShutdownOptions, WorkerFunction } from '@corio/executor';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BullMQJobOwner, CancelAck } from './bullmq-job.js';
import { BullMQJob } from './bullmq-job.js';
import type { RedisConnection } from './connection.js';
import { ReadyGate, ownClient } from './internal/connection.js';
import { CANCEL_SCRIPT, FLAG_TTL_SECONDS, QueueKeys } from './internal/keys.js';
import { mapInOrder } from './internal/map-in-order.js';
import { ReplyReader } from './internal/reply-reader.js';
import type { JobData } from './internal/wire.js';
import { decodeReply, deserializeError, encode } from './internal/wire.js';

/** Options for {@link BullMQExecutor}. */
export interface BullMQExecutorOptions {
  /**
   * A `redis://` URL, ioredis options (`{ host, port }`), or an ioredis client whose settings are
   * copied (the client stays yours to close): the `connection` of `RedisSemaphore` too. A Redis
   * Cluster is not supported.
   */
  connection: RedisConnection;
  /** The BullMQ queue's name: the workers started with `startWorker` on it run the jobs. */
  queue: string;
}

/** Options for {@link BullMQExecutor.map}. */
export interface BullMQMapOptions {
  /**
   * Jobs submitted and not yet yielded, at most: how far ahead of the consumer the iterable is
   * read.
   * @default 64
   */
  bufferSize?: number | undefined;
  /** Aborting it cancels the outstanding jobs and rejects the pending `next()` with its reason. */
  signal?: AbortSignal | undefined;
}

/** BullMQ settings of every job. */
const JOB_OPTIONS = {
  // A job's own error is its result (sent back with its name, stack and cause); BullMQ retries
  // only what it must: a job whose worker process died (stalled-job recovery).
  attempts: 1,
  // Kept so that a submitter that died does not take the result with it, for an hour.
  removeOnComplete: { age: 3600 },
  // Failed in BullMQ's sense (stalled too often): kept a day, for inspection.
  removeOnFail: { age: 24 * 3600 },
} as const;

const WORKER_FUNCTION = Symbol.for('corio.WorkerFunction');

interface Pending {
  job: BullMQJob<unknown>;
  name: string;
  data: JobData;
}

/**
 * An executor whose jobs run in other processes, on other machines, through a BullMQ queue in
 * Redis: the interface of `WorkerPoolExecutor` (asyncio's `Executor`) for `startWorker` workers.
 *
 * A job is a `workerFunction` (a module URL and an export name: no closure crosses machines,
 * so the module must exist at that URL where the workers run) and arguments that travel by
 * structured clone (V8's serialization). The workers run each job in a worker thread of their own
 * `WorkerPoolExecutor`, so a job has `currentJob().signal` as in a local pool.
 *
 * Cancelling a job's future (directly, or through `waitFor`, `timeout` or a cancelled task)
 * settles it at once and records the cancel in Redis, atomically against the worker's start of
 * the job: a job not yet begun is removed from the queue and never starts; a running one has its
 * signal aborted in the worker process that runs it (over Redis pub/sub), then, if it has not
 * ended after the worker's `cancelGraceMs`, its thread is terminated. `cancelAcknowledged()` on
 * the future tells which of the two happened.
 *
 * Delivery: at least once, at most `1 + maxStalledCount` (2) times. A job whose worker process
 * dies under it is run again by another worker (BullMQ's stalled-job recovery, after the lock
 * expires); if that one dies under it too, the future fails with `BrokenWorkerError`. If the
 * submitting process dies, its jobs still run; their results stay in Redis for an hour. When
 * Redis cannot be reached, `submit` fails with an error naming the address instead of waiting.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { createServer } from 'node:net';
 * import { workerFunction } from '@corio/executor';
 * import { BullMQExecutor } from '@corio/redis';
 *
 * // A port nothing listens on: Redis is unreachable.
 * const server = createServer().listen(0, '127.0.0.1');
 * await new Promise((resolve) => server.once('listening', resolve));
 * const { port } = server.address() as { port: number };
 * await new Promise((resolve) => server.close(resolve));
 *
 * await using executor = new BullMQExecutor({
 *   connection: { host: '127.0.0.1', port },
 *   queue: 'jobs',
 * });
 * const double = workerFunction<(n: number) => number>(
 *   new URL('./jobs.js', import.meta.url),
 *   'double',
 * );
 * const error = await executor.submit(double, 21).catch((e) => e);
 * assert.match(String(error), /cannot reach Redis at 127\.0\.0\.1/);
 * ```
 */
export class BullMQExecutor implements BullMQJobOwner, AsyncDisposable {
  // Invariant: #jobs holds exactly the jobs submitted and not settled; #shutdown implies every
  // later submit() or map() throws.
  readonly #queueName: string;
  readonly #keys: QueueKeys;
  readonly #client: Redis;
  readonly #gate: ReadyGate;
  readonly #reader: ReplyReader;
  readonly #replyKey: string;
  readonly #submitterId = randomUUID();
  readonly #jobs = new Map<string, BullMQJob<unknown>>();
  /** Submitted in this turn of the event loop, not yet sent: they leave together. */
  #batch: Pending[] = [];
  /** The sends in flight, by job id: a cancel waits for its job's. */
  readonly #sends = new Map<string, Promise<boolean>>();
  readonly #acks = new Set<Promise<unknown>>();
  #queue: Queue | undefined = undefined;
  #seq = 0;
  #shutdown = false;
  #closed: Promise<void> | undefined = undefined;

  /**
   * @param options - see {@link BullMQExecutorOptions}.
   * @throws `TypeError` if `queue` is not a non-empty string or `connection` is missing.
   */
  constructor(options: BullMQExecutorOptions) {
    const { queue } = options as Partial<BullMQExecutorOptions>;
    const connection: unknown = options.connection;
    if (typeof queue !== 'string' || queue === '' || queue.includes(':')) {
      throw new TypeError(
        `Cannot create BullMQExecutor: 'queue' must be a non-empty string without ':', received ${JSON.stringify(queue)}`,
      );
    }
    if (typeof connection !== 'string' && (typeof connection !== 'object' || connection === null)) {
      throw new TypeError(
        `Cannot create BullMQExecutor: 'connection' must be a redis:// URL, ioredis options or a client, received ${connection === null ? 'null' : typeof connection}`,
      );
    }
    this.#queueName = queue;
    this.#keys = new QueueKeys(queue);
    this.#replyKey = this.#keys.replies(this.#submitterId);
    this.#client = ownClient(options.connection);
    this.#gate = new ReadyGate(this.#client, `BullMQExecutor(queue '${queue}')`);
    this.#reader = new ReplyReader(
      ownClient(options.connection, { maxRetriesPerRequest: null }),
      this.#replyKey,
      (reply) => {
        this.#onReply(reply);
      },
    );
  }

  /**
   * Runs `fn(...args)` in a worker process (asyncio's `Executor.submit`).
   *
   * The jobs submitted in one turn of the event loop are added to the queue together.
   *
   * @typeParam F - the function's type.
   * @param fn - a `workerFunction`: a plain function is refused, as its closure could not
   * travel.
   * @param args - its arguments, copied by structured clone.
   * @returns the job's future. It fails with the job's error (with its `name`, `message`, `stack`
   * and `cause`), with a `DataCloneError` if an argument cannot be copied, with
   * `BrokenWorkerError` if worker processes died under it more often than BullMQ's
   * `maxStalledCount` allows, or with an error naming Redis's address if Redis cannot be reached.
   * @throws `InvalidStateError` after `shutdown()`; `TypeError` if `fn` is not a workerFunction.
   *
   * @example
   * ```ts
   * import assert from 'node:assert/strict';
   * import { BullMQExecutor } from '@corio/redis';
   *
   * const executor = new BullMQExecutor({
   *   connection: { host: '127.0.0.1', port: 6379, lazyConnect: true },
   *   queue: 'jobs',
   * });
   * assert.throws(
   *   () => executor.submit(((n: number) => n) as never, 1),
   *   /'fn' must be a workerFunction/,
   * );
   * await executor.shutdown();
   * ```
   */
  submit<F extends (...args: never[]) => unknown>(
    fn: WorkerFunction<F>,
    ...args: Parameters<F>
  ): BullMQJob<Awaited<ReturnType<F>>> {
    if (this.#shutdown) {
      throw new InvalidStateError(
        `Cannot submit to BullMQExecutor(queue '${this.#queueName}') after shutdown()`,
      );
    }
    const { moduleUrl, exportName } = checkWorkerFunction(fn, 'submit');
    const id = `${this.#submitterId}-${String(++this.#seq)}`;
    const job = new BullMQJob<Awaited<ReturnType<F>>>(this, id);
    let a: string;
    try {
      a = encode(args);
    } catch (error) {
      job.setException(error);
      return job;
    }
    this.#jobs.set(id, job);
    const data: JobData = { m: moduleUrl, e: exportName, a, r: this.#replyKey };
    if (this.#batch.length === 0) queueMicrotask(() => void this.#send());
    this.#batch.push({ job, name: exportName, data });
    this.#reader.start();
    return job;
  }

  /**
   * Runs `fn(item)` in the worker processes for each item of `iterable` and yields the results
   * in input order (asyncio's `Executor.map`, lazy and bounded).
   *
   * One job per item, at most `bufferSize` submitted ahead of the consumer. If an item fails,
   * the results before it are yielded, then its error is thrown. Leaving the loop early,
   * aborting `signal` or a failed item cancels the jobs still outstanding.
   *
   * @typeParam F - the function's type: it takes one item.
   * @param fn - a `workerFunction` of one argument.
   * @param iterable - the items, an `Iterable` or an `AsyncIterable`.
   * @param options - see {@link BullMQMapOptions}.
   * @returns an async iterator of the results, in the order of the items.
   * @throws `InvalidStateError` after `shutdown()`; `TypeError` if `fn` is not a workerFunction;
   * `RangeError` if `bufferSize` is not a positive integer.
   *
   * @example
   * ```ts
   * import assert from 'node:assert/strict';
   * import { BullMQExecutor } from '@corio/redis';
   *
   * const executor = new BullMQExecutor({
   *   connection: { host: '127.0.0.1', port: 6379, lazyConnect: true },
   *   queue: 'jobs',
   * });
   * assert.throws(
   *   () => executor.map(((n: number) => n) as never, [1, 2]),
   *   /'fn' must be a workerFunction/,
   * );
   * await executor.shutdown();
   * ```
   */
  map<F extends (item: never) => unknown>(
    fn: WorkerFunction<F>,
    iterable: Iterable<Parameters<F>[0]> | AsyncIterable<Parameters<F>[0]>,
    options: BullMQMapOptions = {},
  ): AsyncIterableIterator<Awaited<ReturnType<F>>> {
    if (this.#shutdown) {
      throw new InvalidStateError(
        `Cannot map on BullMQExecutor(queue '${this.#queueName}') after shutdown()`,
      );
    }
    checkWorkerFunction(fn, 'map');
    const { bufferSize = 64, signal } = options;
    if (!Number.isInteger(bufferSize) || bufferSize < 1) {
      throw new RangeError(
        `Cannot map: 'bufferSize' must be a positive integer, received ${String(bufferSize)}`,
      );
    }
    const submitOne = (item: Parameters<F>[0]): Future<Awaited<ReturnType<F>>> =>
      this.submit(fn as unknown as WorkerFunction<(item: unknown) => Awaited<ReturnType<F>>>, item);
    return mapInOrder(submitOne, iterable, bufferSize, signal);
  }

  /**
   * Stops taking jobs and, once every submitted job has settled, closes the connections
   * (asyncio's `Executor.shutdown`). Calling it again is harmless. Jobs that no worker runs
   * keep it waiting, as a local pool's queued jobs would: `cancelFutures` takes them back.
   * Afterwards this executor holds no connection or timer: the process can exit by itself.
   *
   * @param options - `wait` (default true): resolve once closed; `cancelFutures` (default
   * false): cancel every outstanding job first (removed from the queue, or stopped where it
   * runs).
   * @returns a promise that resolves once closed if `wait`, at once otherwise.
   *
   * @example
   * ```ts
   * import assert from 'node:assert/strict';
   * import { BullMQExecutor } from '@corio/redis';
   *
   * const executor = new BullMQExecutor({
   *   connection: { host: '127.0.0.1', port: 6379, lazyConnect: true },
   *   queue: 'jobs',
   * });
   * await executor.shutdown();
   * assert.equal(
   *   String(executor),
   *   "<BullMQExecutor queue='jobs' shut down jobs=0>",
   * );
   * ```
   */
  async shutdown(options: ShutdownOptions = {}): Promise<void> {
    const { wait = true, cancelFutures = false } = options;
    this.#shutdown = true;
    if (cancelFutures) for (const job of [...this.#jobs.values()]) job.cancel();
    this.#closed ??= this.#close();
    if (wait) await this.#closed;
  }

  /** `await using executor = new BullMQExecutor(...)`: shuts it down and waits. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  /** Renders the state: `<BullMQExecutor queue='jobs' running jobs=3>`. */
  toString(): string {
    const state = this.#shutdown ? 'shut down' : 'running';
    return `<BullMQExecutor queue='${this.#queueName}' ${state} jobs=${String(this.#jobs.size)}>`;
  }

  /** @internal */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /** @internal Records a cancel in Redis; see {@link BullMQJob.cancelAcknowledged}. */
  jobCancelled(job: BullMQJob<unknown>): Promise<CancelAck> {
    this.#jobs.delete(job.id);
    const index = this.#batch.findIndex((pending) => pending.job === job);
    if (index !== -1) {
      // Not sent yet: it never will be.
      this.#batch.splice(index, 1);
      return Promise.resolve('not-started');
    }
    const ack = this.#recordCancel(job.id);
    this.#acks.add(ack);
    void ack.catch(() => undefined).finally(() => this.#acks.delete(ack));
    return ack;
  }

  async #recordCancel(id: string): Promise<CancelAck> {
    const sent = await this.#sends.get(id);
    if (sent === false) return 'not-started';
    await this.#gate.whenReady();
    const started = await this.#client.eval(
      CANCEL_SCRIPT,
      2,
      this.#keys.started(id),
      this.#keys.cancelFlag(id),
      FLAG_TTL_SECONDS,
      this.#keys.cancelChannel,
      id,
    );
    if (started === 1) return 'started';
    // Out of the queue if it is waiting; one a worker holds but has not begun skips itself.
    await this.#queue?.remove(id).catch(() => 0);
    return 'not-started';
  }

  /** Adds this turn's jobs to the queue in one round trip. */
  async #send(): Promise<void> {
    const batch = this.#batch;
    this.#batch = [];
    if (batch.length === 0) return;
    const sent = (async (): Promise<boolean> => {
      try {
        await this.#gate.whenReady();
      } catch (error) {
        for (const { job } of batch) this.#fail(job, error);
        return false;
      }
      // Made once Redis answers: BullMQ waits for a connection forever.
      if (this.#queue === undefined) {
        this.#queue = new Queue(this.#queueName, { connection: this.#client });
        this.#queue.on('error', () => undefined);
      }
      try {
        await this.#queue.addBulk(
          batch.map(({ job, name, data }) => ({
            name,
            data,
            opts: { ...JOB_OPTIONS, jobId: job.id },
          })),
        );
      } catch (error) {
        for (const { job } of batch) this.#fail(job, error);
      }
      return true;
    })();
    for (const { job } of batch) this.#sends.set(job.id, sent);
    await sent;
    for (const { job } of batch) this.#sends.delete(job.id);
  }

  #fail(job: BullMQJob<unknown>, error: unknown): void {
    if (this.#jobs.delete(job.id)) job.setException(error);
  }

  #onReply(reply: string): void {
    const { jobId, outcome } = decodeReply(reply);
    const job = this.#jobs.get(jobId);
    // Not ours any more: cancelled, or a second run's reply after a worker died.
    if (job === undefined) return;
    this.#jobs.delete(jobId);
    if ('cancelled' in outcome) job.cancel('cancelled in the worker');
    else if (outcome.ok) job.setResult(outcome.value);
    else job.setException(deserializeError(outcome.error));
  }

  async #close(): Promise<void> {
    const outstanding = [...this.#jobs.values()].map((job) => Promise.allSettled([job]));
    await Promise.all(outstanding);
    await Promise.allSettled([...this.#sends.values(), ...this.#acks]);
    await this.#reader.close();
    await this.#queue?.close();
    if (this.#client.status === 'ready') await this.#client.quit().catch(() => undefined);
    this.#client.disconnect();
  }
}

/** The module and export of a workerFunction, or a TypeError naming what `fn` is. */
function checkWorkerFunction(
  fn: unknown,
  method: string,
): { moduleUrl: string; exportName: string } {
  if (typeof fn === 'object' && fn !== null && WORKER_FUNCTION in fn) {
    return fn as unknown as { moduleUrl: string; exportName: string };
  }
  const received =
    typeof fn === 'function'
      ? `the function ${fn.name === '' ? '(anonymous)' : fn.name}`
      : fn === null
        ? 'null'
        : typeof fn;
  throw new TypeError(
    `BullMQExecutor.${method}: 'fn' must be a workerFunction(moduleUrl, exportName), as no closure can travel to another process; received ${received}`,
  );
}
