import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { flushMicrotasks } from '../test/helpers.js';
import { CancelledError, PriorityQueue, Queue, QueueShutDown, createTask } from './index.js';

/** Takes everything left with getNowait(). */
function drain<T>(queue: Queue<T>): T[] {
  const items: T[] = [];
  while (!queue.empty()) items.push(queue.getNowait());
  return items;
}

describe('PriorityQueue', () => {
  it('returns the smallest item first', () => {
    const queue = new PriorityQueue<number>();
    for (const n of [5, 1, 4, 2, 3, 0, 9]) queue.putNowait(n);
    expect(drain(queue)).toEqual([0, 1, 2, 3, 4, 5, 9]);
  });

  it('compares strings and bigints with <', () => {
    const words = new PriorityQueue<string>();
    for (const w of ['pear', 'apple', 'fig']) words.putNowait(w);
    expect(drain(words)).toEqual(['apple', 'fig', 'pear']);
    const big = new PriorityQueue<bigint>();
    for (const n of [3n, 10n, 2n]) big.putNowait(n);
    expect(drain(big)).toEqual([2n, 3n, 10n]);
  });

  it('compares [priority, data] arrays element by element, like Python tuples', () => {
    const queue = new PriorityQueue<[number, string]>();
    for (const entry of [
      [10, 'b'],
      [9, 'z'],
      [10, 'a'],
      [1, 'x'],
    ] as [number, string][]) {
      queue.putNowait(entry);
    }
    expect(drain(queue)).toEqual([
      [1, 'x'],
      [9, 'z'],
      [10, 'a'],
      [10, 'b'],
    ]);
    const prefixes = new PriorityQueue<number[]>();
    for (const entry of [[1, 2], [1], [0, 5]]) prefixes.putNowait(entry);
    expect(drain(prefixes)).toEqual([[0, 5], [1], [1, 2]]);
  });

  it('returns items that tie in the order they were put (it is stable)', () => {
    const queue = new PriorityQueue<{ p: number; id: string }>(0, (a, b) => a.p - b.p);
    const ids = 'abcdefghijklmnopqrstuvwxyz'.split('');
    ids.forEach((id, i) => {
      queue.putNowait({ p: i % 3, id });
    });
    const out = drain(queue);
    expect(out.map((e) => e.p)).toEqual([
      ...Array<number>(9).fill(0),
      ...Array<number>(9).fill(1),
      ...Array<number>(8).fill(2),
    ]);
    for (const p of [0, 1, 2]) {
      expect(out.filter((e) => e.p === p).map((e) => e.id)).toEqual(
        ids.filter((_, i) => i % 3 === p),
      );
    }
  });

  it('takes a custom compare', () => {
    const queue = new PriorityQueue<number>(0, (a, b) => b - a);
    for (const n of [1, 3, 2]) queue.putNowait(n);
    expect(drain(queue)).toEqual([3, 2, 1]);
  });

  it('keeps the order through interleaved puts and gets', () => {
    const queue = new PriorityQueue<number>();
    const out: number[] = [];
    for (const n of [8, 3, 5]) queue.putNowait(n);
    out.push(queue.getNowait());
    for (const n of [1, 9]) queue.putNowait(n);
    out.push(queue.getNowait(), queue.getNowait());
    queue.putNowait(4);
    out.push(...drain(queue));
    expect(out).toEqual([3, 1, 5, 4, 8, 9]);
  });

  it('is a Queue: put() waits while full and get() admits the first putter', async () => {
    const queue = new PriorityQueue<number>(2);
    expect(queue).toBeInstanceOf(Queue);
    queue.putNowait(5);
    queue.putNowait(7);
    const putter = queue.put(1);
    expect(queue.full()).toBe(true);
    expect(await queue.get()).toBe(5);
    await putter;
    expect(drain(queue)).toEqual([1, 7]);
  });

  it('a get() cancelled in the tick of put() gives the item back before the items that tie with it', async () => {
    const queue = new PriorityQueue<[number, string]>(0, (a, b) => a[0] - b[0]);
    const getter = createTask(() => queue.get());
    await flushMicrotasks();
    queue.putNowait([1, 'first']);
    queue.putNowait([1, 'second']);
    queue.putNowait([0, 'smaller']);
    getter.cancel();
    await expect(getter).rejects.toBeInstanceOf(CancelledError);
    expect(drain(queue)).toEqual([
      [0, 'smaller'],
      [1, 'first'],
      [1, 'second'],
    ]);
  });

  it('a compare that throws fails the call that used it and leaves the queue unchanged', async () => {
    const bad = new Error('cannot compare');
    const queue = new PriorityQueue<number>(0, (a, b) => {
      if (a === 13 || b === 13) throw bad;
      return a - b;
    });
    for (const n of [4, 2, 6, 1, 5]) queue.putNowait(n);
    expect(() => {
      queue.putNowait(13);
    }).toThrow(bad);
    await expect(queue.put(13)).rejects.toBe(bad);
    expect(queue.qsize()).toBe(5);
    expect(drain(queue)).toEqual([1, 2, 4, 5, 6]);
    queue.shutdown();
    await expect(queue.get()).rejects.toBeInstanceOf(QueueShutDown);
  });

  it('a waiting putter whose item cannot be compared fails; the next one is admitted', async () => {
    const bad = new Error('cannot compare');
    const queue = new PriorityQueue<number>(2, (a, b) => {
      if (a === 13 || b === 13) throw bad;
      return a - b;
    });
    queue.putNowait(1);
    queue.putNowait(2);
    const failing = queue.put(13);
    const next = queue.put(3);
    expect(queue.getNowait()).toBe(1);
    await expect(failing).rejects.toBe(bad);
    await next;
    expect(drain(queue)).toEqual([2, 3]);
  });

  it('new PriorityQueue() throws naming a bad maxsize or compare', () => {
    expect(() => new PriorityQueue(0.5)).toThrow(
      new RangeError(
        "Cannot create PriorityQueue: 'maxsize' must be an integer (0 or less for no limit), received 0.5",
      ),
    );
    expect(() => new PriorityQueue(0, 'desc' as never)).toThrow(
      new TypeError(`Cannot create PriorityQueue: 'compare' must be a function, received "desc"`),
    );
  });

  it('renders its state with toString() and inspect', () => {
    const queue = new PriorityQueue<number>(3);
    queue.putNowait(1);
    expect(queue.toString()).toBe('<PriorityQueue maxsize=3 qsize=1 getters=0 putters=0>');
    expect(inspect(queue)).toBe('<PriorityQueue maxsize=3 qsize=1 getters=0 putters=0>');
  });
});
