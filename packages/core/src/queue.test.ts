import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { flushMicrotasks, rejection } from '../test/helpers.js';
import {
  CancelledError,
  InvalidStateError,
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  createTask,
  sleep,
} from './index.js';

/** Records when a promise settles, so a test can assert what is still pending. */
function track<T>(promise: Promise<T>): { settled: () => boolean; promise: Promise<T> } {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  return { settled: () => settled, promise };
}

/** Takes everything left with getNowait(). */
function drain<T>(queue: Queue<T>): T[] {
  const items: T[] = [];
  while (!queue.empty()) items.push(queue.getNowait());
  return items;
}

describe('Queue', () => {
  describe('put and get', () => {
    it('putNowait() and getNowait() keep FIFO order', () => {
      const queue = new Queue<number>();
      for (const n of [1, 2, 3]) queue.putNowait(n);
      expect(queue.qsize()).toBe(3);
      expect(queue.empty()).toBe(false);
      expect(drain(queue)).toEqual([1, 2, 3]);
      expect(queue.empty()).toBe(true);
    });

    it('put() and get() resolve at once while they need not wait', async () => {
      const queue = new Queue<string>(2);
      await queue.put('a');
      await queue.put('b');
      expect(queue.full()).toBe(true);
      expect(await queue.get()).toBe('a');
      expect(await queue.get()).toBe('b');
    });

    it('is unbounded by default and with a maxsize of 0 or less, as in asyncio', () => {
      for (const queue of [new Queue<number>(), new Queue<number>(0), new Queue<number>(-5)]) {
        for (let i = 0; i < 1000; i++) queue.putNowait(i);
        expect(queue.full()).toBe(false);
        expect(queue.qsize()).toBe(1000);
      }
      expect(new Queue().maxsize).toBe(0);
      expect(new Queue(-5).maxsize).toBe(-5);
    });

    it('get() waits while empty; getters are served in FIFO order', async () => {
      const queue = new Queue<number>();
      const log: string[] = [];
      const getters = ['a', 'b', 'c'].map((name) =>
        createTask(async () => {
          log.push(`${name} got ${String(await queue.get())}`);
        }),
      );
      await flushMicrotasks();
      expect(log).toEqual([]);
      expect(queue.toString()).toBe('<Queue maxsize=0 qsize=0 getters=3 putters=0>');
      queue.putNowait(1);
      queue.putNowait(2);
      await flushMicrotasks();
      expect(log).toEqual(['a got 1', 'b got 2']);
      await queue.put(3);
      await Promise.all(getters);
      expect(log).toEqual(['a got 1', 'b got 2', 'c got 3']);
    });

    it('put() while a getter waits hands the item to it: a getNowait() in the same tick finds none', async () => {
      const queue = new Queue<string>();
      const getter = queue.get();
      await queue.put('x');
      expect(queue.qsize()).toBe(0);
      expect(() => queue.getNowait()).toThrow(QueueEmpty);
      expect(await getter).toBe('x');
    });

    it('put() waits while full; a get() admits the first putter, in FIFO order', async () => {
      const queue = new Queue<number>(2);
      queue.putNowait(1);
      queue.putNowait(2);
      const p3 = track(queue.put(3));
      const p4 = track(queue.put(4));
      await flushMicrotasks();
      expect(p3.settled()).toBe(false);
      expect(queue.toString()).toBe('<Queue maxsize=2 qsize=2 getters=0 putters=2>');
      expect(await queue.get()).toBe(1);
      expect(queue.qsize()).toBe(2);
      await flushMicrotasks();
      expect(p3.settled()).toBe(true);
      expect(p4.settled()).toBe(false);
      expect(queue.getNowait()).toBe(2);
      await p4.promise;
      expect(drain(queue)).toEqual([3, 4]);
    });

    it('a slot freed for a waiting putter is not taken by a putNowait() in the same tick', async () => {
      const queue = new Queue<string>(1);
      queue.putNowait('a');
      const waiting = queue.put('b');
      expect(queue.getNowait()).toBe('a');
      expect(() => {
        queue.putNowait('c');
      }).toThrow(QueueFull);
      await waiting;
      expect(drain(queue)).toEqual(['b']);
    });

    it('qsize() never goes over maxsize with many producers and consumers', async () => {
      const queue = new Queue<number>(3);
      let most = 0;
      const producers = [0, 1, 2].map((p) =>
        createTask(async () => {
          for (let i = 0; i < 20; i++) {
            await queue.put(p * 100 + i);
            most = Math.max(most, queue.qsize());
          }
        }),
      );
      const got: number[] = [];
      const consumers = [0, 1].map(() =>
        createTask(async () => {
          for (let i = 0; i < 30; i++) {
            got.push(await queue.get());
            if (i % 3 === 0) await sleep(0);
          }
        }),
      );
      await Promise.all([...producers, ...consumers]);
      expect(most).toBeLessThanOrEqual(3);
      expect(got.sort((a, b) => a - b)).toEqual(
        [0, 1, 2].flatMap((p) => Array.from({ length: 20 }, (_, i) => p * 100 + i)),
      );
    });
  });

  describe('taskDone and join', () => {
    it('join() resolves at once when no item is unfinished', async () => {
      const queue = new Queue<number>();
      await queue.join();
      queue.putNowait(1);
      queue.getNowait();
      queue.taskDone();
      await queue.join();
    });

    it('join() waits until every item put has been marked done', async () => {
      const queue = new Queue<number>();
      queue.putNowait(1);
      queue.putNowait(2);
      const joined = [track(queue.join()), track(queue.join())];
      queue.getNowait();
      queue.getNowait();
      queue.taskDone();
      await flushMicrotasks();
      expect(joined.map((j) => j.settled())).toEqual([false, false]);
      queue.taskDone();
      await Promise.all(joined.map((j) => j.promise));
    });

    it('counts items handed straight to a getter and items admitted from putters', async () => {
      const queue = new Queue<number>(1);
      const getter = queue.get();
      queue.putNowait(1); // handed to the getter, whose slot it is until it resumes (asyncio's)
      expect(() => {
        queue.putNowait(2);
      }).toThrow(QueueFull);
      expect(await getter).toBe(1);
      queue.putNowait(2);
      const putter = queue.put(3); // waits, then is admitted by getNowait()
      expect(queue.getNowait()).toBe(2);
      await putter;
      const joined = track(queue.join());
      queue.taskDone();
      queue.taskDone();
      await flushMicrotasks();
      expect(joined.settled()).toBe(false);
      expect(queue.getNowait()).toBe(3);
      queue.taskDone();
      await joined.promise;
    });
  });

  describe('shutdown', () => {
    it('put() and putNowait() throw QueueShutDown; get() drains, then throws', async () => {
      const queue = new Queue<number>();
      queue.putNowait(1);
      queue.putNowait(2);
      queue.shutdown();
      await expect(queue.put(3)).rejects.toBeInstanceOf(QueueShutDown);
      expect(() => {
        queue.putNowait(3);
      }).toThrow(QueueShutDown);
      expect(await queue.get()).toBe(1);
      expect(queue.getNowait()).toBe(2);
      await expect(queue.get()).rejects.toBeInstanceOf(QueueShutDown);
      expect(() => queue.getNowait()).toThrow(QueueShutDown);
      expect(queue.qsize()).toBe(0);
    });

    it('rejects waiting getters with QueueShutDown', async () => {
      const queue = new Queue<number>();
      const getters = [queue.get(), queue.get()];
      queue.shutdown();
      for (const getter of getters) expect(await rejection(getter)).toBeInstanceOf(QueueShutDown);
      expect(queue.toString()).toBe('<Queue maxsize=0 qsize=0 getters=0 putters=0 shutdown>');
    });

    it('rejects waiting putters with QueueShutDown; their items never go in', async () => {
      const queue = new Queue<number>(1);
      queue.putNowait(1);
      const putters = [queue.put(2), queue.put(3)];
      queue.shutdown();
      for (const putter of putters) expect(await rejection(putter)).toBeInstanceOf(QueueShutDown);
      expect(drain(queue)).toEqual([1]);
      queue.taskDone();
      await queue.join();
    });

    it('shutdown(true) drops the items, counts them as done for join(), and rejects getters', async () => {
      const queue = new Queue<number>();
      queue.putNowait(1);
      queue.putNowait(2);
      queue.putNowait(3);
      queue.getNowait(); // got but not marked done: join() still waits for it
      const joined = track(queue.join());
      queue.shutdown(true);
      expect(queue.qsize()).toBe(0);
      await expect(queue.get()).rejects.toBeInstanceOf(QueueShutDown);
      await flushMicrotasks();
      expect(joined.settled()).toBe(false);
      queue.taskDone();
      await joined.promise;
    });

    it('shutdown(true) resolves join() when every unfinished item was in the queue', async () => {
      const queue = new Queue<number>(2);
      queue.putNowait(1);
      queue.putNowait(2);
      const putter = queue.put(3);
      const joined = queue.join();
      queue.shutdown(true);
      await joined;
      expect(await rejection(putter)).toBeInstanceOf(QueueShutDown);
    });

    it('shutdown(true) after shutdown() drops what is left', async () => {
      const queue = new Queue<number>();
      queue.putNowait(1);
      queue.putNowait(2);
      queue.shutdown();
      expect(queue.getNowait()).toBe(1);
      queue.shutdown(true);
      expect(queue.empty()).toBe(true);
      queue.shutdown();
      await expect(queue.get()).rejects.toBeInstanceOf(QueueShutDown);
      queue.taskDone();
      await queue.join();
    });
  });

  describe('async iteration', () => {
    it('for await gets items until the queue is shut down and drained', async () => {
      const queue = new Queue<number>();
      const seen: number[] = [];
      const consumer = createTask(async () => {
        for await (const item of queue) seen.push(item);
        return 'ended';
      });
      queue.putNowait(1);
      await flushMicrotasks();
      queue.putNowait(2);
      queue.putNowait(3);
      queue.shutdown();
      expect(await consumer).toBe('ended');
      expect(seen).toEqual([1, 2, 3]);
    });

    it('ends at once on a shut-down, empty queue, and a waiting loop ends on shutdown(true)', async () => {
      const queue = new Queue<number>();
      const consumer = createTask(async () => {
        const seen: number[] = [];
        for await (const item of queue) seen.push(item);
        return seen;
      });
      await flushMicrotasks();
      queue.shutdown(true);
      expect(await consumer).toEqual([]);
      for await (const _ of queue) expect.unreachable();
    });

    it('break leaves the remaining items in the queue', async () => {
      const queue = new Queue<number>();
      for (const n of [1, 2, 3]) queue.putNowait(n);
      for await (const item of queue) if (item === 1) break;
      expect(drain(queue)).toEqual([2, 3]);
    });

    it('return() while next() waits leaves the queue: the next item goes to the next getter', async () => {
      const queue = new Queue<string>();
      const iterator = queue[Symbol.asyncIterator]();
      const next = iterator.next();
      expect(queue.toString()).toBe('<Queue maxsize=0 qsize=0 getters=1 putters=0>');
      await iterator.return?.();
      expect(await next).toEqual({ done: true, value: undefined });
      expect(queue.toString()).toBe('<Queue maxsize=0 qsize=0 getters=0 putters=0>');
      queue.putNowait('kept');
      expect(await iterator.next()).toEqual({ done: true, value: undefined });
      expect(queue.getNowait()).toBe('kept');
    });

    it('a next() called before return() still resolves with the item it was handed', async () => {
      const queue = new Queue<string>(1);
      const iterator = queue[Symbol.asyncIterator]();
      const next = iterator.next();
      queue.putNowait('a');
      await iterator.return?.();
      expect(await next).toEqual({ done: false, value: 'a' });
      expect(await iterator.next()).toEqual({ done: true, value: undefined });
      expect(queue.empty()).toBe(true);
    });

    it('a cancelled loop throws CancelledError', async () => {
      const queue = new Queue<number>();
      const consumer = createTask(async () => {
        for await (const _ of queue) expect.unreachable();
      });
      await flushMicrotasks();
      consumer.cancel();
      expect(await rejection(consumer)).toBeInstanceOf(CancelledError);
      expect(queue.toString()).toBe('<Queue maxsize=0 qsize=0 getters=0 putters=0>');
    });
  });

  describe('cancellation', () => {
    it('a getter cancelled after its hand-off passes its item to the earliest getter still waiting to resume: [1, 2] as in asyncio', async () => {
      const queue = new Queue<number>();
      const getters = [0, 1, 2].map((i) =>
        createTask(() => queue.get(), { name: `g${String(i)}` }),
      );
      await flushMicrotasks();
      queue.putNowait(1);
      queue.putNowait(2);
      getters[0]?.cancel();
      await expect(getters[0]).rejects.toBeInstanceOf(CancelledError);
      expect(await getters[1]).toBe(1);
      expect(await getters[2]).toBe(2);
      expect(queue.empty()).toBe(true);
    });

    it('the same, for a LifoQueue and a PriorityQueue: each order holds', async () => {
      const lifo = new LifoQueue<number>();
      const prio = new PriorityQueue<number>();
      const lifoGetters = [0, 1, 2].map(() => createTask(() => lifo.get()));
      const prioGetters = [0, 1, 2].map(() => createTask(() => prio.get()));
      await flushMicrotasks();
      for (const n of [1, 2]) lifo.putNowait(n);
      for (const n of [2, 1]) prio.putNowait(n);
      lifoGetters[0]?.cancel();
      prioGetters[0]?.cancel();
      // Items that had been handed out: asyncio's getters would take them in turn, stack or
      // priority order applying to what is in the queue when each runs.
      expect(await Promise.all([lifoGetters[1], lifoGetters[2]])).toEqual([2, 1]);
      expect(await Promise.all([prioGetters[1], prioGetters[2]])).toEqual([1, 2]);
      await Promise.allSettled([lifoGetters[0], prioGetters[0]]);
    });

    it('a cancelled getter leaves the queue; the next getter gets the item', async () => {
      const queue = new Queue<string>();
      const first = createTask(() => queue.get());
      const second = createTask(() => queue.get());
      await flushMicrotasks();
      first.cancel();
      await flushMicrotasks();
      expect(queue.toString()).toBe('<Queue maxsize=0 qsize=0 getters=1 putters=0>');
      queue.putNowait('x');
      expect(await second).toBe('x');
      expect(await rejection(first)).toBeInstanceOf(CancelledError);
    });

    it('a get() cancelled in the tick of put() gives the item to the next getter', async () => {
      const queue = new Queue<string>();
      const first = createTask(() => queue.get());
      const second = createTask(() => queue.get());
      await flushMicrotasks();
      queue.putNowait('x');
      first.cancel();
      expect(await rejection(first)).toBeInstanceOf(CancelledError);
      expect(await second).toBe('x');
      expect(queue.qsize()).toBe(0);
    });

    it('a lone get() cancelled in the tick of put() puts the item back at the front', async () => {
      const queue = new Queue<string>();
      const getter = createTask(() => queue.get());
      await flushMicrotasks();
      queue.putNowait('first');
      queue.putNowait('second');
      getter.cancel();
      expect(await rejection(getter)).toBeInstanceOf(CancelledError);
      expect(drain(queue)).toEqual(['first', 'second']);
    });

    it('items given back by getters cancelled together return in their order', async () => {
      const queue = new Queue<number>();
      const getters = [0, 1, 2].map(() => createTask(() => queue.get()));
      await flushMicrotasks();
      for (const n of [1, 2, 3, 4]) queue.putNowait(n);
      for (const getter of getters) getter.cancel();
      for (const getter of getters) expect(await rejection(getter)).toBeInstanceOf(CancelledError);
      expect(drain(queue)).toEqual([1, 2, 3, 4]);
    });

    it('an item handed to a task keeps its slot until the task resumes, so a give-back never overfills', async () => {
      const queue = new Queue<string>(1);
      const getter = createTask(() => queue.get());
      await flushMicrotasks();
      queue.putNowait('a');
      expect(queue.full()).toBe(true);
      expect(() => {
        queue.putNowait('b');
      }).toThrow(QueueFull);
      const putter = track(queue.put('b'));
      getter.cancel();
      expect(await rejection(getter)).toBeInstanceOf(CancelledError);
      expect(queue.qsize()).toBe(1);
      expect(queue.getNowait()).toBe('a');
      await putter.promise;
      expect(drain(queue)).toEqual(['b']);
    });

    it('when the getter resumes with its item, the slot goes to the first waiting putter', async () => {
      const queue = new Queue<string>(1);
      const getter = createTask(() => queue.get());
      await flushMicrotasks();
      queue.putNowait('a');
      const putter = queue.put('b');
      expect(await getter).toBe('a');
      await putter;
      expect(drain(queue)).toEqual(['b']);
    });

    it('a cancelled putter leaves the queue; its item never goes in', async () => {
      const queue = new Queue<string>(1);
      queue.putNowait('a');
      const first = createTask(() => queue.put('b'));
      const second = createTask(() => queue.put('c'));
      await flushMicrotasks();
      first.cancel();
      await flushMicrotasks();
      expect(queue.toString()).toBe('<Queue maxsize=1 qsize=1 getters=0 putters=1>');
      expect(queue.getNowait()).toBe('a');
      await second;
      expect(drain(queue)).toEqual(['c']);
      expect(await rejection(first)).toBeInstanceOf(CancelledError);
    });

    it('a put() cancelled in the tick its item was admitted leaves no trace: the item comes out again', async () => {
      const queue = new Queue<string>(1);
      queue.putNowait('a');
      const log: string[] = [];
      const producer = createTask(async () => {
        await queue.put('b');
        log.push('put b');
      });
      await flushMicrotasks();
      expect(queue.getNowait()).toBe('a');
      expect(queue.qsize()).toBe(1); // admitted at once, as documented
      producer.cancel();
      expect(await rejection(producer)).toBeInstanceOf(CancelledError);
      expect(log).toEqual([]);
      expect(queue.empty()).toBe(true);
      // The put never happened: once 'a' is done, there is nothing left to join.
      queue.taskDone();
      await queue.join({ signal: AbortSignal.timeout(1_000) });
      expect(() => {
        queue.taskDone();
      }).toThrow(InvalidStateError);
    });

    it('a put() cancelled after its item was handed to a getter has put it; the cancel comes next', async () => {
      const queue = new Queue<string>(1);
      queue.putNowait('a');
      const log: string[] = [];
      const producer = createTask(async () => {
        await queue.put('b');
        log.push('put b');
        await sleep(0);
        log.push('unreachable');
      });
      await flushMicrotasks();
      expect(queue.getNowait()).toBe('a'); // admits 'b'
      expect(queue.getNowait()).toBe('b'); // taken before the producer resumed
      producer.cancel();
      expect(await rejection(producer)).toBeInstanceOf(CancelledError);
      expect(log).toEqual(['put b']);
    });

    it('a put() cancelled in the same tick as get() but before it is not admitted', async () => {
      const queue = new Queue<string>(1);
      queue.putNowait('a');
      const producer = createTask(() => queue.put('b'));
      await flushMicrotasks();
      producer.cancel();
      expect(queue.getNowait()).toBe('a');
      expect(await rejection(producer)).toBeInstanceOf(CancelledError);
      expect(queue.empty()).toBe(true);
    });

    it('a cancelled join() leaves the others waiting', async () => {
      const queue = new Queue<number>();
      queue.putNowait(1);
      const first = createTask(() => queue.join());
      const second = createTask(() => queue.join());
      await flushMicrotasks();
      first.cancel();
      expect(await rejection(first)).toBeInstanceOf(CancelledError);
      queue.getNowait();
      queue.taskDone();
      await second;
    });

    it('a cancel pending when put() or get() need not wait is delivered at the next wait', async () => {
      const queue = new Queue<number>();
      const log: unknown[] = [];
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const task = createTask(async () => {
        await gate; // a foreign promise: a cancel here is pending until the next corio wait
        await queue.put(1);
        log.push(await queue.get());
        await queue.get();
      });
      await flushMicrotasks();
      task.cancel();
      release();
      expect(await rejection(task)).toBeInstanceOf(CancelledError);
      expect(log).toEqual([1]);
      expect(queue.toString()).toBe('<Queue maxsize=0 qsize=0 getters=0 putters=0>');
    });
  });

  describe('AbortSignal', () => {
    it('get({ signal }) rejects with the reason on abort and leaves the queue', async () => {
      const queue = new Queue<string>();
      const controller = new AbortController();
      const aborted = queue.get({ signal: controller.signal });
      const other = queue.get();
      const reason = new Error('gave up');
      controller.abort(reason);
      expect(await rejection(aborted)).toBe(reason);
      queue.putNowait('x');
      expect(await other).toBe('x');
    });

    it('put({ signal }) rejects with the reason on abort; the item never goes in', async () => {
      const queue = new Queue<string>(1);
      queue.putNowait('a');
      const controller = new AbortController();
      const aborted = queue.put('b', { signal: controller.signal });
      controller.abort(new Error('gave up'));
      expect(await rejection(aborted)).toHaveProperty('message', 'gave up');
      expect(queue.toString()).toBe('<Queue maxsize=1 qsize=1 getters=0 putters=0>');
      expect(drain(queue)).toEqual(['a']);
    });

    it('join({ signal }) rejects with the reason on abort', async () => {
      const queue = new Queue<number>();
      queue.putNowait(1);
      const controller = new AbortController();
      const joined = queue.join({ signal: controller.signal });
      controller.abort('stop');
      expect(await rejection(joined)).toBe('stop');
    });

    it('an already aborted signal rejects every call at once, leaving the queue unchanged', async () => {
      const queue = new Queue<string>(1);
      queue.putNowait('a');
      const signal = AbortSignal.abort('no');
      expect(await rejection(queue.get({ signal }))).toBe('no');
      expect(await rejection(queue.put('b', { signal }))).toBe('no');
      expect(await rejection(queue.join({ signal }))).toBe('no');
      expect(queue.toString()).toBe('<Queue maxsize=1 qsize=1 getters=0 putters=0>');
      expect(drain(queue)).toEqual(['a']);
    });

    it('an abort after the hand-off is too late: a caller outside any task gets the item', async () => {
      const queue = new Queue<string>();
      const controller = new AbortController();
      const getter = queue.get({ signal: controller.signal });
      queue.putNowait('x');
      controller.abort();
      expect(await getter).toBe('x');
      expect(queue.empty()).toBe(true);
    });
  });

  describe('misuse', () => {
    it('new Queue() throws naming a bad maxsize', () => {
      expect(() => new Queue(1.5)).toThrow(
        new RangeError(
          "Cannot create Queue: 'maxsize' must be an integer (0 or less for no limit), received 1.5",
        ),
      );
      expect(() => new Queue(Number.NaN)).toThrow(RangeError);
      expect(() => new Queue(Infinity)).toThrow(/received Infinity/);
      expect(() => new Queue('3' as never)).toThrow(
        new TypeError(`Cannot create Queue: 'maxsize' must be an integer, received "3"`),
      );
    });

    it('taskDone() more times than items put throws InvalidStateError', () => {
      const queue = new Queue<number>();
      queue.putNowait(1);
      queue.taskDone();
      expect(() => {
        queue.taskDone();
      }).toThrow(
        new InvalidStateError(
          'taskDone() called more times than there were items in <Queue maxsize=0 qsize=1 getters=0 putters=0>',
        ),
      );
    });

    it('QueueFull, QueueEmpty and QueueShutDown name the call and show the queue', async () => {
      const queue = new Queue<number>(1);
      expect(() => queue.getNowait()).toThrow(
        new QueueEmpty(
          'Cannot getNowait() from an empty queue: <Queue maxsize=1 qsize=0 getters=0 putters=0>',
        ),
      );
      queue.putNowait(1);
      expect(() => {
        queue.putNowait(2);
      }).toThrow(
        new QueueFull(
          'Cannot putNowait() into a full queue: <Queue maxsize=1 qsize=1 getters=0 putters=0>',
        ),
      );
      queue.shutdown();
      expect(await rejection(queue.put(2))).toHaveProperty(
        'message',
        'Cannot put() into a shut-down queue: <Queue maxsize=1 qsize=1 getters=0 putters=0 shutdown>',
      );
    });

    it('nothing changes after a rejected call', async () => {
      const queue = new Queue<number>(1);
      queue.putNowait(1);
      expect(() => {
        queue.putNowait(2);
      }).toThrow(QueueFull);
      queue.shutdown();
      expect(() => {
        queue.putNowait(3);
      }).toThrow(QueueShutDown);
      await expect(queue.put(3)).rejects.toBeInstanceOf(QueueShutDown);
      expect(queue.toString()).toBe('<Queue maxsize=1 qsize=1 getters=0 putters=0 shutdown>');
      expect(drain(queue)).toEqual([1]);
      queue.taskDone();
      expect(() => {
        queue.taskDone();
      }).toThrow(InvalidStateError);
    });
  });

  describe('repr', () => {
    it('renders its state with toString() and inspect', () => {
      const queue = new Queue<number>(10);
      for (const n of [1, 2, 3]) queue.putNowait(n);
      expect(queue.toString()).toBe('<Queue maxsize=10 qsize=3 getters=0 putters=0>');
      expect(inspect(queue)).toBe('<Queue maxsize=10 qsize=3 getters=0 putters=0>');
      expect(String(new Queue())).toBe('<Queue maxsize=0 qsize=0 getters=0 putters=0>');
      queue.shutdown();
      expect(inspect({ queue })).toBe(
        '{ queue: <Queue maxsize=10 qsize=3 getters=0 putters=0 shutdown> }',
      );
    });
  });
});
