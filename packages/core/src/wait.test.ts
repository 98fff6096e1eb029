import { describe, expect, it, vi } from 'vitest';
import { fakeTimers, flushMicrotasks } from '../test/helpers.js';
import {
  ALL_COMPLETED,
  CancelledError,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  Future,
  createTask,
  currentTask,
  sleep,
  wait,
} from './index.js';
import type { ReturnWhen, Task } from './index.js';

type AnyFuture = Future<unknown>;

/** Names the futures in each set of a wait() result (identity, not deep equality). */
function named(
  result: { done: Set<AnyFuture>; pending: Set<AnyFuture> },
  futures: Record<string, AnyFuture>,
): { done: string[]; pending: string[] } {
  const entries = Object.entries(futures);
  const names = (set: Set<AnyFuture>): string[] => {
    const found = entries.filter(([, f]) => set.has(f)).map(([name]) => name);
    expect(found, 'every future in the set is a known one').toHaveLength(set.size);
    return found;
  };
  return { done: names(result.done), pending: names(result.pending) };
}

describe('wait', () => {
  it('waits for every future by default (ALL_COMPLETED)', async () => {
    using clock = fakeTimers();
    const a = createTask(() => sleep(10, 'a'));
    const b = createTask(() => sleep(20, 'b'));
    const result = wait([a, b]);
    let settled = false;
    void result.then(() => (settled = true));
    await clock.advance(10);
    expect(settled).toBe(false);
    await clock.advance(10);
    expect(named(await result, { a, b })).toEqual({ done: ['a', 'b'], pending: [] });
    expect(named(await wait([a], { returnWhen: ALL_COMPLETED }), { a })).toEqual({
      done: ['a'],
      pending: [],
    });
  });

  it('returns at the first completion with FIRST_COMPLETED', async () => {
    using clock = fakeTimers();
    const fast = createTask(() => sleep(10, 'fast'));
    const slow = createTask(() => sleep(50, 'slow'));
    const result = wait([slow, fast], { returnWhen: FIRST_COMPLETED });
    await clock.advance(10);
    expect(named(await result, { fast, slow })).toEqual({ done: ['fast'], pending: ['slow'] });
    expect(slow.cancelled()).toBe(false);
    await clock.advance(40);
    expect(slow.result()).toBe('slow');
  });

  it('counts a cancellation as a completion with FIRST_COMPLETED', async () => {
    const a = new Future<number>();
    const b = new Future<number>();
    const result = wait([a, b], { returnWhen: FIRST_COMPLETED });
    a.cancel();
    expect(named(await result, { a, b })).toEqual({ done: ['a'], pending: ['b'] });
  });

  it('returns at the first error with FIRST_EXCEPTION', async () => {
    using clock = fakeTimers();
    const ok = createTask(() => sleep(5, 'ok'));
    const failing = createTask(async () => {
      await sleep(10);
      throw new Error('boom');
    });
    const slow = createTask(() => sleep(50));
    const result = wait([ok, failing, slow], { returnWhen: FIRST_EXCEPTION });
    await clock.advance(5);
    await flushMicrotasks();
    let settled = false;
    void result.then(() => (settled = true));
    await flushMicrotasks();
    expect(settled, 'a success does not end FIRST_EXCEPTION').toBe(false);
    await clock.advance(5);
    expect(named(await result, { ok, failing, slow })).toEqual({
      done: ['ok', 'failing'],
      pending: ['slow'],
    });
    expect((failing.exception() as Error).message).toBe('boom');
    await clock.advance(40);
  });

  it('does not count a cancellation as an error with FIRST_EXCEPTION', async () => {
    const a = new Future<number>();
    const b = new Future<number>();
    const result = wait([a, b], { returnWhen: FIRST_EXCEPTION });
    a.cancel();
    let settled = false;
    void result.then(() => (settled = true));
    await flushMicrotasks();
    expect(settled).toBe(false);
    b.setResult(1);
    expect(named(await result, { a, b })).toEqual({ done: ['a', 'b'], pending: [] });
  });

  it('waits for all with FIRST_EXCEPTION when nothing fails', async () => {
    const a = new Future<number>();
    const b = new Future<number>();
    const result = wait([a, b], { returnWhen: FIRST_EXCEPTION });
    a.setResult(1);
    b.setResult(2);
    expect(named(await result, { a, b })).toEqual({ done: ['a', 'b'], pending: [] });
  });

  it('returns at once when the condition already holds', async () => {
    const a = new Future<number>();
    const b = new Future<number>();
    a.setResult(1);
    const result = await wait([a, b], { returnWhen: FIRST_COMPLETED });
    expect(named(result, { a, b })).toEqual({ done: ['a'], pending: ['b'] });
    b.cancel();
    expect(named(await wait([a, b]), { a, b })).toEqual({ done: ['a', 'b'], pending: [] });
  });

  it('returns done and pending at the timeout, without throwing or cancelling', async () => {
    using clock = fakeTimers();
    const fast = createTask(() => sleep(10, 'fast'));
    const slow = createTask(() => sleep(100, 'slow'));
    const result = wait([fast, slow], { timeout: 50 });
    await clock.advance(50);
    expect(named(await result, { fast, slow })).toEqual({ done: ['fast'], pending: ['slow'] });
    expect(slow.done()).toBe(false);
    await clock.advance(50);
    expect(slow.result()).toBe('slow');
  });

  it('treats a negative timeout as already passed', async () => {
    using clock = fakeTimers();
    const a = new Future<number>();
    const result = wait([a], { timeout: -1 });
    await clock.advance(0);
    expect(named(await result, { a })).toEqual({ done: [], pending: ['a'] });
    a.cancel();
  });

  it('waits without limit for a null timeout', async () => {
    using clock = fakeTimers();
    const a = new Future<number>();
    const result = wait([a], { timeout: null });
    expect(vi.getTimerCount()).toBe(0);
    await clock.advance(1_000_000);
    a.setResult(1);
    expect(named(await result, { a })).toEqual({ done: ['a'], pending: [] });
  });

  it('reports a repeated future once', async () => {
    const a = new Future<number>();
    const result = wait([a, a]);
    a.setResult(1);
    const { done, pending } = await result;
    expect(done.size).toBe(1);
    expect(done.has(a)).toBe(true);
    expect(pending.size).toBe(0);
  });

  it('clears its timer and listeners once it returns', async () => {
    using clock = fakeTimers();
    const a = new Future<number>();
    const b = new Future<number>();
    const result = wait([a, b], { timeout: 1_000, returnWhen: FIRST_COMPLETED });
    expect(vi.getTimerCount()).toBe(1);
    a.setResult(1);
    await result;
    expect(vi.getTimerCount()).toBe(0);
    // The result is a snapshot taken when the wait returned.
    b.setResult(2);
    await clock.advance(1_000);
    expect(named(await result, { a, b })).toEqual({ done: ['a'], pending: ['b'] });
  });

  it('rejects with CancelledError when the waiting task is cancelled, without cancelling the futures', async () => {
    using clock = fakeTimers();
    const a = createTask(() => sleep(100, 'a'));
    const b = new Future<number>();
    const waiter = createTask(() => wait([a, b], { timeout: 1_000 }));
    await clock.advance(1);
    expect(vi.getTimerCount()).toBe(2);
    waiter.cancel('stop waiting');
    await expect(waiter).rejects.toThrow(new CancelledError('stop waiting'));
    expect(waiter.cancelled()).toBe(true);
    expect(a.cancelled()).toBe(false);
    expect(b.cancelled()).toBe(false);
    expect(vi.getTimerCount(), 'only the sleep inside a is left').toBe(1);
    await clock.advance(99);
    expect(a.result()).toBe('a');
    b.setResult(1);
  });

  it('rejects at once when the task was cancelled before it waits', async () => {
    const a = new Future<number>();
    const waiter = createTask(async () => {
      currentTask()?.cancel();
      return wait([a]);
    });
    await expect(waiter).rejects.toBeInstanceOf(CancelledError);
    expect(a.cancelled()).toBe(false);
    a.cancel();
  });

  it('rejects with the reason when its signal aborts, and removes its listeners and timer', async () => {
    using clock = fakeTimers();
    const a = new Future<number>();
    const controller = new AbortController();
    const reason = new Error('aborted by caller');
    const result = wait([a], { timeout: 1_000, signal: controller.signal });
    expect(vi.getTimerCount()).toBe(1);
    controller.abort(reason);
    await expect(result).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
    expect(a.done()).toBe(false);
    a.setResult(1);
    await clock.advance(1_000);
  });

  it('rejects with the reason of an already aborted signal', async () => {
    const a = new Future<number>();
    const reason = new Error('already');
    await expect(wait([a], { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(a.done()).toBe(false);
  });

  it('rejects with a TypeError for a promise, naming it, never throwing synchronously', async () => {
    const a = new Future<number>();
    const promise = Promise.resolve(1);
    const result = wait([a, promise as unknown as Task<number>]);
    await expect(result).rejects.toThrow(TypeError);
    await expect(result).rejects.toThrow(/'aws\[1\]'.*received a Promise/);
  });

  it('rejects with a TypeError for a function or a non-iterable', async () => {
    await expect(wait([(() => 1) as unknown as Task<number>])).rejects.toThrow(TypeError);
    await expect(wait(3 as unknown as Iterable<Task<number>>)).rejects.toThrow(TypeError);
  });

  it('rejects with a RangeError for an empty set', async () => {
    await expect(wait([])).rejects.toThrow(RangeError);
    await expect(wait(new Set<Task<number>>())).rejects.toThrow(RangeError);
  });

  it('rejects with a RangeError for a NaN timeout', async () => {
    const a = new Future<number>();
    await expect(wait([a], { timeout: Number.NaN })).rejects.toThrow(RangeError);
  });

  it('rejects with a RangeError for an unknown returnWhen', async () => {
    const a = new Future<number>();
    await expect(wait([a], { returnWhen: 'FIRST' as ReturnWhen })).rejects.toThrow(
      /returnWhen.*received "FIRST"/,
    );
  });
});
