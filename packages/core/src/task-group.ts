import { InvalidStateError, TaskGroupError, isCancelledError } from './errors.js';
import { Future } from './future.js';
import { currentNode, runtime } from './internal/current.js';
import { inspectSymbol } from './internal/inspect.js';
import {
  CANCELLED_SINCE,
  DESCRIBE,
  IS_CANCELLATION,
  NODE_TASK,
  REQUEST,
  WITHDRAW,
} from './internal/protocol.js';
import type { CancelNode } from './internal/protocol.js';
import { ScopeNode, enterScope, scopeRunner } from './internal/scope-node.js';
import { FAILED, RETRIEVE } from './internal/symbols.js';
import { show } from './internal/validate.js';
import type { CreateTaskOptions } from './create-task.js';
import type { Task } from './task.js';
import { createTaskAt } from './create-task.js';

const EXIT = Symbol('exit');
const ADOPT = Symbol('adopt');

/**
 * Structured concurrency (asyncio's `TaskGroup`): a group of child tasks that is not left until
 * every child has finished.
 *
 * The first child failure (other than `CancelledError`) cancels the body and every other child;
 * the group then throws a `TaskGroupError` holding every error. Cancelled from outside, it
 * cancels its children, waits for them and rethrows the `CancelledError`. `cancel()` stops the
 * group without an error. Prefer {@link taskGroup}; `await using tg = new TaskGroup()` works too,
 * but a disposer cannot see the body's own error (see the guide).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { TaskGroup, createTask, sleep } from '@corio/core';
 *
 * const result = await createTask(async () => {
 *   await using tg = new TaskGroup();
 *   const a = tg.createTask(() => sleep(2, 'a'));
 *   const b = tg.createTask(() => sleep(1, 'b'));
 *   return [a, b];
 * });
 * assert.deepEqual(result.map((t) => t.result()), ['a', 'b']);
 * ```
 */
export class TaskGroup {
  // The group is open until EXIT finds no children left; #aborting means every child was told
  // to cancel and no new child may start. #node is what a failure cancels: the group's own scope
  // (taskGroup()), or the node the group was made in (`await using`, where the body cannot be
  // given a scope: asyncio's "cancel the parent task").
  #node: CancelNode | undefined;
  #ownScope: ScopeNode | undefined = undefined;
  readonly #tasks = new Set<Task<unknown>>();
  readonly #errors: unknown[] = [];
  #exiting = false;
  #finished = false;
  #aborting = false;
  #cancelledByUser = false;
  #bodyCancelRequested = false;
  #allDone: Future<void> | undefined = undefined;
  readonly #entrySeq = runtime.seq;
  // Like asyncio's done callbacks, this runs a microtask after the child finished, so children
  // failing in the same tick all get to report their errors before the group reacts.
  readonly #onChildDone = (task: Task<unknown>): void => {
    this.#childDone(task);
  };

  /** Opens a group owned by the running task (if any). */
  constructor() {
    this.#node = currentNode();
  }

  /**
   * Starts a child task in the group.
   *
   * @throws `InvalidStateError` if the group has finished or is shutting down.
   */
  createTask<T>(
    fn: (() => T | PromiseLike<T>) | PromiseLike<T>,
    options?: CreateTaskOptions,
  ): Task<T> {
    if (this.#finished) {
      throw new InvalidStateError(`Cannot create a task in ${this.toString()}: it is finished`);
    }
    if (this.#aborting) {
      throw new InvalidStateError(
        `Cannot create a task in ${this.toString()}: it is shutting down`,
      );
    }
    // Only the method's identity is used: the stack boundary for debug mode's creation site.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const task = createTaskAt(fn, options, this.createTask, this.#node);
    this.#tasks.add(task);
    task.addDoneCallback(this.#onChildDone);
    return task;
  }

  /**
   * Stops the group without an error: the children and the body are cancelled, and
   * {@link taskGroup} returns `undefined` (or the body's value, if it had already returned).
   */
  cancel(): void {
    if (this.#finished || this.#cancelledByUser) return;
    this.#cancelledByUser = true;
    this.#abort();
    this.#cancelBody();
  }

  /** Renders the state: `<TaskGroup tasks=2 errors=0 running>`. */
  toString(): string {
    const state = this.#finished
      ? 'finished'
      : this.#aborting
        ? 'aborting'
        : this.#exiting
          ? 'exiting'
          : 'running';
    return `<TaskGroup tasks=${String(this.#tasks.size)} errors=${String(this.#errors.length)} ${state}>`;
  }

  /** @internal */
  [inspectSymbol](): string {
    return this.toString();
  }

  /** @internal For taskTree(): the group, as the scope its children are in. */
  [DESCRIBE](): string {
    return `taskGroup ${this.toString()}`;
  }

  /** Waits for the children, as `await using` does on leaving the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this[EXIT](false, undefined);
  }

  /** @internal The body runs in `scope`, the group's own. */
  [ADOPT](scope: ScopeNode): void {
    this.#node = scope;
    this.#ownScope = scope;
  }

  /**
   * @internal Leaves the group once every child has finished. `failed`/`error` describe how the
   * body ended. Returns normally, or throws what the group must raise.
   */
  async [EXIT](failed: boolean, error: unknown): Promise<void> {
    this.#exiting = true;
    const bodyCancelled = failed && this.#isCancellation(error);
    let propagate: unknown = bodyCancelled ? error : undefined;
    if (failed && !this.#aborting) this.#abort();
    while (this.#tasks.size > 0) {
      const allDone = (this.#allDone = new Future<void>());
      try {
        await allDone;
      } catch (interrupt) {
        if (!isCancelledError(interrupt)) throw interrupt;
        if (!this.#aborting) {
          // The parent is being cancelled from outside while the children still run.
          propagate = interrupt;
          this.#abort();
        }
      }
      this.#allDone = undefined;
    }
    this.#finished = true;
    const bodyError = failed && !bodyCancelled;
    const raising = this.#errors.length > 0 || bodyError;
    // The group's own cancellation ends here; one from outside made meanwhile must not: if the
    // group raises its errors instead, it is made pending again for the code after the group.
    const outer = this.#endCancellation(raising);
    if (this.#bodyCancelRequested && !outer) propagate = undefined;
    if (propagate !== undefined && !raising) throw propagate as Error;
    // A body that awaited a failing child rethrows that child's error: it is one failure, listed
    // once (asyncio's body would see a CancelledError there instead, as the group reacts first).
    if (bodyError && !this.#errors.includes(error)) this.#errors.push(error);
    if (this.#errors.length === 0) return;
    throw new TaskGroupError(
      this.#errors,
      `unhandled errors in a TaskGroup (${String(this.#errors.length)} sub-error${this.#errors.length === 1 ? '' : 's'})`,
    );
  }

  #childDone(task: Task<unknown>): void {
    this.#tasks.delete(task);
    if (this.#tasks.size === 0 && this.#allDone !== undefined && !this.#allDone.done()) {
      this.#allDone.setResult();
    }
    if (task.cancelled() || !task[FAILED]()) return;
    this.#errors.push(task[RETRIEVE]());
    if (!this.#aborting) {
      this.#abort();
      this.#cancelBody();
    }
  }

  /**
   * Closes the group's scope, or withdraws its request on the node it was made in; returns
   * whether a cancellation from outside was requested meanwhile (made pending again if `rearm`).
   */
  #endCancellation(rearm: boolean): boolean {
    const scope = this.#ownScope;
    if (scope !== undefined) return scope.close(rearm);
    const node = this.#node;
    if (node === undefined) return false;
    const task = node[NODE_TASK];
    if (this.#bodyCancelRequested) task[WITHDRAW](node);
    return task[CANCELLED_SINCE](node, this.#entrySeq, rearm);
  }

  /** Cancels the body (and what it set up), once. */
  #cancelBody(): void {
    const node = this.#node;
    if (node === undefined || this.#bodyCancelRequested || this.#finished) return;
    const task = node[NODE_TASK];
    if (task.done()) return;
    // Without a scope of its own, the group cancels the node it was made in: pointless once the
    // body has finished and no child is left to wait for.
    if (this.#ownScope === undefined && this.#exiting && this.#tasks.size === 0) return;
    this.#bodyCancelRequested = true;
    task[REQUEST](node, undefined);
  }

  #abort(): void {
    this.#aborting = true;
    for (const task of this.#tasks) task.cancel();
  }

  #isCancellation(error: unknown): boolean {
    return this.#ownScope?.[IS_CANCELLATION](error) ?? isCancelledError(error);
  }

  /** @internal Whether `cancel()` was called. */
  get cancelledByUser(): boolean {
    return this.#cancelledByUser;
  }
}

/**
 * Runs `body` with a new {@link TaskGroup} and waits for all of its children (asyncio's
 * `async with TaskGroup() as tg`). Outside any task, the body runs in a new task.
 *
 * @typeParam T - the body's result.
 * @param body - receives the group; its children are started with `tg.createTask`.
 * @returns the body's value, or `undefined` if `tg.cancel()` interrupted the body.
 * @throws `TaskGroupError` with every child (and body) error; `CancelledError` if cancelled from
 * outside.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { TaskGroupError, sleep, taskGroup } from '@corio/core';
 *
 * const results = await taskGroup(async (tg) => {
 *   const a = tg.createTask(() => sleep(2, 1));
 *   const b = tg.createTask(() => sleep(1, 2));
 *   return () => [a.result(), b.result()];
 * });
 * assert.deepEqual(results(), [1, 2]);
 *
 * const error = await taskGroup(async (tg) => {
 *   tg.createTask(async () => { throw new Error('child failed'); });
 *   await sleep(1_000); // cancelled by the failure
 * }).catch((e: unknown) => e);
 * assert.ok(error instanceof TaskGroupError);
 * ```
 */
export function taskGroup<T>(body: (tg: TaskGroup) => PromiseLike<T> | T): Promise<T | undefined> {
  if (typeof body !== 'function') {
    return Promise.reject(
      new TypeError(`taskGroup: 'body' must be a function, received ${show(body)}`),
    );
  }
  return runGroup(body, taskGroup);
}

// The scope runner: its frames mark the body's await chain (see ownership.ts).
const runGroup = scopeRunner(
  async <T>(
    body: (tg: TaskGroup) => PromiseLike<T> | T,
    boundary: CallableFunction,
  ): Promise<T | undefined> => {
    const parent = currentNode();
    if (parent === undefined) {
      return await createTaskAt(() => runGroup(body, boundary), undefined, boundary);
    }
    const tg = new TaskGroup();
    const scope = new ScopeNode(parent, tg);
    tg[ADOPT](scope);
    let value: T;
    try {
      value = await enterScope(scope, body, tg);
    } catch (error) {
      await tg[EXIT](true, error);
      if (tg.cancelledByUser && scope[IS_CANCELLATION](error)) return undefined;
      throw error;
    }
    await tg[EXIT](false, undefined);
    return value;
  },
);
