import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { fakeTimers, flushMicrotasks } from '../test/helpers.js';
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  CancelledError,
  Future,
  Task,
  allTasks,
  createTask,
  currentTask,
  limiter,
  run,
  sleep,
} from './index.js';

/** Calls whose end the test decides: `limit(fns[i])` logs `i` and runs until `open(i)`. */
function gates(count: number): {
  log: number[];
  fns: (() => Promise<number>)[];
  open: (i: number) => void;
} {
  const log: number[] = [];
  const futures = Array.from({ length: count }, () => new Future<number>());
  return {
    log,
    fns: futures.map((future, i) => async () => {
      log.push(i);
      return await future;
    }),
    open: (i) => {
      futures[i]?.setResult(i);
    },
  };
}

describe('limiter', () => {
  it('runs at most `concurrency` calls at once and returns their results', async () => {
    using clock = fakeTimers();
    const limit = limiter(3);
    let running = 0;
    let most = 0;
    const calls = Array.from({ length: 20 }, (_, i) =>
      limit(async () => {
        most = Math.max(most, ++running);
        await sleep(10 + (i % 4) * 5);
        running--;
        return i;
      }),
    );
    await clock.runAll();
    expect(await Promise.all(calls)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(most).toBe(3);
  });

  it('returns a Task per call', async () => {
    const limit = limiter(1);
    const task = limit(() => 1);
    expect(task).toBeInstanceOf(Task);
    expect(await task).toBe(1);
  });

  it('starts calls in call order (concurrency 1 runs them one by one)', async () => {
    using clock = fakeTimers();
    const limit = limiter(1);
    const order: string[] = [];
    const call = (name: string, ms: number) =>
      limit(async () => {
        order.push(`start ${name}`);
        await sleep(ms);
        order.push(`end ${name}`);
        return name;
      });
    const calls = [call('a', 30), call('b', 20), call('c', 10)];
    await clock.advance(59);
    expect(calls[2]?.done()).toBe(false);
    await clock.advance(1);
    expect(await Promise.all(calls)).toEqual(['a', 'b', 'c']);
    expect(order).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('passes the extra arguments to fn', async () => {
    const limit = limiter(1);
    const symbol = Symbol('test');
    expect(await limit((a: symbol, b: number) => [a, b], symbol, 2)).toEqual([symbol, 2]);
  });

  it('calls a queued fn with its arguments, or none, and no this', async () => {
    const limit = limiter(1);
    function record(this: unknown, ...args: unknown[]): unknown[] {
      return [this, ...args];
    }
    const first = limit(record, 'a');
    const queuedWith = limit(record, 'b', 'c');
    const queuedWithout = limit(record);
    expect(await Promise.all([first, queuedWith, queuedWithout])).toEqual([
      [undefined, 'a'],
      [undefined, 'b', 'c'],
      [undefined],
    ]);
  });

  it('accepts a function that returns a plain value', async () => {
    const limit = limiter(1);
    expect(await limit(() => null)).toBe(null);
  });

  it('tracks activeCount and pendingCount as p-limit does', async () => {
    const limit = limiter(5);
    expect([limit.activeCount, limit.pendingCount]).toEqual([0, 0]);
    const first = gates(1);
    const one = limit(first.fns[0] as () => Promise<number>);
    expect([limit.activeCount, limit.pendingCount]).toEqual([1, 0]);
    first.open(0);
    await one;
    expect([limit.activeCount, limit.pendingCount]).toEqual([0, 0]);

    const { fns, open } = gates(8);
    const calls = fns.map((fn) => limit(fn));
    expect([limit.activeCount, limit.pendingCount]).toEqual([5, 3]);
    for (let i = 0; i < 5; i++) open(i);
    await Promise.all(calls.slice(0, 5));
    await flushMicrotasks();
    expect([limit.activeCount, limit.pendingCount]).toEqual([3, 0]);
    for (let i = 5; i < 8; i++) open(i);
    await Promise.all(calls);
    expect([limit.activeCount, limit.pendingCount]).toEqual([0, 0]);
  });

  it('hands a freed slot to the next queued call', async () => {
    const limit = limiter(2);
    const { log, fns, open } = gates(5);
    const calls = fns.map((fn) => limit(fn));
    await flushMicrotasks();
    expect(log).toEqual([0, 1]);
    open(1);
    await flushMicrotasks();
    expect(log).toEqual([0, 1, 2]);
    open(0);
    await flushMicrotasks();
    expect(log).toEqual([0, 1, 2, 3]);
    for (const i of [2, 3, 4]) open(i);
    expect(await Promise.all(calls)).toEqual([0, 1, 2, 3, 4]);
  });

  it('rejects with fn’s error and frees the slot', async () => {
    const limit = limiter(1);
    const boom = new Error('boom');
    const failing = limit(() => Promise.reject(boom));
    const next = limit(() => 'next');
    await expect(failing).rejects.toBe(boom);
    expect(await next).toBe('next');
    expect(limit.activeCount).toBe(0);
  });

  it('turns a synchronous throw in fn into a failed task and goes on', async () => {
    const limit = limiter(1);
    let ran = false;
    const throwing = limit(() => {
      throw new Error('sync');
    });
    const after = limit(() => {
      ran = true;
    });
    await expect(throwing).rejects.toThrow('sync');
    await after;
    expect(ran).toBe(true);
  });

  it('raising concurrency starts queued calls at once', async () => {
    const limit = limiter(2);
    const { log, fns, open } = gates(6);
    const calls = fns.map((fn) => limit(fn));
    await flushMicrotasks();
    expect(log).toEqual([0, 1]);
    limit.concurrency = 4;
    expect(limit.concurrency).toBe(4);
    expect([limit.activeCount, limit.pendingCount]).toEqual([4, 2]);
    await flushMicrotasks();
    expect(log).toEqual([0, 1, 2, 3]);
    for (let i = 0; i < 6; i++) open(i);
    await Promise.all(calls);
  });

  it('lowering concurrency lets running calls finish and starts fewer', async () => {
    using clock = fakeTimers();
    const limit = limiter(4);
    let running = 0;
    const seen: number[] = [];
    const calls = Array.from({ length: 10 }, () =>
      limit(async () => {
        seen.push(++running);
        await sleep(50);
        running--;
      }),
    );
    await flushMicrotasks();
    expect(running).toBe(4);
    limit.concurrency = 2;
    await clock.runAll();
    await Promise.all(calls);
    expect(seen).toEqual([1, 2, 3, 4, 2, 2, 2, 2, 2, 2]);
  });

  it('accepts Infinity and the { concurrency } form', async () => {
    const unlimited = limiter(Infinity);
    const { log, fns, open } = gates(50);
    const calls = fns.map((fn) => unlimited(fn));
    await flushMicrotasks();
    expect(log).toHaveLength(50);
    for (let i = 0; i < 50; i++) open(i);
    await Promise.all(calls);
    expect(limiter({ concurrency: 3 }).concurrency).toBe(3);
  });

  it('map() runs fn(item, index) through the limiter, results in input order', async () => {
    using clock = fakeTimers();
    const limit = limiter(2);
    let running = 0;
    let most = 0;
    const done = limit.map(new Set([30, 10, 20]), async (ms, index) => {
      most = Math.max(most, ++running);
      await sleep(ms);
      running--;
      return `${String(index)}:${String(ms)}`;
    });
    expect(done).toBeInstanceOf(Future);
    await clock.runAll();
    expect(await done).toEqual(['0:30', '1:10', '2:20']);
    expect(most).toBe(2);
  });

  it('map() rejects when the iterable throws; the calls already made still run', async () => {
    const limit = limiter(1);
    const ran: number[] = [];
    function* items(): Generator<number> {
      yield 1;
      yield 2;
      throw new Error('iteration failed');
    }
    const done = limit.map(items(), (n) => {
      ran.push(n);
      if (n === 2) throw new Error('not reported');
    });
    await expect(done).rejects.toThrow('iteration failed');
    await flushMicrotasks();
    expect(ran).toEqual([1, 2]);
  });

  it('clearQueue() ends the queued calls cancelled and keeps the running ones', async () => {
    const limit = limiter(1);
    const { log, fns, open } = gates(4);
    const calls = fns.map((fn) => limit(fn));
    await flushMicrotasks();
    expect(limit.pendingCount).toBe(3);
    limit.clearQueue();
    expect([limit.activeCount, limit.pendingCount]).toEqual([1, 0]);
    for (const call of calls.slice(1)) await expect(call).rejects.toBeInstanceOf(CancelledError);
    expect(calls.slice(1).every((call) => call.cancelled())).toBe(true);
    open(0);
    expect(await calls[0]).toBe(0);
    expect(log).toEqual([0]);
    expect(await limit(() => 'after')).toBe('after');
  });

  it('cancel() on a queued call removes it: no slot leaked, the others keep their order', async () => {
    const limit = limiter(1);
    const { log, fns, open } = gates(4);
    const calls = fns.map((fn) => limit(fn));
    await flushMicrotasks();
    expect(calls[1]?.cancel()).toBe(true);
    expect(limit.pendingCount).toBe(2);
    open(0);
    await flushMicrotasks();
    expect(log).toEqual([0, 2]);
    open(2);
    open(3);
    await expect(calls[1]).rejects.toBeInstanceOf(CancelledError);
    expect(await Promise.all([calls[0], calls[2], calls[3]])).toEqual([0, 2, 3]);
    expect(log).toEqual([0, 2, 3]);
    expect([limit.activeCount, limit.pendingCount]).toEqual([0, 0]);
  });

  it('cancel() in the same tick as the call: fn never runs', async () => {
    const limit = limiter(1);
    let ran = 0;
    const running = limit(() => ran++);
    const queued = limit(() => ran++);
    expect(queued.cancel()).toBe(true);
    expect(limit.pendingCount).toBe(0);
    const free = limiter(1);
    const holding = free(() => ran++);
    holding.cancel();
    expect(free.activeCount).toBe(1);
    await expect(queued).rejects.toBeInstanceOf(CancelledError);
    await expect(holding).rejects.toBeInstanceOf(CancelledError);
    expect(await running).toBe(0);
    expect(ran).toBe(1);
    expect([free.activeCount, free.pendingCount]).toEqual([0, 0]);
  });

  it('cancel() just after a queued call was handed its slot gives the slot on', async () => {
    const limit = limiter(1);
    const { log, fns, open } = gates(3);
    const calls = fns.map((fn) => limit(fn));
    await flushMicrotasks();
    open(0);
    // calls[0]'s task ends within these microtasks and hands its slot to calls[1]; cancel it
    // before its reaction runs.
    const handed = createTask(async () => {
      while (limit.pendingCount === 2) await Promise.resolve();
      calls[1]?.cancel();
    });
    await handed;
    open(2);
    await expect(calls[1]).rejects.toBeInstanceOf(CancelledError);
    expect(await calls[2]).toBe(2);
    expect(log).toEqual([0, 2]);
    expect([limit.activeCount, limit.pendingCount]).toEqual([0, 0]);
  });

  it('cancel() on a running call cancels its task at its next corio await', async () => {
    using clock = fakeTimers();
    const limit = limiter(1);
    let cleaned = false;
    const running = limit(async () => {
      try {
        await sleep(1000);
      } finally {
        cleaned = true;
      }
    });
    const next = limit(() => 'next');
    await flushMicrotasks();
    expect(running.cancel('stop')).toBe(true);
    await expect(running).rejects.toThrow(CancelledError);
    expect(cleaned).toBe(true);
    expect(await next).toBe('next');
    await clock.runAll();
  });

  it('a cancelled call that catches CancelledError keeps its slot until it returns', async () => {
    using clock = fakeTimers();
    const limit = limiter(1);
    const running = limit(async () => {
      try {
        await sleep(1000);
      } catch {
        await sleep(10);
        return 'caught';
      }
      return 'slept';
    });
    const next = limit(() => 'next');
    await flushMicrotasks();
    running.cancel();
    await clock.advance(5);
    expect([limit.activeCount, limit.pendingCount]).toEqual([1, 1]);
    await clock.advance(5);
    expect(await running).toBe('caught');
    expect(await next).toBe('next');
  });

  it('fn runs inside its own task', async () => {
    const limit = limiter(1);
    const task = limit(() => ({ current: currentTask() }));
    expect((await task).current).toBe(task);
    const queued = limit(async () => {
      await sleep(0);
      return { current: currentTask() };
    });
    expect((await queued).current).toBe(queued);
    expect(currentTask()).toBeUndefined();
  });

  it("a queued call starts in its caller's async context, not in the one of the call whose slot it takes", async () => {
    const request = new AsyncLocalStorage<string>();
    const limit = limiter(1);
    const { fns, open } = gates(1);
    const seen: (string | undefined)[] = [];
    const first = request.run('request A', () => limit(fns[0] as () => Promise<number>));
    const second = request.run('request B', () =>
      limit(() => {
        seen.push(request.getStore());
        return 2;
      }),
    );
    await flushMicrotasks();
    expect(seen).toEqual([]); // queued
    request.run('request C', () => {
      open(0); // the first call ends here, in request C's context
    });
    expect(await first).toBe(0);
    expect(await second).toBe(2);
    expect(seen).toEqual(['request B']);
  });

  it('a queued call is a pending task: allTasks() lists it, and run() cancels it at the end', async () => {
    const limit = limiter(1);
    const ran: number[] = [];
    let queued: Task<unknown> | undefined;
    await run(async () => {
      limit(() => sleep(60_000));
      queued = limit(() => {
        ran.push(2);
      });
      await sleep(0);
      expect(allTasks().has(queued)).toBe(true);
      expect(limit.pendingCount).toBe(1);
    });
    expect(queued?.cancelled()).toBe(true);
    expect(ran).toEqual([]);
    expect(limit.activeCount).toBe(0);
    expect(limit.pendingCount).toBe(0);
  });

  it('throws TypeError for a non-number and RangeError below 1 or for a fraction', () => {
    expect(() => limiter('x' as never)).toThrow(TypeError);
    expect(() => limiter(undefined as never)).toThrow(TypeError);
    expect(() => limiter(true as never)).toThrow(TypeError);
    expect(() => limiter({} as never)).toThrow(TypeError);
    expect(() => limiter(0)).toThrow(
      new RangeError(
        "Cannot create limiter: 'concurrency' must be an integer from 1 up or Infinity, received 0",
      ),
    );
    expect(() => limiter(-1)).toThrow(RangeError);
    expect(() => limiter(1.5)).toThrow(/'concurrency'.*received 1\.5/);
    expect(() => limiter(NaN)).toThrow(RangeError);
    expect(() => limiter({ concurrency: 0 })).toThrow(RangeError);
  });

  it('setting concurrency to a bad value throws like the constructor and changes nothing', () => {
    const limit = limiter(2);
    expect(() => {
      limit.concurrency = 0;
    }).toThrow(/Cannot set limiter concurrency: 'concurrency'.*received 0/);
    expect(() => {
      limit.concurrency = '3' as never;
    }).toThrow(TypeError);
    expect(limit.concurrency).toBe(2);
  });

  it('a call with something other than a function fails its task with a TypeError', async () => {
    const limit = limiter(1);
    await expect(limit(42 as never)).rejects.toThrow(
      new TypeError("limit: 'fn' must be a function, received 42"),
    );
    expect(limit.activeCount).toBe(0);
  });

  it('renders its state with toString() and inspect', async () => {
    const limit = limiter(1);
    expect(String(limit)).toBe('<limiter [active:0/1]>');
    const { fns, open } = gates(3);
    const calls = fns.map((fn) => limit(fn));
    expect(String(limit)).toBe('<limiter [active:1/1, pending:2]>');
    expect(inspect(limit)).toBe('<limiter [active:1/1, pending:2]>');
    for (let i = 0; i < 3; i++) open(i);
    await Promise.all(calls);
  });
});
