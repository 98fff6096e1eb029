import { DESCRIBE, withWork } from './internal/protocol.js';
import { show } from './internal/validate.js';
import { Wait } from './internal/wait.js';

/** Options of every corio wait: `sleep`, `acquire`, `get`, `put`, stream reads, … */
export interface SignalOptions {
  /**
   * Gives up waiting: the call rejects with the signal's reason and leaves the primitive as if
   * it had never been called. An already aborted signal rejects the call at once, even one that
   * would not have had to wait.
   * @default undefined
   */
  signal?: AbortSignal | undefined;
}

/** Options for {@link suspend}. */
export interface SuspendOptions extends SignalOptions {
  /**
   * What the caller waits on, shown by {@link taskTree} through its `toString()` (called only
   * when the tree is asked for): a reader, a connection, your own primitive.
   * @default undefined: the wait shows as `suspend()`
   */
  waitingOn?: { toString(): string } | undefined;
}

/**
 * Arranges for a suspended caller to be resumed with `resolve` or `reject`, and returns what
 * undoes that arrangement (or nothing, if there is nothing to undo).
 */
export type SuspendSetup<T> = (
  resolve: (value: T) => void,
  reject: (reason: unknown) => void,
  // As React's EffectCallback: a setup that returns nothing must type-check.
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type
) => (() => void) | undefined | void;

class SuspendWait<T> extends Wait<T> {
  #undo: (() => void) | undefined = undefined;
  #stopped = false;
  readonly #waitingOn: { toString(): string } | undefined;

  constructor(options: SuspendOptions | undefined) {
    super(options?.signal);
    this.#waitingOn = options?.waitingOn;
  }

  /** @internal The `waitingOn` option's printed state, or `suspend()`. */
  override [DESCRIBE](): string {
    const on = this.#waitingOn;
    return on === undefined ? 'suspend()' : on.toString();
  }

  arm(setup: SuspendSetup<T>): Promise<T> {
    const promise = withWork(this.promise, this);
    if (!this.begin()) return promise;
    let undo: ReturnType<SuspendSetup<T>>;
    try {
      undo = setup(
        (value) => {
          this.resolve(value);
        },
        (reason) => {
          this.reject(reason);
        },
      );
    } catch (error) {
      this.reject(error);
      return promise;
    }
    if (typeof undo === 'function') {
      // Cancelled by what setup itself did: undo at once.
      if (this.#stopped) undo();
      else this.#undo = undo;
    }
    return promise;
  }

  protected override stop(): void {
    this.#stopped = true;
    this.#undo?.();
  }
}

/**
 * Suspends the caller until `setup`'s `resolve` or `reject` is called: the cancellation point
 * every corio wait is built on, for your own primitives (asyncio's `loop.create_future()` and
 * `await fut`, with the clean-up asyncio leaves to a `try`/`except`).
 *
 * `setup` runs at once. Inside a task the wait is a cancellation point: when the task (or the
 * `timeout()`/`taskGroup()` scope the wait began in) is cancelled, the undo function `setup`
 * returned runs and the promise rejects with `CancelledError`. With `signal`, an abort does the
 * same with the signal's reason. The undo function never runs after `resolve` or `reject`; so a
 * value handed over is never lost to a cancellation that comes later, and one never handed over
 * leaves no trace. A cancellation already pending for the caller rejects the call without
 * running `setup`.
 *
 * @typeParam T - the value the caller is resumed with.
 * @param setup - registers the caller; returns its undo function.
 * @param options - see {@link SuspendOptions}.
 * @returns what the caller awaits.
 * @throws `TypeError` (as a rejection) if `setup` is not a function; whatever `setup` throws.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import {
 *   CancelledError,
 *   createTask,
 *   sleep,
 *   suspend,
 * } from '@corio/core';
 *
 * // A one-slot mailbox: receive() waits for a letter; a cancelled
 * // receive() leaves no trace.
 * let deliver: ((letter: string) => void) | undefined;
 * const receive = (): Promise<string> =>
 *   suspend<string>((resolve) => {
 *     deliver = resolve;
 *     return () => {
 *       deliver = undefined;
 *     };
 *   });
 *
 * const reader = createTask(receive);
 * await sleep(0);
 * deliver?.('hello');
 * assert.equal(await reader, 'hello');
 *
 * const impatient = createTask(receive);
 * await sleep(0);
 * impatient.cancel();
 * await assert.rejects(impatient, CancelledError);
 * assert.equal(deliver, undefined);
 * ```
 */
export function suspend<T>(setup: SuspendSetup<T>, options?: SuspendOptions): Promise<T> {
  if (typeof setup !== 'function') {
    return Promise.reject(
      new TypeError(`suspend: 'setup' must be a function, received ${show(setup)}`),
    );
  }
  return new SuspendWait<T>(options).arm(setup);
}
