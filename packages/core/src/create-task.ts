import { currentNode } from './internal/current.js';
import type { CancelNode } from './internal/protocol.js';
import { isThenable, show } from './internal/validate.js';
import type { DeferredOwner } from './internal/deferred-start.js';
import { Task } from './task.js';

/** Options for {@link createTask}. */
export interface CreateTaskOptions {
  /**
   * The task's name, shown by `toString()` and in reports.
   * @default `Task-<n>`
   */
  name?: string;
}

/**
 * Starts `fn` as a new task (asyncio's `create_task`) and returns the task.
 *
 * `fn` never runs synchronously inside `createTask`: tasks start, in creation order, once the
 * current synchronous code yields. A task cancelled before it starts never runs `fn`. A
 * `PromiseLike` is adopted as a task that follows it.
 *
 * @typeParam T - the type of the result.
 * @param fn - the work: a function returning a value or a promise, or a promise to adopt.
 * @param options - see {@link CreateTaskOptions}.
 * @returns the task, which is also a `PromiseLike<T>`.
 * @throws `TypeError` if `fn` is neither a function nor a `PromiseLike`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { createTask, sleep } from '@corio/core';
 *
 * const order: string[] = [];
 * const a = createTask(async () => {
 *   order.push('a');
 *   await sleep(1);
 *   return 1;
 * });
 * const b = createTask(() => {
 *   order.push('b');
 *   return 2;
 * });
 * order.push('created');
 * assert.deepEqual([await a, await b], [1, 2]);
 * assert.deepEqual(order, ['created', 'a', 'b']);
 * ```
 */
export function createTask<T>(
  fn: (() => T | PromiseLike<T>) | PromiseLike<T>,
  options?: CreateTaskOptions,
): Task<T> {
  return createTaskAt(fn, options, createTask);
}

/**
 * A task whose start waits until `owner` launches it (a limiter's queued call): it costs no start
 * reaction, no wait and no promise meanwhile. Cancelling it first tells `owner`.
 */
export function createDeferredTask<T>(
  fn: () => T | PromiseLike<T>,
  boundary: CallableFunction,
  owner: DeferredOwner,
): Task<T> {
  return Task.createDeferred(fn, boundary, currentNode(), owner);
}

/**
 * {@link createTask} for corio's own functions that start tasks: `boundary` is the public
 * function the user called, so that debug mode records the user's line as the creation site;
 * `parent`, the node the task belongs to in the task tree (by default, the code running now).
 */
export function createTaskAt<T>(
  fn: (() => T | PromiseLike<T>) | PromiseLike<T>,
  options: CreateTaskOptions | undefined,
  boundary: CallableFunction,
  parent: CancelNode | undefined = currentNode(),
): Task<T> {
  const name = options?.name;
  if (name !== undefined && typeof name !== 'string') {
    throw new TypeError(`createTask: 'options.name' must be a string, received ${show(name)}`);
  }
  if (typeof fn === 'function') return Task.create(fn, name, boundary, parent);
  if (isThenable(fn)) return Task.create(() => fn, name, boundary, parent);
  throw new TypeError(`createTask: 'fn' must be a function or a PromiseLike, received ${show(fn)}`);
}
