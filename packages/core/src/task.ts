import { CancelledError, InvalidStateError, isCancelledError } from './errors.js';
import { Future } from './future.js';
import { CancelState } from './internal/cancel-state.js';
import { Deferred } from './internal/deferred-start.js';
import type { DeferredOwner } from './internal/deferred-start.js';
import { nodeStorage } from './internal/current.js';
import { callSite, debugMode } from './internal/debug.js';
// Loading corio publishes the task tree for `npx corio pstree <pid>` (see inspect-hook.ts).
import './internal/inspect-hook.js';
import { attachTaskMarker } from './internal/ownership.js';
import type { Ownership } from './internal/ownership.js';
import {
  CANCELLED_SINCE,
  DELIVER,
  INTERRUPT,
  LINEAGE,
  PARENT_LINEAGE,
  PENDING,
  IS_CANCELLATION,
  NODE_ABORT,
  NODE_PARENT,
  NODE_SIGNAL,
  NODE_TASK,
  NO_CANCEL,
  REQUEST,
  SCOPE_CLOSE,
  WAIT_BEGIN,
  WAIT_END,
  WAIT_NEXT,
  WAIT_NODE,
  WAIT_PREV,
  WAITS,
  WITHDRAW,
} from './internal/protocol.js';
import type {
  CancelMessage,
  CancelNode,
  Lineage,
  ScopeSide,
  TaskSide,
  WaitSide,
} from './internal/protocol.js';
import { timed } from './internal/slow-monitor.js';
import { CANCEL_NOW, DEFERRED, LAUNCH, START, START_OWNER } from './internal/symbols.js';
import {
  NEXT,
  PREV,
  launchDeferred,
  register,
  registerDeferred,
  unregister,
} from './internal/task-registry.js';
import { isThenable } from './internal/validate.js';
import type { Registered } from './internal/task-registry.js';

let taskCounter = 0;
// A task is the task side of the cancellation protocol: checked by this alias rather than by
// `implements TaskSide`, which the published types would show with the protocol's members
// stripped (a type error for users who check library types).
type Conforms<T extends TaskSide> = T;
type _TaskIsTaskSide = Conforms<Task<unknown>>;

// Debug mode only: where each task was created. Kept out of the task so a task costs no more
// outside debug mode.
const creationSites = new WeakMap<Task<unknown>, string>();

/**
 * A future that runs a function as a concurrent unit of work (asyncio's `Task`).
 *
 * Tasks are made by {@link createTask} (or `TaskGroup.createTask`), never with `new`. A task can
 * be cancelled: `cancel()` rejects the corio await it is suspended at with `CancelledError`, or,
 * if it is running other code, aborts `task.signal` and makes its next corio await throw.
 *
 * @typeParam T - the type of the result.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { createTask, sleep } from '@corio/core';
 *
 * const task = createTask(async () => {
 *   await sleep(10);
 *   return 'done';
 * }, { name: 'worker' });
 * assert.equal(task.name, 'worker');
 * assert.equal(await task, 'done');
 * ```
 */
export class Task<T> extends Future<T> {
  // Before the task starts: its function (a cancel before then means it never runs), or, until
  // its start is scheduled, a Deferred. While it runs: the promise that follows its body, for the
  // ownership marker (see ownership.ts).
  #fn: (() => T | PromiseLike<T>) | Deferred | Promise<void> | undefined;
  // The name is made from the id only when asked for.
  #name: string | number;
  // Made by the first cancel request or signal: most tasks never need it.
  #cancel: CancelState | undefined = undefined;
  // The first of the waits begun in this task (its own code, its scopes, the callbacks it set
  // up), which are linked in a ring through WAIT_PREV and WAIT_NEXT.
  #waiters: WaitSide | undefined = undefined;
  // For taskTree(): the lineage of the node that created the task, until the task creates a
  // task itself; from then on its own lineage, whose `up` is that (see protocol.ts, Lineage).
  // One field, and no strong link to the creator: a finished parent is not kept alive by it.
  #lineage: Lineage | undefined = undefined;
  /** @internal Links in the list of pending tasks. */
  [PREV]: Registered | undefined = undefined;
  /** @internal */
  [NEXT]: Registered | undefined = undefined;

  // Private, and left in the published types (which then say `private constructor()`), so that
  // `new Task(...)` is a type error for users: without it they would inherit Future's public
  // constructor. corio makes tasks through `Task.create`, which the published types omit.
  /** Use {@link createTask}. */
  private constructor(
    fn: () => T | PromiseLike<T>,
    name: string | undefined,
    boundary: CallableFunction,
    owner: DeferredOwner | undefined,
  ) {
    super();
    this.#name = name ?? ++taskCounter;
    if (debugMode.enabled) creationSites.set(this, callSite(boundary));
    if (owner === undefined) {
      this.#fn = fn;
      register(this);
    } else {
      this.#fn = new Deferred(fn, owner);
      registerDeferred(this);
    }
  }

  /**
   * @internal Makes a task (for `createTaskAt`): `boundary` is the public function the user
   * called, for debug mode's creation site; `parent` the node it is created in (for taskTree).
   */
  static create<T>(
    fn: () => T | PromiseLike<T>,
    name: string | undefined,
    boundary: CallableFunction,
    parent: CancelNode | undefined,
  ): Task<T> {
    const task = new Task(fn, name, boundary, undefined);
    if (parent !== undefined) task.#lineage = parent[LINEAGE]?.();
    return task;
  }

  /**
   * @internal Like `create`, for a task whose start waits until `owner` calls LAUNCH (a
   * limiter's queued call); cancelling it meanwhile tells the owner.
   */
  static createDeferred<T>(
    fn: () => T | PromiseLike<T>,
    boundary: CallableFunction,
    parent: CancelNode | undefined,
    owner: DeferredOwner,
  ): Task<T> {
    const task = new Task(fn, undefined, boundary, owner);
    if (parent !== undefined) task.#lineage = parent[LINEAGE]?.();
    return task;
  }

  /** @internal For taskTree(): the first of the waits the task is suspended in. */
  get [WAITS](): WaitSide | undefined {
    return this.#waiters;
  }

  /**
   * @internal For taskTree(): the task's own lineage, which the tasks it creates keep (made on
   * the first one). A finished task has none: its children belong to its creator.
   */
  [LINEAGE](): Lineage | undefined {
    const lineage = this.#lineage;
    if (lineage?.node === this) return lineage;
    if (this.done()) return lineage;
    return (this.#lineage = { node: this, up: lineage });
  }

  /** @internal For taskTree(): the lineage of the node that created the task. */
  get [PARENT_LINEAGE](): Lineage | undefined {
    const lineage = this.#lineage;
    return lineage?.node === this ? lineage.up : lineage;
  }

  /** @internal For taskTree(): the limiter (or other owner) a task waits for to start. */
  get [START_OWNER](): DeferredOwner | undefined {
    const fn = this.#fn;
    return fn instanceof Deferred ? fn.owner : undefined;
  }

  /** @internal Whether the task waits for LAUNCH to be scheduled. */
  get [DEFERRED](): boolean {
    return this.#fn instanceof Deferred;
  }

  /** @internal Schedules the start of a deferred task, in its creator's async context. */
  [LAUNCH](): void {
    const deferred = this.#fn;
    if (!(deferred instanceof Deferred)) return;
    this.#fn = deferred.fn as () => T | PromiseLike<T>;
    launchDeferred(this, deferred);
  }

  /** The task's name (settable; any value is stored as a string, as asyncio does). */
  get name(): string {
    if (typeof this.#name === 'number') this.#name = `Task-${String(this.#name)}`;
    return this.#name;
  }

  set name(value: string) {
    const given: unknown = value;
    this.#name = String(given);
  }

  /**
   * Aborted, with a `CancelledError` as its reason, as soon as cancellation is requested. Pass
   * it to APIs that take a signal (`fetch`, `fs`, `timers/promises`). It stays aborted after a
   * cancellation that was caught; once every request is withdrawn with `uncancel()`, `signal` is
   * a fresh one.
   *
   * Read by code running inside a scope of this task (a `timeout()` or `taskGroup()` body, or a
   * callback set up there), it is that scope's signal: aborted when the scope is cancelled (its
   * deadline passes, its group fails or is cancelled) or the task is. So
   * `fetch(url, { signal: currentTask()?.signal })` inside a `timeout()` body stops at the
   * deadline, and at no other scope's.
   */
  get signal(): AbortSignal {
    const node = nodeStorage.getStore();
    if (node !== undefined && node !== this && node[NODE_TASK] === this) return node[NODE_SIGNAL];
    return this[NODE_SIGNAL];
  }

  /** Where the task was created, in debug mode. */
  get createdAt(): string | undefined {
    return creationSites.get(this);
  }

  /**
   * Requests cancellation (asyncio's `Task.cancel`). Every corio await suspended in the task at
   * that moment throws `CancelledError` (whatever it awaited is cancelled too), and `signal`
   * aborts. If the task's own code was not among them (it was running, or awaiting a foreign
   * promise), the cancellation stays pending for it: its next corio await throws, or the task
   * ends cancelled when it returns. A task cancelled before it starts never runs.
   *
   * @returns false if the task is already done.
   */
  override cancel(message?: string): boolean {
    if (this.done()) return false;
    const deferred = this.#fn;
    this[REQUEST](this, message);
    if (deferred instanceof Deferred) {
      // Not started, not even scheduled: it starts now, and ends cancelled at once.
      deferred.owner.dropped(this);
      this[LAUNCH]();
    }
    return true;
  }

  /**
   * How many cancellation requests are outstanding (asyncio's `Task.cancelling`): `cancel()`
   * calls not withdrawn by `uncancel()`, plus the open `timeout()` and `taskGroup()` scopes whose
   * cancellation reached the task's own code.
   */
  cancelling(): number {
    const state = this.#cancel;
    return state === undefined ? 0 : state.outstanding(this) + state.counted;
  }

  /**
   * Withdraws one `cancel()` request (asyncio's `Task.uncancel`); at zero a cancellation not yet
   * delivered is dropped and `signal` is renewed.
   *
   * @returns the remaining `cancelling()` count.
   */
  uncancel(): number {
    this[WITHDRAW](this);
    return this.cancelling();
  }

  /** @throws `InvalidStateError`: a task's result comes from its function. */
  override setResult(_value: T): void {
    throw new InvalidStateError(
      `Cannot call setResult() on ${this.toString()}: a task sets its own result`,
    );
  }

  /** @throws `InvalidStateError`: a task's error comes from its function. */
  override setException(_error: unknown): void {
    throw new InvalidStateError(
      `Cannot call setException() on ${this.toString()}: a task sets its own error`,
    );
  }

  /** @internal */
  protected override describeFields(): string {
    const state = !this.done() && this.cancelling() > 0 ? ' cancelling' : super.describeFields();
    const site = this.createdAt;
    const where = site === undefined ? '' : ` created at ${site}`;
    return ` name=${this.name}${state}${where}`;
  }

  /** @internal A task is the root node of its own cancellation tree. */
  get [NODE_TASK](): this {
    return this;
  }

  /** @internal */
  get [NODE_PARENT](): undefined {
    return undefined;
  }

  /** @internal The task's own signal (see `signal`). */
  get [NODE_SIGNAL](): AbortSignal {
    const abort = this.#state().abort;
    if (abort.controller === undefined) {
      abort.controller = new AbortController();
      if (abort.requested) abort.controller.abort(abort.reason());
    }
    return abort.controller.signal;
  }

  /**
   * @internal Whether `error` is this task's cancellation: a CancelledError, or an error caused
   * by the abort of its signal.
   */
  [IS_CANCELLATION](error: unknown): boolean {
    return isCancelledError(error) || this.#cancel?.abort.hasReason(error) === true;
  }

  /** @internal */
  [REQUEST](node: CancelNode, message: string | undefined): void {
    if (this.done()) return;
    const state = this.#state();
    state.request(node, message);
    if (node === this) {
      const abort = state.abort;
      if (!abort.requested) {
        abort.requested = true;
        abort.message = message;
        abort.controller?.abort(abort.reason());
      }
    } else {
      (node as ScopeSide)[NODE_ABORT](new CancelledError(message));
    }
    this.#mark(state);
    const head = this.#waiters;
    if (head === undefined) return;
    // Interrupting a wait unregisters it: pick them first, in the order they began.
    const reached: WaitSide[] = [];
    let waiter = head;
    do {
      if (node === this || isWithin(waiter[WAIT_NODE], node)) reached.push(waiter);
      waiter = waiter[WAIT_NEXT] as WaitSide;
    } while (waiter !== head);
    for (const each of reached) each[INTERRUPT](message);
  }

  /** @internal */
  [WITHDRAW](node: CancelNode): number {
    const state = this.#cancel;
    if (state === undefined) return 0;
    const left = state.withdraw(node);
    if (left === 0 && node === this) state.abort.renew();
    return left;
  }

  /** @internal */
  [SCOPE_CLOSE](node: CancelNode, entrySeq: number, rearm: boolean): boolean {
    return this.#cancel?.close(node, entrySeq, rearm) === true;
  }

  /** @internal */
  [CANCELLED_SINCE](node: CancelNode, entrySeq: number, rearm: boolean): boolean {
    return this.#cancel?.cancelledSince(node, entrySeq, rearm) === true;
  }

  /** @internal */
  [WAIT_BEGIN](waiter: WaitSide): CancelMessage {
    // Appended to a ring through the waits themselves: O(1) either way, and nothing to allocate
    // for a task awaiting many at once (a table of 100k waits slowed every minor GC).
    const head = this.#waiters;
    if (head === undefined) {
      waiter[WAIT_PREV] = waiter[WAIT_NEXT] = waiter;
      this.#waiters = waiter;
    } else {
      const tail = head[WAIT_PREV] as WaitSide;
      waiter[WAIT_PREV] = tail;
      waiter[WAIT_NEXT] = head;
      tail[WAIT_NEXT] = head[WAIT_PREV] = waiter;
    }
    const state = this.#cancel;
    if (state === undefined || state.pending === 0) return NO_CANCEL;
    // A cancellation pending for a node above: the wait is interrupted at once, and the reaction
    // that delivers it decides whether it reached the code the cancellation is meant for (whose
    // await chain is only complete by then: an `await future` calls `then` from a job of its
    // own). Until that code has it, a callback's waits see it too: never consumed, never lost.
    return state.pendingAbove(waiter[WAIT_NODE] as CancelNode);
  }

  /** @internal */
  [WAIT_END](waiter: WaitSide): void {
    const next = waiter[WAIT_NEXT];
    if (next === undefined) return; // Not registered (ended already).
    if (next === waiter) this.#waiters = undefined;
    else {
      const prev = waiter[WAIT_PREV] as WaitSide;
      prev[WAIT_NEXT] = next;
      next[WAIT_PREV] = prev;
      if (this.#waiters === waiter) this.#waiters = next;
    }
    waiter[WAIT_PREV] = waiter[WAIT_NEXT] = undefined;
  }

  /** @internal */
  [DELIVER](node: CancelNode, owner?: Ownership): CancelMessage {
    const state = this.#cancel;
    if (state === undefined || state.pending === 0) return NO_CANCEL;
    return state.take(node, owner);
  }

  /** @internal */
  [PENDING](node: CancelNode): boolean {
    const state = this.#cancel;
    return state !== undefined && state.pending > 0 && state.pendingAbove(node) !== NO_CANCEL;
  }

  /** @internal */
  [START](): void {
    const pending = this.#pendingOn();
    if (pending !== NO_CANCEL) {
      this.#fn = undefined;
      this.#finishCancelled(new CancelledError(pending));
      return;
    }
    // This runs in its own microtask, in the creator's context (see task-registry.ts, which
    // undoes the enter where the context would leak out of it); entering costs half of `run`.
    nodeStorage.enterWith(this);
    const fn = this.#fn as () => unknown;
    this.#fn = undefined;
    let value: unknown;
    try {
      value = debugMode.enabled ? timed(this, fn) : fn();
    } catch (error) {
      this.#finishError(error);
      return;
    }
    if (!isThenable(value)) {
      this.#finishValue(value);
      return;
    }
    if (value === this) {
      this.#finishError(new InvalidStateError(`${this.toString()} cannot await itself`));
      return;
    }
    // The handlers are shared, not per-task closures: the reaction runs in the task's context,
    // so the task is found with getStore(). A Future goes through Promise.resolve, which awaits
    // it from inside the task (a cancellation point that propagates the cancel).
    this.#fn = (value instanceof Promise ? value : Promise.resolve(value)).then(
      Task.#onFulfilled,
      Task.#onRejected,
    );
    // Cancelled during its first step: the waits it began there are about to decide.
    const state = this.#cancel;
    if (state !== undefined) this.#mark(state);
  }

  /** Makes the task's own await chain recognisable (see ownership.ts), once it has one. */
  #mark(state: CancelState): void {
    if (!state.marked && this.#fn instanceof Promise) {
      state.marked = true;
      attachTaskMarker(this.#fn);
    }
  }

  static readonly #onFulfilled = (value: unknown): void => {
    (nodeStorage.getStore() as Task<unknown>).#finishValue(value);
  };

  static readonly #onRejected = (error: unknown): void => {
    (nodeStorage.getStore() as Task<unknown>).#finishError(error);
  };

  // A message may be undefined: NO_CANCEL, not undefined, says there is none.
  #pendingOn(): CancelMessage {
    const state = this.#cancel;
    return state === undefined ? NO_CANCEL : state.pendingOn(this);
  }

  #state(): CancelState {
    return (this.#cancel ??= new CancelState());
  }

  #finishValue(value: unknown): void {
    const pending = this.#pendingOn();
    if (pending !== NO_CANCEL) {
      // Cancelled while running code that then returned without reaching a cancellation point:
      // the task ends cancelled, as in asyncio.
      this.#finishCancelled(new CancelledError(pending));
      return;
    }
    this.#end();
    super.setResult(value as T);
  }

  #finishError(error: unknown): void {
    const abort = this.#cancel?.abort;
    if (isCancelledError(error)) this.#finishCancelled(error);
    else if (abort?.hasReason(error) === true) {
      this.#finishCancelled(new CancelledError(abort.message, { cause: error }));
    } else {
      this.#end();
      super.setException(error);
    }
  }

  #finishCancelled(error: CancelledError): void {
    this.#end();
    this[CANCEL_NOW](error);
  }

  #end(): void {
    unregister(this);
    this.#fn = undefined;
    this.#waiters = undefined;
    const lineage = this.#lineage;
    if (lineage?.node === this) {
      // Its children now belong to its creator; and nothing of it stays alive through them.
      lineage.node = undefined;
      this.#lineage = lineage.up;
    }
  }
}

/** Whether `node` is `target` or inside it. */
function isWithin(node: CancelNode | undefined, target: CancelNode): boolean {
  for (let current = node; current !== undefined; current = current[NODE_PARENT]) {
    if (current === target) return true;
  }
  return false;
}
