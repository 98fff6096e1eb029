import { inspect } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { flushMicrotasks } from '../test/helpers.js';
import { CancelledError, Semaphore, createTask } from './index.js';
import type { Task } from './index.js';

/** A task that takes a permit, logs, and holds it until `release` is called. */
function holder(
  sem: Semaphore,
  name: string,
  log: string[],
): { task: Task<void>; release: () => void } {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const task = createTask(async () => {
    await sem.acquire();
    log.push(`${name} acquired`);
    await held;
    sem.release();
  });
  return {
    task,
    release: () => {
      release();
    },
  };
}

describe('Semaphore', () => {
  it('acquire() takes permits at once while there are some and resolves to true', async () => {
    const sem = new Semaphore(2);
    expect(await sem.acquire()).toBe(true);
    expect(sem.value).toBe(1);
    expect(sem.locked()).toBe(false);
    await sem.acquire();
    expect(sem.value).toBe(0);
    expect(sem.locked()).toBe(true);
    sem.release();
    sem.release();
    expect(sem.value).toBe(2);
  });

  it('defaults to one permit', () => {
    expect(new Semaphore().value).toBe(1);
  });

  it('acquire() waits while there is no permit and wakes waiters in FIFO order', async () => {
    const sem = new Semaphore(2);
    const log: string[] = [];
    const holders = ['a', 'b', 'c', 'd'].map((name) => holder(sem, name, log));
    await flushMicrotasks();
    expect(log).toEqual(['a acquired', 'b acquired']);
    expect(sem.toString()).toBe('<Semaphore [locked, value:0, waiters:2]>');
    holders[1]?.release();
    await flushMicrotasks();
    expect(log).toEqual(['a acquired', 'b acquired', 'c acquired']);
    holders[0]?.release();
    await flushMicrotasks();
    expect(log.at(-1)).toBe('d acquired');
    holders[2]?.release();
    holders[3]?.release();
    await Promise.all(holders.map((h) => h.task));
    expect(sem.value).toBe(2);
  });

  it('release() hands the permit to the first waiter: a newcomer in the same tick waits', async () => {
    const sem = new Semaphore(1);
    await sem.acquire();
    const order: string[] = [];
    const waiter = sem.acquire().then(() => order.push('waiter'));
    sem.release();
    expect(sem.value).toBe(0);
    const newcomer = sem.acquire().then(() => order.push('newcomer'));
    await flushMicrotasks();
    expect(order).toEqual(['waiter']);
    sem.release();
    await Promise.all([waiter, newcomer]);
    expect(order).toEqual(['waiter', 'newcomer']);
    sem.release();
    expect(sem.value).toBe(1);
  });

  it('release() without an acquire() adds a permit (it is unbounded)', () => {
    const sem = new Semaphore(0);
    sem.release();
    expect(sem.value).toBe(1);
  });

  it('use() gives the permit back however fn ends', async () => {
    const sem = new Semaphore(1);
    expect(await sem.use(() => 'value')).toBe('value');
    const boom = new Error('boom');
    await expect(
      sem.use(() => {
        expect(sem.value).toBe(0);
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(sem.value).toBe(1);
  });

  it('guard() holds a permit for an await using scope and gives it back once', async () => {
    const sem = new Semaphore(1);
    {
      await using _ = await sem.guard();
      expect(sem.value).toBe(0);
    }
    expect(sem.value).toBe(1);
    const guard = await sem.guard();
    guard[Symbol.dispose]();
    await guard[Symbol.asyncDispose]();
    expect(sem.value).toBe(1);
  });

  it('a cancelled waiter leaves the queue and the next one gets the permit', async () => {
    const sem = new Semaphore(1);
    const log: string[] = [];
    const a = holder(sem, 'a', log);
    const b = holder(sem, 'b', log);
    const c = holder(sem, 'c', log);
    await flushMicrotasks();
    b.task.cancel();
    await expect(b.task).rejects.toBeInstanceOf(CancelledError);
    expect(sem.toString()).toBe('<Semaphore [locked, value:0, waiters:1]>');
    a.release();
    await flushMicrotasks();
    expect(log).toEqual(['a acquired', 'c acquired']);
    c.release();
    await Promise.all([a.task, c.task]);
    expect(sem.value).toBe(1);
  });

  it('a waiter cancelled in the tick of release() passes the permit on', async () => {
    const sem = new Semaphore(1);
    await sem.acquire();
    const log: string[] = [];
    const b = holder(sem, 'b', log);
    const c = holder(sem, 'c', log);
    await flushMicrotasks();
    sem.release();
    b.task.cancel();
    await expect(b.task).rejects.toBeInstanceOf(CancelledError);
    await flushMicrotasks();
    expect(log).toEqual(['c acquired']);
    c.release();
    await c.task;
    expect(sem.value).toBe(1);
  });

  it('a lone waiter cancelled in the tick of release() returns the permit to the counter', async () => {
    const sem = new Semaphore(1);
    await sem.acquire();
    const b = holder(sem, 'b', []);
    await flushMicrotasks();
    sem.release();
    b.task.cancel();
    await expect(b.task).rejects.toBeInstanceOf(CancelledError);
    expect(sem.value).toBe(1);
  });

  it('acquire({ signal }) rejects with the reason on abort and leaves the queue', async () => {
    const sem = new Semaphore(0);
    const controller = new AbortController();
    const waiter = sem.acquire({ signal: controller.signal });
    const other = sem.acquire();
    const reason = new Error('gave up');
    controller.abort(reason);
    await expect(waiter).rejects.toBe(reason);
    expect(sem.toString()).toBe('<Semaphore [locked, value:0, waiters:1]>');
    sem.release();
    expect(await other).toBe(true);
    expect(sem.value).toBe(0);
  });

  it('use(fn, { signal }) with an aborted signal rejects without running fn or taking the permit', async () => {
    const prim = new Semaphore(1);
    const reason = new Error('already');
    const fn = vi.fn(() => 'ran');
    await expect(prim.use(fn, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(fn).not.toHaveBeenCalled();
    expect(prim.value).toBe(1);
  });

  it('acquire({ signal }) with an aborted signal rejects even when a permit is free', async () => {
    const sem = new Semaphore(1);
    const reason = new Error('already');
    await expect(sem.acquire({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(sem.toString()).toBe('<Semaphore [unlocked, value:1]>');
  });

  it('acquire({ signal }) with an aborted signal rejects without queueing', async () => {
    const sem = new Semaphore(0);
    const reason = new Error('already');
    await expect(sem.acquire({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(sem.toString()).toBe('<Semaphore [locked, value:0]>');
  });

  it('new Semaphore() throws RangeError naming a bad value', () => {
    expect(() => new Semaphore(-1)).toThrow(
      new RangeError(
        "Cannot create Semaphore: 'value' must be a non-negative integer, received -1",
      ),
    );
    expect(() => new Semaphore(1.5)).toThrow(RangeError);
    expect(() => new Semaphore(NaN)).toThrow(RangeError);
    expect(() => new Semaphore('2' as unknown as number)).toThrow(
      new RangeError(
        'Cannot create Semaphore: \'value\' must be a non-negative integer, received "2"',
      ),
    );
  });

  it('renders its state with toString() and inspect', async () => {
    const sem = new Semaphore(1);
    expect(String(sem)).toBe('<Semaphore [unlocked, value:1]>');
    await sem.acquire();
    expect(inspect(sem)).toBe('<Semaphore [locked, value:0]>');
    const controller = new AbortController();
    const waiting = [1, 2].map(() => sem.acquire({ signal: controller.signal }));
    expect(inspect(sem)).toBe('<Semaphore [locked, value:0, waiters:2]>');
    controller.abort();
    await Promise.allSettled(waiting);
    sem.release();
  });
});
