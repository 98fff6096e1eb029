import { Future } from '@corio/core';

/** Options of every stream wait: `{ signal }` as the last argument. */
export interface StreamWaitOptions {
  /**
   * Ends the wait early, rejecting with the signal's reason.
   * @default undefined
   */
  signal?: AbortSignal | undefined;
}

/**
 * Awaits `future`, failing it with the signal's reason if `signal` aborts first.
 *
 * Inside a task, awaiting a corio Future is a cancellation point: cancelling the task cancels the
 * future and rejects the await with `CancelledError`. Each wait owns its future, so cancelling
 * one waiter never touches another's.
 */
export async function awaitFuture<T>(
  future: Future<T>,
  signal: AbortSignal | undefined,
): Promise<T> {
  if (signal === undefined) return await future;
  if (signal.aborted) {
    future.cancel();
    throw signal.reason;
  }
  const onAbort = (): void => {
    if (!future.done()) future.setException(signal.reason);
  };
  signal.addEventListener('abort', onAbort);
  try {
    return await future;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

// #done implies #futures is empty.
/** Waiters for a one-shot condition (closed, finished): each wait gets its own future. */
export class OneShot {
  #futures = new Set<Future<void>>();
  #done = false;
  #error: unknown = undefined;
  #failed = false;
  #callbacks: (() => void)[] = [];

  get done(): boolean {
    return this.#done;
  }

  async wait(signal: AbortSignal | undefined): Promise<void> {
    if (this.#done) {
      if (this.#failed) throw this.#error;
      return;
    }
    const future = new Future<void>();
    this.#futures.add(future);
    try {
      await awaitFuture(future, signal);
    } finally {
      this.#futures.delete(future);
    }
  }

  /** Calls `callback` once the condition is met (at once if it is), whether it failed or not. */
  onDone(callback: () => void): void {
    if (this.#done) callback();
    else this.#callbacks.push(callback);
  }

  resolve(): void {
    this.#finish(false, undefined);
  }

  reject(error: unknown): void {
    this.#finish(true, error);
  }

  #finish(failed: boolean, error: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.#failed = failed;
    this.#error = error;
    const futures = [...this.#futures];
    this.#futures.clear();
    for (const future of futures) {
      if (future.done()) continue;
      if (failed) future.setException(error);
      else future.setResult(undefined);
    }
    const callbacks = this.#callbacks;
    this.#callbacks = [];
    for (const callback of callbacks) callback();
  }
}
