import { describe, expect, it, vi } from 'vitest';
import { fakeTimers, flushMicrotasks } from '../test/helpers.js';
import {
  CancelledError,
  Future,
  Lock,
  Queue,
  Semaphore,
  TimeoutError,
  createTask,
  currentTask,
  sleep,
  waitFor,
} from './index.js';
import type { Task } from './index.js';

/** A task that sleeps `ms` and, when interrupted, logs and spends `cleanupMs` cleaning up. */
function slowCleanup(ms: number, cleanupMs: number, log: string[]): Task<string> {
  return createTask(async () => {
    try {
      await sleep(ms);
      return 'finished';
    } finally {
      log.push('cleanup started');
      await sleep(cleanupMs);
      log.push('cleanup done');
    }
  });
}

/** Settles to the error a promise rejects with (or 'resolved'), and records when. */
function outcome(promise: PromiseLike<unknown>, log: string[]): Promise<unknown> {
  return Promise.resolve(promise).then(
    () => {
      log.push('resolved');
      return 'resolved';
    },
    (error: unknown) => {
      log.push(`rejected ${(error as Error).name}`);
      return error;
    },
  );
}

describe('waitFor', () => {
  it('returns the result when it arrives in time', async () => {
    using clock = fakeTimers();
    const result = waitFor(sleep(10, 'ok'), 100);
    await clock.advance(10);
    expect(await result).toBe('ok');
  });

  it('accepts a task, a future, a promise and a function', async () => {
    const fut = new Future<string>();
    fut.setResult('future');
    expect(await waitFor(fut, 100)).toBe('future');
    expect(
      await waitFor(
        createTask(() => 'task'),
        100,
      ),
    ).toBe('task');
    expect(await waitFor(Promise.resolve('promise'), 100)).toBe('promise');
    expect(await waitFor(() => 'function', 100)).toBe('function');
  });

  it('clears its timer after a result', async () => {
    using clock = fakeTimers();
    const result = waitFor(sleep(10, 'ok'), 1_000);
    await clock.advance(10);
    await result;
    expect(vi.getTimerCount()).toBe(0);
  });

  it('propagates an error from the awaitable and clears its timer', async () => {
    using _clock = fakeTimers();
    const boom = new Error('boom');
    await expect(waitFor(Promise.reject(boom), 1_000)).rejects.toBe(boom);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('at the deadline cancels the awaitable and throws TimeoutError caused by CancelledError', async () => {
    using clock = fakeTimers();
    const inner = createTask(() => sleep(1_000));
    const result = waitFor(inner, 10);
    const error = result.catch((e: unknown) => e);
    await clock.advance(10);
    const thrown = await error;
    expect(thrown).toBeInstanceOf(TimeoutError);
    expect((thrown as TimeoutError).cause).toBeInstanceOf(CancelledError);
    expect(inner.cancelled()).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('waits for the cancelled awaitable to really finish before throwing TimeoutError', async () => {
    using clock = fakeTimers();
    const log: string[] = [];
    const inner = slowCleanup(1_000, 50, log);
    const result = outcome(waitFor(inner, 10), log);
    await clock.advance(10);
    expect(log).toEqual(['cleanup started']);
    await clock.advance(49);
    expect(log).toEqual(['cleanup started']);
    await clock.advance(1);
    expect(log).toEqual(['cleanup started', 'cleanup done', 'rejected TimeoutError']);
    expect(await result).toBeInstanceOf(TimeoutError);
    expect(inner.cancelled()).toBe(true);
  });

  it('returns the value of an awaitable that suppresses its cancellation (GH-86296)', async () => {
    using clock = fakeTimers();
    const inner = createTask(async () => {
      try {
        await sleep(1_000);
        return 'finished';
      } catch {
        return 'gave up early';
      }
    });
    const result = waitFor(inner, 10);
    await clock.advance(10);
    expect(await result).toBe('gave up early');
    expect(inner.cancelled()).toBe(false);
  });

  it('propagates an error the awaitable throws while being cancelled', async () => {
    using clock = fakeTimers();
    const cleanupFailed = new Error('cleanup failed');
    const inner = createTask(async () => {
      try {
        await sleep(1_000);
      } finally {
        // eslint-disable-next-line no-unsafe-finally -- the test is about exactly this
        throw cleanupFailed;
      }
    });
    const error = waitFor(inner, 10).catch((e: unknown) => e);
    await clock.advance(10);
    expect(await error).toBe(cleanupFailed);
  });

  it('returns a result that arrives at the deadline, just before the timer fires', async () => {
    using _clock = fakeTimers();
    const fut = new Future<string>();
    setTimeout(() => {
      fut.setResult('just in time');
    }, 10);
    const result = waitFor(fut, 10);
    await flushMicrotasks();
    vi.advanceTimersByTime(10);
    expect(await result).toBe('just in time');
  });

  it('with a negative ms cancels the awaitable and times out at once', async () => {
    using clock = fakeTimers();
    const inner = createTask(() => sleep(1_000));
    const error = waitFor(inner, -1).catch((e: unknown) => e);
    await clock.advance(0);
    expect(await error).toBeInstanceOf(TimeoutError);
    expect(inner.cancelled()).toBe(true);
  });

  it('with a zero ms times out a pending awaitable', async () => {
    using clock = fakeTimers();
    const fut = new Future<number>();
    const error = waitFor(fut, 0).catch((e: unknown) => e);
    await clock.advance(0);
    expect(await error).toBeInstanceOf(TimeoutError);
    expect(fut.cancelled()).toBe(true);
  });

  it('with a negative ms still returns the result of an awaitable already done', async () => {
    const fut = new Future<number>();
    fut.setResult(5);
    expect(await waitFor(fut, -1)).toBe(5);
  });

  it('with a deadline already passed keeps what finishes first: an item got, a lock taken', async () => {
    const queue = new Queue<string>();
    queue.putNowait('item');
    expect(await waitFor(queue.get(), 0)).toBe('item');
    expect(queue.empty()).toBe(true);
    const lock = new Lock();
    expect(await waitFor(lock.acquire(), -1)).toBe(true);
    expect(lock.locked()).toBe(true);
    lock.release();
    const sem = new Semaphore(1);
    expect(await createTask(() => waitFor(() => sem.acquire(), 0))).toBe(true);
    expect(sem.value).toBe(0);
  });

  it('with a deadline already passed, a get() that must wait is taken back: no item is lost', async () => {
    const queue = new Queue<string>();
    const error = await waitFor(queue.get(), 0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    queue.putNowait('kept');
    expect(queue.getNowait()).toBe('kept'); // no getter was left behind to take it
  });

  it('a loop of waits with an expired deadline still yields to the event loop: timers fire', async () => {
    const queue = new Queue<number>();
    let fired = false;
    setTimeout(() => (fired = true), 10);
    let rounds = 0;
    await createTask(async () => {
      while (!fired) {
        queue.putNowait(rounds);
        expect(await waitFor(queue.get(), 0)).toBe(rounds);
        rounds++;
      }
    });
    expect(fired).toBe(true);
    expect(queue.empty()).toBe(true);
  });

  it('with a null ms waits without limit', async () => {
    using clock = fakeTimers();
    const fut = new Future<string>();
    const result = waitFor(fut, null);
    await flushMicrotasks();
    expect(vi.getTimerCount()).toBe(0);
    await clock.advance(1_000_000);
    fut.setResult('eventually');
    expect(await result).toBe('eventually');
  });

  it('runs inside a task: the task is interrupted only at the deadline', async () => {
    using clock = fakeTimers();
    const task = createTask(async () => {
      const value = await waitFor(sleep(5, 'early'), 10);
      return [value, currentTask()?.cancelling()];
    });
    await clock.advance(5);
    expect(await task).toEqual(['early', 0]);
  });

  it('restores the cancelling() count of its task after a timeout', async () => {
    using clock = fakeTimers();
    const task = createTask(async () => {
      try {
        await waitFor(sleep(1_000), 10);
      } catch (error) {
        if (!(error instanceof TimeoutError)) throw error;
      }
      return currentTask()?.cancelling();
    });
    await clock.advance(10);
    expect(await task).toBe(0);
  });

  it('cancelled from outside: cancels the awaitable and throws CancelledError, not TimeoutError', async () => {
    using clock = fakeTimers();
    const inner = createTask(() => sleep(1_000));
    const caller = createTask(() => waitFor(inner, 100));
    await clock.advance(1);
    caller.cancel('from outside');
    const error = await caller.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as CancelledError).message).toBe('from outside');
    expect(caller.cancelled()).toBe(true);
    expect(inner.cancelled()).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('cancelled from outside: waits for the awaitable to finish its cleanup', async () => {
    using clock = fakeTimers();
    const log: string[] = [];
    const inner = slowCleanup(1_000, 50, log);
    const caller = createTask(() => waitFor(inner, 100));
    const result = outcome(caller, log);
    await clock.advance(1);
    caller.cancel();
    await clock.advance(49);
    expect(log).toEqual(['cleanup started']);
    await clock.advance(1);
    expect(log).toEqual(['cleanup started', 'cleanup done', 'rejected CancelledError']);
    expect(await result).toBeInstanceOf(CancelledError);
  });

  it('cancelled from outside with a null ms: waits for the awaitable to finish its cleanup', async () => {
    using clock = fakeTimers();
    const log: string[] = [];
    const inner = slowCleanup(1_000, 50, log);
    const caller = createTask(() => waitFor(inner, null));
    const result = outcome(caller, log);
    await clock.advance(1);
    caller.cancel();
    await clock.advance(49);
    expect(log).toEqual(['cleanup started']);
    await clock.advance(1);
    expect(log).toEqual(['cleanup started', 'cleanup done', 'rejected CancelledError']);
    expect(await result).toBeInstanceOf(CancelledError);
    expect(inner.cancelled()).toBe(true);
  });

  it('cancelled from outside at the deadline: stays a CancelledError', async () => {
    using clock = fakeTimers();
    const inner = createTask(() => sleep(1_000));
    const caller = createTask(() => waitFor(inner, 10));
    await clock.advance(9);
    caller.cancel();
    vi.advanceTimersByTime(1);
    await expect(caller).rejects.toBeInstanceOf(CancelledError);
    expect(caller.cancelled()).toBe(true);
    expect(inner.cancelled()).toBe(true);
  });

  it('rejects with the reason when its signal aborts, cancelling the awaitable', async () => {
    using _clock = fakeTimers();
    const inner = createTask(() => sleep(1_000));
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const result = waitFor(inner, 100, { signal: controller.signal });
    await flushMicrotasks();
    controller.abort(reason);
    await expect(result).rejects.toBe(reason);
    await flushMicrotasks();
    expect(inner.cancelled()).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects with a RangeError for a NaN ms', async () => {
    const fut = new Future<number>();
    await expect(waitFor(fut, Number.NaN)).rejects.toThrow(RangeError);
    expect(fut.done()).toBe(false);
  });

  it('rejects with a TypeError for a non-awaitable, never throwing synchronously', async () => {
    const result = waitFor(42 as unknown as Promise<number>, 10);
    await expect(result).rejects.toThrow(TypeError);
    await expect(result).rejects.toThrow(/'aw'.*received 42/);
  });
});
