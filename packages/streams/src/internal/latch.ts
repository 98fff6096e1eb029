import { suspend } from '@corio/core';
import type { SignalOptions } from '@corio/core';

const RESOLVED = Promise.resolve();

// #done implies #waiters is empty.
/**
 * A condition met once and for good (a connection closed, a server closed): `wait()` is a
 * `suspend()` wait for it, and `onDone()` a plain callback.
 */
export class Latch {
  #done = false;
  readonly #waiters = new Set<() => void>();

  /** Whether the condition is met. */
  get done(): boolean {
    return this.#done;
  }

  /**
   * Resolves once the condition is met (at once if it is). A corio cancellation point; a wait
   * cancelled or aborted leaves nothing behind.
   */
  wait(options: SignalOptions | undefined): Promise<void> {
    const signal = options?.signal;
    if (signal?.aborted === true) return Promise.reject(signal.reason as unknown);
    if (this.#done) return RESOLVED;
    return suspend<undefined>((resolve) => {
      const wake = (): void => {
        resolve(undefined);
      };
      this.#waiters.add(wake);
      return () => {
        this.#waiters.delete(wake);
      };
    }, options);
  }

  /**
   * Calls `callback` once the condition is met (at once if it is). Not a wait: no cancellation
   * ends it, whatever async context the caller runs in.
   */
  onDone(callback: () => void): void {
    if (this.#done) callback();
    else this.#waiters.add(callback);
  }

  /** Meets the condition: wakes every wait and calls every callback. Idempotent. */
  set(): void {
    if (this.#done) return;
    this.#done = true;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const waiter of waiters) waiter();
  }
}
