import { CancelledError, InvalidStateError } from './errors.js';
import { currentNode } from './internal/current.js';
import { DESCRIBE, NODE_TASK } from './internal/protocol.js';
import type { CancelNode } from './internal/protocol.js';
import { inspectSymbol } from './internal/inspect.js';
import { CANCEL_NOW, FAILED, LISTEN, RETRIEVE, UNLISTEN } from './internal/symbols.js';
import { trackUnretrieved, untrackUnretrieved } from './internal/unretrieved.js';
import { forgetResolvers, lastReject, lastResolve, newPromise } from './internal/deferred.js';
import { settleWaitFrom } from './internal/settle-wait.js';
import { Wait } from './internal/wait.js';

const State = { Pending: 0, Fulfilled: 1, Rejected: 2, Cancelled: 3 } as const;
type State = (typeof State)[keyof typeof State];

/** A callback run once a future is done; receives the future. */
export type DoneCallback<F> = (future: F) => void;

/** Internal listeners: a function, or an object (so a wait needs no extra closure). */
type Listener = ((future: Future<unknown>) => void) | { futureDone(future: Future<unknown>): void };

/** Waits on a future from inside a task: cancelling the task cancels the future (asyncio's rule). */
class FutureWait<T> extends Wait<T> {
  readonly #future: Future<T>;

  constructor(future: Future<T>, node: CancelNode) {
    super(undefined, node);
    this.#future = future;
  }

  arm(): Promise<T> {
    if (this.begin()) this.#future[LISTEN](this);
    return this.promise;
  }

  futureDone(): void {
    settleWaitFrom(this, this.#future);
  }

  protected override cancelled(message: string | undefined): void {
    this.#future.cancel(message);
  }

  protected override stop(): void {
    this.#future[UNLISTEN](this);
  }

  /** @internal `await <Task name=fetch pending>`. */
  override [DESCRIBE](): string {
    return `await ${this.#future.toString()}`;
  }
}

/**
 * A placeholder for a result that is not there yet (asyncio's `Future`), awaitable like a
 * Promise.
 *
 * A future is pending until `setResult`, `setException` or `cancel` is called, then done for
 * good. Inside a task, awaiting a future is a cancellation point: cancelling the task rejects the
 * await at once and cancels the future too. A future whose error is never retrieved (by an
 * await, `then`, `result()` or `exception()`) is reported on stderr.
 *
 * @typeParam T - the type of the result.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { Future } from '@corio/core';
 *
 * const fut = new Future<number>();
 * setTimeout(() => fut.setResult(42), 1);
 * assert.equal(await fut, 42);
 * assert.equal(fut.done(), true);
 * assert.equal(fut.result(), 42);
 * ```
 */
export class Future<T> implements PromiseLike<T> {
  // #listeners exist only while #state is Pending. Few fields on purpose: a pending task's size
  // is the footprint of every suspended task in a program (done callbacks and the promise that
  // backs `await` outside tasks live among the listeners).
  #state: State = State.Pending;
  #value: unknown = undefined;
  #listeners: Listener | Listener[] | undefined = undefined;
  #promise: Promise<T> | undefined = undefined;
  // false: nobody retrieved the error yet; true: retrieved; a WeakRef: reported unless retrieved.
  #retrieval: boolean | WeakRef<Future<unknown>> = false;

  /** Whether the future has a result, an error, or was cancelled. */
  done(): boolean {
    return this.#state !== State.Pending;
  }

  /** Whether the future was cancelled. */
  cancelled(): boolean {
    return this.#state === State.Cancelled;
  }

  /**
   * The result.
   *
   * @throws `InvalidStateError` if the future is pending, its `CancelledError` if it was
   * cancelled, its error if it failed.
   */
  result(): T {
    switch (this.#state) {
      case State.Fulfilled:
        return this.#value as T;
      case State.Pending:
        throw new InvalidStateError(`Cannot get the result of ${this.toString()}: it is not done`);
      default:
        throw this[RETRIEVE]();
    }
  }

  /**
   * The error the future failed with, or `undefined` if it succeeded.
   *
   * @throws `InvalidStateError` if the future is pending, its `CancelledError` if it was
   * cancelled.
   */
  exception(): unknown {
    switch (this.#state) {
      case State.Fulfilled:
        return undefined;
      case State.Pending:
        throw new InvalidStateError(
          `Cannot get the exception of ${this.toString()}: it is not done`,
        );
      case State.Cancelled:
        throw this[RETRIEVE]();
      default:
        return this[RETRIEVE]();
    }
  }

  /**
   * Completes the future with a value.
   *
   * @throws `InvalidStateError` if the future is already done.
   */
  setResult(value: T): void {
    this.#checkPending('setResult');
    this.#settle(State.Fulfilled, value);
  }

  /**
   * Fails the future with an error.
   *
   * @throws `InvalidStateError` if the future is already done.
   */
  setException(error: unknown): void {
    this.#checkPending('setException');
    this.#settle(State.Rejected, error);
  }

  /**
   * Cancels the future: it becomes done and `cancelled()`, and awaiting it throws
   * `CancelledError` with `message`.
   *
   * @returns false if the future was already done.
   */
  cancel(message?: string): boolean {
    if (this.#state !== State.Pending) return false;
    this.#settle(State.Cancelled, new CancelledError(message));
    return true;
  }

  /**
   * Runs `callback(future)` once the future is done (soon after, in a microtask, if it already
   * is). Callbacks run in the order they were added.
   */
  addDoneCallback(callback: DoneCallback<this>): void {
    if (typeof callback !== 'function') {
      throw new TypeError(
        `addDoneCallback: 'callback' must be a function, received ${typeof callback}`,
      );
    }
    this[LISTEN](new CallbackListener(callback as DoneCallback<Future<unknown>>));
  }

  /**
   * Removes every registration of `callback`.
   *
   * @returns how many were removed.
   */
  removeDoneCallback(callback: DoneCallback<this>): number {
    const listeners = this.#listeners;
    if (listeners === undefined) return 0;
    const all = Array.isArray(listeners) ? listeners : [listeners];
    const kept = all.filter((l) => !(l instanceof CallbackListener && l.callback === callback));
    this.#listeners = kept.length === 0 ? undefined : kept;
    return all.length - kept.length;
  }

  /**
   * Promise interoperability: `await future`, `Promise.all([future])`. Inside a task this is a
   * cancellation point.
   */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    const node = currentNode();
    if (node === undefined) return this.#nativePromise().then(onFulfilled, onRejected);
    if (node[NODE_TASK] === (this as unknown)) {
      const error = new InvalidStateError(`${this.toString()} cannot await itself`);
      return Promise.reject(error).then(onFulfilled, onRejected);
    }
    return new FutureWait(this, node).arm().then(onFulfilled, onRejected);
  }

  /** Like `Promise.prototype.catch`. */
  catch<R = never>(onRejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.#awaitable().catch(onRejected);
  }

  /** Like `Promise.prototype.finally`. */
  finally(onFinally?: (() => void) | null): Promise<T> {
    return this.#awaitable().finally(onFinally);
  }

  /**
   * `'Future'` or `'Task'`. With `then`, `catch` and `finally` it makes a Future assignable to
   * `Promise<T>` in TypeScript, so a task can be passed where a Promise is typed.
   *
   * @example
   * ```ts
   * import assert from 'node:assert/strict';
   * import { CancelledError, createTask, sleep } from '@corio/core';
   *
   * const task = createTask(() => sleep(1_000));
   * task.cancel();
   * await assert.rejects(task, CancelledError); // typed as a Promise
   * assert.equal(Object.prototype.toString.call(task), '[object Task]');
   * ```
   */
  get [Symbol.toStringTag](): string {
    return this.constructor.name;
  }

  /** Renders the state: `<Future pending>`, `<Future fulfilled result=42>`. */
  toString(): string {
    return `<${this.constructor.name}${this.describeFields()}>`;
  }

  /** @internal The fields shown by toString, after the class name. */
  protected describeFields(): string {
    switch (this.#state) {
      case State.Pending:
        return ' pending';
      case State.Fulfilled:
        return ` fulfilled result=${describeValue(this.#value)}`;
      case State.Cancelled:
        return ' cancelled';
      default:
        return ` failed error=${describeValue(this.#value)}`;
    }
  }

  /** @internal */
  [inspectSymbol](): string {
    return this.toString();
  }

  /** @internal Calls `listener` synchronously when the future settles (now, if it has). */
  [LISTEN](listener: Listener): void {
    if (this.#state !== State.Pending) {
      notify(listener, this);
      return;
    }
    const listeners = this.#listeners;
    if (listeners === undefined) this.#listeners = listener;
    else if (!Array.isArray(listeners)) this.#listeners = [listeners, listener];
    else listeners.push(listener);
  }

  /** @internal */
  [UNLISTEN](listener: Listener): void {
    const listeners = this.#listeners;
    if (listeners === listener) this.#listeners = undefined;
    else if (Array.isArray(listeners)) {
      const index = listeners.indexOf(listener);
      if (index !== -1) listeners.splice(index, 1);
    }
  }

  /** @internal Settles as cancelled with the given error (a Task's escaping CancelledError). */
  [CANCEL_NOW](error: CancelledError): boolean {
    if (this.#state !== State.Pending) return false;
    this.#settle(State.Cancelled, error);
    return true;
  }

  /** @internal */
  [FAILED](): boolean {
    return this.#state === State.Rejected;
  }

  /** @internal Returns the error (or CancelledError) and marks it retrieved; undefined if none. */
  [RETRIEVE](): unknown {
    const retrieval = this.#retrieval;
    if (retrieval !== true) {
      this.#retrieval = true;
      if (retrieval !== false) untrackUnretrieved(retrieval);
    }
    return this.#state === State.Rejected || this.#state === State.Cancelled
      ? this.#value
      : undefined;
  }

  #awaitable(): Promise<T> {
    const node = currentNode();
    if (node !== undefined && node[NODE_TASK] !== (this as unknown)) {
      return new FutureWait(this, node).arm();
    }
    return this.#nativePromise();
  }

  // Outside tasks, awaiting goes through one native promise per future, made on first use.
  #nativePromise(): Promise<T> {
    this[RETRIEVE]();
    return (this.#promise ??= this.#makePromise());
  }

  #makePromise(): Promise<T> {
    switch (this.#state) {
      case State.Pending: {
        const settler = new PromiseSettler();
        this[LISTEN](settler);
        return settler.promise as Promise<T>;
      }
      case State.Fulfilled:
        return Promise.resolve(this.#value as T);
      default:
        return Promise.reject(this.#value);
    }
  }

  #checkPending(method: string): void {
    if (this.#state !== State.Pending) {
      throw new InvalidStateError(
        `Cannot call ${method}() on ${this.toString()}: it is already done`,
      );
    }
  }

  #settle(state: State, value: unknown): void {
    this.#state = state;
    this.#value = value;
    const listeners = this.#listeners;
    if (listeners !== undefined) {
      this.#listeners = undefined;
      if (!Array.isArray(listeners)) notify(listeners, this);
      else for (const listener of listeners) notify(listener, this);
    }
    if (state === State.Rejected && this.#retrieval === false) {
      this.#retrieval = trackUnretrieved(this, value);
    }
  }
}

function notify(listener: Listener, future: Future<unknown>): void {
  if (typeof listener === 'function') listener(future);
  else listener.futureDone(future);
}

/** A user's done callback: run in a microtask, as asyncio runs them with call_soon. */
class CallbackListener {
  constructor(readonly callback: DoneCallback<Future<unknown>>) {}

  futureDone(future: Future<unknown>): void {
    queueMicrotask(() => {
      try {
        this.callback(future);
      } catch (error) {
        // asyncio logs an exception raised in a done callback and goes on with the others.
        console.error('corio: exception in done callback of', String(future), error);
      }
    });
  }
}

/** Settles the native promise that backs `then` outside tasks. */
class PromiseSettler {
  readonly promise: Promise<unknown>;
  readonly #resolve: (value: unknown) => void;
  readonly #reject: (reason: unknown) => void;

  constructor() {
    this.promise = newPromise<unknown>();
    this.#resolve = lastResolve;
    this.#reject = lastReject;
    forgetResolvers();
  }

  futureDone(future: Future<unknown>): void {
    if (future.cancelled() || future[FAILED]()) this.#reject(future[RETRIEVE]());
    else this.#resolve(future.result());
  }
}
function describeValue(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (typeof value === 'object' && value !== null)
    return Array.isArray(value) ? '[array]' : '[object]';
  return String(value);
}
