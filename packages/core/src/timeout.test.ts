import { EventEmitter, once } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { fakeTimers, flushMicrotasks } from '../test/helpers.js';
import {
  CancelledError,
  Lock,
  Queue,
  TimeoutError,
  createTask,
  currentTask,
  now,
  sleep,
  timeout,
  timeoutAt,
} from './index.js';
import type { Task, TimeoutBody, TimeoutScope } from './index.js';

/** Runs `promise` to its end and returns the error it rejects with, or its value. */
function settled(promise: PromiseLike<unknown>): Promise<unknown> {
  return Promise.resolve(promise).then(
    (value) => value,
    (error: unknown) => error,
  );
}

/** The name of an error, or 'value' for anything that is not one. */
function kind(outcome: unknown): string {
  return outcome instanceof Error ? outcome.name : 'value';
}

describe('timeout', () => {
  it('returns the value of a body that finishes in time and clears its timer', async () => {
    using clock = fakeTimers();
    const task = createTask(() => timeout(100, () => sleep(10, 'in time')));
    await clock.advance(1);
    expect(vi.getTimerCount()).toBe(2);
    await clock.advance(9);
    expect(await task).toBe('in time');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('accepts a body that returns a plain value', async () => {
    expect(await createTask(() => timeout(100, () => 42))).toBe(42);
  });

  it('throws TimeoutError caused by the CancelledError at the deadline', async () => {
    using clock = fakeTimers();
    const seen: unknown[] = [];
    const task = createTask(() =>
      timeout(10, async () => {
        try {
          await sleep(1_000);
        } catch (error) {
          seen.push(error);
          throw error;
        }
      }),
    );
    const error = settled(task);
    await clock.advance(10);
    const thrown = await error;
    expect(thrown).toBeInstanceOf(TimeoutError);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(CancelledError);
    expect((thrown as TimeoutError).cause).toBe(seen[0]);
    expect(task.cancelled(), 'a handled timeout does not cancel the task').toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not expire before the deadline', async () => {
    using clock = fakeTimers();
    const task = createTask(() => timeout(10, () => sleep(1_000)));
    const error = settled(task);
    await clock.advance(9);
    expect(task.done()).toBe(false);
    await clock.advance(1);
    expect(await error).toBeInstanceOf(TimeoutError);
  });

  it('never expires with a null ms', async () => {
    using clock = fakeTimers();
    const task = createTask(() => timeout(null, () => sleep(1_000_000, 'slow')));
    await clock.advance(1);
    expect(vi.getTimerCount(), 'only the sleep').toBe(1);
    await clock.advance(1_000_000);
    expect(await task).toBe('slow');
  });

  it('passes an error from the body through unchanged', async () => {
    using clock = fakeTimers();
    const boom = new Error('boom');
    const task = createTask(() =>
      timeout(100, async () => {
        await sleep(1);
        throw boom;
      }),
    );
    const error = settled(task);
    await clock.advance(1);
    expect(await error).toBe(boom);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('passes through an error thrown by the cleanup of an expired body', async () => {
    using clock = fakeTimers();
    const cleanupFailed = new Error('cleanup failed');
    const task = createTask(() =>
      timeout(10, async () => {
        try {
          await sleep(1_000);
        } finally {
          // eslint-disable-next-line no-unsafe-finally -- the test is about exactly this
          throw cleanupFailed;
        }
      }),
    );
    const error = settled(task);
    await clock.advance(10);
    expect(await error).toBe(cleanupFailed);
  });

  it('returns the value of a body that catches its CancelledError and returns', async () => {
    using clock = fakeTimers();
    const task = createTask(() =>
      timeout(10, async () => {
        try {
          await sleep(1_000);
          return 'finished';
        } catch {
          return 'partial';
        }
      }),
    );
    await clock.advance(10);
    expect(await task).toBe('partial');
    expect(task.cancelled()).toBe(false);
  });

  it('restores cancelling() after a handled timeout, and the task goes on', async () => {
    using clock = fakeTimers();
    const task = createTask(async () => {
      const error = await settled(timeout(10, () => sleep(1_000)));
      const count = currentTask()?.cancelling();
      await sleep(5);
      return [kind(error), count];
    });
    await clock.advance(15);
    expect(await task).toEqual(['TimeoutError', 0]);
  });

  it('converts an AbortError caused by its expiry through task.signal into TimeoutError', async () => {
    using clock = fakeTimers();
    const task = createTask(() =>
      timeout(10, async () => {
        const signal = (currentTask() as Task<unknown>).signal;
        await once(new EventEmitter(), 'never', { signal });
      }),
    );
    const error = settled(task);
    await clock.advance(10);
    const thrown = await error;
    expect(kind(thrown)).toBe('TimeoutError');
    expect((thrown as TimeoutError).cause).toBeInstanceOf(CancelledError);
    expect(task.cancelled()).toBe(false);
  });

  it("aborts the signal its body sees at the deadline, never the task's own", async () => {
    using clock = fakeTimers();
    const task = createTask(async () => {
      const own = (currentTask() as Task<unknown>).signal;
      let inside: AbortSignal | undefined;
      const error = await settled(
        timeout(10, () => {
          inside = (currentTask() as Task<unknown>).signal;
          return sleep(1_000);
        }),
      );
      return {
        error,
        own: own.aborted,
        inside: inside?.aborted,
        reason: inside?.reason as unknown,
        after: (currentTask() as Task<unknown>).signal === own,
      };
    });
    await clock.advance(10);
    const seen = await task;
    expect(seen.error).toBeInstanceOf(TimeoutError);
    expect(seen.own).toBe(false);
    expect(seen.inside).toBe(true);
    expect(seen.reason).toBeInstanceOf(CancelledError);
    expect(seen.after).toBe(true);
  });

  it('with a negative ms runs the body up to its first cancellation point, then times out', async () => {
    using clock = fakeTimers();
    const log: string[] = [];
    const task = createTask(() =>
      timeout(-1, async () => {
        log.push('before the first await');
        await sleep(1_000);
        log.push('after the first await');
      }),
    );
    const error = settled(task);
    await clock.advance(0);
    expect(await error).toBeInstanceOf(TimeoutError);
    expect(log).toEqual(['before the first await']);
  });

  it('with a negative ms times out before a timer of the body that is due in the same turn', async () => {
    // From an immediate, the next turn's timers run before its immediates: a sleep(1) made due
    // (by a busy millisecond or two) fired before an expiry scheduled as an immediate, and the
    // body returned. The expiry must come first, as asyncio's call_soon does.
    const outcome = await new Promise((resolve) => {
      setImmediate(() => {
        const task = createTask(() =>
          timeout(-1, async () => {
            const slept = sleep(1, 'slept');
            const start = performance.now();
            while (performance.now() - start < 3) {
              // the sleep's timer becomes due
            }
            return await slept;
          }),
        );
        resolve(settled(task));
      });
    });
    expect(outcome).toBeInstanceOf(TimeoutError);
  });

  it('with a deadline already passed in a callback a task set up: times out at the wait, keeps what is done', async () => {
    const queue = new Queue<string>();
    queue.putNowait('item');
    const outcomes = await createTask(
      () =>
        new Promise<unknown[]>((resolve) => {
          setTimeout(() => {
            void Promise.all([
              settled(timeout(-1, () => sleep(1))),
              settled(timeout(0, () => queue.get())),
            ]).then(resolve);
          }, 1);
        }),
    );
    expect(outcomes.map(kind)).toEqual(['TimeoutError', 'value']);
    expect(outcomes[1]).toBe('item');
    expect(queue.empty()).toBe(true);
  });

  it('with a negative ms returns the value of a body that never reaches a cancellation point', async () => {
    using clock = fakeTimers();
    const task = createTask(async () => {
      const value = await timeout(-1, () => 'no await');
      await sleep(5);
      return [value, currentTask()?.cancelling()];
    });
    await clock.advance(5);
    expect(await task).toEqual(['no await', 0]);
  });

  it('with a zero ms keeps what the body got without suspending: the item, the lock', async () => {
    const queue = new Queue<string>();
    queue.putNowait('item');
    const lock = new Lock();
    const task = createTask(async () => {
      const item = await timeout(0, () => queue.get());
      const taken = await timeout(0, () => lock.acquire());
      return [item, taken, currentTask()?.cancelling()];
    });
    expect(await task).toEqual(['item', true, 0]);
    expect(queue.empty()).toBe(true);
    expect(lock.locked()).toBe(true);
  });

  it('with a zero ms expires on the next turn, never synchronously', async () => {
    const order: string[] = [];
    const task = createTask(async () => {
      const scope = timeout(0, async () => {
        order.push('body runs');
        await Promise.resolve(); // a microtask: not a turn of the event loop
        order.push('body finishes');
        return 'value';
      });
      order.push('timeout() returned');
      return await scope;
    });
    expect(await task).toBe('value');
    expect(order).toEqual(['body runs', 'timeout() returned', 'body finishes']);
  });

  it('with a zero ms times out a body that sleeps zero', async () => {
    using clock = fakeTimers();
    const error = settled(createTask(() => timeout(0, () => sleep(0))));
    await clock.advance(0);
    expect(await error).toBeInstanceOf(TimeoutError);
  });

  it('an infinite deadline arms no timer and never fires', async () => {
    using clock = fakeTimers();
    const task = createTask(() =>
      timeout(Infinity, async (scope) => {
        await sleep(30 * 24 * 3_600_000); // 30 days, past Node's 24.8-day timer limit
        return scope.expired();
      }),
    );
    await clock.advance(0);
    expect(vi.getTimerCount(), 'only the sleep').toBe(1);
    await clock.advance(30 * 24 * 3_600_000);
    expect(await task).toBe(false);
  });

  it('a deadline past 2^31-1 ms fires then, not at once (the timer is chained)', async () => {
    using clock = fakeTimers();
    const ms = 3e9;
    const task = createTask(() => timeout(ms, () => sleep(4e9)));
    const error = settled(task);
    await clock.advance(2 ** 31);
    expect(task.done()).toBe(false);
    await clock.advance(ms - 2 ** 31);
    expect(await error).toBeInstanceOf(TimeoutError);
  });

  it('outside any task, runs the body in a new task', async () => {
    using clock = fakeTimers();
    let inside: Task<unknown> | undefined;
    const result = timeout(100, async () => {
      inside = currentTask();
      await sleep(1);
      return 'done';
    });
    await clock.advance(1);
    expect(await result).toBe('done');
    expect(inside).toBeDefined();
    expect(inside?.done()).toBe(true);
  });

  it('outside any task, still times out', async () => {
    using clock = fakeTimers();
    const error = settled(timeout(10, () => sleep(1_000)));
    await clock.advance(10);
    expect(await error).toBeInstanceOf(TimeoutError);
  });

  describe('nested scopes', () => {
    it('an inner expiry is an inner TimeoutError the outer body can catch and go on', async () => {
      using clock = fakeTimers();
      const task = createTask(() =>
        timeout(100, async () => {
          const inner = await settled(timeout(10, () => sleep(1_000)));
          await sleep(20);
          return kind(inner);
        }),
      );
      await clock.advance(30);
      expect(await task).toBe('TimeoutError');
      expect(vi.getTimerCount()).toBe(0);
    });

    it('after a handled inner expiry the outer deadline still works', async () => {
      using clock = fakeTimers();
      const log: string[] = [];
      const task = createTask(() =>
        timeout(50, async () => {
          log.push(kind(await settled(timeout(10, () => sleep(1_000)))));
          await sleep(1_000);
        }),
      );
      const error = settled(task);
      await clock.advance(49);
      expect(task.done()).toBe(false);
      await clock.advance(1);
      expect(kind(await error)).toBe('TimeoutError');
      expect(log).toEqual(['TimeoutError']);
    });

    it('an outer expiry passes through the inner scope as CancelledError', async () => {
      using clock = fakeTimers();
      const log: string[] = [];
      const task = createTask(() =>
        timeout(10, async () => {
          try {
            await timeout(100, () => sleep(1_000));
          } catch (error) {
            log.push(kind(error));
            throw error;
          }
        }),
      );
      const error = settled(task);
      await clock.advance(10);
      expect(kind(await error)).toBe('TimeoutError');
      expect(log).toEqual(['CancelledError']);
      expect(task.cancelled()).toBe(false);
    });

    it('when both expire at once, only the outer reports TimeoutError', async () => {
      using clock = fakeTimers();
      const log: string[] = [];
      const scopes: TimeoutScope[] = [];
      const task = createTask(() => {
        const deadline = now() + 10;
        return timeoutAt(deadline, async (outer) => {
          scopes.push(outer);
          try {
            await timeoutAt(deadline, (inner) => {
              scopes.push(inner);
              return sleep(1_000);
            });
          } catch (error) {
            log.push(kind(error));
            throw error;
          }
        });
      });
      const error = settled(task);
      await clock.advance(9);
      // Both timers fire before the task resumes.
      vi.advanceTimersByTime(1);
      expect(kind(await error)).toBe('TimeoutError');
      expect(log).toEqual(['CancelledError']);
      expect(scopes.map((scope) => scope.expired())).toEqual([true, true]);
    });

    it('an inner scope in a finally block of an expired outer one reports its own expiry', async () => {
      using clock = fakeTimers();
      const log: string[] = [];
      const task = createTask(() =>
        timeout(10, async () => {
          try {
            await sleep(1_000);
          } finally {
            log.push(kind(await settled(timeout(10, () => sleep(1_000)))));
          }
        }),
      );
      const error = settled(task);
      await clock.advance(20);
      expect(log).toEqual(['TimeoutError']);
      expect(kind(await error)).toBe('TimeoutError');
    });
  });

  describe('cancellation from outside', () => {
    it('stays a CancelledError while a scope is active', async () => {
      using clock = fakeTimers();
      const task = createTask(() => timeout(100, () => sleep(1_000)));
      await clock.advance(1);
      task.cancel('from outside');
      const error = await settled(task);
      expect(kind(error)).toBe('CancelledError');
      expect((error as CancelledError).message).toBe('from outside');
      expect(task.cancelled()).toBe(true);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('stays a CancelledError when the deadline passes just after it', async () => {
      using clock = fakeTimers();
      const task = createTask(() => timeout(10, () => sleep(1_000)));
      await clock.advance(9);
      task.cancel();
      vi.advanceTimersByTime(1);
      expect(kind(await settled(task))).toBe('CancelledError');
      expect(task.cancelled()).toBe(true);
    });

    it('stays a CancelledError when the deadline passes just before it', async () => {
      using clock = fakeTimers();
      const task = createTask(() => timeout(10, () => sleep(1_000)));
      await clock.advance(9);
      vi.advanceTimersByTime(1);
      task.cancel();
      expect(kind(await settled(task))).toBe('CancelledError');
      expect(task.cancelled()).toBe(true);
    });

    it('stays a CancelledError when the task cancels itself in the scope', async () => {
      const task = createTask(() =>
        timeout(100, async () => {
          currentTask()?.cancel();
          await sleep(1_000);
        }),
      );
      expect(kind(await settled(task))).toBe('CancelledError');
      expect(task.cancelled()).toBe(true);
    });

    it('a cancel caught before the scope does not stop the scope from timing out', async () => {
      using clock = fakeTimers();
      const task = createTask(async () => {
        try {
          currentTask()?.cancel();
          await sleep(1_000);
        } catch {
          // Swallowed on purpose, without uncancel(): cancelling() stays 1.
        }
        const error = await settled(timeout(0, () => sleep(1_000)));
        return [kind(error), currentTask()?.cancelling()];
      });
      await clock.advance(0);
      expect(await task).toEqual(['TimeoutError', 1]);
    });

    it('a cancel inside a scope entered after a caught cancel stays a CancelledError', async () => {
      const task = createTask(async () => {
        try {
          currentTask()?.cancel();
          await sleep(1_000);
        } catch {
          // Swallowed on purpose.
        }
        return kind(
          await settled(
            timeout(100, async () => {
              currentTask()?.cancel();
              await sleep(1_000);
            }),
          ),
        );
      });
      expect(await task).toBe('CancelledError');
    });
  });

  it('rejects with a RangeError for a NaN ms, never throwing synchronously', async () => {
    const body = vi.fn(() => 1);
    await expect(timeout(Number.NaN, body)).rejects.toThrow(RangeError);
    expect(body).not.toHaveBeenCalled();
  });

  it('rejects with a TypeError for a body that is not a function', async () => {
    const result = timeout(10, 'later' as unknown as TimeoutBody<string>);
    await expect(result).rejects.toThrow(TypeError);
    await expect(result).rejects.toThrow(/'body'.*received "later"/);
  });
});

describe('timeoutAt', () => {
  it('expires at a deadline on the now() clock', async () => {
    using clock = fakeTimers();
    const task = createTask(() => timeoutAt(now() + 10, () => sleep(1_000)));
    const error = settled(task);
    await clock.advance(9);
    expect(task.done()).toBe(false);
    await clock.advance(1);
    expect(await error).toBeInstanceOf(TimeoutError);
  });

  it('returns the value when the body finishes first, and clears its timer', async () => {
    using clock = fakeTimers();
    const task = createTask(() => timeoutAt(now() + 100, () => sleep(10, 'ok')));
    await clock.advance(10);
    expect(await task).toBe('ok');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never expires with a null deadline', async () => {
    using clock = fakeTimers();
    const task = createTask(() => timeoutAt(null, () => sleep(1_000, 'ok')));
    await clock.advance(1_000);
    expect(await task).toBe('ok');
  });

  it('with a deadline in the past times out at the first cancellation point', async () => {
    using clock = fakeTimers();
    await clock.advance(100);
    const error = settled(createTask(() => timeoutAt(now() - 50, () => sleep(1_000))));
    await flushMicrotasks();
    await clock.advance(0);
    expect(await error).toBeInstanceOf(TimeoutError);
  });

  it('rejects with a RangeError for a NaN deadline', async () => {
    await expect(timeoutAt(Number.NaN, () => 1)).rejects.toThrow(RangeError);
  });
});
