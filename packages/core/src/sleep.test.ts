import { describe, expect, it, vi } from 'vitest';
import { fakeTimers, flushMicrotasks, rejection } from '../test/helpers.js';
import { CancelledError, createTask, currentTask, isCancelledError, sleep } from './index.js';

/** Tracks whether a promise has settled yet. */
function track(promise: Promise<unknown>): { settled: () => boolean } {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  return { settled: () => settled };
}

describe('sleep', () => {
  it('resolves after ms milliseconds', async () => {
    using clock = fakeTimers();
    const slept = track(sleep(1_000));
    await clock.advance(999);
    expect(slept.settled()).toBe(false);
    await clock.advance(1);
    expect(slept.settled()).toBe(true);
  });

  it('resolves with the value', async () => {
    using clock = fakeTimers();
    const slept = sleep(10, { answer: 42 });
    await clock.advance(10);
    expect(await slept).toEqual({ answer: 42 });
  });

  it('resolves with undefined without a value', async () => {
    using clock = fakeTimers();
    const slept: Promise<unknown> = sleep(10);
    await clock.advance(10);
    expect(await slept).toBeUndefined();
  });

  it('returns a native Promise', async () => {
    const slept = sleep(0);
    expect(slept).toBeInstanceOf(Promise);
    await slept;
  });

  it('arms one timer and leaves none once it has fired', async () => {
    using clock = fakeTimers();
    const slept = sleep(50);
    expect(vi.getTimerCount()).toBe(1);
    await clock.advance(50);
    await slept;
    expect(vi.getTimerCount()).toBe(0);
  });

  it('works inside a task', async () => {
    using clock = fakeTimers();
    const task = createTask(() => sleep(100, 'in task'));
    await clock.advance(100);
    expect(await task).toBe('in task');
  });

  it('does not fire early for a delay above the platform timer limit', async () => {
    using clock = fakeTimers();
    const controller = new AbortController();
    const slept = track(sleep(2 ** 32, undefined, { signal: controller.signal }).catch(() => 0));
    await clock.advance(10_000);
    expect(slept.settled()).toBe(false);
    controller.abort();
    await flushMicrotasks();
    expect(slept.settled()).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('sleeps a delay past 2^31-1 ms in full (the timer is chained), not about 24.8 days', async () => {
    using clock = fakeTimers();
    const task = createTask(() => sleep(3e9, 'woke'));
    await clock.advance(2 ** 31 + 1_000);
    expect(task.done()).toBe(false);
    await clock.advance(3e9 - 2 ** 31 - 1_001);
    expect(task.done()).toBe(false);
    await clock.advance(1);
    expect(await task).toBe('woke');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never ends for Infinity, yet keeps a timer (as a pending sleep keeps the process alive)', async () => {
    using clock = fakeTimers();
    const task = createTask(() => sleep(Infinity));
    await clock.advance(100 * 24 * 3_600_000); // 100 days
    expect(task.done()).toBe(false);
    expect(vi.getTimerCount()).toBe(1);
    task.cancel();
    await expect(task).rejects.toBeInstanceOf(CancelledError);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('sleep(0)', () => {
  it('is a macrotask: microtasks queued after it run first', async () => {
    const order: string[] = [];
    const slept = sleep(0).then(() => order.push('sleep(0)'));
    void Promise.resolve().then(() => order.push('microtask'));
    queueMicrotask(() => order.push('queueMicrotask'));
    process.nextTick(() => order.push('nextTick'));
    await slept;
    // process.nextTick's place among microtasks depends on where this runs; sleep(0) is last.
    expect(order).toHaveLength(4);
    expect(order.at(-1)).toBe('sleep(0)');
  });

  it('runs after a setImmediate callback already queued, like a macrotask yield', async () => {
    const order: string[] = [];
    setImmediate(() => order.push('immediate queued before'));
    const slept = sleep(0).then(() => order.push('sleep(0)'));
    setImmediate(() => order.push('immediate queued after'));
    await slept;
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['immediate queued before', 'sleep(0)', 'immediate queued after']);
  });

  it('outlasts any number of chained microtasks', async () => {
    let hops = 0;
    let stop = false;
    const spin = async (): Promise<void> => {
      while (!stop && hops < 10_000) {
        hops++;
        await Promise.resolve();
      }
    };
    const spinning = spin();
    await sleep(0);
    stop = true;
    await spinning;
    expect(hops).toBe(10_000);
  });

  it('arms no setTimeout timer', async () => {
    using clock = fakeTimers();
    const slept = track(sleep(0, 'x'));
    await flushMicrotasks();
    expect(slept.settled()).toBe(false);
    await clock.advance(0);
    expect(slept.settled()).toBe(true);
  });
});

describe('sleep edge cases', () => {
  it('treats a negative delay as 0, as in asyncio', async () => {
    const order: string[] = [];
    setImmediate(() => order.push('immediate queued before'));
    const slept = sleep(-1, 'neg').then((v) => order.push(v));
    void Promise.resolve().then(() => order.push('microtask'));
    await slept;
    expect(order).toEqual(['microtask', 'immediate queued before', 'neg']);
  });

  it('treats -Infinity as 0', async () => {
    expect(await sleep(-Infinity, 'x')).toBe('x');
  });

  it('a sleep with a negative delay never waits on the clock', async () => {
    using clock = fakeTimers();
    const slept = sleep(-1_000, 'now');
    await clock.advance(0);
    expect(await slept).toBe('now');
  });
});

describe('sleep with { signal }', () => {
  it('rejects with the signal reason when aborted, and clears the timer', async () => {
    using _clock = fakeTimers();
    const controller = new AbortController();
    const slept = sleep(60_000, 'never', { signal: controller.signal });
    expect(vi.getTimerCount()).toBe(1);
    const reason = new Error('stop waiting');
    controller.abort(reason);
    expect(await rejection(slept)).toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects at once for an already-aborted signal, arming no timer', async () => {
    using _clock = fakeTimers();
    const reason = new Error('already');
    const slept = sleep(60_000, undefined, { signal: AbortSignal.abort(reason) });
    expect(vi.getTimerCount()).toBe(0);
    expect(await rejection(slept)).toBe(reason);
  });

  it('rejects with the default AbortError reason', async () => {
    using _clock = fakeTimers();
    const controller = new AbortController();
    const slept = sleep(60_000, undefined, { signal: controller.signal });
    controller.abort();
    const error = await rejection(slept);
    expect((error as Error).name).toBe('AbortError');
    expect(error).toBe(controller.signal.reason);
  });

  it('resolves normally when the signal is not aborted, and stops listening to it', async () => {
    using clock = fakeTimers();
    const controller = new AbortController();
    const slept = sleep(5, 'ok', { signal: controller.signal });
    await clock.advance(5);
    expect(await slept).toBe('ok');
    controller.abort();
    await flushMicrotasks();
  });

  it('rejects with the reason when aborted inside a task, leaving the task running', async () => {
    using clock = fakeTimers();
    const controller = new AbortController();
    const reason = new Error('aborted');
    const task = createTask(async () => {
      const error = await rejection(sleep(60_000, undefined, { signal: controller.signal }));
      return { error, cancelling: currentTask()?.cancelling() };
    });
    await flushMicrotasks();
    controller.abort(reason);
    await clock.advance(0);
    expect(await task).toEqual({ error: reason, cancelling: 0 });
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('sleep cancellation', () => {
  it('cancelling the task rejects the sleep at once with CancelledError and clears the timer', async () => {
    using _clock = fakeTimers();
    let caught: unknown;
    const task = createTask(async () => {
      try {
        await sleep(60_000);
      } catch (error) {
        caught = error;
        throw error;
      }
    });
    await flushMicrotasks();
    expect(vi.getTimerCount()).toBe(1);
    task.cancel('wake up');
    await flushMicrotasks();
    expect(caught).toBeInstanceOf(CancelledError);
    expect((caught as Error).message).toBe('wake up');
    expect(task.cancelled()).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('cancelling a task in sleep(0) clears the immediate', async () => {
    using clock = fakeTimers();
    const reached = vi.fn();
    const task = createTask(async () => {
      await sleep(0);
      reached();
    });
    await flushMicrotasks();
    expect(vi.getTimerCount()).toBe(1);
    task.cancel();
    await flushMicrotasks();
    expect(vi.getTimerCount()).toBe(0);
    await clock.advance(0);
    expect(reached).not.toHaveBeenCalled();
    expect(task.cancelled()).toBe(true);
  });

  it('a sleep with a signal, inside a cancelled task, rejects with CancelledError and clears the timer', async () => {
    using _clock = fakeTimers();
    const controller = new AbortController();
    const task = createTask(() => sleep(60_000, undefined, { signal: controller.signal }));
    await flushMicrotasks();
    task.cancel();
    expect(await rejection(task)).toBeInstanceOf(CancelledError);
    expect(vi.getTimerCount()).toBe(0);
    controller.abort();
  });

  it('a sleep started after a pending cancel rejects at once, arming no timer', async () => {
    using _clock = fakeTimers();
    const timersAtSleep: number[] = [];
    const task = createTask(async () => {
      currentTask()?.cancel('pending');
      const slept = sleep(60_000);
      timersAtSleep.push(vi.getTimerCount());
      await slept;
    });
    const error = await rejection(task);
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as Error).message).toBe('pending');
    expect(timersAtSleep).toEqual([0]);
  });

  it('a cancel in the same tick as the timer fires: the sleep resolves and the cancel surfaces next', async () => {
    using clock = fakeTimers();
    const log: string[] = [];
    const task = createTask(async () => {
      log.push(await sleep(10, 'woke'));
      try {
        await sleep(0);
      } catch (error) {
        log.push(isCancelledError(error) ? 'cancelled at next point' : 'other');
        throw error;
      }
    });
    await flushMicrotasks();
    // Registered after the sleep's timer, due at the same time: it fires right after it.
    setTimeout(() => task.cancel(), 10);
    await clock.advance(10);
    await clock.advance(0);
    await Promise.allSettled([task]);
    expect(log).toEqual(['woke', 'cancelled at next point']);
    expect(task.cancelled()).toBe(true);
  });
});

describe('sleep misuse', () => {
  it('rejects NaN with a RangeError naming ms and NaN', async () => {
    const slept = sleep(Number.NaN);
    const error = await rejection(slept);
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toMatch(/'ms'/);
    expect((error as Error).message).toMatch(/NaN/);
  });

  it('rejects a non-number with a TypeError naming the value', async () => {
    const error = await rejection(sleep('x' as never));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/'ms'/);
    expect((error as Error).message).toContain('"x"');
    expect(await rejection(sleep(undefined as never))).toBeInstanceOf(TypeError);
    expect(await rejection(sleep(10n as never))).toBeInstanceOf(TypeError);
  });

  it('never throws synchronously', () => {
    let slept: Promise<unknown> | undefined;
    expect(() => {
      slept = sleep(Number.NaN);
    }).not.toThrow();
    expect(slept).toBeInstanceOf(Promise);
    slept?.catch(() => undefined);
  });

  it('arms no timer for a bad argument', async () => {
    using _clock = fakeTimers();
    await rejection(sleep(Number.NaN));
    expect(vi.getTimerCount()).toBe(0);
  });
});
