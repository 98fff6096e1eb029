import { inspect } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { flushMicrotasks } from '../test/helpers.js';
import { CancelledError, InvalidStateError, Lock, createTask } from './index.js';
import type { Task } from './index.js';

/** A task that takes the lock, logs, and holds it until `release` is called. */
function holder(
  lock: Lock,
  name: string,
  log: string[],
): { task: Task<void>; release: () => void } {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const task = createTask(async () => {
    await lock.acquire();
    log.push(`${name} acquired`);
    await held;
    lock.release();
  });
  return {
    task,
    release: () => {
      release();
    },
  };
}

describe('Lock', () => {
  it('acquire() takes an unlocked lock at once and resolves to true', async () => {
    const lock = new Lock();
    expect(lock.locked()).toBe(false);
    const acquired = lock.acquire();
    expect(lock.locked()).toBe(true);
    expect(await acquired).toBe(true);
    lock.release();
    expect(lock.locked()).toBe(false);
  });

  it('acquire() waits while the lock is held and wakes waiters in FIFO order', async () => {
    const lock = new Lock();
    const log: string[] = [];
    const holders = ['a', 'b', 'c'].map((name) => holder(lock, name, log));
    await flushMicrotasks();
    expect(log).toEqual(['a acquired']);
    expect(lock.toString()).toBe('<Lock [locked, waiters:2]>');
    holders[0]?.release();
    await flushMicrotasks();
    expect(log).toEqual(['a acquired', 'b acquired']);
    holders[1]?.release();
    await flushMicrotasks();
    expect(log).toEqual(['a acquired', 'b acquired', 'c acquired']);
    holders[2]?.release();
    await Promise.all(holders.map((h) => h.task));
    expect(lock.locked()).toBe(false);
  });

  it('release() hands the lock to the first waiter: a newcomer in the same tick waits', async () => {
    const lock = new Lock();
    await lock.acquire();
    const order: string[] = [];
    const waiter = lock.acquire().then(() => order.push('waiter'));
    lock.release();
    expect(lock.locked()).toBe(true);
    const newcomer = lock.acquire().then(() => order.push('newcomer'));
    await flushMicrotasks();
    expect(order).toEqual(['waiter']);
    lock.release();
    await Promise.all([waiter, newcomer]);
    expect(order).toEqual(['waiter', 'newcomer']);
    lock.release();
    expect(lock.locked()).toBe(false);
  });

  it('use() releases the lock however fn ends', async () => {
    const lock = new Lock();
    expect(await lock.use(() => 'value')).toBe('value');
    expect(lock.locked()).toBe(false);
    const boom = new Error('boom');
    await expect(
      lock.use(() => {
        expect(lock.locked()).toBe(true);
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(lock.locked()).toBe(false);
  });

  it('guard() holds the lock for an await using scope and releases it once', async () => {
    const lock = new Lock();
    {
      await using _ = await lock.guard();
      expect(lock.locked()).toBe(true);
    }
    expect(lock.locked()).toBe(false);
    const guard = await lock.guard();
    guard[Symbol.dispose]();
    await guard[Symbol.asyncDispose]();
    expect(lock.locked()).toBe(false);
  });

  it('works outside any task', async () => {
    const lock = new Lock();
    await lock.acquire();
    const second = lock.acquire();
    lock.release();
    expect(await second).toBe(true);
    lock.release();
  });

  it('a cancelled waiter leaves the queue and the next one gets the lock', async () => {
    const lock = new Lock();
    const log: string[] = [];
    const a = holder(lock, 'a', log);
    const b = holder(lock, 'b', log);
    const c = holder(lock, 'c', log);
    await flushMicrotasks();
    b.task.cancel();
    await expect(b.task).rejects.toBeInstanceOf(CancelledError);
    expect(lock.toString()).toBe('<Lock [locked, waiters:1]>');
    a.release();
    await flushMicrotasks();
    expect(log).toEqual(['a acquired', 'c acquired']);
    c.release();
    await Promise.all([a.task, c.task]);
    expect(lock.locked()).toBe(false);
  });

  it('a waiter cancelled in the tick of release() passes the lock on', async () => {
    const lock = new Lock();
    await lock.acquire();
    const log: string[] = [];
    const b = holder(lock, 'b', log);
    const c = holder(lock, 'c', log);
    await flushMicrotasks();
    lock.release(); // hands the lock to b...
    b.task.cancel(); // ...which is cancelled before it resumes
    await expect(b.task).rejects.toBeInstanceOf(CancelledError);
    await flushMicrotasks();
    expect(log).toEqual(['c acquired']);
    c.release();
    await c.task;
    expect(lock.locked()).toBe(false);
  });

  it('a lone waiter cancelled in the tick of release() leaves the lock unlocked', async () => {
    const lock = new Lock();
    await lock.acquire();
    const log: string[] = [];
    const b = holder(lock, 'b', log);
    await flushMicrotasks();
    lock.release();
    b.task.cancel();
    await expect(b.task).rejects.toBeInstanceOf(CancelledError);
    expect(log).toEqual([]);
    expect(lock.locked()).toBe(false);
  });

  it('a cancel requested before acquire() waits is delivered there', async () => {
    const lock = new Lock();
    await lock.acquire();
    const task = createTask(async () => {
      task.cancel();
      await lock.acquire();
    });
    await expect(task).rejects.toBeInstanceOf(CancelledError);
    expect(lock.toString()).toBe('<Lock [locked]>');
    lock.release();
  });

  it('acquire({ signal }) rejects with the reason on abort and leaves the queue', async () => {
    const lock = new Lock();
    await lock.acquire();
    const controller = new AbortController();
    const waiter = lock.acquire({ signal: controller.signal });
    expect(lock.toString()).toBe('<Lock [locked, waiters:1]>');
    const reason = new Error('gave up');
    controller.abort(reason);
    await expect(waiter).rejects.toBe(reason);
    expect(lock.toString()).toBe('<Lock [locked]>');
    lock.release();
    expect(lock.locked()).toBe(false);
  });

  it('use(fn, { signal }) with an aborted signal rejects without running fn or taking the permit', async () => {
    const prim = new Lock();
    const reason = new Error('already');
    const fn = vi.fn(() => 'ran');
    await expect(prim.use(fn, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(fn).not.toHaveBeenCalled();
    expect(prim.locked()).toBe(false);
  });

  it('acquire({ signal }) with an aborted signal rejects even when the lock is free', async () => {
    const lock = new Lock();
    const reason = new Error('already');
    await expect(lock.acquire({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(lock.locked()).toBe(false);
  });

  it('acquire({ signal }) with an aborted signal rejects without queueing', async () => {
    const lock = new Lock();
    await lock.acquire();
    const reason = new Error('already');
    await expect(lock.acquire({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(lock.toString()).toBe('<Lock [locked]>');
    lock.release();
  });

  it('an abort after the hand-off does not take the lock back', async () => {
    const lock = new Lock();
    await lock.acquire();
    const controller = new AbortController();
    const waiter = lock.acquire({ signal: controller.signal });
    lock.release();
    controller.abort();
    expect(await waiter).toBe(true);
    expect(lock.locked()).toBe(true);
    lock.release();
  });

  it('release() of an unlocked lock throws InvalidStateError and changes nothing', () => {
    const lock = new Lock();
    expect(() => {
      lock.release();
    }).toThrow(
      new InvalidStateError('Cannot call release() on <Lock [unlocked]>: it is not locked'),
    );
    expect(lock.locked()).toBe(false);
  });

  it('renders its state with toString() and inspect', async () => {
    const lock = new Lock();
    expect(String(lock)).toBe('<Lock [unlocked]>');
    await lock.acquire();
    expect(inspect(lock)).toBe('<Lock [locked]>');
    const controller = new AbortController();
    const waiting = [1, 2].map(() => lock.acquire({ signal: controller.signal }));
    expect(inspect(lock)).toBe('<Lock [locked, waiters:2]>');
    controller.abort();
    await Promise.allSettled(waiting);
    lock.release();
  });
});
