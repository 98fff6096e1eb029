import { describe, expect, it, vi } from 'vitest';
import { fakeTimers, flushMicrotasks } from '../test/helpers.js';
import {
  CancelledError,
  Future,
  InvalidStateError,
  TimeoutError,
  TimeoutScope,
  createTask,
  now,
  sleep,
  timeout,
  timeoutAt,
} from './index.js';

/** Runs `promise` to its end and returns the error it rejects with, or its value. */
function settled(promise: PromiseLike<unknown>): Promise<unknown> {
  return Promise.resolve(promise).then(
    (value) => value,
    (error: unknown) => error,
  );
}

/**
 * Starts a task that enters a scope with `ms`, hands the scope out, then sleeps `sleepMs`.
 * Resolves `scope` once the body is running.
 */
function startScoped(
  ms: number | null,
  sleepMs: number,
): { task: PromiseLike<string>; scope: Future<TimeoutScope> } {
  const scope = new Future<TimeoutScope>();
  const task = createTask(() =>
    timeout(ms, async (s) => {
      scope.setResult(s);
      await sleep(sleepMs);
      return 'finished';
    }),
  );
  return { task, scope };
}

describe('TimeoutScope', () => {
  it('is the object passed to the body', async () => {
    const scope = await createTask(() => timeout(100, (s) => s));
    expect(scope).toBeInstanceOf(TimeoutScope);
  });

  it('when() gives the deadline on the now() clock, or null', async () => {
    using _clock = fakeTimers();
    const start = now();
    expect(await createTask(() => timeout(100, (s) => s.when()))).toBe(start + 100);
    expect(await createTask(() => timeoutAt(start + 5, (s) => s.when()))).toBe(start + 5);
    expect(await createTask(() => timeout(null, (s) => s.when()))).toBeNull();
  });

  it('expired() is false while the deadline has not passed, true once it has', async () => {
    using clock = fakeTimers();
    const { task, scope } = startScoped(10, 1_000);
    const error = settled(task);
    const s = await scope;
    expect(s.expired()).toBe(false);
    await clock.advance(10);
    expect(await error).toBeInstanceOf(TimeoutError);
    expect(s.expired()).toBe(true);
  });

  it('expired() stays false after a body that finished in time', async () => {
    using clock = fakeTimers();
    const { task, scope } = startScoped(100, 10);
    await clock.advance(10);
    expect(await task).toBe('finished');
    expect((await scope).expired()).toBe(false);
  });

  it('reschedule() to a later deadline gives more time', async () => {
    using clock = fakeTimers();
    const { task, scope } = startScoped(10, 50);
    const s = await scope;
    s.reschedule(now() + 100);
    expect(s.when()).toBe(now() + 100);
    await clock.advance(50);
    expect(await task).toBe('finished');
    expect(s.expired()).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reschedule() to an earlier deadline expires sooner', async () => {
    using clock = fakeTimers();
    const { task, scope } = startScoped(1_000, 2_000);
    const error = settled(task);
    const s = await scope;
    s.reschedule(now() + 10);
    await clock.advance(9);
    expect(s.expired()).toBe(false);
    await clock.advance(1);
    expect(await error).toBeInstanceOf(TimeoutError);
    expect(s.expired()).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reschedule(null) removes the deadline and its timer', async () => {
    using clock = fakeTimers();
    const { task, scope } = startScoped(10, 50);
    const s = await scope;
    expect(vi.getTimerCount(), 'the deadline and the sleep').toBe(2);
    s.reschedule(null);
    expect(s.when()).toBeNull();
    expect(vi.getTimerCount(), 'only the sleep').toBe(1);
    await clock.advance(50);
    expect(await task).toBe('finished');
    expect(s.expired()).toBe(false);
  });

  it('reschedule() sets a deadline on a scope that had none', async () => {
    using clock = fakeTimers();
    const { task, scope } = startScoped(null, 1_000);
    const error = settled(task);
    (await scope).reschedule(now() + 10);
    await clock.advance(10);
    expect(await error).toBeInstanceOf(TimeoutError);
  });

  it('reschedule() to a deadline already passed expires at the next cancellation point', async () => {
    using clock = fakeTimers();
    const log: string[] = [];
    const task = createTask(() =>
      timeout(1_000, async (scope) => {
        scope.reschedule(now() - 1);
        log.push('still running');
        await sleep(1_000);
        log.push('never');
      }),
    );
    const error = settled(task);
    await clock.advance(0);
    expect(await error).toBeInstanceOf(TimeoutError);
    expect(log).toEqual(['still running']);
  });

  it('can be rescheduled from another task', async () => {
    using clock = fakeTimers();
    const { task, scope } = startScoped(1_000, 5_000);
    const error = settled(task);
    const other = createTask(async () => {
      const s = await scope;
      await sleep(5);
      s.reschedule(now() + 5);
    });
    await clock.advance(10);
    await other;
    expect(await error).toBeInstanceOf(TimeoutError);
  });

  it('a cancel from outside leaves expired() false', async () => {
    using clock = fakeTimers();
    const scope = new Future<TimeoutScope>();
    const task = createTask(() =>
      timeout(100, async (s) => {
        scope.setResult(s);
        await sleep(1_000);
      }),
    );
    const s = await scope;
    await clock.advance(1);
    task.cancel();
    expect(await settled(task)).toBeInstanceOf(CancelledError);
    expect(s.expired()).toBe(false);
  });

  it('reschedule() after the body finished throws InvalidStateError', async () => {
    const scope = await createTask(() => timeout(100, (s) => s));
    expect(() => {
      scope.reschedule(now() + 100);
    }).toThrow(InvalidStateError);
    expect(() => {
      scope.reschedule(null);
    }).toThrow(/exited/);
  });

  it('reschedule() after it expired throws InvalidStateError', async () => {
    using clock = fakeTimers();
    const { task, scope } = startScoped(10, 1_000);
    const error = settled(task);
    await clock.advance(10);
    await error;
    const s = await scope;
    expect(() => {
      s.reschedule(now() + 100);
    }).toThrow(InvalidStateError);
    expect(() => {
      s.reschedule(now() + 100);
    }).toThrow(/expired/);
  });

  it('reschedule() with NaN throws RangeError and keeps the deadline', async () => {
    using _clock = fakeTimers();
    const when = await createTask(() =>
      timeout(100, (s) => {
        const before = s.when();
        expect(() => {
          s.reschedule(Number.NaN);
        }).toThrow(RangeError);
        return [before, s.when()];
      }),
    );
    expect(when[0]).toBe(when[1]);
  });

  it('renders its state and deadline', async () => {
    using clock = fakeTimers();
    await clock.advance(1_000);
    const active = await createTask(() => timeoutAt(1_234.5, (s) => String(s)));
    expect(active).toBe('<TimeoutScope active when=1234.5>');
    const none = await createTask(() => timeout(null, (s) => String(s)));
    expect(none).toBe('<TimeoutScope active when=none>');
    const exited = await createTask(() => timeoutAt(1_234.5, (s) => s));
    expect(String(exited)).toBe('<TimeoutScope exited when=1234.5>');

    const { task, scope } = startScoped(10, 1_000);
    const error = settled(task);
    const s = await scope;
    await clock.advance(10);
    await error;
    // The deadline is the current time: it has just passed.
    expect(String(s)).toBe(`<TimeoutScope expired when=${now().toFixed(1)}>`);
  });

  it('renders the same through util.inspect', async () => {
    const { inspect } = await import('node:util');
    const scope = await createTask(() => timeout(null, (s) => s));
    expect(inspect(scope)).toBe('<TimeoutScope exited when=none>');
    await flushMicrotasks();
  });
});
