import { CancelledError } from '../errors.js';
import { currentNode } from './current.js';
import { forgetResolvers, lastResolve, newPromise } from './deferred.js';
import { captureWithOwnership } from './ownership.js';
import {
  CANCEL_WORK,
  DELIVER,
  DESCRIBE,
  INTERRUPT,
  NODE_TASK,
  NO_CANCEL,
  WAIT_BEGIN,
  WAIT_END,
  WAIT_NEXT,
  WAIT_NODE,
  WAIT_PREV,
} from './protocol.js';
import type { CancelNode, WaitSide, WorkSide } from './protocol.js';

function rejected(reason: unknown): Promise<never> {
  return Promise.reject(reason);
}

function passThrough<T>(value: T): T {
  return value;
}

/** A CancelledError whose stack is captured afterwards, so that it is captured once. */
function stacklessCancelledError(message: string | undefined): CancelledError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new CancelledError(message);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * A promise that rejects with a new `CancelledError` two microtasks from now.
 *
 * The wait's promise is resolved with it. By the time `throwCancelled` runs, the wait's promise
 * already follows this one, so the reaction is chained to the suspended `await`: V8's async stack
 * trace then names the line where the code was suspended (in the error), and tells whose code
 * that is (see ownership.ts): if `node` is given, the cancellations pending for that code are
 * consumed there. Only cancellation pays for this; the normal path allocates nothing.
 */
export function cancellation(message: string | undefined, node?: CancelNode): Promise<never> {
  const throwCancelled = (): never => {
    const error = stacklessCancelledError(message);
    if (node === undefined) Error.captureStackTrace(error, throwCancelled);
    else node[NODE_TASK][DELIVER](node, captureWithOwnership(error, throwCancelled));
    throw error;
  };
  return Promise.resolve().then(passThrough).then(throwCancelled);
}

/**
 * One suspension at a corio cancellation point: of code running in a task (or a scope of one),
 * or of a caller outside any task with an AbortSignal. Every corio wait is one of these.
 *
 * `promise` is what the caller awaits. The wait ends exactly once: by `resolve`/`reject` from
 * the primitive, by a cancellation of the node it began in or of one enclosing it (`INTERRUPT`),
 * or by the signal's abort. Subclasses undo their side effects in `stop()`, which runs only for
 * the last two.
 */
export class Wait<T> implements WaitSide, WorkSide {
  readonly promise: Promise<T>;
  // Set exactly while the wait is active. Only the resolve function is kept: a rejection is a
  // resolve with a rejected promise (rare paths), so the reject function dies young and a
  // waiter that sits in a queue for long costs less to the garbage collector.
  #resolve: ((value: unknown) => void) | undefined;
  /** @internal The innermost node (task or scope) of the context the wait began in. */
  readonly [WAIT_NODE]: CancelNode | undefined;
  /** @internal */
  [WAIT_PREV]: WaitSide | undefined = undefined;
  /** @internal */
  [WAIT_NEXT]: WaitSide | undefined = undefined;
  readonly #signal: AbortSignal | undefined;

  /**
   * @param signal - aborts the wait, rejecting with its reason.
   * @param node - the node the wait belongs to; by default the one of the code running now.
   */
  constructor(signal: AbortSignal | undefined, node: CancelNode | undefined = currentNode()) {
    this[WAIT_NODE] = node;
    this.#signal = signal;
    this.promise = newPromise<T>();
    this.#resolve = lastResolve;
    forgetResolvers();
  }

  /**
   * Registers the wait with its task and signal. Returns false when it ended at once: the signal
   * was already aborted, or a cancellation was pending for its node (delivered here, as asyncio
   * delivers a pending cancel at the next suspension).
   */
  begin(): boolean {
    const signal = this.#signal;
    if (signal !== undefined) {
      if (signal.aborted) {
        this.#finish()?.(rejected(signal.reason));
        return false;
      }
      signal.addEventListener('abort', this);
    }
    const node = this.node;
    if (node !== undefined) {
      const message = node[NODE_TASK][WAIT_BEGIN](this);
      if (message !== NO_CANCEL) {
        this.#interrupt(message);
        return this.active;
      }
    }
    return true;
  }

  /** The node the wait belongs to, if it began inside a task. */
  get node(): CancelNode | undefined {
    return this[WAIT_NODE];
  }

  /** Whether the wait has not ended yet. */
  get active(): boolean {
    return this.#resolve !== undefined;
  }

  resolve(value: T | PromiseLike<T>): void {
    this.#finish()?.(value);
  }

  reject(reason: unknown): void {
    const settle = this.#finish();
    if (settle !== undefined) settle(rejected(reason));
  }

  /**
   * @internal Cancels the wait for someone holding only its promise (see protocol.ts, WORK):
   * as a cancellation of its node would, though no node was cancelled.
   */
  [CANCEL_WORK](message: string | undefined): void {
    this.#interrupt(message);
  }

  /** @internal Delivers a cancellation of the wait's node (or of one enclosing it). */
  [INTERRUPT](message: string | undefined): void {
    this.#interrupt(message);
  }

  /**
   * @internal For taskTree(): what the wait waits on, by its printed state. Computed only when
   * the tree is asked for; subclasses say more.
   */
  [DESCRIBE](): string {
    return 'a corio wait';
  }

  /** The signal's abort: an EventListener object, so no closure is allocated per wait. */
  handleEvent(): void {
    const settle = this.#finish();
    if (settle === undefined) return;
    this.stop();
    settle(rejected(this.#signal?.reason));
  }

  /** Ends the wait with a cancellation, as if `interrupt` had decided to stop. */
  protected rejectCancelled(message: string | undefined): void {
    const settle = this.#finish();
    if (settle !== undefined) settle(cancellation(message, this.node));
  }

  /**
   * Reacts to a cancellation before the wait ends. Returning true keeps it pending: its owner
   * settles it later (e.g. once the work it cancelled has really finished).
   */
  protected keepWaiting(_message: string | undefined): boolean {
    return false;
  }

  /** Runs after the wait ended by a cancellation (e.g. to pass the cancel on). */
  protected cancelled(_message: string | undefined): void {
    // Nothing to pass on by default.
  }

  /** Undoes the wait's side effects when it ends by cancellation or abort. */
  protected stop(): void {
    // Nothing to undo by default.
  }

  #interrupt(message: string | undefined): void {
    if (this.#resolve === undefined) return;
    // keepWaiting may have settled the wait already (the work it cancelled ended at once).
    if (this.keepWaiting(message)) return;
    const settle = this.#finish();
    this.stop();
    settle?.(cancellation(message, this.node));
    this.cancelled(message);
  }

  /**
   * Ends the wait: unregisters it and hands back the function that settles its promise, or
   * undefined if it had already ended. Inactive from here on, so whatever the caller does next
   * (undoing side effects that wake listeners) cannot settle it a second way.
   */
  #finish(): ((value: unknown) => void) | undefined {
    const resolve = this.#resolve;
    if (resolve === undefined) return undefined;
    this.#resolve = undefined;
    this.node?.[NODE_TASK][WAIT_END](this);
    this.#signal?.removeEventListener('abort', this);
    return resolve;
  }
}
