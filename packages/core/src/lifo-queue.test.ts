import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { flushMicrotasks } from '../test/helpers.js';
import { CancelledError, LifoQueue, Queue, QueueShutDown, createTask } from './index.js';

/** Takes everything left with getNowait(). */
function drain<T>(queue: Queue<T>): T[] {
  const items: T[] = [];
  while (!queue.empty()) items.push(queue.getNowait());
  return items;
}

describe('LifoQueue', () => {
  it('returns the item put last first', () => {
    const queue = new LifoQueue<number>();
    for (const n of [1, 2, 3]) queue.putNowait(n);
    expect(queue.getNowait()).toBe(3);
    queue.putNowait(4);
    expect(drain(queue)).toEqual([4, 2, 1]);
  });

  it('stays a stack across many items (the buffer grows and shrinks)', () => {
    const queue = new LifoQueue<number>();
    for (let i = 0; i < 100; i++) queue.putNowait(i);
    expect(drain(queue)).toEqual(Array.from({ length: 100 }, (_, i) => 99 - i));
  });

  it('is a Queue: put() waits while full; get() admits the first putter, whose item is on top', async () => {
    const queue = new LifoQueue<string>(2);
    expect(queue).toBeInstanceOf(Queue);
    queue.putNowait('a');
    queue.putNowait('b');
    const putter = queue.put('c');
    expect(await queue.get()).toBe('b');
    await putter;
    expect(drain(queue)).toEqual(['c', 'a']);
  });

  it('get() waits while empty and getters are served in FIFO order', async () => {
    const queue = new LifoQueue<number>();
    const first = createTask(() => queue.get());
    const second = createTask(() => queue.get());
    await flushMicrotasks();
    queue.putNowait(1);
    queue.putNowait(2);
    expect(await first).toBe(1);
    expect(await second).toBe(2);
  });

  it('a get() cancelled in the tick of put() gives its item back under the items put after it', async () => {
    const queue = new LifoQueue<string>();
    const getter = createTask(() => queue.get());
    await flushMicrotasks();
    queue.putNowait('handed');
    queue.putNowait('later');
    getter.cancel();
    await expect(getter).rejects.toBeInstanceOf(CancelledError);
    expect(drain(queue)).toEqual(['later', 'handed']);
  });

  it('items given back by getters cancelled together keep their order', async () => {
    const queue = new LifoQueue<number>();
    const getters = [0, 1, 2].map(() => createTask(() => queue.get()));
    await flushMicrotasks();
    queue.putNowait(1);
    queue.putNowait(0);
    for (const n of [2, 3]) queue.putNowait(n);
    for (const getter of getters) getter.cancel();
    for (const getter of getters) await expect(getter).rejects.toBeInstanceOf(CancelledError);
    // 1, 0 and 2 went to the getters and 3 was stored; as if never taken, 3 is on top of 2, 0, 1.
    expect(drain(queue)).toEqual([3, 2, 0, 1]);
  });

  it('shutdown() lets get() drain the rest, newest first', async () => {
    const queue = new LifoQueue<number>();
    queue.putNowait(1);
    queue.putNowait(2);
    queue.shutdown();
    const seen: number[] = [];
    for await (const n of queue) seen.push(n);
    expect(seen).toEqual([2, 1]);
    await expect(queue.get()).rejects.toBeInstanceOf(QueueShutDown);
  });

  it('new LifoQueue() throws naming a bad maxsize', () => {
    expect(() => new LifoQueue(Number.NaN)).toThrow(
      new RangeError(
        "Cannot create LifoQueue: 'maxsize' must be an integer (0 or less for no limit), received NaN",
      ),
    );
  });

  it('renders its state with toString() and inspect', async () => {
    const queue = new LifoQueue<number>();
    const getter = queue.get();
    expect(queue.toString()).toBe('<LifoQueue maxsize=0 qsize=0 getters=1 putters=0>');
    expect(inspect(queue)).toBe('<LifoQueue maxsize=0 qsize=0 getters=1 putters=0>');
    queue.putNowait(1);
    expect(await getter).toBe(1);
  });
});
