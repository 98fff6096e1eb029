import type { Transferable } from 'node:worker_threads';
import { Future } from '@corio/core';
import type { PoolWorker } from './pool-worker.js';
import type { FunctionDef } from './protocol.js';

/** A function as the pool knows it: its id (per pool), how a worker finds it, its name. */
export interface FunctionEntry {
  readonly id: number;
  readonly def: FunctionDef;
  readonly name: string;
}

/** Told synchronously when one of its jobs is cancelled. */
export interface JobOwner {
  jobCancelled(job: JobFuture<unknown>): void;
}

/** Shared by every job that moves nothing. */
export const NO_TRANSFER: readonly Transferable[] = Object.freeze([]);

/**
 * One submitted call, and its future: one object per job. `worker` is set while the job is in
 * flight in that worker, with `seq` its number there.
 *
 * The pool hears of a cancellation synchronously, inside `cancel()`: a done callback would run a
 * microtask later, by which time the worker thread may already have begun the job it was meant
 * to take back.
 */
export class JobFuture<T> extends Future<T> {
  worker: PoolWorker | undefined = undefined;
  seq = 0;
  /** When it was queued (performance.now()), for stats().waitTime. */
  queuedAt = 0;

  constructor(
    readonly owner: JobOwner,
    readonly fn: FunctionEntry,
    readonly args: unknown[],
    readonly transferList: readonly Transferable[],
  ) {
    super();
  }

  /** A map() chunk: `args` are the items, and fn runs on each. */
  readonly chunk: boolean = false;

  /**
   * Renders the state, for the task tree among others: `<JobFuture fn=square pending, queued>`,
   * `<JobFuture fn=square pending, in worker thread 3>`, then as a Future once done.
   */
  override toString(): string {
    if (this.done()) return super.toString();
    const worker = this.worker;
    const where =
      worker === undefined ? 'queued' : `in worker thread ${String(worker.thread.threadId)}`;
    return `<${this.constructor.name} fn=${this.fn.name} pending, ${where}>`;
  }

  override cancel(message?: string): boolean {
    if (!super.cancel(message)) return false;
    this.owner.jobCancelled(this);
    return true;
  }
}

/** A map() chunk: fn(item) for each of `args`; resolves with a ChunkResult. */
export class ChunkFuture<T> extends JobFuture<T> {
  override readonly chunk: boolean = true;
}
