import { availableParallelism } from 'node:os';
import type { Future } from '@corio/core';
import { BrokenWorkerError, WorkerPoolExecutor, workerFunction } from '@corio/executor';
import type { Job } from 'bullmq';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RedisConnection } from './connection.js';
import { ReadyGate, ownClient, subscribeWhenReady } from './internal/connection.js';
import { CLAIM_SCRIPT, FLAG_TTL_SECONDS, QueueKeys, REPLY_TTL_SECONDS } from './internal/keys.js';
import type { JobData, Outcome } from './internal/wire.js';
import { decode, encode, encodeReply, serializeError } from './internal/wire.js';

/** Options for {@link startWorker}. */
export interface StartWorkerOptions {
  /** A `redis://` URL, ioredis options, or an ioredis client whose settings are copied (it stays yours). */
  connection: RedisConnection;
  /** The queue that `BullMQExecutor`s submit to. */
  queue: string;
  /**
   * Jobs run at once: BullMQ's concurrency, and the threads of the worker's pool.
   * @default os.availableParallelism()
   */
  concurrency?: number | undefined;
  /**
   * How long a cancelled running job has to end after its signal aborts, before its thread is
   * terminated (the `WorkerPoolExecutor` ladder).
   * @default 1000
   */
  cancelGraceMs?: number | undefined;
  /**
   * BullMQ's `lockDuration`: a job whose worker process died is run again once its lock has
   * been expired this long (and a stalled check has run). The live worker renews it every half.
   * @default 30000
   */
  lockDurationMs?: number | undefined;
  /**
   * BullMQ's `stalledInterval`: how often this worker looks for jobs whose worker died.
   * @default 30000
   */
  stalledIntervalMs?: number | undefined;
}

/** A worker process's share of a queue, as {@link startWorker} returns it. */
export interface QueueWorker extends AsyncDisposable {
  /** Jobs running now. */
  readonly running: number;
  /**
   * Takes no more jobs, waits for the running ones, then closes the threads and connections.
   * Calling it again is harmless.
   */
  close(): Promise<void>;
  /** `<QueueWorker queue='jobs' running=2 completed=40>`. */
  toString(): string;
}

/**
 * The most times a job is found stalled (its worker process died under it) and run again: once.
 * BullMQ fails it the time after, so a job runs at most twice.
 */
const MAX_STALLED_COUNT = 1;
/** How often the cancel flags of the running jobs are read again (see ready()). */
const RECHECK_MS = 1000;

/** A job this process is running: how a cancel reaches it. */
interface Running {
  cancelled: boolean;
  future: Future<unknown> | undefined;
}

/**
 * Runs the jobs of a `BullMQExecutor`'s queue in this process (asyncio has no counterpart: its
 * executors end at the machine). `corio-worker --redis redis://host:port --queue jobs` is this
 * as a program.
 *
 * Each job imports its workerFunction's module (once per thread) and calls the export in a
 * thread of a `WorkerPoolExecutor` of `concurrency` threads, so a job that blocks its thread does
 * not stop this process renewing its BullMQ locks, and a cancelled job walks the pool's ladder:
 * its `currentJob().signal` aborts, and its thread is terminated if it has not ended after
 * `cancelGraceMs`. Cancels arrive over a Redis pub/sub channel, handed to BullMQ's
 * `Worker.cancelJob`; a job whose cancel was recorded before this worker began it is skipped.
 *
 * A job's error is its result: it goes back with its name, message, stack and cause, and BullMQ
 * never retries it. A job whose worker process dies is run again by another worker once its lock
 * expires (`lockDurationMs`, then a stalled check every `stalledIntervalMs`); a second death
 * fails it with `BrokenWorkerError`: at most two runs.
 *
 * @param options - see {@link StartWorkerOptions}.
 * @returns the running worker, once connected and listening for cancels.
 * @throws an error naming Redis's address if it cannot be reached; `TypeError`/`RangeError` for
 * bad options.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { startWorker } from '@corio/redis';
 *
 * const error = await startWorker({
 *   connection: { host: '127.0.0.1', port: 1 },
 *   queue: 'jobs',
 * }).catch((e: unknown) => e);
 * assert.match(String(error), /cannot reach Redis at 127\.0\.0\.1:1/);
 * ```
 */
export async function startWorker(options: StartWorkerOptions): Promise<QueueWorker> {
  const queue: unknown = options.queue;
  const connection: unknown = options.connection;
  if (typeof queue !== 'string' || queue === '' || queue.includes(':')) {
    throw new TypeError(
      `startWorker: 'queue' must be a non-empty string without ':', received ${JSON.stringify(queue)}`,
    );
  }
  if (typeof connection !== 'string' && (typeof connection !== 'object' || connection === null)) {
    throw new TypeError(
      `startWorker: 'connection' must be a redis:// URL, ioredis options or a client, received ${connection === null ? 'null' : typeof connection}`,
    );
  }
  const concurrency = options.concurrency ?? availableParallelism();
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(
      `startWorker: 'concurrency' must be a positive integer, received ${String(concurrency)}`,
    );
  }
  const worker = new CorioQueueWorker(options, concurrency);
  try {
    await worker.ready();
  } catch (error) {
    await worker.close();
    throw error;
  }
  return worker;
}

class CorioQueueWorker implements QueueWorker {
  // Invariant: #running holds exactly the jobs whose processor has begun and not returned.
  readonly #queueName: string;
  readonly #keys: QueueKeys;
  readonly #commands: Redis;
  readonly #subscriber: Redis;
  /** BullMQ's Worker's own connection: shared in BullMQ's terms, so ours to close. */
  readonly #workerClient: Redis;
  readonly #pool: WorkerPoolExecutor;
  readonly #worker: Worker<JobData, string>;
  readonly #running = new Map<string, Running>();
  #recheckTimer: NodeJS.Timeout | undefined = undefined;
  #completed = 0;
  #closed: Promise<void> | undefined = undefined;

  constructor(options: StartWorkerOptions, concurrency: number) {
    const { connection, queue } = options;
    this.#queueName = queue;
    this.#keys = new QueueKeys(queue);
    this.#commands = ownClient(connection);
    this.#subscriber = ownClient(connection, { maxRetriesPerRequest: null });
    this.#pool = new WorkerPoolExecutor({
      maxWorkers: concurrency,
      cancelGraceMs: options.cancelGraceMs,
    });
    this.#workerClient = ownClient(connection, { maxRetriesPerRequest: null });
    this.#worker = new Worker<JobData, string>(
      queue,
      (job, token, signal) => this.#process(job, token, signal),
      {
        connection: this.#workerClient,
        concurrency,
        autorun: false,
        maxStalledCount: MAX_STALLED_COUNT,
        lockDuration: options.lockDurationMs ?? 30_000,
        stalledInterval: options.stalledIntervalMs ?? 30_000,
      },
    );
    this.#worker.on('error', () => undefined); // Connection trouble: BullMQ reconnects.
    this.#worker.on('failed', (job, error) => {
      if (job !== undefined) void this.#failed(job, error).catch(() => undefined);
    });
    this.#subscriber.on('message', (_channel: string, jobId: string) => {
      this.#cancelRunning(jobId);
    });
  }

  get running(): number {
    return this.#running.size;
  }

  async ready(): Promise<void> {
    const what = `startWorker(queue '${this.#queueName}')`;
    await new ReadyGate(this.#commands, what).whenReady();
    await subscribeWhenReady(this.#subscriber, this.#keys.cancelChannel, what);
    // After a reconnection (ioredis subscribes again), a cancel published meanwhile was missed:
    // the flags in Redis say which running jobs were cancelled.
    this.#subscriber.on('ready', () => void this.#recheckCancels().catch(() => undefined));
    // And now and then anyway: a cancel must reach its job even if its message went astray
    // (a subscriber that lost its subscription lost them all: see subscribeWhenReady).
    this.#recheckTimer = setInterval(() => {
      void this.#recheckCancels().catch(() => undefined);
    }, RECHECK_MS);
    this.#recheckTimer.unref();
    void this.#worker.run().catch(() => undefined);
    await this.#worker.waitUntilReady();
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      // BullMQ's close waits for the running jobs: a cancel must still reach them meanwhile.
      await this.#worker.close().catch(() => undefined);
      clearInterval(this.#recheckTimer);
      await this.#pool.shutdown();
      this.#subscriber.disconnect();
      this.#workerClient.disconnect();
      if (this.#commands.status === 'ready') await this.#commands.quit().catch(() => undefined);
      this.#commands.disconnect();
    })();
    return this.#closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  toString(): string {
    const state = this.#closed === undefined ? '' : ' closed';
    return `<QueueWorker queue='${this.#queueName}'${state} running=${String(this.#running.size)} completed=${String(this.#completed)}>`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  async #process(
    job: Job<JobData, string>,
    _token?: string,
    signal?: AbortSignal,
  ): Promise<string> {
    const id = job.id ?? '';
    const { m: moduleUrl, e: exportName, a: args, r: replyTo } = job.data;
    // Registered before the claim: a cancel published from now on finds it (BullMQ tracks the
    // job before calling us), and one recorded before the claim makes the claim fail.
    const running: Running = { cancelled: false, future: undefined };
    this.#running.set(id, running);
    signal?.addEventListener('abort', () => {
      running.cancelled = true;
      running.future?.cancel();
    });
    try {
      const claimed = await this.#commands.eval(
        CLAIM_SCRIPT,
        2,
        this.#keys.started(id),
        this.#keys.cancelFlag(id),
        FLAG_TTL_SECONDS,
      );
      let outcome: Outcome;
      if (claimed !== 1) outcome = { cancelled: true, started: false };
      else if (running.cancelled) outcome = { cancelled: true, started: true };
      else {
        const fn = workerFunction<(...a: unknown[]) => unknown>(moduleUrl, exportName);
        const future = this.#pool.submit(fn, ...(decode(args) as unknown[]));
        running.future = future;
        try {
          outcome = { ok: true, value: await future };
        } catch (error) {
          outcome = future.cancelled()
            ? { cancelled: true, started: true }
            : { ok: false, error: serializeError(error) };
        }
      }
      // The reply goes before BullMQ records the completion: if this process dies in between,
      // the job runs again and replies again, and the submitter keeps the first.
      await this.#reply(replyTo, id, outcome);
      this.#completed++;
      return encode(outcome);
    } finally {
      this.#running.delete(id);
    }
  }

  async #reply(replyTo: string, id: string, outcome: Outcome): Promise<void> {
    await this.#commands
      .multi()
      .rpush(replyTo, encodeReply(id, outcome))
      .expire(replyTo, REPLY_TTL_SECONDS)
      .exec();
  }

  /** BullMQ failed a job itself (stalled too often): its submitter hears it. */
  async #failed(job: Job<JobData, string>, error: Error): Promise<void> {
    if (job.id === undefined) return;
    const stalled = error.message.includes('stalled more than allowable limit');
    const reported = stalled
      ? new BrokenWorkerError(
          `Job ${job.id} (${job.data.e}) failed: its worker process died under it ${String(MAX_STALLED_COUNT + 1)} times`,
          { cause: error },
        )
      : error;
    await this.#reply(job.data.r, job.id, { ok: false, error: serializeError(reported) });
  }

  async #recheckCancels(): Promise<void> {
    const ids = [...this.#running.keys()];
    if (ids.length === 0) return;
    const flags = await this.#commands.mget(ids.map((id) => this.#keys.cancelFlag(id)));
    flags.forEach((flag, index) => {
      if (flag !== null) this.#cancelRunning(ids[index] ?? '');
    });
  }

  /** A cancel recorded for a job this process runs: its pool future is cancelled (the ladder). */
  #cancelRunning(jobId: string): void {
    const running = this.#running.get(jobId);
    if (running !== undefined) {
      running.cancelled = true;
      running.future?.cancel();
    }
    this.#worker.cancelJob(jobId);
  }
}
