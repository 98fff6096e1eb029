import type { Transferable } from 'node:worker_threads';
import type { ExecutorStats, WorkerStats } from '../executor-stats.js';
import { BrokenWorkerError } from '../errors.js';
import { withToString } from './format-stats.js';
import { Histogram } from './histogram.js';
import type { JobOwner } from './job.js';
import type { Job, SpawnOptions } from './pool-worker.js';
import { PoolWorker } from './pool-worker.js';
import type {
  BatchMessage,
  ChunkResult,
  FunctionDef,
  ResultMessage,
  RetireMessage,
  WorkerMessage,
} from './protocol.js';
import { REFILL_AT, deserializeError } from './protocol.js';

/** How a Scheduler runs its workers (WorkerPoolExecutor's options, validated). */
export interface SchedulerSettings {
  readonly maxWorkers: number;
  readonly idleTimeoutMs: number;
  /** How long a cancelled running job may take to end before its worker is terminated. */
  readonly cancelGraceMs: number;
  readonly spawn: SpawnOptions;
}

/**
 * The machinery behind WorkerPoolExecutor: the queue, the workers, and the moves of jobs between
 * them.
 *
 * Jobs leave in batches: the jobs queued in one turn are dispatched together in a microtask, a
 * worker is handed jobs only once it is down to REFILL_AT in flight, and then up to MAX_IN_FLIGHT
 * in one message. An idle worker takes back the later half of the jobs the busiest worker has
 * not begun. A worker that ends (terminated, crashed) gives its unbegun jobs back to the queue.
 *
 * Cancelling a running job walks a ladder: the worker is asked to stop it (its signal aborts),
 * its other jobs are taken back, and it is given none until the job ends; if that takes longer
 * than cancelGraceMs, the worker is terminated. A worker past maxJobs or maxHeapBytes retires
 * itself after a job; the pool takes back what it had not begun and replaces it on demand.
 */
export class Scheduler implements JobOwner {
  // Invariant: a queued job has worker === undefined; a job is in at most one worker's inflight.
  readonly #maxWorkers: number;
  readonly #idleTimeoutMs: number;
  readonly #cancelGraceMs: number;
  readonly #spawnOptions: SpawnOptions;
  readonly #workers: PoolWorker[] = [];
  /** Workers terminated but not exited yet. */
  readonly #exiting = new Set<PoolWorker>();
  #queue: Job[] = [];
  #head = 0;
  /** A dispatch is due in a microtask: the jobs submitted in one turn leave in one batch. */
  #scheduled = false;
  readonly #runDispatch = (): void => {
    this.#scheduled = false;
    this.#dispatch();
  };
  readonly #onMessage = (worker: PoolWorker, message: WorkerMessage): void => {
    if ('retire' in message) this.#onRetire(worker, message);
    else this.#onResult(worker, message);
  };
  #closing = false;
  #closed: { promise: Promise<void>; resolve: () => void } | undefined = undefined;
  // The figures of stats().
  #completed = 0;
  #failed = 0;
  #cancelled = 0;
  #workersStarted = 0;
  readonly #runTime = new Histogram();
  readonly #waitTime = new Histogram();

  constructor(settings: SchedulerSettings) {
    this.#maxWorkers = settings.maxWorkers;
    this.#idleTimeoutMs = settings.idleTimeoutMs;
    this.#cancelGraceMs = settings.cancelGraceMs;
    this.#spawnOptions = settings.spawn;
  }

  /** Jobs waiting for a worker. */
  get queued(): number {
    return this.#queue.length - this.#head;
  }

  /** See WorkerPoolExecutor.stats(). */
  stats(): ExecutorStats {
    let queued = 0;
    for (let i = this.#head; i < this.#queue.length; i++) {
      if (!(this.#queue[i] as Job).done()) queued++;
    }
    let running = 0;
    const workers: WorkerStats[] = [];
    for (const worker of [...this.#workers, ...this.#exiting]) {
      const { started, done } = worker.progress();
      const busy = !worker.retired && started > done;
      if (busy) running++;
      if (!worker.retired) {
        for (const job of worker.inflight) if (job.seq > started && !job.done()) queued++;
      }
      workers.push({
        threadId: worker.thread.threadId,
        state:
          worker.retired || worker.retiring
            ? 'retiring'
            : worker.stopping !== undefined
              ? 'stopping'
              : busy
                ? 'running'
                : 'idle',
        completed: worker.completed,
        utilization: worker.thread.performance.eventLoopUtilization().utilization,
      });
    }
    return withToString({
      queued,
      running,
      completed: this.#completed,
      failed: this.#failed,
      cancelled: this.#cancelled,
      workersStarted: this.#workersStarted,
      workers,
      runTime: this.#runTime.summary(),
      waitTime: this.#waitTime.summary(),
    });
  }

  /** Live workers (not counting those terminated and about to exit). */
  get workerCount(): number {
    return this.#workers.length;
  }

  /** Queues a job; the jobs queued in one turn are dispatched together, in a microtask. */
  enqueue(job: Job): void {
    job.queuedAt = performance.now();
    this.#queue.push(job);
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(this.#runDispatch);
    }
  }

  /** Dispatches now rather than in a microtask (a job whose buffers must leave at once). */
  dispatchNow(): void {
    this.#dispatch();
  }

  /** Takes no more jobs; resolves once every worker has ended. */
  close(cancelFutures: boolean): Promise<void> {
    this.#closed ??= deferred();
    if (!this.#closing) {
      this.#closing = true;
      if (cancelFutures) this.#cancelAll();
      this.#dispatch();
    }
    return this.#closed.promise;
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
      this.#replaceLost();
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
      if (!(worker instanceof PoolWorker)) {
        this.#fail(
          job,
          new BrokenWorkerError(
            `Cannot start a worker for '${job.fn.name}': ${describe(worker.error)}`,
            { cause: worker.error },
          ),
        );
        continue;
      }
      if (worker.outbox.length === 0) (used ??= []).push(worker);
      worker.outbox.push(job);
      worker.room--;
    }
    if (used !== undefined) for (const worker of used) this.#send(worker);
  }

  /** A worker for the next job, or what kept a new one from starting (when none has room). */
  #pickWorker(): PoolWorker | { error: unknown } | undefined {
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
    if (this.#workers.length < this.#maxWorkers) {
      const spawned = this.#spawn();
      // A worker that cannot start fails the job only if no other worker can take it.
      return spawned instanceof PoolWorker || best === undefined ? spawned : best;
    }
    return best;
  }

  #spawn(): PoolWorker | { error: unknown } {
    let worker: PoolWorker;
    try {
      worker = new PoolWorker(this.#spawnOptions, this.#onMessage);
    } catch (error) {
      return { error };
    }
    this.#workersStarted++;
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
    let moved: number[] | undefined;
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[i] as Job;
      const { id } = job.fn;
      if (!worker.defs.has(id) && !defs?.includes(id)) {
        (defs ??= []).push(id, job.fn.def);
      }
      flat[2 * i] = job.chunk ? -id : id;
      flat[2 * i + 1] = job.args;
      if (job.transferList.length > 0) {
        (transferList ??= []).push(...job.transferList);
        (moved ??= []).push(worker.nextSeq + i);
      }
    }
    const message: BatchMessage = { seq: worker.nextSeq, jobs: flat };
    if (defs !== undefined) message.defs = defs;
    if (moved !== undefined) message.moved = moved;
    try {
      worker.thread.postMessage(message, transferList);
    } catch (error) {
      if (jobs.length > 1) return false;
      const job = jobs[0] as Job;
      this.#fail(job, cloneError(job, error));
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
    worker.completed++;
    this.#runTime.record(message.ms);
    this.#waitTime.record(performance.now() - job.queuedAt - message.ms);
    if (!job.done()) {
      if (!message.ok) {
        this.#failed++;
        job.setException(deserializeError(message.error));
      } else {
        if (job.chunk && (message.value as ChunkResult).length > 2) this.#failed++;
        else this.#completed++;
        job.setResult(message.value);
      }
    }
    if (worker.retiring && worker.inflight.length === 0) {
      this.#retire(worker);
      this.#dispatch();
      return;
    }
    if (worker.stopping?.job === job) {
      // The cancelled job ended within its grace: the worker is kept.
      clearTimeout(worker.stopping.timer);
      worker.stopping = undefined;
      this.#dispatch();
      return;
    }
    const left = inflight.length;
    if (left === 0 || (left <= REFILL_AT && this.#head < this.#queue.length)) this.#dispatch();
  }

  /**
   * A worker ended (terminated after a cancel's grace, recycled, crashed) while another holds
   * jobs it has not begun: a new worker starts and takes half of them, so that they do not wait
   * behind a job that may never end while the pool is below maxWorkers.
   */
  #replaceLost(): void {
    if (this.#workers.length >= this.#maxWorkers) return;
    if (!this.#workers.some((w) => !w.retired && w.inflight.length > 1)) return;
    const spawned = this.#spawn();
    if (spawned instanceof PoolWorker) this.#idle(spawned);
  }

  /** A worker with nothing to do: takes back jobs another worker has not begun, or rests. */
  #idle(worker: PoolWorker): void {
    if (!this.#closing || this.#workers.some((w) => w.inflight.length > 1)) {
      let busiest: PoolWorker | undefined;
      for (const other of this.#workers) {
        if (other === worker || other.retired || other.retiring || other.inflight.length < 2) {
          continue;
        }
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

  /** Told synchronously by a job's cancel() (see JobFuture). */
  jobCancelled(job: Job): void {
    this.#cancelled++;
    const worker = job.worker;
    // A queued job is skipped by #dispatch.
    if (worker === undefined) return;
    const outcome = worker.revoke(job);
    if (outcome === 'running' && !worker.retired) {
      if (this.#cancelGraceMs > 0) {
        this.#stop(worker, job);
        return;
      }
      worker.remove(job);
      job.worker = undefined;
      this.#retire(worker);
    } else {
      worker.remove(job);
      job.worker = undefined;
    }
    this.#dispatch();
  }

  /**
   * The ladder's first step: asks the worker to stop its running job, takes back the jobs it has
   * not begun and gives it no more (openRoom) until the job ends or the grace is over.
   */
  #stop(worker: PoolWorker, job: Job): void {
    if (worker.stopping !== undefined) return;
    const timer = Number.isFinite(this.#cancelGraceMs)
      ? setTimeout(() => {
          if (worker.stopping?.job !== job) return;
          worker.stopping = undefined;
          this.#retire(worker);
          this.#dispatch();
        }, this.#cancelGraceMs)
      : undefined;
    // The worker is ref'd while it has a job in flight: the timer need not keep the process up.
    timer?.unref();
    worker.stopping = { job, timer };
    worker.requestStop(job);
    this.#takeBackUnbegun(worker);
    this.#dispatch();
  }

  /** Puts the jobs a worker has not begun back at the front of the queue. */
  #takeBackUnbegun(worker: PoolWorker): void {
    const requeue: Job[] = [];
    for (const job of [...worker.inflight]) {
      if (job.transferList.length > 0 || worker.revoke(job) !== 'revoked') continue;
      worker.remove(job);
      job.worker = undefined;
      requeue.push(job);
    }
    if (requeue.length > 0) this.#queue.splice(this.#head, 0, ...requeue);
  }

  /**
   * The worker ran its last job (maxJobs, or its heap): it is replaced, losing no queued job.
   * What it had not begun goes back to the queue, except the jobs that moved buffers to it,
   * which it still runs (it claims no other); it is terminated once they are done.
   */
  #onRetire(worker: PoolWorker, _message: RetireMessage): void {
    if (worker.retired) return;
    worker.retiring = true;
    this.#takeBackUnbegun(worker);
    if (worker.inflight.length === 0) this.#retire(worker);
    this.#dispatch();
  }

  /**
   * shutdown({ cancelFutures: true }): cancels every job, the running ones by the ladder (so the
   * pool closes once they have stopped, or their workers were terminated after the grace).
   */
  #cancelAll(): void {
    for (let i = this.#head; i < this.#queue.length; i++) (this.#queue[i] as Job).cancel();
    for (const worker of [...this.#workers]) {
      // Those not begun first, so that none starts in the place of a running one cancelled.
      for (const job of [...worker.inflight].reverse()) job.cancel();
    }
  }

  #fail(job: Job, error: unknown): void {
    this.#failed++;
    job.setException(error);
  }

  /**
   * Terminates a worker on purpose. The jobs it has not begun go back to the queue at once (taken
   * back), except those that moved buffers to it: they fail with BrokenWorkerError when it exits.
   */
  #retire(worker: PoolWorker): void {
    if (worker.retired) return;
    worker.retired = true;
    clearTimeout(worker.idleTimer);
    clearTimeout(worker.stopping?.timer);
    const index = this.#workers.indexOf(worker);
    if (index !== -1) this.#workers.splice(index, 1);
    this.#exiting.add(worker);
    void worker.thread.terminate();
    this.#takeBackUnbegun(worker);
  }

  #onExit(worker: PoolWorker, code: number): void {
    clearTimeout(worker.idleTimer);
    clearTimeout(worker.stopping?.timer);
    worker.stopping = undefined;
    // A worker that never loaded gives its jobs no second chance: the next one would fail alike.
    const neverLoaded = !worker.ready;
    const index = this.#workers.indexOf(worker);
    if (index !== -1) this.#workers.splice(index, 1);
    this.#exiting.delete(worker);
    const progress = worker.progress().started;
    const requeue: Job[] = [];
    for (const job of worker.inflight) {
      job.worker = undefined;
      if (job.done()) continue;
      const cause = worker.crash !== undefined ? worker.crash.error : code;
      if (neverLoaded) {
        const why =
          worker.crash !== undefined ? describe(cause) : `exited with code ${String(code)}`;
        this.#fail(
          job,
          new BrokenWorkerError(`Cannot start a worker for '${job.fn.name}': it ${why}`, { cause }),
        );
        continue;
      }
      if (job.seq > progress && job.transferList.length === 0) {
        requeue.push(job);
        continue;
      }
      const how =
        worker.crash !== undefined
          ? `crashed: ${describe(worker.crash.error)}`
          : worker.retired
            ? 'was terminated'
            : `exited with code ${String(code)}`;
      // Not begun, yet not sent again: its transferred arguments went with the worker.
      const which =
        job.seq > progress
          ? `The worker holding '${job.fn.name}' (not begun; its transferred arguments cannot be sent again)`
          : `The worker running '${job.fn.name}'`;
      this.#fail(job, new BrokenWorkerError(`${which} ${how}`, { cause }));
    }
    worker.inflight.length = 0;
    this.#queue.splice(this.#head, 0, ...requeue);
    this.#dispatch();
  }

  #maybeClose(): void {
    if (!this.#closing || this.#head < this.#queue.length) return;
    if (this.#workers.some((w) => w.inflight.length > 0)) return;
    for (const worker of [...this.#workers]) this.#retire(worker);
    if (this.#exiting.size === 0) this.#closed?.resolve();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * The DataCloneError of a job whose arguments cannot be sent, naming the argument (for a map()
 * chunk, the item's index in its chunk).
 */
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
  const what =
    index === -1 ? 'the arguments' : `${job.chunk ? 'map() item' : 'argument'} ${String(index)}`;
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
