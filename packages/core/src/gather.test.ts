import { describe, expect, it, vi } from 'vitest';
import { fakeTimers, flushMicrotasks } from '../test/helpers.js';
import {
  CancelledError,
  Future,
  Task,
  allTasks,
  createTask,
  currentTask,
  gather,
  run,
  sleep,
} from './index.js';

/** A task that sleeps `ms`, then spends `cleanupMs` in a `finally` block when interrupted. */
function slowToCancel(ms: number, cleanupMs: number, log: string[], name: string): Task<string> {
  return createTask(async () => {
    try {
      await sleep(ms);
      return name;
    } catch (error) {
      log.push(`${name} cancelled`);
      await sleep(cleanupMs);
      log.push(`${name} cleaned up`);
      throw error;
    }
  });
}

describe('gather', () => {
  it('returns results in input order, not completion order', async () => {
    using clock = fakeTimers();
    const outer = gather([sleep(30, 'slow'), sleep(10, 'fast'), sleep(20, 'middle')]);
    await clock.advance(30);
    expect(outer.done()).toBe(true);
    expect(await outer).toEqual(['slow', 'fast', 'middle']);
  });

  it('starts functions as tasks and follows promises', async () => {
    const seen: (Task<unknown> | undefined)[] = [];
    const outer = gather([
      () => {
        seen.push(currentTask());
        return 1;
      },
      Promise.resolve(2),
      async () => {
        seen.push(currentTask());
        await sleep(0);
        return 3;
      },
    ]);
    expect(seen, 'functions never run synchronously inside gather').toEqual([]);
    expect(await outer).toEqual([1, 2, 3]);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBeInstanceOf(Task);
    expect(seen[1]).toBeInstanceOf(Task);
    expect(seen[0]).not.toBe(seen[1]);
  });

  it('accepts tasks and futures as they are', async () => {
    const fut = new Future<string>();
    const task = createTask(() => 'task');
    const outer = gather([fut, task]);
    fut.setResult('future');
    expect(await outer).toEqual(['future', 'task']);
  });

  it('accepts any iterable', async () => {
    function* items(): Generator<Promise<number>> {
      yield Promise.resolve(1);
      yield Promise.resolve(2);
    }
    expect(await gather(items())).toEqual([1, 2]);
    expect(await gather(new Set([Promise.resolve('a')]))).toEqual(['a']);
  });

  it('resolves an empty input to an empty array at once', async () => {
    const outer = gather([]);
    expect(outer.done()).toBe(true);
    expect(await outer).toEqual([]);
    expect(await gather([], { returnExceptions: true })).toEqual([]);
  });

  it('gives the same result twice for a repeated awaitable', async () => {
    const fut = new Future<number>();
    const outer = gather([fut, fut]);
    fut.setResult(7);
    expect(await outer).toEqual([7, 7]);
  });

  it('rejects with the first failure and leaves the other children running', async () => {
    using clock = fakeTimers();
    const boom = new Error('boom');
    const slow = createTask(() => sleep(50, 'slow'));
    const failing = createTask(async () => {
      await sleep(10);
      throw boom;
    });
    const outer = gather([slow, failing]);
    const outcome = outer.then(
      () => 'resolved',
      (error: unknown) => error,
    );
    await clock.advance(10);
    expect(await outcome).toBe(boom);
    expect(slow.done()).toBe(false);
    expect(slow.cancelled()).toBe(false);
    await clock.advance(40);
    expect(slow.result()).toBe('slow');
    expect(outer.exception()).toBe(boom);
  });

  it('rejects with CancelledError when a child is cancelled by someone else', async () => {
    const a = new Future<number>();
    const b = new Future<number>();
    const outer = gather([a, b]);
    b.cancel('child gone');
    expect(outer.done()).toBe(true);
    expect(outer.cancelled()).toBe(false);
    const error = await outer.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as CancelledError).message).toBe('child gone');
    expect(a.done()).toBe(false);
    a.cancel();
  });

  it('returns errors and CancelledErrors in place with returnExceptions', async () => {
    const boom = new Error('boom');
    const cancelled = createTask(() => sleep(1_000));
    const outer = gather([Promise.resolve('ok'), Promise.reject(boom), cancelled, () => 'fn'], {
      returnExceptions: true,
    });
    await sleep(0);
    cancelled.cancel('stop');
    const results = await outer;
    expect(results[0]).toBe('ok');
    expect(results[1]).toBe(boom);
    expect(results[2]).toBeInstanceOf(CancelledError);
    expect((results[2] as CancelledError).message).toBe('stop');
    expect(results[3]).toBe('fn');
  });

  it('waits for every child with returnExceptions even after a failure', async () => {
    using clock = fakeTimers();
    const boom = new Error('boom');
    const outer = gather([Promise.reject(boom), sleep(20, 'late')], { returnExceptions: true });
    await clock.advance(10);
    expect(outer.done()).toBe(false);
    await clock.advance(10);
    const [first, second] = await outer;
    expect(first).toBe(boom);
    expect(second).toBe('late');
  });

  it('does not report later failures as never retrieved once it has failed', async () => {
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      errors.push(args.map(String).join(' '));
    });
    try {
      await run(async () => {
        const first = new Future<number>();
        const second = new Future<number>();
        const outer = gather([first, second]);
        first.setException(new Error('first failure'));
        await expect(outer).rejects.toThrow('first failure');
        second.setException(new Error('second failure'));
        await sleep(0);
        expect(second.done()).toBe(true);
      });
    } finally {
      spy.mockRestore();
    }
    expect(errors.filter((e) => e.includes('second failure'))).toEqual([]);
  });

  it('cancel() cancels every child and ends cancelled once they have all finished', async () => {
    using clock = fakeTimers();
    const log: string[] = [];
    const a = slowToCancel(1_000, 10, log, 'a');
    const b = slowToCancel(1_000, 20, log, 'b');
    const outer = gather([a, b]);
    await clock.advance(1);
    expect(outer.cancel()).toBe(true);
    await flushMicrotasks();
    expect(log).toEqual(['a cancelled', 'b cancelled']);
    expect(outer.done()).toBe(false);
    await clock.advance(10);
    expect(a.cancelled()).toBe(true);
    expect(outer.done(), 'still waiting for b').toBe(false);
    await clock.advance(10);
    expect(b.cancelled()).toBe(true);
    expect(outer.cancelled()).toBe(true);
    await expect(outer).rejects.toBeInstanceOf(CancelledError);
  });

  it('cancel() on a gather of plain futures ends cancelled at once', async () => {
    const a = new Future<number>();
    const b = new Future<number>();
    const outer = gather([a, b]);
    expect(outer.cancel('enough')).toBe(true);
    expect(a.cancelled() && b.cancelled()).toBe(true);
    expect(outer.cancelled()).toBe(true);
    await expect(outer).rejects.toThrow(new CancelledError('enough'));
  });

  it('cancel() with returnExceptions also ends cancelled once the children finish', async () => {
    using clock = fakeTimers();
    const log: string[] = [];
    const a = slowToCancel(1_000, 10, log, 'a');
    const outer = gather([a, sleep(1_000)], { returnExceptions: true });
    await clock.advance(1);
    outer.cancel();
    await flushMicrotasks();
    expect(outer.done()).toBe(false);
    await clock.advance(10);
    expect(outer.cancelled()).toBe(true);
    await expect(outer).rejects.toBeInstanceOf(CancelledError);
  });

  it('cancel() returns false once done, and when no child could be cancelled', async () => {
    const outer = gather([Promise.resolve(1)]);
    await outer;
    expect(outer.cancel()).toBe(false);
    expect(gather([]).cancel()).toBe(false);
  });

  it('cancelling a task awaiting it cancels every child', async () => {
    using clock = fakeTimers();
    const a = createTask(() => sleep(1_000));
    const b = createTask(() => sleep(1_000));
    let outer: Future<unknown> | undefined;
    const caller = createTask(async () => {
      outer = gather([a, b]);
      await outer;
    });
    await clock.advance(1);
    caller.cancel();
    await expect(caller).rejects.toBeInstanceOf(CancelledError);
    expect(caller.cancelled()).toBe(true);
    await flushMicrotasks();
    expect(a.cancelled()).toBe(true);
    expect(b.cancelled()).toBe(true);
    expect(outer?.cancelled()).toBe(true);
  });

  it('rejects with a TypeError naming the bad element and starts no task', async () => {
    const fn = vi.fn(() => 1);
    const outer = gather([fn, 42 as unknown as Promise<number>]);
    expect(allTasks().size).toBe(0);
    await expect(outer).rejects.toThrow(TypeError);
    await expect(outer).rejects.toThrow(/'aws\[1\]'.*received 42/);
    await flushMicrotasks();
    expect(fn).not.toHaveBeenCalled();
    expect(allTasks().size).toBe(0);
  });

  it('checks a generator whole too: a TypeError naming its bad element, no task started', async () => {
    const fn = vi.fn(() => 1);
    function* items(): Generator {
      yield fn;
      yield Promise.resolve(1);
      yield 'not awaitable';
    }
    const outer = gather(items() as Iterable<Promise<number>>);
    await expect(outer).rejects.toThrow(/^gather: 'aws\[2\]'.*received "not awaitable"$/);
    await flushMicrotasks();
    expect(fn).not.toHaveBeenCalled();
    expect(allTasks().size).toBe(0);
  });

  it('rejects with a TypeError for a non-iterable, never throwing synchronously', async () => {
    const outer = gather(5 as unknown as Iterable<Promise<number>>);
    await expect(outer).rejects.toThrow(TypeError);
    await expect(outer).rejects.toThrow(/'aws'.*received 5/);
  });

  it('renders its state', async () => {
    const fut = new Future<number>();
    const outer = gather([fut]);
    expect(String(outer)).toMatch(/pending/);
    fut.setResult(1);
    await outer;
    expect(String(outer)).toMatch(/fulfilled result=\[array\]/);
  });
});
