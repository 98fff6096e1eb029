// Every corio wait, begun in a callback a task set up (a timer, an immediate, an EventEmitter
// listener), with the task then cancelled. The callback runs in the task's async context, so the
// cancellation reaches its wait (API.md, "Scopes and callbacks"); it must not be consumed there
// (the task's own code still gets it), and the primitive must come out as if the wait had never
// been made: no permit, item or wake-up lost, no timer left behind.
import { describe, expect, it, vi } from 'vitest';
import {
  ALL_COMPLETED,
  Barrier,
  BoundedSemaphore,
  CancelledError,
  Condition,
  Event,
  Future,
  LifoQueue,
  Lock,
  PriorityQueue,
  Queue,
  Semaphore,
  asCompleted,
  createTask,
  gather,
  limiter,
  shield,
  sleep,
  suspend,
  taskGroup,
  timeout,
  wait,
  waitFor,
} from '../src/index.js';
import type { Task } from '../src/index.js';
import { callbackCases, checkNoLeakedTimers, gate, ownCode } from './callback-waits-shared.js';
import { nextTurn, rejection } from './helpers.js';

/** A wait to begin in a callback, on a primitive set up so that it must wait. */
interface BlockedWait {
  /** Begins the wait (called in the callback; its outcome is what the callback sees). */
  begin(): PromiseLike<unknown>;
  /** Checks, after the cancel, that the primitive lost and leaked nothing. */
  after(): Promise<void> | void;
}

/** A future nobody settles: the blocked thing a wait waits on. */
function never(): Future<number> {
  return new Future<number>();
}

/** A wait for an item of an empty queue; afterwards, the next item put is not lost. */
function takeFrom(
  queue: Queue<number>,
  take: (queue: Queue<number>) => PromiseLike<unknown>,
): BlockedWait {
  return {
    begin: () => take(queue),
    after: () => {
      queue.putNowait(7);
      expect(queue.getNowait()).toBe(7);
    },
  };
}

const WAITS: Record<string, () => BlockedWait> = {
  'sleep()': () => ({
    begin: () => sleep(60_000),
    after: () => undefined,
  }),
  'await future (cancels it)': () => {
    const future = never();
    return {
      begin: () => future,
      after: () => {
        expect(future.cancelled()).toBe(true);
      },
    };
  },
  'await task (cancels it)': () => {
    const inner = createTask(() => never());
    return {
      begin: () => inner,
      after: async () => {
        expect(await rejection(inner)).toBeInstanceOf(CancelledError);
      },
    };
  },
  'gather() (cancels the children)': () => {
    const children = [never(), never()];
    return {
      begin: () => gather(children),
      after: () => {
        expect(children.map((child) => child.cancelled())).toEqual([true, true]);
      },
    };
  },
  'wait() (leaves the futures be)': () => {
    const future = never();
    return {
      begin: () => wait([future], { returnWhen: ALL_COMPLETED }),
      after: () => {
        expect(future.done()).toBe(false);
        future.setResult(1);
      },
    };
  },
  'waitFor() (cancels the inner one)': () => {
    const future = never();
    return {
      begin: () => waitFor(future, 60_000),
      after: () => {
        expect(future.cancelled()).toBe(true);
      },
    };
  },
  'asCompleted() (leaves the futures be)': () => {
    const future = never();
    return {
      begin: async () => {
        for await (const done of asCompleted([future])) return done.result();
        return undefined;
      },
      after: () => {
        expect(future.done()).toBe(false);
        future.setResult(1);
      },
    };
  },
  "a timeout()'s body (no TimeoutError)": () => {
    const future = never();
    return {
      begin: () => timeout(60_000, () => future),
      after: () => {
        expect(future.cancelled()).toBe(true);
      },
    };
  },
  'shield() (the inner one goes on)': () => {
    const future = never();
    return {
      begin: () => shield(future),
      after: () => {
        expect(future.done()).toBe(false);
        future.setResult(1);
      },
    };
  },
  'taskGroup() (cancels its children)': () => {
    let child: Task<number> | undefined;
    return {
      begin: () =>
        taskGroup(async (tg) => {
          child = tg.createTask(() => never());
          await never();
        }),
      after: () => {
        expect(child?.cancelled()).toBe(true);
      },
    };
  },
  'suspend() (its setup is undone)': () => {
    const undo = vi.fn();
    return {
      begin: () => suspend(() => undo),
      after: () => {
        expect(undo).toHaveBeenCalledTimes(1);
      },
    };
  },
  'Event.wait()': () => {
    const event = new Event();
    return {
      begin: () => event.wait(),
      after: () => {
        expect(event.toString()).not.toMatch(/waiters/);
      },
    };
  },
  'Lock.acquire() (no permit kept)': () => {
    const lock = new Lock();
    void lock.acquire();
    return {
      begin: () => lock.acquire(),
      after: () => {
        lock.release();
        expect(lock.locked()).toBe(false);
      },
    };
  },
  'Lock.use() (fn never runs)': () => {
    const lock = new Lock();
    void lock.acquire();
    const fn = vi.fn();
    return {
      begin: () => lock.use(fn),
      after: () => {
        lock.release();
        expect(lock.locked()).toBe(false);
        expect(fn).not.toHaveBeenCalled();
      },
    };
  },
  'Semaphore.acquire() (no permit kept)': () => {
    const semaphore = new Semaphore(1);
    void semaphore.acquire();
    return {
      begin: () => semaphore.acquire(),
      after: () => {
        semaphore.release();
        expect(semaphore.value).toBe(1);
      },
    };
  },
  'BoundedSemaphore.use() (fn never runs)': () => {
    const semaphore = new BoundedSemaphore(1);
    void semaphore.acquire();
    const fn = vi.fn();
    return {
      begin: () => semaphore.use(fn),
      after: () => {
        semaphore.release();
        expect(semaphore.value).toBe(1);
        expect(fn).not.toHaveBeenCalled();
      },
    };
  },
  'Condition.wait() (the lock is taken back, then let go)': () => {
    const condition = new Condition();
    return {
      begin: async () => {
        await condition.acquire();
        try {
          await condition.wait();
        } finally {
          expect(condition.locked()).toBe(true);
          condition.release();
        }
      },
      after: () => {
        expect(condition.locked()).toBe(false);
        expect(condition.toString()).not.toMatch(/waiters/);
      },
    };
  },
  'Barrier.wait() (the waiter leaves the group)': () => {
    const barrier = new Barrier(2);
    return {
      begin: () => barrier.wait(),
      after: () => {
        expect([barrier.nWaiting, barrier.broken]).toEqual([0, false]);
      },
    };
  },
  'Queue.get() (the next item is not lost)': () => takeFrom(new Queue<number>(), (q) => q.get()),
  'PriorityQueue.get()': () => takeFrom(new PriorityQueue<number>(), (q) => q.get()),
  'LifoQueue.get()': () => takeFrom(new LifoQueue<number>(), (q) => q.get()),
  'Queue.put() on a full queue (its item is not added)': () => {
    const queue = new Queue<number>(1);
    queue.putNowait(1);
    return {
      begin: () => queue.put(2),
      after: () => {
        expect(queue.getNowait()).toBe(1);
        expect(queue.empty()).toBe(true);
      },
    };
  },
  'Queue.join()': () => {
    const queue = new Queue<number>();
    queue.putNowait(1);
    return {
      begin: () => queue.join(),
      after: async () => {
        queue.getNowait();
        queue.taskDone();
        await queue.join();
      },
    };
  },
  'for await over a Queue': () =>
    takeFrom(new Queue<number>(), async (queue) => {
      for await (const item of queue) return item;
      return undefined;
    }),
  'await limit(fn) (the queued call never runs)': () => {
    const limit = limiter(1);
    const blocker = limit(() => never());
    const fn = vi.fn();
    return {
      begin: () => limit(fn),
      after: async () => {
        expect(limit.pendingCount).toBe(0);
        blocker.cancel();
        await rejection(blocker);
        expect(limit.activeCount).toBe(0);
        expect(fn).not.toHaveBeenCalled();
      },
    };
  },
};

type Outcome = { value: unknown } | { error: unknown };

checkNoLeakedTimers();

const CASES = callbackCases(Object.keys(WAITS));

describe("a wait begun in a callback a task set up, the task's own code awaiting", () => {
  it.each(CASES)(
    '$own: $wait in $origin.name is interrupted, and nothing is lost',
    async ({ wait, origin, own }) => {
      const blocked = (WAITS[wait] as () => BlockedWait)();
      const events: string[] = [];
      const begun = gate();
      const foreign = gate();
      let outcome: Promise<Outcome> | undefined;
      const task = createTask(async () => {
        origin.setUp(() => {
          outcome = Promise.resolve(blocked.begin()).then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          );
          void outcome.then(() => events.push('callback settled'));
          begun.open();
        });
        await ownCode(own, foreign.promise, events);
      });
      await begun.promise;
      await nextTurn(); // the wait is registered (some begin in a job of their own)
      expect(task.done()).toBe(false);
      task.cancel('stop');

      const seen = (await outcome) as Outcome;
      expect('error' in seen ? seen.error : seen).toBeInstanceOf(CancelledError);
      expect((seen as { error: Error }).error.message).toBe('stop');
      if (own === 'a foreign promise') {
        // The callback saw the cancellation but did not take it: the task waits on.
        await nextTurn();
        expect(task.done()).toBe(false);
        foreign.open();
      }
      const error = await rejection(task);
      expect(error).toBeInstanceOf(CancelledError);
      expect((error as CancelledError).message).toBe('stop');
      expect(task.cancelled()).toBe(true);
      expect(events).toEqual(
        own === 'a foreign promise'
          ? ['callback settled', 'foreign promise resolved', 'own code: CancelledError']
          : // Both waits are interrupted in the order they began: the own code's first.
            ['own code: CancelledError', 'callback settled'],
      );
      await blocked.after();
    },
  );
});

/** A wait in a callback, and the hand-off that would end it, for a race with the cancel. */
interface Race {
  /** Begins the wait. */
  begin(): PromiseLike<unknown>;
  /** What would let it go on: a release, a put, a get. */
  handOff(): void;
  /** Checks nothing was lost, whichever won: `outcome` is what the callback's wait gave. */
  check(outcome: Outcome): void;
}

const RACES: Record<string, () => Race> = {
  'Lock.acquire() and release()': () => {
    const lock = new Lock();
    void lock.acquire();
    return {
      begin: () => lock.acquire(),
      handOff: () => {
        lock.release();
      },
      check: (outcome) => {
        // Taken by the callback (it must release it), or handed to nobody.
        if ('value' in outcome) lock.release();
        expect(lock.locked()).toBe(false);
      },
    };
  },
  'Semaphore.acquire() and release()': () => {
    const semaphore = new Semaphore(1);
    void semaphore.acquire();
    return {
      begin: () => semaphore.acquire(),
      handOff: () => {
        semaphore.release();
      },
      check: (outcome) => {
        if ('value' in outcome) semaphore.release();
        expect(semaphore.value).toBe(1);
      },
    };
  },
  'Queue.get() and putNowait()': () => {
    const queue = new Queue<number>();
    return {
      begin: () => queue.get(),
      handOff: () => {
        queue.putNowait(7);
      },
      check: (outcome) => {
        // The item went to the callback, or it is still in the queue: never lost.
        if ('value' in outcome) expect(outcome.value).toBe(7);
        else expect(queue.getNowait()).toBe(7);
        expect(queue.empty()).toBe(true);
      },
    };
  },
  'Queue.put() and getNowait()': () => {
    const queue = new Queue<number>(1);
    queue.putNowait(1);
    return {
      begin: () => queue.put(2),
      handOff: () => {
        expect(queue.getNowait()).toBe(1);
      },
      check: (outcome) => {
        // Added exactly when the put says it was.
        expect(queue.qsize()).toBe('value' in outcome ? 1 : 0);
        if ('value' in outcome) expect(queue.getNowait()).toBe(2);
      },
    };
  },
  'Event.wait() and set()': () => {
    const event = new Event();
    return {
      begin: () => event.wait(),
      handOff: () => {
        event.set();
      },
      check: (outcome) => {
        if ('value' in outcome) expect(outcome.value).toBe(true);
        expect(event.isSet()).toBe(true);
      },
    };
  },
};

describe.each([
  ['the cancel, then the hand-off', 'cancel first'],
  ['the hand-off, then the cancel', 'hand-off first'],
] as const)("a callback's wait meets %s in the same tick", (_title, order) => {
  it.each(Object.keys(RACES))(
    '%s: nothing is lost, the task still gets its cancel',
    async (name) => {
      const race = (RACES[name] as () => Race)();
      const begun = gate();
      const foreign = gate();
      let outcome: Promise<Outcome> | undefined;
      const task = createTask(async () => {
        setImmediate(() => {
          outcome = Promise.resolve(race.begin()).then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          );
          begun.open();
        });
        await foreign.promise;
        await sleep(0);
      });
      await begun.promise;
      await nextTurn();
      if (order === 'cancel first') {
        task.cancel('stop');
        race.handOff();
      } else {
        race.handOff();
        task.cancel('stop');
      }
      const seen = (await outcome) as Outcome;
      // The first to reach the wait decides: a cancel interrupts it (the hand-off then finds
      // nobody waiting); a hand-off ends it, and the cancel, which a callback never consumes,
      // stays pending for the task's own code.
      if (order === 'cancel first') {
        expect('error' in seen && seen.error).toBeInstanceOf(CancelledError);
      } else {
        expect(seen).toHaveProperty('value');
      }
      race.check(seen);
      foreign.open();
      expect(await rejection(task)).toBeInstanceOf(CancelledError);
      expect(task.cancelled()).toBe(true);
    },
  );
});
