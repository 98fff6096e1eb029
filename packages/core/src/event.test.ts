import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { flushMicrotasks } from '../test/helpers.js';
import { CancelledError, Event, createTask } from './index.js';

describe('Event', () => {
  it('wait() waits until set() and resolves to true', async () => {
    const event = new Event();
    const log: string[] = [];
    const task = createTask(async () => {
      log.push(`woke ${String(await event.wait())}`);
    });
    await flushMicrotasks();
    expect(log).toEqual([]);
    expect(event.isSet()).toBe(false);
    event.set();
    expect(event.isSet()).toBe(true);
    await task;
    expect(log).toEqual(['woke true']);
  });

  it('set() wakes every waiter, in the order they waited', async () => {
    const event = new Event();
    const log: number[] = [];
    const tasks = [1, 2, 3].map((n) =>
      createTask(async () => {
        await event.wait();
        log.push(n);
      }),
    );
    await flushMicrotasks();
    expect(event.toString()).toBe('<Event [unset, waiters:3]>');
    event.set();
    expect(event.toString()).toBe('<Event [set]>');
    await Promise.all(tasks);
    expect(log).toEqual([1, 2, 3]);
  });

  it('wait() on a set event resolves at once, without a task too', async () => {
    const event = new Event();
    event.set();
    event.set();
    let done = false;
    void event.wait().then(() => (done = true));
    await Promise.resolve();
    await Promise.resolve();
    expect(done).toBe(true);
  });

  it('clear() makes later waits wait for the next set()', async () => {
    const event = new Event();
    event.set();
    event.clear();
    expect(event.isSet()).toBe(false);
    let woken = false;
    const waiter = event.wait().then(() => (woken = true));
    await flushMicrotasks();
    expect(woken).toBe(false);
    event.set();
    await waiter;
    expect(woken).toBe(true);
  });

  it('a waiter woken by set() stays woken when clear() follows in the same tick', async () => {
    const event = new Event();
    const waiter = event.wait();
    event.set();
    event.clear();
    expect(await waiter).toBe(true);
    expect(event.isSet()).toBe(false);
  });

  it('a cancelled waiter leaves and the others are still woken', async () => {
    const event = new Event();
    const a = createTask(() => event.wait());
    const b = createTask(() => event.wait());
    await flushMicrotasks();
    a.cancel();
    await expect(a).rejects.toBeInstanceOf(CancelledError);
    expect(event.toString()).toBe('<Event [unset, waiters:1]>');
    event.set();
    expect(await b).toBe(true);
  });

  it('a waiter cancelled in the tick of set() throws CancelledError; the others wake', async () => {
    const event = new Event();
    const a = createTask(() => event.wait());
    const b = createTask(() => event.wait());
    await flushMicrotasks();
    event.set();
    a.cancel();
    await expect(a).rejects.toBeInstanceOf(CancelledError);
    expect(await b).toBe(true);
    expect(event.isSet()).toBe(true);
  });

  it('wait({ signal }) rejects with the reason on abort and leaves the event intact', async () => {
    const event = new Event();
    const controller = new AbortController();
    const waiter = event.wait({ signal: controller.signal });
    const other = event.wait();
    const reason = new Error('gave up');
    controller.abort(reason);
    await expect(waiter).rejects.toBe(reason);
    expect(event.toString()).toBe('<Event [unset, waiters:1]>');
    event.set();
    expect(await other).toBe(true);
  });

  it('wait({ signal }) with an aborted signal rejects even when the event is set', async () => {
    const event = new Event();
    event.set();
    const reason = new Error('already');
    await expect(event.wait({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(event.isSet()).toBe(true);
  });

  it('wait({ signal }) with an aborted signal rejects without waiting', async () => {
    const event = new Event();
    const reason = new Error('already');
    await expect(event.wait({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(event.toString()).toBe('<Event [unset]>');
  });

  it('renders its state with toString() and inspect', () => {
    const event = new Event();
    expect(String(event)).toBe('<Event [unset]>');
    const controller = new AbortController();
    const waiting = [1, 2].map(() => event.wait({ signal: controller.signal }));
    expect(inspect(event)).toBe('<Event [unset, waiters:2]>');
    controller.abort();
    event.set();
    expect(inspect(event)).toBe('<Event [set]>');
    return Promise.allSettled(waiting);
  });
});
