// Every Redis wait begun in a callback that a task set up (a setImmediate or setTimeout
// callback, an EventEmitter listener emitted from a timer of the task) runs in the task's async
// context: the task's cancellation interrupts it at once, the callback cannot consume that
// cancellation (the task's own code still gets it), and the waiter leaves the queue in Redis
// holding nothing: the permits are as they were and a later wait gets one.
import { Future, createTask } from '@corio/core';
import type { Task } from '@corio/core';
import type { Tracked } from '../../core/test/callback-waits-shared.js';
import { RedisSemaphore, redisLimiter } from '@corio/redis';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { useRedisServer } from './redis-server.js';
import {
  callbackCases,
  cancelMidWait,
  gate,
  ownCode,
  track,
} from '../../core/test/callback-waits-shared.js';

const server = useRedisServer();
let redis: Redis;
let counter = 0;
const url = (): string => `redis://127.0.0.1:${String(server.port)}`;

beforeAll(async () => {
  redis = new Redis(server.port, '127.0.0.1');
  await redis.ping(); // connected before the first test counts the connections
});
afterAll(async () => {
  await redis.quit();
});

/** Redis hears of an arrival or a departure a round trip later: polled, with room to spare. */
const REDIS_HEARS = { timeout: 10_000, interval: 2 };

/**
 * Fails the test if it left a timer, an immediate or a TCP connection open: more of them than
 * when it began (one armed before it, by the runner or the shared client, may have ended since).
 */
function checkNoLeaks(): void {
  const open = (kind: string): number =>
    process.getActiveResourcesInfo().filter((name) => name.startsWith(kind)).length;
  const count = (): Record<string, number> => ({
    timers: open('Timeout') + open('Immediate'),
    sockets: open('TCP'),
  });
  let before: Record<string, number> = {};
  beforeEach(() => {
    before = count();
  });
  afterEach(async () => {
    // A connection that quit() ended closes its socket a moment after Redis's answer.
    await vi.waitFor(() => {
      expect(count().sockets, 'connections left open by the test').toBeLessThanOrEqual(
        before.sockets ?? 0,
      );
    }, REDIS_HEARS);
    // The test runner arms short-lived timers of its own now and then; a wait's are a minute's.
    await vi.waitFor(
      () => {
        expect(count().timers, 'timers left armed by the test').toBeLessThanOrEqual(
          before.timers ?? 0,
        );
      },
      { timeout: 1_000, interval: 5 },
    );
  });
}

checkNoLeaks();

/** How many wait in the semaphore's queue in Redis. */
async function queued(name: string): Promise<number> {
  return redis.zcard(`corio:semaphore:{${name}}:queue`);
}

/** How many hold a permit of the semaphore in Redis. */
async function holding(name: string): Promise<number> {
  return redis.zcard(`corio:semaphore:{${name}}:holders`);
}

async function untilQueued(name: string, n: number): Promise<void> {
  await vi.waitFor(async () => {
    expect(await queued(name)).toBe(n);
  }, REDIS_HEARS);
}

/** One user of the semaphore `name`, whose wait the callback begins. */
interface Waiter {
  /** Begins the wait (called in the callback); what it guards logs to `ran`. */
  begin: () => Promise<unknown>;
  /** How many of this user's calls wait for a permit. */
  waiting: () => number;
  /** Checks what is left of the interrupted wait once it ended. */
  leftover: () => void;
  /** A later wait, outside any task: it gets a permit, once one is free. */
  later: () => Promise<void>;
  close: () => Promise<void>;
}

interface WaitKind {
  readonly name: string;
  /** How many places in the queue the wait takes. */
  readonly places: number;
  readonly open: (name: string, ran: unknown[]) => Waiter;
}

function semaphore(name: string): RedisSemaphore {
  return new RedisSemaphore({ connection: url(), name, limit: 1 });
}

/** A waiter on a RedisSemaphore of its own (as another process would have). */
function onSemaphore(name: string, begin: (sem: RedisSemaphore) => Promise<unknown>): Waiter {
  const sem = semaphore(name);
  return {
    begin: () => begin(sem),
    waiting: () => sem.waiting,
    leftover: () => {
      expect(String(sem)).toBe(`<RedisSemaphore ${name} limit=1 held=0 waiting=0>`);
    },
    later: async () => {
      expect(await sem.acquire()).toBe(true);
      expect(sem.held).toBe(1);
      expect(await holding(name)).toBe(1);
      sem.release();
    },
    close: () => sem.close(),
  };
}

/** A waiter on a redisLimiter(1) of the semaphore `name`. */
function onLimiter(
  name: string,
  begin: (limit: ReturnType<typeof redisLimiter>, calls: Future<unknown>[]) => Promise<unknown>,
): Waiter {
  const limit = redisLimiter(1, { connection: url(), name });
  const calls: Future<unknown>[] = [];
  return {
    begin: () => begin(limit, calls),
    waiting: () => limit.pendingCount,
    leftover: () => {
      // Cancelling the callback's await cancelled what it awaited (asyncio's rule).
      expect(calls.length).toBeGreaterThan(0);
      expect(calls.every((call) => call.cancelled())).toBe(true);
      expect([limit.pendingCount, limit.activeCount]).toEqual([0, 0]);
    },
    later: async () => {
      expect(await limit(() => 'later')).toBe('later');
    },
    close: () => limit.close(),
  };
}

const WAITS: readonly WaitKind[] = [
  {
    name: 'RedisSemaphore.acquire()',
    places: 1,
    open: (name) => onSemaphore(name, (sem) => sem.acquire()),
  },
  {
    name: 'RedisSemaphore.use()',
    places: 1,
    open: (name, ran) => onSemaphore(name, (sem) => sem.use(() => ran.push('use'))),
  },
  {
    name: 'RedisSemaphore.guard()',
    places: 1,
    open: (name, ran) =>
      onSemaphore(name, async (sem) => {
        await using _ = await sem.guard();
        ran.push('guard');
      }),
  },
  {
    name: 'awaiting a redisLimiter() call',
    places: 1,
    open: (name, ran) =>
      onLimiter(name, async (limit, calls) => {
        const call = limit(() => ran.push('call'));
        calls.push(call);
        return await call;
      }),
  },
  {
    name: 'awaiting redisLimiter().map()',
    places: 2,
    open: (name, ran) =>
      onLimiter(name, async (limit, calls) => {
        const all = limit.map([1, 2], (n) => ran.push(n));
        calls.push(all);
        return await all;
      }),
  },
];

const CASES = callbackCases(WAITS);

describe('a Redis wait begun in a callback that a task set up', () => {
  it.each(CASES)(
    '$wait.name in $origin.name, the own code awaiting $own: interrupted, the cancel not consumed, no permit lost',
    async ({ wait, origin, own }) => {
      const name = `callback-${String(++counter)}`;
      await using holder = semaphore(name);
      await holder.acquire();
      const ran: unknown[] = [];
      const waiter = wait.open(name, ran);
      try {
        const begun = new Future<Tracked>();
        const foreign = gate();
        const log: string[] = [];
        const task: Task<void> = createTask(async () => {
          origin.setUp(() => {
            begun.setResult(track(waiter.begin()));
          });
          await ownCode(own, foreign.promise, log);
        });
        const waitInCallback = await begun;
        await untilQueued(name, wait.places);
        expect(waiter.waiting()).toBe(wait.places);
        expect(waitInCallback.settled).toBe(false);

        await cancelMidWait(task, waitInCallback, { kind: own, foreign, log });

        // It left the queue holding nothing; the permits are as they were.
        waiter.leftover();
        await untilQueued(name, 0);
        expect(await holder.count()).toBe(1);
        expect(await holding(name)).toBe(1);
        expect(holder.held).toBe(1);
        // The guarded work never ran; once the permit is free, a later wait gets it.
        holder.release();
        await waiter.later();
        expect(ran).toEqual([]);
        expect(await holder.count()).toBe(0);
      } finally {
        await waiter.close();
      }
    },
  );
});
