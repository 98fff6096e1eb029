import { Future } from '../future.js';
import { createTaskAt } from '../create-task.js';
import { CANCEL_WORK, WORK } from './protocol.js';
import type { WorkPromise, WorkSide } from './protocol.js';
import { isThenable, show } from './validate.js';
import type { Awaitable } from '../awaitable.js';

/**
 * Turns an awaitable into a future (asyncio's `ensure_future`): a future stays as it is, a
 * function becomes a new task, a promise a future that follows it (a task would add nothing:
 * a foreign promise cannot be interrupted anyway).
 */
export function toFuture<T>(
  value: Awaitable<T>,
  where: string,
  name: string,
  boundary: CallableFunction,
): Future<T> {
  if (value instanceof Future) return value;
  if (typeof value === 'function') return createTaskAt(value, undefined, boundary);
  if (isThenable(value)) return follow(value);
  throw notAwaitable(where, name, value);
}

/**
 * Turns each awaitable of `aws` into a future, as {@link toFuture} does, after checking them all
 * (so bad input starts no task): a `TypeError` names the first bad one, `aws[i]`. No name is
 * made for the good ones (gather() of 100,000 tasks made 100,000 strings).
 */
export function toFutures<T>(
  aws: Iterable<Awaitable<T>>,
  where: string,
  boundary: CallableFunction,
): Future<T>[] {
  // Not copied when it is an array already: only read, here and now.
  const items: readonly Awaitable<T>[] = Array.isArray(aws) ? aws : Array.from(aws);
  const count = items.length;
  for (let i = 0; i < count; i++) {
    const item: unknown = items[i];
    if (!isAwaitable(item)) throw notAwaitable(where, `aws[${String(i)}]`, item);
  }
  const futures = new Array<Future<T>>(count);
  // Every item was checked above: the name passed on is never shown.
  for (let i = 0; i < count; i++)
    futures[i] = toFuture(items[i] as Awaitable<T>, where, 'aws', boundary);
  return futures;
}

function notAwaitable(where: string, name: string, value: unknown): TypeError {
  return new TypeError(
    `${where}: '${name}' must be a Task, Future, PromiseLike or function, received ${show(value)}`,
  );
}

/**
 * A future that follows a promise. Cancelling it stops following, and cancels the corio wait
 * behind the promise if it is one (`q.get()`, `lock.acquire()`, `sleep()`): a waitFor deadline
 * or a cancelled gather never leaves a getter behind to take an item nobody will read. The work
 * behind any other promise cannot be reached; it runs on.
 */
class FollowFuture<T> extends Future<T> {
  readonly #work: WorkSide | undefined;

  constructor(promise: PromiseLike<T>) {
    super();
    this.#work = (promise as WorkPromise<T>)[WORK];
  }

  override cancel(message?: string): boolean {
    if (!super.cancel(message)) return false;
    this.#work?.[CANCEL_WORK](message);
    return true;
  }
}

/** A future settled by `promise` (see FollowFuture). */
export function follow<T>(promise: PromiseLike<T>): Future<T> {
  const future = new FollowFuture<T>(promise);
  promise.then(
    (value) => {
      if (!future.done()) future.setResult(value);
    },
    (error: unknown) => {
      if (!future.done()) future.setException(error);
    },
  );
  return future;
}

/** Whether `value` is a Future, a function, or has a `then` method. */
export function isAwaitable(value: unknown): value is Awaitable<unknown> {
  return value instanceof Future || typeof value === 'function' || isThenable(value);
}
