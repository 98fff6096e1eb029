import { describe, expect, it, vi } from 'vitest';
import { fakeTimers, flushMicrotasks } from '../test/helpers.js';
import { CancelledError, Future, TimeoutError, asCompleted, createTask, sleep } from './index.js';
import type { Awaitable, DoneFuture } from './index.js';

/** Runs `each` on every future asCompleted() yields, with `for await` as users write it. */
async function forEach<T>(
  iterable: AsyncIterable<DoneFuture<T>>,
  each: (future: DoneFuture<T>) => PromiseLike<void> | void,
): Promise<void> {
  for await (const future of iterable) await each(future);
}

/** Iterates `aws` and records each result (or error name) in completion order. */
async function collect<T>(
  aws: Iterable<Awaitable<T>>,
  options?: { timeout?: number },
): Promise<unknown[]> {
  const seen: unknown[] = [];
  await forEach(asCompleted(aws, options), (future) => {
    try {
      seen.push(future.result());
    } catch (error) {
      seen.push((error as Error).name);
    }
  });
  return seen;
}

describe('asCompleted', () => {
  it('yields in completion order', async () => {
    using clock = fakeTimers();
    const result = collect([sleep(30, 'slow'), sleep(10, 'fast'), sleep(20, 'middle')]);
    await clock.advance(30);
    expect(await result).toEqual(['fast', 'middle', 'slow']);
  });

  it('yields the tasks and futures it was given, as they are', async () => {
    const a = new Future<string>();
    const b = createTask(() => 'b');
    const yielded: DoneFuture<string>[] = [];
    const iteration = forEach(asCompleted([a, b]), (future) => {
      yielded.push(future);
    });
    await flushMicrotasks();
    a.setResult('a');
    await iteration;
    expect(yielded).toHaveLength(2);
    expect(yielded[0]).toBe(b);
    expect(yielded[1]).toBe(a);
  });

  it('works with for await, which yields the futures themselves', async () => {
    const fut = new Future<number>();
    fut.setResult(1);
    const yielded: unknown[] = [];
    for await (const future of asCompleted([fut])) yielded.push(future);
    expect(yielded).toHaveLength(1);
    expect(yielded[0]).toBe(fut);
  });

  it('accepts functions and promises', async () => {
    expect(await collect([() => 'function', Promise.resolve('promise')])).toEqual(
      expect.arrayContaining(['function', 'promise']),
    );
  });

  it('yields a failed future; awaiting it throws its error', async () => {
    const boom = new Error('boom');
    expect(await collect([Promise.reject(boom), Promise.resolve('ok')])).toEqual(
      expect.arrayContaining(['Error', 'ok']),
    );
  });

  it('yields a future already done at once', async () => {
    const done = new Future<number>();
    done.setResult(1);
    expect(await collect([done])).toEqual([1]);
  });

  it('ends at once for an empty input', async () => {
    expect(await collect([])).toEqual([]);
  });

  it('yields a repeated awaitable once', async () => {
    const fut = new Future<number>();
    fut.setResult(1);
    expect(await collect([fut, fut])).toEqual([1]);
  });

  it('yields those done before the timeout, then throws TimeoutError, cancelling nothing', async () => {
    using clock = fakeTimers();
    const fast = createTask(() => sleep(10, 'fast'));
    const slow = createTask(() => sleep(100, 'slow'));
    const seen: string[] = [];
    const iteration = forEach(asCompleted([slow, fast], { timeout: 50 }), (future) => {
      seen.push(future.result());
    });
    const error = iteration.then(
      () => undefined,
      (e: unknown) => e,
    );
    await clock.advance(50);
    expect(await error).toBeInstanceOf(TimeoutError);
    expect(seen).toEqual(['fast']);
    expect(slow.cancelled()).toBe(false);
    expect(vi.getTimerCount(), 'only the sleep in slow').toBe(1);
    await clock.advance(50);
    expect(slow.result()).toBe('slow');
  });

  it('yields what finished before the timeout even if asked for it later', async () => {
    using clock = fakeTimers();
    const a = new Future<string>();
    const b = new Future<string>();
    const iterator = asCompleted([a, b], { timeout: 10 })[Symbol.asyncIterator]();
    const first = iterator.next();
    a.setResult('a');
    expect((await first).value).toBe(a);
    await clock.advance(10);
    await expect(iterator.next()).rejects.toBeInstanceOf(TimeoutError);
    expect(b.cancelled()).toBe(false);
    b.cancel();
  });

  it('does not time out when everything finishes in time, and clears its timer', async () => {
    using clock = fakeTimers();
    const result = collect([sleep(10, 'a'), sleep(20, 'b')], { timeout: 50 });
    await clock.advance(20);
    expect(await result).toEqual(['a', 'b']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('starts the timeout at the first step', async () => {
    using clock = fakeTimers();
    const fut = new Future<number>();
    const iterable = asCompleted([fut], { timeout: 10 });
    await clock.advance(100);
    expect(vi.getTimerCount()).toBe(0);
    const next = iterable[Symbol.asyncIterator]().next();
    fut.setResult(1);
    expect((await next).value).toBe(fut);
  });

  it('stops listening and clears its timer when the loop is left early', async () => {
    using clock = fakeTimers();
    const a = new Future<number>();
    const b = new Future<number>();
    const iterable = asCompleted([a, b], { timeout: 1_000 });
    const iteration = (async () => {
      // Boxed: returning the future itself from an async function would adopt its result.
      for await (const future of iterable) return [future];
      return [];
    })();
    await flushMicrotasks();
    expect(vi.getTimerCount()).toBe(1);
    a.setResult(1);
    const [first] = await iteration;
    expect(first).toBe(a);
    expect(vi.getTimerCount()).toBe(0);
    const iterator = iterable[Symbol.asyncIterator]();
    b.setResult(2);
    expect(await iterator.next(), 'closed: later completions are not seen').toEqual({
      done: true,
      value: undefined,
    });
    await clock.advance(1_000);
  });

  it('cancelling the iterating task rejects with CancelledError and cancels nothing', async () => {
    using clock = fakeTimers();
    const slow = createTask(() => sleep(100, 'slow'));
    const fut = new Future<string>();
    const iterating = createTask(() =>
      forEach(asCompleted([slow, fut], { timeout: 1_000 }), (future) => {
        future.result();
      }),
    );
    await clock.advance(1);
    iterating.cancel('stop');
    await expect(iterating).rejects.toThrow(new CancelledError('stop'));
    expect(iterating.cancelled()).toBe(true);
    expect(slow.cancelled()).toBe(false);
    expect(fut.cancelled()).toBe(false);
    expect(vi.getTimerCount(), 'only the sleep in slow').toBe(1);
    await clock.advance(99);
    expect(slow.result()).toBe('slow');
    fut.setResult('fut');
  });

  it('throws a TypeError naming a non-awaitable, starting no task', () => {
    const fn = vi.fn(() => 1);
    expect(() => asCompleted([fn, 42 as unknown as Promise<number>])).toThrow(
      /'aws\[1\]'.*received 42/,
    );
    expect(() => asCompleted(7 as unknown as Iterable<Promise<number>>)).toThrow(TypeError);
    return flushMicrotasks().then(() => {
      expect(fn).not.toHaveBeenCalled();
    });
  });

  it('throws a RangeError for a NaN timeout', () => {
    expect(() => asCompleted([Promise.resolve(1)], { timeout: Number.NaN })).toThrow(RangeError);
  });
});
