import { CancelledError } from './errors.js';
import { Future } from './future.js';
import { CANCEL_NOW, FAILED, LISTEN, RETRIEVE } from './internal/symbols.js';
import type { Awaitable, AwaitableResult } from './awaitable.js';
import { toFutures } from './internal/to-future.js';
import { isIterable, show } from './internal/validate.js';

/** Options for {@link gather}. */
export interface GatherOptions {
  /**
   * Return errors (and `CancelledError`s) in place of results instead of rejecting.
   * @default false
   */
  returnExceptions?: boolean;
}

type Results<A extends readonly unknown[]> = { -readonly [K in keyof A]: AwaitableResult<A[K]> };
type Settled<A extends readonly unknown[]> = {
  -readonly [K in keyof A]: AwaitableResult<A[K]> | Error;
};

// Cancelling a gather cancels its children; it then ends cancelled once they have all finished.
class GatheringFuture<T> extends Future<T> {
  readonly #children: readonly Future<unknown>[];
  #cancelRequested = false;
  #cancelMessage: string | undefined = undefined;

  constructor(children: readonly Future<unknown>[]) {
    super();
    this.#children = children;
  }

  get cancelRequested(): boolean {
    return this.#cancelRequested;
  }

  get cancelMessage(): string | undefined {
    return this.#cancelMessage;
  }

  override cancel(message?: string): boolean {
    if (this.done()) return false;
    // Set before cancelling: a plain future's listener runs inside child.cancel() and must
    // already see the request.
    const requestedBefore = this.#cancelRequested;
    this.#cancelRequested = true;
    this.#cancelMessage = message;
    let cancelled = false;
    for (const child of this.#children) if (child.cancel(message)) cancelled = true;
    if (!cancelled) this.#cancelRequested = requestedBefore;
    return cancelled;
  }
}

/**
 * Runs awaitables concurrently and collects their results in input order (asyncio's
 * `gather`), typed like `Promise.all`.
 *
 * A function becomes a task; a task or future is awaited as it is; a promise is followed (it is
 * already running and cannot be interrupted, so pass `() => work()` for a cancellable child). On
 * the first failure the returned future rejects with that error and the other children keep
 * running (use a `TaskGroup` to cancel siblings). With `returnExceptions`, errors and
 * `CancelledError`s are returned in place. Cancelling the returned future cancels every child
 * that can be cancelled.
 *
 * @typeParam A - the awaitables, as a tuple or an array.
 * @param aws - the awaitables.
 * @param options - see {@link GatherOptions}.
 * @returns a future of the results.
 * @throws `TypeError` (as a rejection) if an element is not awaitable.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { gather, sleep } from '@corio/core';
 *
 * const [a, b] = await gather([sleep(2, 'a'), async () => 42]);
 * assert.deepEqual([a, b], ['a', 42]);
 *
 * const settled = await gather(
 *   [Promise.reject(new Error('x')), sleep(1, 'ok')],
 *   { returnExceptions: true },
 * );
 * assert.equal((settled[0] as Error).message, 'x');
 * assert.equal(settled[1], 'ok');
 * ```
 */
export function gather<const A extends readonly Awaitable<unknown>[] | []>(
  aws: A,
  options: GatherOptions & { returnExceptions: true },
): Future<Settled<A>>;
/** A tuple of awaitables: a tuple of results, typed like `Promise.all`. */
export function gather<const A extends readonly Awaitable<unknown>[] | []>(
  aws: A,
  options?: GatherOptions,
): Future<Results<A>>;
/** Any iterable, with `returnExceptions`: results or errors. */
export function gather<T>(
  aws: Iterable<Awaitable<T>>,
  options: GatherOptions & { returnExceptions: true },
): Future<(T | Error)[]>;
/** Any iterable of awaitables: an array of results. */
export function gather<T>(aws: Iterable<Awaitable<T>>, options?: GatherOptions): Future<T[]>;
/** The implementation behind the overloads above. */
export function gather(
  aws: Iterable<Awaitable<unknown>>,
  options?: GatherOptions,
): Future<unknown[]> {
  let children: Future<unknown>[];
  try {
    if (!isIterable(aws)) {
      throw new TypeError(`gather: 'aws' must be an iterable of awaitables, received ${show(aws)}`);
    }
    children = toFutures(aws, 'gather', gather);
  } catch (error) {
    const failed = new Future<unknown[]>();
    failed.setException(error);
    return failed;
  }
  const returnExceptions = options?.returnExceptions === true;
  const outer = new GatheringFuture<unknown[]>(children);
  const total = children.length;
  if (total === 0) {
    outer.setResult([]);
    return outer;
  }
  let finished = 0;
  const onChildDone = (child: Future<unknown>): void => {
    finished++;
    if (outer.done()) {
      // The outcome is decided; keep a later failure from being reported as never retrieved.
      child[RETRIEVE]();
      return;
    }
    // A child cancelled by someone else fails the gather at once (asyncio's rule); one cancelled
    // by outer.cancel() does not: the gather ends cancelled once every child has finished.
    if (!returnExceptions && (child[FAILED]() || (child.cancelled() && !outer.cancelRequested))) {
      outer.setException(child[RETRIEVE]());
      return;
    }
    if (finished < total) return;
    if (outer.cancelRequested) {
      outer[CANCEL_NOW](new CancelledError(outer.cancelMessage));
      return;
    }
    outer.setResult(
      children.map((c) => (c.cancelled() || c[FAILED]() ? c[RETRIEVE]() : c.result())),
    );
  };
  for (const child of children) child[LISTEN](onChildDone);
  return outer;
}
