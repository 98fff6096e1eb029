import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { flushMicrotasks } from '../test/helpers.js';
import { BoundedSemaphore, CancelledError, Semaphore, createTask } from './index.js';

describe('BoundedSemaphore', () => {
  it('is a Semaphore: acquire() and release() move permits', async () => {
    const sem = new BoundedSemaphore(2);
    expect(sem).toBeInstanceOf(Semaphore);
    await sem.acquire();
    await sem.acquire();
    expect(sem.locked()).toBe(true);
    sem.release();
    sem.release();
    expect(sem.value).toBe(2);
  });

  it('defaults to one permit', () => {
    expect(new BoundedSemaphore().value).toBe(1);
  });

  it('release() hands the permit to a waiter in FIFO order', async () => {
    const sem = new BoundedSemaphore(1);
    await sem.acquire();
    const order: number[] = [];
    const waiters = [1, 2].map((n) =>
      createTask(async () => {
        await sem.acquire();
        order.push(n);
        sem.release();
      }),
    );
    await flushMicrotasks();
    sem.release();
    await Promise.all(waiters);
    expect(order).toEqual([1, 2]);
    expect(sem.value).toBe(1);
  });

  it('use() and guard() stay within the bound', async () => {
    const sem = new BoundedSemaphore(1);
    await sem.use(() => undefined);
    {
      await using _ = await sem.guard();
    }
    expect(sem.value).toBe(1);
  });

  it('a waiter cancelled in the tick of release() gives the permit back within the bound', async () => {
    const sem = new BoundedSemaphore(1);
    await sem.acquire();
    const task = createTask(() => sem.acquire());
    await flushMicrotasks();
    sem.release();
    task.cancel();
    await expect(task).rejects.toBeInstanceOf(CancelledError);
    expect(sem.value).toBe(1);
  });

  it('release() above the initial value throws RangeError naming the values and changes nothing', async () => {
    const sem = new BoundedSemaphore(2);
    await sem.acquire();
    sem.release();
    expect(() => {
      sem.release();
    }).toThrow(
      new RangeError(
        "Cannot call release() on <BoundedSemaphore [unlocked, value:2]>: 'value' would rise to 3, above its initial value 2",
      ),
    );
    expect(sem.value).toBe(2);
    const zero = new BoundedSemaphore(0);
    expect(() => {
      zero.release();
    }).toThrow(RangeError);
    expect(zero.value).toBe(0);
  });

  it('new BoundedSemaphore() throws RangeError naming a bad value', () => {
    expect(() => new BoundedSemaphore(-1)).toThrow(
      new RangeError(
        "Cannot create BoundedSemaphore: 'value' must be a non-negative integer, received -1",
      ),
    );
  });

  it('renders its state with toString() and inspect', async () => {
    const sem = new BoundedSemaphore(1);
    expect(String(sem)).toBe('<BoundedSemaphore [unlocked, value:1]>');
    await sem.acquire();
    const controller = new AbortController();
    const waiting = sem.acquire({ signal: controller.signal });
    expect(inspect(sem)).toBe('<BoundedSemaphore [locked, value:0, waiters:1]>');
    controller.abort();
    await expect(waiting).rejects.toBeDefined();
    sem.release();
  });
});
