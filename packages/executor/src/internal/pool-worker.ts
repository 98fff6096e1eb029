import type { ResourceLimits, SHARE_ENV } from 'node:worker_threads';
import type { Worker } from 'node:worker_threads';
import type { JobFuture } from './job.js';
import { liveWorkers } from './live-workers.js';
import { startWorker } from './start-worker.js';
import type { StopMessage, WorkerMessage } from './protocol.js';
import {
  CANCEL,
  CANCEL_SLOTS,
  DONE,
  MAX_IN_FLIGHT,
  READY,
  STARTED,
  STOP,
  workerSetup,
} from './protocol.js';

// Beside src/ in the sources and beside dist/ once built: both are one level up from internal/.
const BOOTSTRAP = new URL('../worker.js', import.meta.url);

/** A job, whatever its result type. */
export type Job = JobFuture<unknown>;

/** What a new worker is started with. */
export interface SpawnOptions {
  resourceLimits: ResourceLimits | undefined;
  /** Undefined: the process's own (see startWorker). */
  execArgv: string[] | undefined;
  env: NodeJS.Dict<string> | typeof SHARE_ENV | undefined;
  /** Jobs before the worker retires; 0 for no limit. */
  maxJobs: number;
  /** Heap bytes after a job past which the worker retires; 0 for no limit. */
  maxHeapBytes: number;
}

/** A running job the pool asked to stop, and the timer that terminates the worker after the grace. */
export interface Stopping {
  readonly job: Job;
  readonly timer: NodeJS.Timeout | undefined;
}

/** What taking back a handed-over job found: taken back, already running, or finished. */
export type Revoke = 'revoked' | 'running' | 'finished';

/** A worker thread and the jobs handed to it. Invariant: `inflight` is in seq order. */
export class PoolWorker {
  readonly thread: Worker;
  readonly inflight: Job[] = [];
  /** Jobs picked for this worker during the current dispatch, sent together at its end. */
  readonly outbox: Job[] = [];
  /** How many more jobs it may be given in the current dispatch. */
  room = 0;
  /** The function ids whose definition this worker has received. */
  readonly defs = new Set<number>();
  nextSeq = 1;
  idleTimer: NodeJS.Timeout | undefined = undefined;
  /** What crashed it, from the 'error' event. */
  crash: { error: unknown } | undefined = undefined;
  /** Set once the pool terminates it on purpose (cancel, idle, shutdown, recycling). */
  retired = false;
  /** Set once it retired itself (maxJobs, heap): it takes no more jobs. */
  retiring = false;
  /** Set while its running job has been asked to stop (the cancellation ladder). */
  stopping: Stopping | undefined = undefined;
  /** Jobs it answered. */
  completed = 0;
  readonly #state: Int32Array;

  /** @throws what `new Worker` throws: a bad `execArgv` or `env`, too many threads. */
  constructor(options: SpawnOptions, onMessage: (w: PoolWorker, m: WorkerMessage) => void) {
    const buffer = new SharedArrayBuffer((CANCEL + CANCEL_SLOTS) * Int32Array.BYTES_PER_ELEMENT);
    this.#state = new Int32Array(buffer);
    this.thread = startWorker(BOOTSTRAP, {
      workerData: workerSetup(buffer, options.maxJobs, options.maxHeapBytes),
      resourceLimits: options.resourceLimits,
      execArgv: options.execArgv,
      env: options.env,
    });
    this.thread.unref();
    const live = liveWorkers();
    live.add(this.thread);
    this.thread.on('exit', () => {
      live.delete(this.thread);
    });
    this.thread.on('message', (m: WorkerMessage) => {
      onMessage(this, m);
    });
    this.thread.on('error', (error) => {
      this.crash ??= { error };
    });
  }

  /** Whether the worker's own code loaded (one that exits before could not start). */
  get ready(): boolean {
    return Atomics.load(this.#state, READY) === 1;
  }

  /** Asks the worker to abort the signal of its running job `job` (see StopMessage). */
  requestStop(job: Job): void {
    Atomics.store(this.#state, STOP, job.seq);
    const message: StopMessage = { stop: job.seq };
    this.thread.postMessage(message);
  }

  /** The seq of the last job the worker began and of the last it finished. */
  progress(): { started: number; done: number } {
    return { started: Atomics.load(this.#state, STARTED), done: Atomics.load(this.#state, DONE) };
  }

  /**
   * Takes an in-flight job back if the worker has not begun it: writes -seq in the job's slot
   * unless the worker wrote +seq first (see protocol.ts).
   */
  revoke(job: Job): Revoke {
    const { seq } = job;
    const slot = CANCEL + (seq % CANCEL_SLOTS);
    for (;;) {
      const current = Atomics.load(this.#state, slot);
      if (current === -seq) return 'revoked';
      // Claimed by the worker; or the slot serves a later job, so this one is long decided.
      if (current === seq || Math.abs(current) > seq) {
        return Atomics.load(this.#state, DONE) >= seq ? 'finished' : 'running';
      }
      if (Atomics.compareExchange(this.#state, slot, current, -seq) === current) return 'revoked';
    }
  }

  /**
   * How many jobs it may be handed now: none while it has more than `refillAt` in flight (so jobs
   * go in batches), else up to MAX_IN_FLIGHT, and never a seq that could share a cancel slot
   * with one it has yet to check (see protocol.ts).
   */
  openRoom(refillAt: number): number {
    if (this.stopping !== undefined || this.retiring) return 0;
    const load = this.inflight.length;
    if (load > refillAt) return 0;
    const unchecked = this.nextSeq - 1 - Atomics.load(this.#state, STARTED);
    return Math.max(0, Math.min(MAX_IN_FLIGHT - load, CANCEL_SLOTS - 1 - unchecked));
  }

  remove(job: Job): void {
    const index = this.inflight.indexOf(job);
    if (index !== -1) this.inflight.splice(index, 1);
  }

  toString(): string {
    return `<PoolWorker thread=${String(this.thread.threadId)} inflight=${String(this.inflight.length)}>`;
  }
}
