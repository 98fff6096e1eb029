import { Future, InvalidStateError } from '@corio/core';

/**
 * What Redis said when a job's cancel was recorded: `'not-started'` — no worker had begun the
 * job, and none ever will; `'started'` — a worker had claimed it (its function may not have
 * reached its first line yet, or may have ended since): its signal is aborted where it runs,
 * and it may have had effects.
 */
export type CancelAck = 'not-started' | 'started';

/** Told synchronously, inside `cancel()`, when one of its jobs is cancelled. */
export interface BullMQJobOwner {
  jobCancelled(job: BullMQJob<unknown>): Promise<CancelAck>;
}

/**
 * The future of a job submitted to a {@link BullMQExecutor}: a corio `Future` with the job's
 * BullMQ id and a way to learn what its cancellation reached.
 *
 * `cancel()` settles the future at once, as for any future; the cancel then travels to Redis,
 * where it is recorded atomically against the worker's start of the job, so exactly one of the
 * two comes first. {@link BullMQJob.cancelAcknowledged} resolves once it is recorded, with which
 * one came first.
 *
 * @typeParam T - the job's result.
 *
 * @example
 * ```ts
 * import type { BullMQJob } from '@corio/redis';
 *
 * async function cancelForGood(
 *   job: BullMQJob<unknown>,
 * ): Promise<boolean> {
 *   job.cancel();
 *   // true: no worker ever runs it
 *   return (await job.cancelAcknowledged()) === 'not-started';
 * }
 * ```
 */
export class BullMQJob<T> extends Future<T> {
  // Invariant: #ack is set iff this future was cancelled by cancel() (not resolved, not failed).
  #ack: Promise<CancelAck> | undefined = undefined;

  /**
   * @param owner - told of the cancellation.
   * @param id - the BullMQ job id.
   * @internal
   */
  constructor(
    readonly owner: BullMQJobOwner,
    /** The BullMQ job id: `queue.getJob(id)` finds it while it is kept. */
    readonly id: string,
  ) {
    super();
  }

  override cancel(message?: string): boolean {
    if (!super.cancel(message)) return false;
    const ack = this.owner.jobCancelled(this);
    ack.catch(() => undefined); // Read through cancelAcknowledged(), if at all.
    this.#ack = ack;
    return true;
  }

  /**
   * Resolves once Redis has recorded this job's cancel.
   *
   * @returns `'not-started'` if no worker had begun the job (none ever will), `'started'` if one
   * had.
   * @throws `InvalidStateError` (as a rejection) if the job was not cancelled through `cancel()`;
   * the Redis error if the cancel could not be recorded (the job may then still run; its result
   * is dropped).
   */
  cancelAcknowledged(): Promise<CancelAck> {
    if (this.#ack === undefined) {
      return Promise.reject(
        new InvalidStateError(`cancelAcknowledged(): job ${this.id} was not cancelled`),
      );
    }
    return this.#ack;
  }

  /** `<BullMQJob id=… pending>`: the future's state, with the job's id. */
  override toString(): string {
    // Future's field renderer is internal to @corio/core: its text gets the id inserted.
    const name = this.constructor.name;
    return super.toString().replace(`<${name}`, `<${name} id=${this.id}`);
  }
}
