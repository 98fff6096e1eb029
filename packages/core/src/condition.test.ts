import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { flushMicrotasks } from '../test/helpers.js';
import { CancelledError, Condition, Future, InvalidStateError, Lock, createTask } from './index.js';
import type { Task } from './index.js';

/** A task that waits on `cond` once, holding the lock around it, and logs how wait() ended. */
function waiter(cond: Condition, name: string, log: string[], signal?: AbortSignal): Task<void> {
  return createTask(async () => {
    await cond.acquire();
    try {
      await cond.wait({ signal });
      log.push(`${name} woke, locked=${String(cond.locked())}`);
    } catch (error) {
      log.push(`${name} ${(error as Error).name}, locked=${String(cond.locked())}`);
      throw error;
    } finally {
      cond.release();
    }
  });
}

describe('Condition', () => {
  it('wait() releases the lock, waits for notify(), and takes the lock back', async () => {
    const cond = new Condition();
    const log: string[] = [];
    const task = waiter(cond, 'a', log);
    await flushMicrotasks();
    expect(cond.toString()).toBe('<Condition [unlocked, waiters:1]>');
    await cond.acquire();
    cond.notify();
    await flushMicrotasks();
    // Notified, but the notifier still holds the lock.
    expect(log).toEqual([]);
    cond.release();
    await task;
    expect(log).toEqual(['a woke, locked=true']);
    expect(cond.locked()).toBe(false);
  });

  it('wait() resolves to true', async () => {
    const cond = new Condition();
    const task = createTask(() => cond.use(() => cond.wait()));
    await flushMicrotasks();
    await cond.use(() => {
      cond.notify();
    });
    expect(await task).toBe(true);
  });

  it('notify(n) wakes n waiters in FIFO order; notifyAll() wakes the rest', async () => {
    const cond = new Condition();
    const log: string[] = [];
    const tasks = ['a', 'b', 'c', 'd'].map((name) => waiter(cond, name, log));
    await flushMicrotasks();
    await cond.use(() => {
      cond.notify(2);
    });
    await flushMicrotasks();
    expect(log).toEqual(['a woke, locked=true', 'b woke, locked=true']);
    await cond.use(() => {
      cond.notify(0);
    });
    await flushMicrotasks();
    expect(log).toHaveLength(2);
    await cond.use(() => {
      cond.notifyAll();
    });
    await Promise.all(tasks);
    expect(log.slice(2)).toEqual(['c woke, locked=true', 'd woke, locked=true']);
  });

  it('notify() with no waiters does nothing; notify(Infinity) wakes everyone', async () => {
    const cond = new Condition();
    await cond.acquire();
    cond.notify();
    cond.release();
    const log: string[] = [];
    const tasks = ['a', 'b'].map((name) => waiter(cond, name, log));
    await flushMicrotasks();
    await cond.use(() => {
      cond.notify(Infinity);
    });
    await Promise.all(tasks);
    expect(log).toHaveLength(2);
  });

  it('waitFor() waits until the predicate is truthy and returns its value', async () => {
    const cond = new Condition();
    const items: number[] = [];
    let checks = 0;
    const consumer = createTask(() =>
      cond.use(() =>
        cond.waitFor(() => {
          checks++;
          return items.length >= 2 && items.slice();
        }),
      ),
    );
    await flushMicrotasks();
    for (const item of [1, 2]) {
      await cond.use(() => {
        items.push(item);
        cond.notifyAll();
      });
      await flushMicrotasks();
    }
    expect(await consumer).toEqual([1, 2]);
    expect(checks).toBe(3);
  });

  it('waitFor() returns at once when the predicate already holds', async () => {
    const cond = new Condition();
    await cond.acquire();
    expect(await cond.waitFor(() => 'ready')).toBe('ready');
    expect(cond.locked()).toBe(true);
    cond.release();
  });

  it('uses the lock it is given', async () => {
    const lock = new Lock();
    const cond = new Condition(lock);
    await lock.acquire();
    expect(cond.locked()).toBe(true);
    cond.release();
    expect(lock.locked()).toBe(false);
  });

  it('use() and guard() hold the underlying lock', async () => {
    const cond = new Condition();
    expect(await cond.use(() => cond.locked())).toBe(true);
    expect(cond.locked()).toBe(false);
    {
      await using _ = await cond.guard();
      expect(cond.locked()).toBe(true);
    }
    expect(cond.locked()).toBe(false);
  });

  it('a cancelled wait() takes the lock back before CancelledError leaves it', async () => {
    const cond = new Condition();
    const log: string[] = [];
    const task = waiter(cond, 'a', log);
    await flushMicrotasks();
    await cond.acquire();
    task.cancel();
    await flushMicrotasks();
    // The CancelledError waits for the lock.
    expect(log).toEqual([]);
    expect(cond.toString()).toBe('<Condition [locked]>');
    cond.release();
    await expect(task).rejects.toBeInstanceOf(CancelledError);
    expect(log).toEqual(['a CancelledError, locked=true']);
    expect(cond.locked()).toBe(false);
  });

  it('a wait() in a callback a task set up is cancelled with the task, the lock taken back', async () => {
    const cond = new Condition();
    const log: string[] = [];
    let waiting: Promise<true> | undefined;
    const task = createTask(async () => {
      await new Promise<void>((resolve) => {
        setImmediate(() => {
          waiting = (async () => {
            await cond.acquire();
            try {
              return await cond.wait();
            } finally {
              log.push(`callback's wait() ended, locked=${String(cond.locked())}`);
              cond.release();
            }
          })();
          resolve();
        });
      });
      await new Future(); // holds the task open until it is cancelled
    });
    await flushMicrotasks(); // the task has started and set up its callback
    await new Promise((resolve) => setImmediate(resolve));
    await flushMicrotasks();
    expect(cond.toString()).toBe('<Condition [unlocked, waiters:1]>');
    const b = waiter(cond, 'b', log);
    await flushMicrotasks();
    task.cancel();
    await expect(waiting).rejects.toBeInstanceOf(CancelledError);
    await expect(task).rejects.toBeInstanceOf(CancelledError);
    // b's notification is b's alone: the cancelled wait took none.
    await cond.acquire();
    cond.notify();
    cond.release();
    await b;
    expect(log).toEqual(["callback's wait() ended, locked=true", 'b woke, locked=true']);
    expect(cond.toString()).toBe('<Condition [unlocked]>');
  });

  it('a waiter cancelled in the tick of notify() passes the notification on', async () => {
    const cond = new Condition();
    const log: string[] = [];
    const a = waiter(cond, 'a', log);
    const b = waiter(cond, 'b', log);
    await flushMicrotasks();
    await cond.acquire();
    cond.notify();
    a.cancel();
    cond.release();
    await expect(a).rejects.toBeInstanceOf(CancelledError);
    await b;
    expect(log).toEqual(['a CancelledError, locked=true', 'b woke, locked=true']);
    expect(cond.toString()).toBe('<Condition [unlocked]>');
  });

  it('a waiter cancelled after notify() and release() in one tick throws and passes the notification on', async () => {
    const cond = new Condition();
    const log: string[] = [];
    const a = waiter(cond, 'a', log);
    const b = waiter(cond, 'b', log);
    await flushMicrotasks();
    await cond.acquire();
    cond.notify();
    cond.release();
    a.cancel(); // the lock is free: only the check on resume can deliver this cancel now
    await expect(a).rejects.toBeInstanceOf(CancelledError);
    await b;
    expect(log).toEqual(['a CancelledError, locked=true', 'b woke, locked=true']);
  });

  it('a notified waiter cancelled while taking the lock back keeps trying, then passes the notification on', async () => {
    const cond = new Condition();
    const log: string[] = [];
    const a = waiter(cond, 'a', log);
    const b = waiter(cond, 'b', log);
    await flushMicrotasks();
    await cond.acquire();
    cond.notify();
    await flushMicrotasks();
    // a is notified and queued for the lock; b still waits for a notification.
    expect(cond.toString()).toBe('<Condition [locked, waiters:1]>');
    a.cancel();
    await flushMicrotasks();
    expect(log).toEqual([]);
    cond.release();
    await expect(a).rejects.toBeInstanceOf(CancelledError);
    await b;
    expect(log).toEqual(['a CancelledError, locked=true', 'b woke, locked=true']);
  });

  it('a waiter cancelled before any notify() does not wake another one', async () => {
    const cond = new Condition();
    const log: string[] = [];
    const a = waiter(cond, 'a', log);
    const b = waiter(cond, 'b', log);
    await flushMicrotasks();
    a.cancel();
    await expect(a).rejects.toBeInstanceOf(CancelledError);
    await flushMicrotasks();
    expect(log).toEqual(['a CancelledError, locked=true']);
    expect(cond.toString()).toBe('<Condition [unlocked, waiters:1]>');
    await cond.use(() => {
      cond.notify();
    });
    await b;
  });

  it('wait({ signal }) takes the lock back, then rejects with the reason', async () => {
    const cond = new Condition();
    const log: string[] = [];
    const controller = new AbortController();
    const task = waiter(cond, 'a', log, controller.signal);
    await flushMicrotasks();
    await cond.acquire();
    const reason = new Error('gave up');
    reason.name = 'GaveUp';
    controller.abort(reason);
    await flushMicrotasks();
    expect(log).toEqual([]);
    expect(cond.toString()).toBe('<Condition [locked]>');
    cond.release();
    await expect(task).rejects.toBe(reason);
    expect(log).toEqual(['a GaveUp, locked=true']);
  });

  it('wait({ signal }) outside any task rejects holding the lock again', async () => {
    const cond = new Condition();
    await cond.acquire();
    const controller = new AbortController();
    const waiting = cond.wait({ signal: controller.signal });
    expect(cond.toString()).toBe('<Condition [unlocked, waiters:1]>');
    const reason = new Error('gave up');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(cond.toString()).toBe('<Condition [locked]>');
    cond.release();
  });

  it('wait({ signal }) with an aborted signal rejects without releasing the lock', async () => {
    const cond = new Condition();
    await cond.acquire();
    const other = cond.acquire();
    const reason = new Error('already');
    await expect(cond.wait({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(cond.toString()).toBe('<Condition [locked]>');
    cond.release();
    await other;
    cond.release();
  });

  it('an abort after the notification is too late: wait() returns true', async () => {
    const cond = new Condition();
    await cond.acquire();
    const controller = new AbortController();
    const waiting = cond.wait({ signal: controller.signal });
    await cond.acquire();
    cond.notify();
    controller.abort();
    cond.release();
    expect(await waiting).toBe(true);
    expect(cond.locked()).toBe(true);
    cond.release();
  });

  it('wait(), waitFor() that must wait, notify() and notifyAll() without the lock throw InvalidStateError', async () => {
    const cond = new Condition();
    const message = (method: string): string =>
      `Cannot call ${method}() on <Condition [unlocked]>: the lock is not acquired`;
    await expect(cond.wait()).rejects.toThrow(new InvalidStateError(message('wait')));
    await expect(cond.waitFor(() => false)).rejects.toThrow(
      new InvalidStateError(message('waitFor')),
    );
    expect(() => {
      cond.notify();
    }).toThrow(new InvalidStateError(message('notify')));
    expect(() => {
      cond.notifyAll();
    }).toThrow(new InvalidStateError(message('notifyAll')));
    expect(() => {
      cond.release();
    }).toThrow(InvalidStateError);
  });

  it('waitFor() with a predicate already true returns its value without the lock, as asyncio does', async () => {
    const cond = new Condition();
    expect(await cond.waitFor(() => 'ready')).toBe('ready');
    expect(cond.locked()).toBe(false);
  });

  it('notify() with a bad count throws RangeError naming it', async () => {
    const cond = new Condition();
    await cond.acquire();
    expect(() => {
      cond.notify(-1);
    }).toThrow(
      new RangeError(
        "Cannot call notify() on <Condition [locked]>: 'n' must be a non-negative integer, received -1",
      ),
    );
    expect(() => {
      cond.notify(1.5);
    }).toThrow(RangeError);
    expect(() => {
      cond.notify(NaN);
    }).toThrow(RangeError);
    cond.release();
  });

  it('new Condition(lock) throws TypeError for anything but a Lock', () => {
    expect(() => new Condition({} as unknown as Lock)).toThrow(
      new TypeError("Cannot create Condition: 'lock' must be a Lock, received an object"),
    );
  });

  it('renders its state with toString() and inspect', async () => {
    const cond = new Condition();
    expect(String(cond)).toBe('<Condition [unlocked]>');
    await cond.acquire();
    expect(inspect(cond)).toBe('<Condition [locked]>');
    const controller = new AbortController();
    const waiting = cond.wait({ signal: controller.signal });
    expect(inspect(cond)).toBe('<Condition [unlocked, waiters:1]>');
    controller.abort();
    await expect(waiting).rejects.toBeDefined();
    cond.release();
  });
});
