import { AsyncLocalStorage } from 'node:async_hooks';
import { spawnSync } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushMicrotasks, nextTurn, rejection } from '../test/helpers.js';
import {
  CancelledError,
  Future,
  InvalidStateError,
  Task,
  allTasks,
  createTask,
  currentTask,
  isCancelledError,
  sleep,
  timeout,
} from './index.js';

const INDEX = new URL('./index.ts', import.meta.url).pathname;
const REPO = new URL('../../../', import.meta.url).pathname;

/** A promise corio knows nothing about, settled by hand. */
function foreignPromise<T>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The running task; fails if there is none. */
function self(): Task<unknown> {
  const task = currentTask();
  if (task === undefined) throw new Error('not inside a task');
  return task;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createTask', () => {
  it('runs the function as a task and resolves with its result', async () => {
    const task = createTask(async () => {
      await sleep(1);
      return 'done';
    });
    expect(task).toBeInstanceOf(Task);
    expect(task).toBeInstanceOf(Future);
    expect(await task).toBe('done');
    expect(task.done()).toBe(true);
    expect(task.result()).toBe('done');
  });

  it('accepts a synchronous function', async () => {
    const task = createTask(() => 42);
    expect(await task).toBe(42);
  });

  it('never runs the function synchronously inside createTask', async () => {
    const fn = vi.fn(() => 1);
    const task = createTask(fn);
    expect(fn).not.toHaveBeenCalled();
    expect(task.done()).toBe(false);
    await flushMicrotasks();
    expect(fn).toHaveBeenCalledOnce();
    expect(await task).toBe(1);
  });

  it('does not run the function synchronously when created inside another task', async () => {
    const order: string[] = [];
    const outer = createTask(async () => {
      const inner = createTask(() => order.push('inner'));
      order.push('after createTask');
      await inner;
    });
    await outer;
    expect(order).toEqual(['after createTask', 'inner']);
  });

  it('starts tasks in creation order', async () => {
    const order: number[] = [];
    const tasks = [0, 1, 2, 3, 4].map((i) => createTask(() => order.push(i)));
    await Promise.all(tasks);
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('starts a task created by a starting task after those already created', async () => {
    const order: string[] = [];
    let c: Task<number> | undefined;
    const a = createTask(() => {
      order.push('a');
      c = createTask(() => order.push('c'));
    });
    const b = createTask(() => order.push('b'));
    await Promise.all([a, b]);
    await c;
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('fails the task, not the caller, when the function throws synchronously', async () => {
    const error = new Error('sync boom');
    const task = createTask(() => {
      throw error;
    });
    expect(await rejection(task)).toBe(error);
    expect(task.cancelled()).toBe(false);
    expect(task.exception()).toBe(error);
  });

  it('fails the task when the async function rejects', async () => {
    const error = new Error('async boom');
    const task = createTask(async () => {
      await sleep(0);
      throw error;
    });
    expect(await rejection(task)).toBe(error);
    expect(task.exception()).toBe(error);
  });

  it('adopts a PromiseLike', async () => {
    const task = createTask(Promise.resolve(5));
    expect(task).toBeInstanceOf(Task);
    expect(await task).toBe(5);
  });

  it('adopts a rejected PromiseLike as a failed task', async () => {
    const error = new Error('adopted');
    const task = createTask(Promise.reject(error));
    expect(await rejection(task)).toBe(error);
  });

  it('adopts a bare thenable', async () => {
    const thenable: PromiseLike<string> = {
      then(onFulfilled) {
        return Promise.resolve(onFulfilled?.('thenable') as never);
      },
    };
    expect(await createTask(thenable)).toBe('thenable');
  });

  it('adopts a Future', async () => {
    const fut = new Future<number>();
    const task = createTask(fut);
    await flushMicrotasks();
    expect(task.done()).toBe(false);
    fut.setResult(3);
    expect(await task).toBe(3);
  });

  it('awaits a thenable returned by the function', async () => {
    const fut = new Future<string>();
    const task = createTask(() => fut);
    await flushMicrotasks();
    fut.setResult('via future');
    expect(await task).toBe('via future');
  });

  it('uses options.name', async () => {
    const task = createTask(() => 1, { name: 'worker' });
    expect(task.name).toBe('worker');
    await task;
  });

  it('names tasks Task-<n> by default, counting up', async () => {
    const a = createTask(() => 1);
    const b = createTask(() => 2);
    const [, n] = /^Task-(\d+)$/.exec(a.name) ?? [];
    expect(n).toBeDefined();
    expect(b.name).toBe(`Task-${String(Number(n) + 1)}`);
    await Promise.all([a, b]);
  });

  it('lets the name be changed', async () => {
    const task = createTask(() => 1, { name: 'before' });
    task.name = 'after';
    expect(task.name).toBe('after');
    expect(String(task)).toBe('<Task name=after pending>');
    await task;
  });

  it('stores a name set to a non-string as a string, as asyncio does', async () => {
    const task = createTask(() => 1);
    task.name = 5 as unknown as string;
    expect(task.name).toBe('5');
    expect(String(task)).toBe('<Task name=5 pending>');
    await task;
  });

  it('throws TypeError naming the bad value for a non-function, non-PromiseLike', () => {
    expect(() => createTask(42 as never)).toThrow(TypeError);
    expect(() => createTask(42 as never)).toThrow(/'fn'.*received 42/);
    expect(() => createTask(null as never)).toThrow(/received null/);
    expect(() => createTask('go' as never)).toThrow(/received "go"/);
    expect(() => createTask({} as never)).toThrow(/received an object/);
  });

  it('throws TypeError for a non-string name', () => {
    expect(() => createTask(() => 1, { name: 7 as never })).toThrow(TypeError);
    expect(() => createTask(() => 1, { name: 7 as never })).toThrow(/'options.name'.*7/);
  });

  it('runs a function only once', async () => {
    const fn = vi.fn(() => 1);
    const task = createTask(fn);
    await task;
    await nextTurn();
    expect(fn).toHaveBeenCalledOnce();
  });
});

describe('Task', () => {
  it('setResult() and setException() throw InvalidStateError naming the task', async () => {
    const task = createTask(() => 1, { name: 'own' });
    expect(() => {
      task.setResult(2);
    }).toThrow(InvalidStateError);
    expect(() => {
      task.setResult(2);
    }).toThrow('<Task name=own pending>');
    expect(() => {
      task.setException(new Error('x'));
    }).toThrow(InvalidStateError);
    expect(await task).toBe(1);
  });

  it('result() of a pending task throws InvalidStateError', async () => {
    const task = createTask(() => sleep(0));
    expect(() => {
      task.result();
    }).toThrow(InvalidStateError);
    await task;
  });

  it('can stand where a Promise is expected', async () => {
    const task = createTask(() => sleep(1, 'x'));
    expect(await Promise.all([task, Promise.resolve('y')])).toEqual(['x', 'y']);
    expect(await task.then((v) => v.toUpperCase())).toBe('X');
    expect(await task.finally(() => undefined)).toBe('x');
  });

  it('a task awaiting another task gets its result', async () => {
    const inner = createTask(() => sleep(1, 20));
    const outer = createTask(async () => (await inner) + 1);
    expect(await outer).toBe(21);
  });

  it('a task awaiting a failed task gets its error', async () => {
    const error = new Error('inner');
    const inner = createTask(() => Promise.reject(error));
    const outer = createTask(async () => rejection(inner));
    expect(await outer).toBe(error);
  });
});

describe('Task cancellation', () => {
  it('cancel() while suspended at sleep rejects that await at once with CancelledError', async () => {
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
    expect(task.cancel('stop')).toBe(true);
    await flushMicrotasks();
    expect(caught).toBeInstanceOf(CancelledError);
    expect((caught as CancelledError).message).toBe('stop');
    expect(task.cancelled()).toBe(true);
  });

  it('a task that lets CancelledError escape ends cancelled, with the message', async () => {
    const task = createTask(() => sleep(60_000));
    await flushMicrotasks();
    task.cancel('bye');
    const error = await rejection(task);
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as CancelledError).message).toBe('bye');
    expect(task.cancelled()).toBe(true);
    expect(() => {
      task.result();
    }).toThrow(CancelledError);
    expect(() => task.exception()).toThrow('bye');
  });

  it('a task that catches CancelledError and returns completes with that value', async () => {
    const task = createTask(async () => {
      try {
        await sleep(60_000);
        return 'slept';
      } catch (error) {
        if (!isCancelledError(error)) throw error;
        return 'caught';
      }
    });
    await flushMicrotasks();
    expect(task.cancel()).toBe(true);
    expect(await task).toBe('caught');
    expect(task.cancelled()).toBe(false);
    expect(task.result()).toBe('caught');
  });

  it('delivers a cancellation once: after catching it, the next await does not throw', async () => {
    const task = createTask(async () => {
      try {
        await sleep(60_000);
      } catch {
        // swallowed on purpose
      }
      await sleep(0);
      await sleep(1);
      return 'recovered';
    });
    await flushMicrotasks();
    task.cancel();
    expect(await task).toBe('recovered');
    expect(task.cancelling()).toBe(1);
  });

  it('delivers two cancel() calls made in the same tick as one CancelledError (asyncio)', async () => {
    let deliveries = 0;
    const task = createTask(async () => {
      for (let i = 0; i < 3; i++) {
        try {
          await sleep(i === 0 ? 60_000 : 0);
        } catch (error) {
          if (!isCancelledError(error)) throw error;
          deliveries++;
        }
      }
      return 'recovered';
    });
    await flushMicrotasks();
    task.cancel('one');
    task.cancel('two');
    expect(task.cancelling()).toBe(2);
    expect(await task).toBe('recovered');
    expect(deliveries).toBe(1);
  });

  it('cancelling a task awaiting another task cancels that task too, with the message', async () => {
    const inner = createTask(() => sleep(60_000), { name: 'inner' });
    const outer = createTask(async () => inner, { name: 'outer' });
    await flushMicrotasks();
    outer.cancel('propagated');
    const outerError = await rejection(outer);
    const innerError = await rejection(inner);
    expect(outer.cancelled()).toBe(true);
    expect(inner.cancelled()).toBe(true);
    expect((outerError as Error).message).toBe('propagated');
    expect((innerError as Error).message).toBe('propagated');
  });

  it('cancellation propagates down a chain of awaiting tasks', async () => {
    const c = createTask(() => sleep(60_000));
    const b = createTask(async () => c);
    const a = createTask(async () => b);
    await flushMicrotasks();
    a.cancel('deep');
    await Promise.allSettled([a, b, c]);
    expect([a.cancelled(), b.cancelled(), c.cancelled()]).toEqual([true, true, true]);
    expect(() => {
      c.result();
    }).toThrow('deep');
  });

  it('the awaiting task is interrupted at once, even if the awaited task ignores the cancel', async () => {
    const release = new Future<string>();
    const inner = createTask(async () => {
      try {
        await sleep(60_000);
      } catch {
        // ignores the cancellation and goes on
      }
      return release;
    });
    const outer = createTask(async () => inner);
    await flushMicrotasks();
    outer.cancel();
    await flushMicrotasks();
    expect(outer.cancelled()).toBe(true);
    expect(inner.done()).toBe(false);
    expect(inner.cancelling()).toBe(1);
    release.setResult('finished anyway');
    expect(await inner).toBe('finished anyway');
    expect(await rejection(outer)).toBeInstanceOf(CancelledError);
  });

  it('cancelling a task awaiting a plain Future cancels the future, with the message', async () => {
    const fut = new Future<number>();
    const task = createTask(async () => fut);
    await flushMicrotasks();
    task.cancel('no more');
    await Promise.allSettled([task]);
    expect(fut.cancelled()).toBe(true);
    expect(() => fut.result()).toThrow('no more');
    expect(task.cancelled()).toBe(true);
    expect(() => {
      task.result();
    }).toThrow('no more');
  });

  it('cancelling a task whose function returned a Future cancels that future', async () => {
    const fut = new Future<number>();
    const task = createTask(() => fut);
    await flushMicrotasks();
    task.cancel('returned future');
    await Promise.allSettled([task]);
    expect(fut.cancelled()).toBe(true);
    expect(task.cancelled()).toBe(true);
  });

  it('cancel() while awaiting a foreign promise aborts the signal at once', async () => {
    const foreign = foreignPromise<string>();
    const task = createTask(async () => {
      await foreign.promise;
      return 'unreachable?';
    });
    await flushMicrotasks();
    const signal = task.signal;
    expect(signal.aborted).toBe(false);
    task.cancel('abort now');
    expect(signal.aborted).toBe(true);
    expect(task.done()).toBe(false);
    foreign.resolve('late');
    await Promise.allSettled([task]);
  });

  it('after a cancel during a foreign await, the next sleep rejects with CancelledError', async () => {
    const foreign = foreignPromise<string>();
    const seen: unknown[] = [];
    const task = createTask(async () => {
      seen.push(await foreign.promise);
      try {
        await sleep(0);
      } catch (error) {
        seen.push(error);
        throw error;
      }
    });
    await flushMicrotasks();
    task.cancel('next point');
    await flushMicrotasks();
    expect(task.done()).toBe(false);
    foreign.resolve('value');
    const error = await rejection(task);
    expect(seen[0]).toBe('value');
    expect(seen[1]).toBeInstanceOf(CancelledError);
    expect((error as Error).message).toBe('next point');
    expect(task.cancelled()).toBe(true);
  });

  it('after a cancel during a foreign await, awaiting a done Future rejects with CancelledError', async () => {
    const foreign = foreignPromise<undefined>();
    const ready = new Future<number>();
    ready.setResult(1);
    const task = createTask(async () => {
      await foreign.promise;
      return ready;
    });
    await flushMicrotasks();
    task.cancel();
    foreign.resolve(undefined);
    expect(await rejection(task)).toBeInstanceOf(CancelledError);
    expect(task.cancelled()).toBe(true);
  });

  it('a cancel requested while running code ends the task cancelled even without a cancellation point', async () => {
    const task = createTask(() => {
      self().cancel('from inside');
      return 'returned';
    });
    const error = await rejection(task);
    expect(task.cancelled()).toBe(true);
    expect((error as Error).message).toBe('from inside');
  });

  it('a cancel during a foreign await ends the task cancelled if it then returns', async () => {
    const foreign = foreignPromise<string>();
    const task = createTask(async () => foreign.promise);
    await flushMicrotasks();
    task.cancel();
    foreign.resolve('value');
    expect(await rejection(task)).toBeInstanceOf(CancelledError);
    expect(task.cancelled()).toBe(true);
  });

  it('an adopted promise task cancelled while the promise is pending ends cancelled', async () => {
    const foreign = foreignPromise<number>();
    const task = createTask(foreign.promise);
    await flushMicrotasks();
    expect(task.cancel()).toBe(true);
    expect(task.signal.aborted).toBe(true);
    foreign.resolve(1);
    expect(await rejection(task)).toBeInstanceOf(CancelledError);
  });

  it('a CancelledError from a second copy of corio escaping the task ends it cancelled', async () => {
    class ForeignCancelledError extends Error {}
    Object.defineProperty(ForeignCancelledError.prototype, Symbol.for('corio.CancelledError'), {
      value: true,
    });
    const task = createTask(() => {
      throw new ForeignCancelledError('elsewhere');
    });
    await Promise.allSettled([task]);
    expect(task.cancelled()).toBe(true);
  });

  it('cancel() before the task starts means the function never runs', async () => {
    const fn = vi.fn(() => 1);
    const task = createTask(fn);
    expect(task.cancel('too early')).toBe(true);
    const error = await rejection(task);
    expect(fn).not.toHaveBeenCalled();
    expect(task.cancelled()).toBe(true);
    expect((error as Error).message).toBe('too early');
  });

  it('cancel() in the same tick the task was created, from another task, skips the function', async () => {
    const fn = vi.fn(() => 1);
    let victim: Task<number> | undefined;
    const killer = createTask(() => {
      victim = createTask(fn);
      victim.cancel();
    });
    await killer;
    const task = victim as Task<number>;
    await Promise.allSettled([task]);
    expect(fn).not.toHaveBeenCalled();
    expect(task.cancelled()).toBe(true);
  });

  it('cancel() returns false once the task is done', async () => {
    const ok = createTask(() => 1);
    await ok;
    expect(ok.cancel()).toBe(false);
    expect(ok.cancelled()).toBe(false);
    expect(ok.cancelling()).toBe(0);

    const failed = createTask(() => Promise.reject(new Error('x')));
    await Promise.allSettled([failed]);
    expect(failed.cancel()).toBe(false);

    const cancelled = createTask(() => 1);
    cancelled.cancel();
    await Promise.allSettled([cancelled]);
    expect(cancelled.cancel()).toBe(false);
  });

  it('cancel() returns true for each request on a pending task', async () => {
    const task = createTask(() => sleep(60_000));
    await flushMicrotasks();
    expect(task.cancel()).toBe(true);
    expect(task.cancel()).toBe(true);
    await Promise.allSettled([task]);
  });

  it('cancelling() counts the requests and uncancel() withdraws them', async () => {
    const foreign = foreignPromise<undefined>();
    const task = createTask(async () => {
      await foreign.promise;
      return 'kept running';
    });
    await flushMicrotasks();
    expect(task.cancelling()).toBe(0);
    task.cancel();
    task.cancel();
    expect(task.cancelling()).toBe(2);
    expect(task.uncancel()).toBe(1);
    expect(task.cancelling()).toBe(1);
    expect(task.uncancel()).toBe(0);
    expect(task.uncancel()).toBe(0);
    expect(task.cancelling()).toBe(0);
    foreign.resolve(undefined);
    await Promise.allSettled([task]);
  });

  it('uncancel() down to 0 drops a cancellation not yet delivered', async () => {
    const foreign = foreignPromise<undefined>();
    const task = createTask(async () => {
      await foreign.promise;
      await sleep(0);
      return 'not cancelled';
    });
    await flushMicrotasks();
    task.cancel();
    expect(task.uncancel()).toBe(0);
    foreign.resolve(undefined);
    expect(await task).toBe('not cancelled');
    expect(task.cancelled()).toBe(false);
  });

  it('uncancel() that leaves requests outstanding keeps the cancellation', async () => {
    const foreign = foreignPromise<undefined>();
    const task = createTask(async () => {
      await foreign.promise;
      await sleep(0);
      return 'not cancelled';
    });
    await flushMicrotasks();
    task.cancel();
    task.cancel();
    expect(task.uncancel()).toBe(1);
    foreign.resolve(undefined);
    expect(await rejection(task)).toBeInstanceOf(CancelledError);
  });

  it('uncancel() after a caught cancellation lets the task finish normally', async () => {
    const task = createTask(async () => {
      try {
        await sleep(60_000);
      } catch {
        expect(self().uncancel()).toBe(0);
      }
      await sleep(0);
      return self().cancelling();
    });
    await flushMicrotasks();
    task.cancel();
    expect(await task).toBe(0);
  });

  it('uncancel() before the task starts lets it run', async () => {
    const fn = vi.fn(() => 'ran');
    const task = createTask(fn);
    task.cancel();
    task.uncancel();
    expect(await task).toBe('ran');
    expect(fn).toHaveBeenCalledOnce();
  });

  it('the CancelledError stack names the function suspended at sleep', async () => {
    async function waitingInsideSleepForTheStack(): Promise<void> {
      await sleep(60_000);
    }
    const task = createTask(waitingInsideSleepForTheStack);
    await flushMicrotasks();
    task.cancel();
    const error = (await rejection(task)) as Error;
    expect(error).toBeInstanceOf(CancelledError);
    expect(error.stack).toContain('waitingInsideSleepForTheStack');
  });

  it('the CancelledError stack names the function suspended at a Future', async () => {
    const fut = new Future<number>();
    async function waitingOnAFutureForTheStack(): Promise<number> {
      return (await fut) + 1;
    }
    const task = createTask(waitingOnAFutureForTheStack);
    await flushMicrotasks();
    task.cancel();
    const error = (await rejection(task)) as Error;
    expect(error).toBeInstanceOf(CancelledError);
    expect(error.stack).toContain('waitingOnAFutureForTheStack');
  });

  it('the CancelledError stack names the function reaching its next point after a foreign await', async () => {
    const foreign = foreignPromise<undefined>();
    async function reachingTheNextPointForTheStack(): Promise<void> {
      await foreign.promise;
      await sleep(0);
    }
    const task = createTask(reachingTheNextPointForTheStack);
    await flushMicrotasks();
    task.cancel();
    foreign.resolve(undefined);
    const error = (await rejection(task)) as Error;
    expect(error).toBeInstanceOf(CancelledError);
    expect(error.stack).toContain('reachingTheNextPointForTheStack');
  });

  it('the CancelledError stack names the function suspended at another task', async () => {
    const inner = createTask(() => sleep(60_000));
    async function waitingOnATaskForTheStack(): Promise<void> {
      await inner;
    }
    const task = createTask(waitingOnATaskForTheStack);
    await flushMicrotasks();
    task.cancel();
    const error = (await rejection(task)) as Error;
    await Promise.allSettled([inner]);
    expect(error.stack).toContain('waitingOnATaskForTheStack');
  });

  it('a task awaiting many at once: its waits end in any order, and a cancel reaches the rest in the order they began', async () => {
    const futures = Array.from({ length: 7 }, () => new Future<number>());
    const cancelled: number[] = [];
    futures.forEach((future, index) => {
      future.addDoneCallback(() => {
        if (future.cancelled()) cancelled.push(index);
      });
    });
    const task = createTask(() => Promise.all(futures));
    await flushMicrotasks();
    // The first, a middle one and the last to begin end first.
    for (const index of [0, 3, 6]) futures[index]?.setResult(index);
    await flushMicrotasks();
    task.cancel();
    await Promise.allSettled([task]);
    await flushMicrotasks();
    expect(task.cancelled()).toBe(true);
    expect(cancelled).toEqual([1, 2, 4, 5]);
  });

  it("the CancelledError stack leaves out corio's own runners and keeps Error.stackTraceLimit", async () => {
    async function innermostForTheStack(): Promise<void> {
      await sleep(60_000);
    }
    async function middleForTheStack(): Promise<void> {
      await innermostForTheStack();
    }
    async function outermostForTheStack(): Promise<void> {
      await timeout(60_000, middleForTheStack);
    }
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 3;
    try {
      const task = createTask(outermostForTheStack);
      await flushMicrotasks();
      task.cancel();
      const error = (await rejection(task)) as Error;
      const frames = (error.stack ?? '').split('\n').slice(1);
      expect(frames).toEqual([
        expect.stringMatching(/^ {4}at .*innermostForTheStack/),
        expect.stringMatching(/^ {4}at .*middleForTheStack/),
        // timeout()'s runner (corio$scope) sits between these two in V8's trace.
        expect.stringMatching(/^ {4}at .*outermostForTheStack/),
      ]);
    } finally {
      Error.stackTraceLimit = limit;
    }
  });

  it('the CancelledError stack is formatted when read, by the Error.prepareStackTrace then in force', async () => {
    async function suspendedForTheStack(): Promise<void> {
      await sleep(60_000);
    }
    const task = createTask(suspendedForTheStack);
    await flushMicrotasks();
    task.cancel();
    const error = (await rejection(task)) as Error;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- restored below
    const prepare = Error.prepareStackTrace;
    Error.prepareStackTrace = (err: Error, sites: NodeJS.CallSite[]) =>
      `${err.name} via hook: ${sites.map((site) => String(site.getFunctionName())).join(',')}`;
    try {
      expect(error.stack).toBe('CancelledError via hook: suspendedForTheStack');
    } finally {
      Error.prepareStackTrace = prepare;
    }
    // Formatted once: a later reader sees the same text, and it can be replaced.
    expect(error.stack).toBe('CancelledError via hook: suspendedForTheStack');
    error.stack = 'replaced';
    expect(error.stack).toBe('replaced');
  });

  it("the CancelledError stack is formatted in V8's style when Error.prepareStackTrace is unset", async () => {
    async function unhookedForTheStack(): Promise<void> {
      await sleep(60_000);
    }
    const task = createTask(unhookedForTheStack);
    await flushMicrotasks();
    task.cancel();
    const error = (await rejection(task)) as Error;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- restored below
    const prepare = Error.prepareStackTrace;
    (Error as { prepareStackTrace?: unknown }).prepareStackTrace = undefined;
    try {
      expect(error.stack).toMatch(
        /^CancelledError\n {4}at .*unhookedForTheStack \(.*task\.test\.ts:\d+:\d+\)$/,
      );
    } finally {
      Error.prepareStackTrace = prepare;
    }
  });
});

async function gatherAll(tasks: Task<unknown>[]): Promise<void> {
  for (const task of tasks) await task;
}

describe('createTask context', () => {
  it('runs each task in the async context it was created in, even when created in the same tick', async () => {
    const requestId = new AsyncLocalStorage<string>();
    const seen: (string | undefined)[] = [];
    const probe = (): void => {
      seen.push(requestId.getStore());
    };
    const a = requestId.run('request-a', () => createTask(probe));
    const b = requestId.run('request-b', () => createTask(probe));
    const none = createTask(probe);
    await gatherAll([a, b, none]);
    expect(seen).toEqual(['request-a', 'request-b', undefined]);
  });
});

describe('Task.signal', () => {
  it('is not aborted while no cancellation was requested', async () => {
    const task = createTask(() => sleep(0));
    expect(task.signal.aborted).toBe(false);
    await task;
    expect(task.signal.aborted).toBe(false);
  });

  it('is the same signal on every access', async () => {
    const task = createTask(() => 1);
    expect(task.signal).toBe(task.signal);
    await task;
  });

  it('aborts on cancel() with a CancelledError carrying the message as its reason', async () => {
    const task = createTask(() => sleep(60_000));
    const signal = task.signal;
    await flushMicrotasks();
    const onAbort = vi.fn();
    signal.addEventListener('abort', onAbort);
    task.cancel('reason here');
    expect(onAbort).toHaveBeenCalledOnce();
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(CancelledError);
    expect((signal.reason as CancelledError).message).toBe('reason here');
    await Promise.allSettled([task]);
  });

  it('created after the cancel is already aborted with the CancelledError', async () => {
    const task = createTask(() => sleep(60_000));
    await flushMicrotasks();
    task.cancel('lazy');
    const signal = task.signal;
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(CancelledError);
    expect((signal.reason as CancelledError).message).toBe('lazy');
    await Promise.allSettled([task]);
  });

  it('created after a task was cancelled and finished is aborted', async () => {
    const task = createTask(() => 1);
    task.cancel('before start');
    await Promise.allSettled([task]);
    expect(task.signal.aborted).toBe(true);
    expect((task.signal.reason as CancelledError).message).toBe('before start');
  });

  it('keeps the first message when cancel() is called again', async () => {
    const task = createTask(() => sleep(60_000));
    await flushMicrotasks();
    task.cancel('first');
    task.cancel('second');
    expect((task.signal.reason as CancelledError).message).toBe('first');
    await Promise.allSettled([task]);
  });

  it('stays aborted after a caught cancellation', async () => {
    let abortedAfterCatch: boolean | undefined;
    const task = createTask(async () => {
      try {
        await sleep(60_000);
      } catch {
        // swallowed
      }
      await sleep(0);
      abortedAfterCatch = self().signal.aborted;
      return 'done';
    });
    await flushMicrotasks();
    task.cancel();
    expect(await task).toBe('done');
    expect(abortedAfterCatch).toBe(true);
    expect(task.signal.aborted).toBe(true);
  });

  it('is a fresh, unaborted signal once uncancel() withdrew every request', async () => {
    const seen: { before: AbortSignal; after?: AbortSignal } = {
      before: new AbortController().signal,
    };
    const task = createTask(async () => {
      const me = self();
      seen.before = me.signal;
      try {
        await sleep(60_000);
      } catch {
        expect(me.uncancel()).toBe(0);
      }
      seen.after = me.signal;
      return 'went on';
    });
    await flushMicrotasks();
    task.cancel('handled');
    expect(await task).toBe('went on');
    expect(seen.before.aborted).toBe(true);
    expect(seen.after).not.toBe(seen.before);
    expect(seen.after?.aborted).toBe(false);
  });

  it('aborts timers/promises setTimeout; the escaping AbortError ends the task cancelled', async () => {
    let caught: unknown;
    const task = createTask(async () => {
      try {
        return await delay(60_000, 'late', { signal: self().signal });
      } catch (error) {
        caught = error;
        throw error;
      }
    });
    await flushMicrotasks();
    task.cancel('timers');
    const error = await rejection(task);
    expect((caught as Error).name).toBe('AbortError');
    expect((caught as Error).cause).toBe(task.signal.reason);
    expect(task.cancelled()).toBe(true);
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as Error).message).toBe('timers');
  });

  it('an AbortError escaping after a caught cancel ends the task cancelled, with the message', async () => {
    const task = createTask(async () => {
      try {
        await sleep(60_000);
      } catch {
        // cleanup that still uses the task's (aborted) signal
      }
      await delay(60_000, undefined, { signal: self().signal });
    });
    await flushMicrotasks();
    task.cancel('cleanup');
    const error = await rejection(task);
    expect(task.cancelled()).toBe(true);
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as Error).message).toBe('cleanup');
  });

  it('an error wrapping the AbortError in its cause chain also ends the task cancelled', async () => {
    const task = createTask(async () => {
      try {
        await delay(60_000, undefined, { signal: self().signal });
      } catch (error) {
        throw new Error('wrapped', { cause: new Error('middle', { cause: error }) });
      }
    });
    await flushMicrotasks();
    task.cancel();
    expect(await rejection(task)).toBeInstanceOf(CancelledError);
    expect(task.cancelled()).toBe(true);
  });

  it('an API rejecting with the signal reason itself ends the task cancelled', async () => {
    const task = createTask(async () => {
      const signal = self().signal;
      await new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          reject(signal.reason as Error);
        });
      });
    });
    await flushMicrotasks();
    task.cancel('like fetch');
    const error = await rejection(task);
    expect(task.cancelled()).toBe(true);
    expect((error as Error).message).toBe('like fetch');
  });

  it('an AbortError from an unrelated signal fails the task instead', async () => {
    const controller = new AbortController();
    const task = createTask(() => delay(60_000, undefined, { signal: controller.signal }));
    await flushMicrotasks();
    controller.abort();
    const error = await rejection(task);
    expect((error as Error).name).toBe('AbortError');
    expect(task.cancelled()).toBe(false);
    expect(task.exception()).toBe(error);
  });
});

describe('Task cancellation races', () => {
  it('cancel() in the same tick as the awaited Future settles: the value arrives and the cancel surfaces', async () => {
    const fut = new Future<number>();
    const received: number[] = [];
    let nextPoint: unknown;
    const task = createTask(async () => {
      received.push(await fut);
      try {
        await sleep(0);
      } catch (error) {
        nextPoint = error;
        throw error;
      }
    });
    await flushMicrotasks();
    fut.setResult(1);
    task.cancel('same tick');
    await Promise.allSettled([task]);
    expect(received).toEqual([1]);
    expect(nextPoint).toBeInstanceOf(CancelledError);
    expect(task.cancelled()).toBe(true);
  });

  it('cancel() in the same tick as the awaited Future settles, then return: ends cancelled', async () => {
    const fut = new Future<number>();
    const received: number[] = [];
    const task = createTask(async () => {
      const value = await fut;
      received.push(value);
      return value;
    });
    await flushMicrotasks();
    fut.setResult(1);
    task.cancel();
    await Promise.allSettled([task]);
    expect(received).toEqual([1]);
    expect(task.cancelled()).toBe(true);
  });

  it('cancel() before the Future settles in the same tick cancels the future first', async () => {
    const fut = new Future<number>();
    const task = createTask(async () => fut);
    await flushMicrotasks();
    task.cancel();
    expect(fut.cancelled()).toBe(true);
    expect(() => {
      fut.setResult(1);
    }).toThrow(InvalidStateError);
    await Promise.allSettled([task]);
    expect(task.cancelled()).toBe(true);
  });

  it('cancel() in the same tick as an awaited task finishes: the value arrives and the cancel surfaces', async () => {
    const fut = new Future<string>();
    const inner = createTask(async () => fut);
    const received: string[] = [];
    const outer = createTask(async () => {
      received.push(await inner);
      await sleep(0);
    });
    await flushMicrotasks();
    fut.setResult('inner value');
    await flushMicrotasks();
    // inner is done (or about to be) now; cancel outer in the same tick as it resumes.
    outer.cancel();
    await Promise.allSettled([outer]);
    expect(await inner).toBe('inner value');
    expect(received).toEqual(['inner value']);
    expect(outer.cancelled()).toBe(true);
  });

  it('cancel() in the same tick the task was created never runs it', async () => {
    const fn = vi.fn(async () => {
      await sleep(0);
    });
    const task = createTask(fn);
    task.cancel();
    await Promise.allSettled([task]);
    expect(fn).not.toHaveBeenCalled();
    expect(task.cancelled()).toBe(true);
  });
});

describe('currentTask', () => {
  it('is undefined outside any task', () => {
    expect(currentTask()).toBeUndefined();
  });

  it('is the running task inside it, across awaits', async () => {
    const seen: unknown[] = [];
    const task = createTask(async () => {
      seen.push(currentTask());
      await sleep(0);
      seen.push(currentTask());
      await Promise.resolve();
      seen.push(currentTask());
    });
    await task;
    expect(seen).toEqual([task, task, task]);
  });

  it('is each task inside concurrent tasks', async () => {
    // Wrapped in an object: resolving with the task itself would adopt it and wait forever.
    const a = createTask(async () => {
      await sleep(1);
      return { seen: currentTask() };
    });
    const b = createTask(async () => {
      await sleep(0);
      return { seen: currentTask() };
    });
    const [seenA, seenB] = await Promise.all([a, b]);
    expect(seenA.seen).toBe(a);
    expect(seenB.seen).toBe(b);
  });

  it('is undefined again once the task finished', async () => {
    await createTask(() => sleep(0));
    expect(currentTask()).toBeUndefined();
  });

  it('is undefined inside a setTimeout callback set by a task that has finished', async () => {
    const fired = foreignPromise<Task<unknown> | undefined>();
    const task = createTask(() => {
      setTimeout(() => {
        fired.resolve(currentTask());
      }, 1);
      return 'finished';
    });
    expect(await task).toBe('finished');
    expect(await fired.promise).toBeUndefined();
  });
});

describe('allTasks', () => {
  it('contains pending tasks and not finished ones', async () => {
    const release = new Future<undefined>();
    const pending = createTask(async () => release);
    const finished = createTask(() => 1);
    await finished;
    await flushMicrotasks();
    const tasks = allTasks();
    expect(tasks.has(pending)).toBe(true);
    expect(tasks.has(finished)).toBe(false);
    release.setResult(undefined);
    await pending;
    expect(allTasks().has(pending)).toBe(false);
  });

  it('contains a task that has not started yet', async () => {
    const task = createTask(() => 1);
    expect(allTasks().has(task)).toBe(true);
    await task;
  });

  it('drops cancelled and failed tasks', async () => {
    const cancelled = createTask(() => sleep(60_000));
    const failed = createTask(() => Promise.reject(new Error('x')));
    await flushMicrotasks();
    cancelled.cancel();
    await Promise.allSettled([cancelled, failed]);
    expect(allTasks().has(cancelled)).toBe(false);
    expect(allTasks().has(failed)).toBe(false);
  });

  it('returns a new set each time', async () => {
    const task = createTask(() => 1);
    const tasks = allTasks();
    tasks.clear();
    expect(allTasks().has(task)).toBe(true);
    expect(allTasks()).not.toBe(allTasks());
    await task;
  });

  it('keeps a pending task with no other reference from being garbage-collected', () => {
    const child = spawnSync(
      process.execPath,
      [
        '--expose-gc',
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `
        const { Future, allTasks, createTask } = await import(${JSON.stringify(INDEX)});
        let collected = false;
        const registry = new FinalizationRegistry(() => { collected = true; });
        function start() {
          const task = createTask(async () => { await new Future(); }, { name: 'orphan' });
          registry.register(task, 'orphan');
        }
        start();
        for (let i = 0; i < 10; i++) {
          globalThis.gc();
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
        const names = [...allTasks()].map((t) => t.toString());
        console.log(JSON.stringify({ collected, names }));
        for (const t of allTasks()) t.cancel();
        `,
      ],
      { cwd: REPO, encoding: 'utf8', timeout: 15_000 },
    );
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual({
      collected: false,
      names: ['<Task name=orphan pending>'],
    });
  });
});

describe('Task repr', () => {
  it('renders a pending task with its name', async () => {
    const task = createTask(() => 1, { name: 'x' });
    expect(String(task)).toBe('<Task name=x pending>');
    await task;
  });

  it('renders a fulfilled task with its result', async () => {
    const task = createTask(() => 42, { name: 'x' });
    await task;
    expect(String(task)).toBe('<Task name=x fulfilled result=42>');
  });

  it('renders a failed task with its error', async () => {
    const task = createTask(() => Promise.reject(new RangeError('bad')), { name: 'x' });
    await Promise.allSettled([task]);
    expect(String(task)).toBe('<Task name=x failed error=RangeError: bad>');
  });

  it('renders a task asked to cancel but not done as cancelling', async () => {
    const foreign = foreignPromise<undefined>();
    const task = createTask(async () => foreign.promise, { name: 'x' });
    await flushMicrotasks();
    task.cancel();
    expect(String(task)).toBe('<Task name=x cancelling>');
    foreign.resolve(undefined);
    await Promise.allSettled([task]);
  });

  it('renders a cancelled task', async () => {
    const task = createTask(() => 1, { name: 'x' });
    task.cancel();
    await Promise.allSettled([task]);
    expect(String(task)).toBe('<Task name=x cancelled>');
  });

  it('renders the default name', async () => {
    const task = createTask(() => 1);
    expect(String(task)).toMatch(/^<Task name=Task-\d+ pending>$/);
    await task;
  });

  it('renders the same through util.inspect', async () => {
    const task = createTask(() => 42, { name: 'x' });
    expect(inspect(task)).toBe('<Task name=x pending>');
    await task;
    expect(inspect(task)).toBe('<Task name=x fulfilled result=42>');
  });
});
